import EtcdProto
import MVCC
import Testing

@Suite struct LeaseKeyTests {
    @Test func leaseIndexFollowsPutsAndDeletes() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1", lease: 5)
        try fixture.put("b", "1", lease: 5)
        try fixture.put("c", "1", lease: 5)
        try fixture.put("a", "2", lease: 6)  // moves to lease 6
        var keepLease = putRequest("b", "2")
        keepLease.ignoreLease = true
        _ = try fixture.apply(.put(keepLease)).response.get()  // stays on 5
        try fixture.put("c", "2")  // detached
        #expect(try fixture.store.keys(attachedTo: 5) == [bytes("b")])
        #expect(try fixture.store.keys(attachedTo: 6) == [bytes("a")])
        try fixture.delete("a")
        #expect(try fixture.store.keys(attachedTo: 6).isEmpty)
    }

    @Test func deletingALeasesKeysIsOneRevision() throws {
        let fixture = try TemporaryStore()
        try fixture.txn(txnRequest([], success: [op(putRequest("x", "1", lease: 9)), op(putRequest("y", "1", lease: 9))]))
        try fixture.put("z", "1")
        let result = try fixture.apply(.deleteLeaseKeys(9))
        #expect(try result.response.get() == .leaseKeysDeleted(2))
        #expect(result.revision == 4)
        #expect(result.events.map(\.type) == [.delete, .delete])
        #expect(result.events.map { $0.kv?.modRevision } == [4, 4])
        #expect(keys(try fixture.get("\0", end: "\0")) == ["z"])
        #expect(try fixture.store.keys(attachedTo: 9).isEmpty)
        let none = try fixture.apply(.deleteLeaseKeys(9))
        #expect(try none.response.get() == .leaseKeysDeleted(0))
        #expect(none.revision == 4)
    }
}
