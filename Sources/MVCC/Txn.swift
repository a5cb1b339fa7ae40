// KV.Txn as etcd 3.4's applierV3backend.Txn: every compare (nested ones too) is evaluated on the
// state before the txn, then the chosen branches are checked, then executed in order; ranges in
// the txn see the txn's own earlier writes.

import EtcdProto
import Storage

/// The branch each (nested) txn takes, decided before anything is written.
struct TxnPlan {
    var succeeded: Bool
    /// Plans of the nested txns of the chosen branch, in order.
    var nested: [TxnPlan]
    /// Compares evaluated, nested ones included (each a range for etcd's metrics).
    var comparesEvaluated: UInt64
}

extension TxnRequest {
    /// Whether every op (in every branch, nested too) is a range: etcd's isTxnReadonly.
    var isReadOnly: Bool {
        for op in self.success + self.failure {
            switch op.request {
            case .requestRange?, nil: continue
            case .requestTxn(let nested)?: if !nested.isReadOnly { return false }
            case .requestPut?, .requestDeleteRange?: return false
            }
        }
        return true
    }
}

extension StoreView {
    func plan(_ request: TxnRequest, currentRevision: Int64) throws(MVCCError) -> TxnPlan {
        var succeeded = true
        var evaluated: UInt64 = 0
        // etcd's applyCompares stops at the first compare that fails.
        for compare in request.compare {
            evaluated += 1
            if !(try self.holds(compare, currentRevision: currentRevision)) {
                succeeded = false
                break
            }
        }
        var nested: [TxnPlan] = []
        for op in succeeded ? request.success : request.failure {
            if case .requestTxn(let inner)? = op.request {
                let innerPlan = try self.plan(inner, currentRevision: currentRevision)
                evaluated += innerPlan.comparesEvaluated
                nested.append(innerPlan)
            }
        }
        return TxnPlan(succeeded: succeeded, nested: nested, comparesEvaluated: evaluated)
    }

    /// etcd's applyCompare: every key in the range must satisfy the compare; a missing key
    /// compares as an empty KeyValue, except that a value compare on no key always fails.
    func holds(_ compare: Compare, currentRevision: Int64) throws(MVCCError) -> Bool {
        let kvs: [KeyValue]
        do {
            kvs = try self.range(
                KeyInterval(key: compare.key, rangeEnd: compare.rangeEnd), revision: currentRevision, isLatest: true,
                limit: 0, countOnly: false, withValue: compare.target == .value
            ).kvs
        } catch {
            throw .storage(error)
        }
        if kvs.isEmpty {
            if compare.target == .value { return false }
            return Self.compare(compare, KeyValue())
        }
        return kvs.allSatisfy { Self.compare(compare, $0) }
    }

    static func compare(_ compare: Compare, _ kv: KeyValue) -> Bool {
        let order: Int
        func ordered(_ lhs: Int64, _ rhs: Int64) -> Int { lhs < rhs ? -1 : (lhs > rhs ? 1 : 0) }
        switch compare.target {
        case .value:
            var expected: [UInt8] = []
            if case .value(let value)? = compare.targetUnion { expected = value }
            order = kv.value == expected ? 0 : (kv.value.lexicographicallyPrecedes(expected) ? -1 : 1)
        case .create:
            var expected: Int64 = 0
            if case .createRevision(let value)? = compare.targetUnion { expected = value }
            order = ordered(kv.createRevision, expected)
        case .mod:
            var expected: Int64 = 0
            if case .modRevision(let value)? = compare.targetUnion { expected = value }
            order = ordered(kv.modRevision, expected)
        case .version:
            var expected: Int64 = 0
            if case .version(let value)? = compare.targetUnion { expected = value }
            order = ordered(kv.version, expected)
        case .lease:
            var expected: Int64 = 0
            if case .lease(let value)? = compare.targetUnion { expected = value }
            order = ordered(kv.lease, expected)
        default:
            order = 0
        }
        switch compare.result {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .greater: return order > 0
        case .less: return order < 0
        default: return true  // etcd: an unknown result holds
        }
    }

