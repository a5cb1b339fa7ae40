import EtcdProto
import MVCC
import Testing

@Suite struct TxnTests {
    @Test(arguments: [
        (Compare.CompareResult.equal, Compare.TargetUnion.value(bytes("1")), true),
        (.notEqual, .value(bytes("1")), false),
        (.greater, .value(bytes("0")), true),
        (.less, .value(bytes("0")), false),
        (.equal, .version(1), true),
        (.greater, .version(1), false),
        (.equal, .createRevision(2), true),
        (.less, .modRevision(3), true),
        (.equal, .lease(0), true),
        (.notEqual, .lease(5), true),
    ])
    func comparesOnAnExistingKey(result: Compare.CompareResult, target: Compare.TargetUnion, holds: Bool) throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let response = try fixture.txn(txnRequest([compare("a", result, target)], success: [], failure: []))
        #expect(response.succeeded == holds)
    }

    @Test func comparesOnAMissingKey() throws {
        let fixture = try TemporaryStore()
        // A missing key is an empty KeyValue, except for value compares, which always fail.
        #expect(try fixture.txn(txnRequest([compare("x", .equal, .version(0))], success: [])).succeeded)
        #expect(try fixture.txn(txnRequest([compare("x", .equal, .createRevision(0))], success: [])).succeeded)
        #expect(try !fixture.txn(txnRequest([compare("x", .equal, .value([]))], success: [])).succeeded)
        #expect(try !fixture.txn(txnRequest([compare("x", .notEqual, .value(bytes("y")))], success: [])).succeeded)
    }

    @Test func compareOverARangeNeedsEveryKey() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a1", "1")
        try fixture.put("a2", "2")
        var every = compare("a", .greater, .value(bytes("0")))
        every.rangeEnd = bytes("b")
        #expect(try fixture.txn(txnRequest([every], success: [])).succeeded)
        every.targetUnion = .value(bytes("1"))
        #expect(try !fixture.txn(txnRequest([every], success: [])).succeeded)
    }

    @Test func branchesAndResponses() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let request = txnRequest(
            [compare("a", .equal, .value(bytes("1")))],
            success: [op(putRequest("b", "2")), op(rangeRequest("b")), op(deleteRequest("a"))],
            failure: [op(putRequest("c", "3"))])
        let response = try fixture.txn(request)
        #expect(response.succeeded)
        #expect(response.header?.revision == 3)
        guard response.responses.count == 3,
            case .responsePut(let put)? = response.responses[0].response,
            case .responseRange(let range)? = response.responses[1].response,
            case .responseDeleteRange(let delete)? = response.responses[2].response
        else { throw TestFailure("unexpected responses \(response.responses)") }
        #expect(put.header?.revision == 3)
        // Ranges inside the txn see its own writes.
        #expect(values(range) == ["2"])
        #expect(range.header?.revision == 3)
        #expect(delete.deleted == 1)
        #expect(try fixture.get("c").kvs.isEmpty)
        #expect(try fixture.get("a").kvs.isEmpty)
        // Failure branch now runs.
        let second = try fixture.txn(request)
        #expect(!second.succeeded)
        #expect(values(try fixture.get("c")) == ["3"])
    }

    @Test func nestedTxnsDecideAllComparesBeforeWriting() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        // The nested compare reads "a" before the outer put changes it.
        let inner = txnRequest(
            [compare("a", .equal, .value(bytes("1")))], success: [op(putRequest("inner", "yes"))],
            failure: [op(putRequest("inner", "no"))])
        let outer = txnRequest([], success: [op(putRequest("a", "2")), op(inner)])
        let response = try fixture.txn(outer)
        #expect(response.succeeded)
        guard case .responseTxn(let nested)? = response.responses[1].response else { throw TestFailure("no nested") }
        #expect(nested.succeeded)
        #expect(values(try fixture.get("inner")) == ["yes"])
        #expect(try fixture.get("inner").kvs[0].modRevision == 3)
    }

    @Test func checksRejectTheWholeTxnBeforeWriting() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        var ignore = putRequest("missing", "")
        ignore.ignoreValue = true
        var result = try fixture.apply(.txn(txnRequest([], success: [op(putRequest("b", "2")), op(ignore)])))
        #expect(throws: MVCCError.keyNotFound) { try result.response.get() }
        #expect(result.revision == 2)
        #expect(try fixture.get("b").kvs.isEmpty)

        result = try fixture.apply(.txn(txnRequest([], success: [op(putRequest("b", "2")), op(rangeRequest("a", revision: 3))])))
        #expect(throws: MVCCError.futureRevision) { try result.response.get() }
        result = try fixture.apply(.txn(txnRequest([], success: [op(putRequest("b", "2", lease: 3))])))
        #expect(throws: MVCCError.leaseNotFound) { try result.response.get() }
        #expect(try fixture.store.currentRevision() == 2)
    }

    @Test func aFailureMidwayLeavesNothingBehind() throws {
        // Passes the pre-checks ("a" exists) but fails after the delete: etcd would panic; we roll back.
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        var ignore = putRequest("a", "")
        ignore.ignoreValue = true
        let inner = txnRequest([], success: [op(ignore)])
        let result = try fixture.apply(.txn(txnRequest([], success: [op(deleteRequest("a", end: "\0")), op(inner)])))
        #expect(throws: MVCCError.keyNotFound) { try result.response.get() }
        #expect(result.events.isEmpty)
        #expect(values(try fixture.get("a")) == ["1"])
        #expect(try fixture.store.currentRevision() == 2)
        try fixture.put("b", "2")
        #expect(try fixture.store.currentRevision() == 3)
    }

    @Test func readOnlyTxnOnReaders() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let response = try fixture.store.readOnlyTxn(
            txnRequest([compare("a", .equal, .version(1))], success: [op(rangeRequest("a"))]))
        #expect(response.succeeded)
        #expect(response.header?.revision == 2)
        #expect(throws: MVCCError.notReadOnly) {
            try fixture.store.readOnlyTxn(txnRequest([], success: [], failure: [op(putRequest("a", "2"))]))
        }
    }

    @Test func duplicateKeyRules() {
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(putRequest("a", "1")), op(putRequest("a", "2"))])) == .duplicateKey)
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(putRequest("a", "1")), op(deleteRequest("a"))])) == .duplicateKey)
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(putRequest("b", "1")), op(deleteRequest("a", end: "c"))])) == .duplicateKey)
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(putRequest("a", "1"))], failure: [op(putRequest("a", "2"))])) == nil)
        let bothBranches = txnRequest([], success: [op(putRequest("k", "1"))], failure: [op(putRequest("k", "2"))])
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(bothBranches)])) == nil)
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(bothBranches), op(putRequest("k", "3"))])) == .duplicateKey)
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(deleteRequest("j", end: "l")), op(bothBranches)])) == .duplicateKey)
        #expect(txnDuplicateKeyError(txnRequest([], success: [op(deleteRequest("a")), op(deleteRequest("a"))])) == nil)
    }
}
