import EtcdProto
import MVCC
import Testing

@Suite struct AlarmTests {
    private func alarm(_ action: AlarmRequest.AlarmAction, _ type: AlarmType = .nospace) -> MVCCWrite {
        var request = AlarmRequest()
        request.action = action
        request.memberId = 7
        request.alarm = type
        return .alarm(request)
    }

    @Test func noSpaceRefusesWhatAddsDataAndPersists() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let raised = try fixture.apply(alarm(.activate))
        #expect(try raised.response.get() == .alarm([AlarmMember(memberId: 7, alarm: .nospace)]))
        try fixture.reopen()
        #expect(try fixture.store.alarms() == [AlarmMember(memberId: 7, alarm: .nospace)])

        #expect(throws: MVCCError.noSpace) { try fixture.apply(.put(putRequest("b", "1"))).response.get() }
        #expect(throws: MVCCError.noSpace) {
            try fixture.apply(.txn(txnRequest([], success: [], failure: [op(putRequest("b", "1"))]))).response.get()
        }
        #expect(throws: MVCCError.noSpace) { try fixture.apply(.leaseGrant(LeaseRecord(id: 1, ttl: 10))).response.get() }
        try fixture.delete("a")
        #expect(try fixture.store.currentRevision() == 3)

        let cleared = try fixture.apply(alarm(.deactivate))
        #expect(try cleared.response.get() == .alarm([AlarmMember(memberId: 7, alarm: .nospace)]))
        let again = try fixture.apply(alarm(.deactivate))
        #expect(try again.response.get() == .alarm([]))
        try fixture.put("b", "1")
        #expect(try fixture.store.currentRevision() == 4)
    }

    @Test func getListsAllOrOneType() throws {
        let fixture = try TemporaryStore()
        _ = try fixture.apply(alarm(.activate, .corrupt))
        _ = try fixture.apply(alarm(.activate, .nospace))
        #expect(try fixture.apply(alarm(.get, .none)).response.get()
            == .alarm([AlarmMember(memberId: 7, alarm: .nospace), AlarmMember(memberId: 7, alarm: .corrupt)]))
        #expect(try fixture.apply(alarm(.get, .corrupt)).response.get() == .alarm([AlarmMember(memberId: 7, alarm: .corrupt)]))
    }

    @Test func corruptRefusesEveryWriteButKeepsReadsAndAlarms() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        _ = try fixture.apply(alarm(.activate, .corrupt))
        #expect(throws: MVCCError.corrupt) { try fixture.apply(.put(putRequest("b", "1"))).response.get() }
        #expect(throws: MVCCError.corrupt) {
            try fixture.apply(.deleteRange(DeleteRangeRequest(key: Array("a".utf8)))).response.get()
        }
        #expect(throws: MVCCError.corrupt) { try fixture.apply(.txn(txnRequest([], success: [], failure: []))).response.get() }
        #expect(throws: MVCCError.corrupt) { try fixture.apply(.compact(CompactionRequest(revision: 1))).response.get() }
        #expect(throws: MVCCError.corrupt) { try fixture.apply(.leaseGrant(LeaseRecord(id: 1, ttl: 10))).response.get() }
        #expect(throws: MVCCError.corrupt) { try fixture.apply(.leaseRevoke(1)).response.get() }
        #expect(try fixture.store.currentRevision() == 2)
        #expect(try fixture.store.range(rangeRequest("a")).kvs.map(\.value) == [Array("1".utf8)])
        // Clearing it is a write the corrupt applier lets through, as etcd's does.
        _ = try fixture.apply(alarm(.deactivate, .corrupt))
        try fixture.put("b", "1")
        #expect(try fixture.store.currentRevision() == 3)
    }
}