    /// etcd's checkRequests over the chosen branches: puts (when the txn writes) need their key for
    /// ignore_value/ignore_lease and an existing lease; ranges need a readable revision.
    func check(
        _ request: TxnRequest, plan: TxnPlan, isWrite: Bool, currentRevision: Int64, compactedRevision: Int64,
        leaseExists: ((Int64) throws(LMDBError) -> Bool)? = nil
    ) throws(MVCCError) {
        var nestedPlans = plan.nested.makeIterator()
        for op in plan.succeeded ? request.success : request.failure {
            switch op.request {
            case .requestTxn(let inner)?:
                guard let innerPlan = nestedPlans.next() else { continue }
                try self.check(
                    inner, plan: innerPlan, isWrite: isWrite, currentRevision: currentRevision,
                    compactedRevision: compactedRevision, leaseExists: leaseExists)
            case .requestPut(let put)? where isWrite:
                if put.ignoreValue || put.ignoreLease {
                    let existing: KeyValue?
                    do { existing = try self.latest(put.key, withValue: false) } catch { throw .storage(error) }
                    if existing == nil { throw .keyNotFound }
                }
                if put.lease != 0, let leaseExists {
                    let exists: Bool
                    do { exists = try leaseExists(put.lease) } catch { throw .storage(error) }
                    if !exists { throw .leaseNotFound }
                }
            case .requestRange(let range)?:
                if range.revision > currentRevision { throw .futureRevision }
                if range.revision != 0 && range.revision < compactedRevision { throw .compacted }
            default:
                continue
            }
        }
    }
}

extension Writer {
    /// Runs the chosen branch of `request` (already planned and checked).
    mutating func execute(_ request: TxnRequest, plan: TxnPlan) throws(MVCCError) -> TxnResponse {
        var response = TxnResponse()
        response.succeeded = plan.succeeded
        var nestedPlans = plan.nested.makeIterator()
        for op in plan.succeeded ? request.success : request.failure {
            var result = ResponseOp()
            switch op.request {
            case .requestRange(let range)?: result.response = .responseRange(try self.applyRange(range))
            case .requestPut(let put)?: result.response = .responsePut(try self.applyPut(put))
            case .requestDeleteRange(let delete)?: result.response = .responseDeleteRange(try self.applyDeleteRange(delete))
            case .requestTxn(let inner)?:
                guard let innerPlan = nestedPlans.next() else { break }
                var nested = try self.execute(inner, plan: innerPlan)
                // etcd fills nested txn headers only through their ops; the header stays empty.
                nested.header = ResponseHeader()
                result.response = .responseTxn(nested)
            case nil:
                break
            }
            response.responses.append(result)
        }
        var header = ResponseHeader()
        header.revision = self.readRevision
        response.header = header
        return response
    }
}

/// etcd's gRPC-layer check (v3rpc checkIntervals) that no key is put twice, or put and deleted,
/// in one txn, nested txns included (a key put in both branches of one nested txn is fine).
/// The server calls it before proposing; nil when the txn is acceptable.
public func txnDuplicateKeyError(_ request: TxnRequest) -> MVCCError? {
    if (try? DeleteIntervals.check(request.success)) == nil || (try? DeleteIntervals.check(request.failure)) == nil {
        return .duplicateKey
    }
    return nil
}

/// The delete ranges of a txn level, compared as etcd's interval tree does: a range end is taken
/// literally (so "\0" covers nothing), an empty one means a single key.
struct DeleteIntervals {
    private var intervals: [(start: [UInt8], end: [UInt8]?)] = []

    func contains(_ key: [UInt8]) -> Bool {
        self.intervals.contains { interval in
            guard let end = interval.end else { return key == interval.start }
            return !key.lexicographicallyPrecedes(interval.start) && key.lexicographicallyPrecedes(end)
        }
    }

    struct Duplicate: Error {}

    /// Returns the puts and deletes of `ops` (nested txns included), or throws on a duplicate.
    static func check(_ ops: [RequestOp]) throws(Duplicate) -> (puts: Set<[UInt8]>, deletes: DeleteIntervals) {
        var deletes = DeleteIntervals()
        for op in ops {
            if case .requestDeleteRange(let delete)? = op.request {
                deletes.intervals.append((delete.key, delete.rangeEnd.isEmpty ? nil : delete.rangeEnd))
            }
        }
        var puts = Set<[UInt8]>()
        for op in ops {
            guard case .requestTxn(let inner)? = op.request else { continue }
            let then = try check(inner.success)
            let otherwise = try check(inner.failure)
            for key in then.puts {
                if puts.contains(key) || deletes.contains(key) { throw Duplicate() }
                puts.insert(key)
            }
            for key in otherwise.puts {
                if puts.contains(key) && !then.puts.contains(key) { throw Duplicate() }
                if deletes.contains(key) { throw Duplicate() }
                puts.insert(key)
            }
            deletes.intervals += then.deletes.intervals + otherwise.deletes.intervals
        }
        for op in ops {
            guard case .requestPut(let put)? = op.request else { continue }
            if puts.contains(put.key) || deletes.contains(put.key) { throw Duplicate() }
            puts.insert(put.key)
        }
        return (puts, deletes)
    }
}
