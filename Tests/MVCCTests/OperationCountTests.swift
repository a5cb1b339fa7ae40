import EtcdProto
import MVCC
import Testing

/// `etcd_mvcc_{range,put,delete,txn}_total` count as etcd's mvcc metrics do.
@Suite struct OperationCountTests {
    @Test func putsAndDeleteRangesAreCountedPerOperationWhenApplied() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        try fixture.put("b", "1")
        #expect(fixture.store.operations.total == MVCCOperationCounts(puts: 2, deletes: 0))

        // A DeleteRange is one delete however many keys it removes, and one that removes none counts.
        try fixture.delete("a", end: "c")
        try fixture.delete("nothing")
        #expect(fixture.store.operations.total == MVCCOperationCounts(puts: 2, deletes: 2))

        // A txn counts each operation of the branch it runs, and is a txn: it holds more than one.
        try fixture.txn(txnRequest([], success: [
            op(putRequest("c", "1")), op(putRequest("d", "1")), op(deleteRequest("b")), op(rangeRequest("d")),
        ]))
        #expect(fixture.store.operations.total == MVCCOperationCounts(ranges: 1, puts: 4, deletes: 3, txns: 1))

        // Revoking a lease deletes each attached key with a DeleteRange of its own, in one transaction.
        try fixture.grant(7)
        try fixture.put("e", "1", lease: 7)
        try fixture.put("f", "1", lease: 7)
        _ = try fixture.apply(.leaseRevoke(7)).response.get()
        #expect(fixture.store.operations.total == MVCCOperationCounts(ranges: 1, puts: 6, deletes: 5, txns: 2))
    }

    @Test func readsAreRangesAndTransactionsOfSeveralAreTxns() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        _ = try fixture.store.range(rangeRequest("a"))
        #expect(fixture.store.operations.total == MVCCOperationCounts(ranges: 1, puts: 1))

        // prev_kv reads the key before the put: two operations, so a txn.
        _ = try fixture.apply(.put(putRequest("a", "2", prevKv: true))).response.get()
        _ = try fixture.apply(.deleteRange(deleteRequest("zz", prevKv: true))).response.get()
        #expect(fixture.store.operations.total == MVCCOperationCounts(ranges: 3, puts: 2, deletes: 1, txns: 2))

        // A writing txn's compares are a read transaction of their own (two here, the second
        // fails and ends them), then its branch writes (one put: not a txn).
        try fixture.txn(txnRequest(
            [compare("a", .equal, .version(2)), compare("a", .equal, .version(9)), compare("a", .equal, .version(2))],
            success: [], failure: [op(putRequest("b", "1"))]))
        #expect(fixture.store.operations.total == MVCCOperationCounts(ranges: 5, puts: 3, deletes: 1, txns: 3))

        // A read-only txn is one read transaction: its compare and its range.
        _ = try fixture.store.readOnlyTxn(txnRequest([compare("a", .equal, .version(2))], success: [op(rangeRequest("a"))]))
        #expect(fixture.store.operations.total == MVCCOperationCounts(ranges: 7, puts: 3, deletes: 1, txns: 4))
    }

    @Test func refusedWritesAndReplayedBatchesCountNothing() throws {
        let fixture = try TemporaryStore()
        let missingLease = try fixture.apply(.put(putRequest("a", "1", lease: 99)))
        #expect(throws: MVCCError.leaseNotFound) { try missingLease.response.get() }
        // An index already applied (a replay after a crash) skips the batch.
        _ = try fixture.store.apply([.put(putRequest("b", "1"))], lastIndex: 1)
        #expect(fixture.store.operations.total == MVCCOperationCounts())
    }
}
