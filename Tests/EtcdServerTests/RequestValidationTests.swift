import EtcdProto
import GRPCTransport
import XCTest

@testable import EtcdServer

final class RequestValidationTests: XCTestCase {
    private func put(_ key: String) -> RequestOp {
        var put = PutRequest()
        put.key = Array(key.utf8)
        var operation = RequestOp()
        operation.request = .requestPut(put)
        return operation
    }

    private func delete(_ key: String, _ end: String = "") -> RequestOp {
        var delete = DeleteRangeRequest()
        delete.key = Array(key.utf8)
        delete.rangeEnd = Array(end.utf8)
        var operation = RequestOp()
        operation.request = .requestDeleteRange(delete)
        return operation
    }

    private func nested(_ success: [RequestOp], _ failure: [RequestOp] = []) -> RequestOp {
        var txn = TxnRequest()
        txn.success = success
        txn.failure = failure
        var operation = RequestOp()
        operation.request = .requestTxn(txn)
        return operation
    }

    private func check(_ success: [RequestOp], failure: [RequestOp] = [], maxTxnOps: Int = 128) -> GRPCStatus? {
        var txn = TxnRequest()
        txn.success = success
        txn.failure = failure
        do {
            try RequestValidation.check(txn, maxTxnOps: maxTxnOps)
            return nil
        } catch {
            return error
        }
    }

    func testDuplicateKeysFollowEtcdsCheckIntervals() {
        XCTAssertNil(check([put("a"), put("b")]))
        XCTAssertEqual(check([put("a"), put("a")]), EtcdErrors.duplicateKey)
        XCTAssertEqual(check([put("b"), delete("a", "c")]), EtcdErrors.duplicateKey)
        XCTAssertEqual(check([put("a"), delete("a")]), EtcdErrors.duplicateKey)
        XCTAssertNil(check([put("c"), delete("a", "c")]))
        // The same key in both branches of a nested txn is fine; in a nested txn and outside is not.
        XCTAssertNil(check([nested([put("a")], [put("a")])]))
        XCTAssertEqual(check([nested([put("a")]), put("a")]), EtcdErrors.duplicateKey)
        XCTAssertEqual(check([nested([delete("a")]), put("a")]), EtcdErrors.duplicateKey)
        // Each branch is checked on its own.
        XCTAssertNil(check([put("a")], failure: [put("a")]))
        // etcd reads range_end "\0" in a delete as the empty interval [key, "\0").
        XCTAssertNil(check([put("z"), delete("a", "\0")]))
    }

    func testOperationCountAndEmptyKeys() {
        XCTAssertEqual(check((0..<3).map { put("k\($0)") }, maxTxnOps: 2), EtcdErrors.tooManyOps)
        XCTAssertNil(check((0..<2).map { put("k\($0)") }, maxTxnOps: 2))
        XCTAssertEqual(check([put("")]), EtcdErrors.emptyKey)
        XCTAssertEqual(check([RequestOp()]), EtcdErrors.keyNotFound)
        var compare = Compare()
        compare.key = []
        var txn = TxnRequest()
        txn.compare = [compare]
        XCTAssertThrowsError(try RequestValidation.check(txn, maxTxnOps: 128)) { error in
            XCTAssertEqual(error as? GRPCStatus, EtcdErrors.emptyKey)
        }
    }

    func testPutFlags() {
        var request = PutRequest()
        request.key = [1]
        request.ignoreValue = true
        request.value = [2]
        XCTAssertThrowsError(try RequestValidation.check(request)) { XCTAssertEqual($0 as? GRPCStatus, EtcdErrors.valueProvided) }
        request.value = []
        request.ignoreLease = true
        request.lease = 5
        XCTAssertThrowsError(try RequestValidation.check(request)) { XCTAssertEqual($0 as? GRPCStatus, EtcdErrors.leaseProvided) }
    }
}
