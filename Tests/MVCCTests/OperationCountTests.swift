import EtcdProto
import MVCC
import Testing

/// `etcd_mvcc_put_total` and `etcd_mvcc_delete_total` count as etcd's mvcc metrics do.
@Suite struct OperationCountTests {
    @Test func putsAndDeleteRangesAreCountedPerOperationWhenApplied() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        try fixture.put("b", "1")
        #expect(fixture.store.appliedOperations.total == MVCCOperationCounts(puts: 2, deletes: 0))

        // A DeleteRange is one delete however many keys it removes, and one that removes none counts.
        try fixture.delete("a", end: "c")
        try fixture.delete("nothing")
        #expect(fixture.store.appliedOperations.total == MVCCOperationCounts(puts: 2, deletes: 2))

        // A txn counts each operation of the branch it runs; its ranges are not puts or deletes.
        try fixture.txn(txnRequest([], success: [
            op(putRequest("c", "1")), op(putRequest("d", "1")), op(deleteRequest("b")), op(rangeRequest("d")),
        ]))
        #expect(fixture.store.appliedOperations.total == MVCCOperationCounts(puts: 4, deletes: 3))

        // Revoking a lease deletes each attached key with a DeleteRange of its own.
        try fixture.grant(7)
        try fixture.put("e", "1", lease: 7)
        try fixture.put("f", "1", lease: 7)
        _ = try fixture.apply(.leaseRevoke(7)).response.get()
        #expect(fixture.store.appliedOperations.total == MVCCOperationCounts(puts: 6, deletes: 5))
    }

    @Test func refusedWritesAndReplayedBatchesCountNothing() throws {
        let fixture = try TemporaryStore()
        let missingLease = try fixture.apply(.put(putRequest("a", "1", lease: 99)))
        #expect(throws: MVCCError.leaseNotFound) { try missingLease.response.get() }
        // An index already applied (a replay after a crash) skips the batch.
        _ = try fixture.store.apply([.put(putRequest("b", "1"))], lastIndex: 1)
        #expect(fixture.store.appliedOperations.total == MVCCOperationCounts())
    }
}
