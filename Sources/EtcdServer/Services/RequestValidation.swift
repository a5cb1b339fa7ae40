import EtcdProto
import GRPCTransport

/// The checks etcd's gRPC layer makes before a request reaches the server (`v3rpc/key.go`),
/// in the same order, so the same bad request gets the same error.
enum RequestValidation {
    static func check(_ request: RangeRequest) throws(GRPCStatus) {
        if request.key.isEmpty { throw EtcdErrors.emptyKey }
    }

    static func check(_ request: PutRequest) throws(GRPCStatus) {
        if request.key.isEmpty { throw EtcdErrors.emptyKey }
        if request.ignoreValue && !request.value.isEmpty { throw EtcdErrors.valueProvided }
        if request.ignoreLease && request.lease != 0 { throw EtcdErrors.leaseProvided }
    }

    static func check(_ request: DeleteRangeRequest) throws(GRPCStatus) {
        if request.key.isEmpty { throw EtcdErrors.emptyKey }
    }

    /// etcd's `checkTxnRequest` followed by `checkIntervals` on both branches.
    static func check(_ request: TxnRequest, maxTxnOps: Int) throws(GRPCStatus) {
        try checkOperations(request, maxTxnOps: maxTxnOps)
        _ = try duplicateKeyCheck(request.success)
        _ = try duplicateKeyCheck(request.failure)
    }

    private static func checkOperations(_ request: TxnRequest, maxTxnOps: Int) throws(GRPCStatus) {
        let operationCount = max(request.compare.count, request.success.count, request.failure.count)
        if operationCount > maxTxnOps { throw EtcdErrors.tooManyOps }
        for compare in request.compare where compare.key.isEmpty {
            throw EtcdErrors.emptyKey
        }
        for operation in request.success { try check(operation, maxTxnOps: maxTxnOps - operationCount) }
        for operation in request.failure { try check(operation, maxTxnOps: maxTxnOps - operationCount) }
    }

    private static func check(_ operation: RequestOp, maxTxnOps: Int) throws(GRPCStatus) {
        switch operation.request {
        case .requestRange(let range): try check(range)
        case .requestPut(let put): try check(put)
        case .requestDeleteRange(let delete): try check(delete)
        case .requestTxn(let txn): try checkOperations(txn, maxTxnOps: maxTxnOps)
        case nil: throw EtcdErrors.keyNotFound
        }
    }

    /// A half-open key interval `[begin, end)`; an empty `end` is unbounded (etcd's "affine"
    /// string intervals).
    struct KeyInterval {
        var begin: [UInt8]
        var end: [UInt8]

        func contains(_ key: [UInt8]) -> Bool {
            !key.lexicographicallyPrecedes(begin) && (end.isEmpty || key.lexicographicallyPrecedes(end))
        }
    }

    /// etcd's `checkIntervals`: within one branch (and its nested txns) no key may be put twice
    /// or both put and deleted. Returns the keys put and the ranges deleted, for the caller's level.
    private static func duplicateKeyCheck(
        _ operations: [RequestOp]
    ) throws(GRPCStatus) -> (puts: Set<[UInt8]>, deletes: [KeyInterval]) {
        var deletes: [KeyInterval] = []
        for operation in operations {
            guard case .requestDeleteRange(let delete) = operation.request else { continue }
            if delete.rangeEnd.isEmpty {
                deletes.append(KeyInterval(begin: delete.key, end: delete.key + [0]))
            } else {
                deletes.append(KeyInterval(begin: delete.key, end: delete.rangeEnd))
            }
        }
        func deleted(_ key: [UInt8]) -> Bool { deletes.contains { $0.contains(key) } }

        var puts = Set<[UInt8]>()
        for operation in operations {
            guard case .requestTxn(let txn) = operation.request else { continue }
            let (putsThen, deletesThen) = try duplicateKeyCheck(txn.success)
            let (putsElse, deletesElse) = try duplicateKeyCheck(txn.failure)
            for key in putsThen {
                if puts.contains(key) || deleted(key) { throw EtcdErrors.duplicateKey }
                puts.insert(key)
            }
            for key in putsElse {
                if puts.contains(key) && !putsThen.contains(key) { throw EtcdErrors.duplicateKey }
                if deleted(key) { throw EtcdErrors.duplicateKey }
                puts.insert(key)
            }
            // etcd unions nested deletes over ["\0", ∞): every interval ending after "\0".
            deletes += (deletesThen + deletesElse).filter { $0.end != [0] }
        }

        for operation in operations {
            guard case .requestPut(let put) = operation.request else { continue }
            if puts.contains(put.key) || deleted(put.key) { throw EtcdErrors.duplicateKey }
            puts.insert(put.key)
        }
        return (puts, deletes)
    }
}
