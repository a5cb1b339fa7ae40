import EtcdProto
import MVCC
import Testing

@Suite struct LeaseKeyTests {
    @Test func leaseIndexFollowsPutsAndDeletes() throws {
        let fixture = try TemporaryStore()
        try fixture.grant(5)
        try fixture.grant(6)
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

    @Test func revokingDeletesTheLeaseAndItsKeysInOneRevision() throws {
        let fixture = try TemporaryStore()
        try fixture.grant(9)
        try fixture.txn(txnRequest([], success: [op(putRequest("x", "1", lease: 9)), op(putRequest("y", "1", lease: 9))]))
        try fixture.put("z", "1")
        let result = try fixture.apply(.leaseRevoke(9))
        #expect(try result.response.get() == .leaseRevoked(keysDeleted: 2, revision: 4))
        #expect(result.revision == 4)
        #expect(result.events.map(\.type) == [.delete, .delete])
        #expect(result.events.map { $0.kv?.modRevision } == [4, 4])
        #expect(keys(try fixture.get("\0", end: "\0")) == ["z"])
        #expect(try fixture.store.keys(attachedTo: 9).isEmpty)
        #expect(try fixture.store.lease(9) == nil)
        let again = try fixture.apply(.leaseRevoke(9))
        #expect(throws: MVCCError.leaseNotFound) { try again.response.get() }
        #expect(again.revision == 4)
    }

    @Test func aLeaseWithoutKeysIsRevokedWithoutARevision() throws {
        let fixture = try TemporaryStore()
        try fixture.grant(3)
        let result = try fixture.apply(.leaseRevoke(3))
        #expect(try result.response.get() == .leaseRevoked(keysDeleted: 0, revision: 1))
        #expect(try fixture.store.currentRevision() == 1)
    }

    @Test func grantsAreUniqueAndCheckpointsPersist() throws {
        let fixture = try TemporaryStore()
        try fixture.grant(1, ttl: 30)
        let duplicate = try fixture.apply(.leaseGrant(LeaseRecord(id: 1, ttl: 99)))
        #expect(throws: MVCCError.leaseExists) { try duplicate.response.get() }
        try fixture.grant(2, ttl: 60)
        var checkpoint = LeaseCheckpoint()
        checkpoint.id = 2
        checkpoint.remainingTtl = 17
        var unknown = LeaseCheckpoint()
        unknown.id = 77
        unknown.remainingTtl = 5
        _ = try fixture.apply(.leaseCheckpoint([checkpoint, unknown])).response.get()
        try fixture.reopen()
        #expect(try fixture.store.leases() == [LeaseRecord(id: 1, ttl: 30), LeaseRecord(id: 2, ttl: 60, remainingTTL: 17)])
        #expect(try fixture.store.currentRevision() == 1)
    }
}
