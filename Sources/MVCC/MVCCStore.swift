// The MVCC key-value store of etcd's KV service, persisted in LMDB with its key index
// (see Records.swift for the layout): start-up reads nothing but the environment header.

import EtcdProto
import Storage

/// Thread safety: the only stored properties are immutable references and values; all state
/// lives in LMDB, whose environment is `Sendable` (see `LMDBEnvironment`). Readers use their own
/// read transactions; `apply`/`runCompaction` use write transactions, which LMDB serializes.
public final class MVCCStore: Sendable {
    let environment: LMDBEnvironment
    let tables: Tables
    public let options: MVCCOptions
    /// Puts and deletes applied since start (etcd's `etcd_mvcc_put_total`, `etcd_mvcc_delete_total`).
    /// Ranges, puts, deletes and txns run, as etcd's mvcc metrics count them.
    public let operations = MVCCOperationCounters()
    /// How long each applied batch's write transaction took, commit included (etcd's
    /// `etcd_disk_backend_commit_duration_seconds`: LMDB commits every batch, where bbolt
    /// commits batches of them).
    public let commitDurations = DurationHistogram()

    /// Opens (creating if needed) the store in `directory`. LMDB forbids opening one directory
    /// twice in a process: release a store before opening its directory again.
    public init(directory: String, options: MVCCOptions = MVCCOptions()) throws(MVCCError) {
        var environmentOptions = LMDBOptions()
        environmentOptions.mapSize = options.mapSize
        do {
            let environment = try LMDBEnvironment(directory: directory, options: environmentOptions)
            self.tables = Tables(
                latest: try environment.openDatabase("latest"),
                history: try environment.openDatabase("history"),
                keyRevs: try environment.openDatabase("keyRevs", duplicates: .sortedFixedSize),
                meta: try environment.openDatabase("meta"),
                leaseKeys: try environment.openDatabase("leaseKeys", duplicates: .sorted),
                leases: try environment.openDatabase("leases"),
                alarms: try environment.openDatabase("alarms"),
                members: try environment.openDatabase("members"),
                auth: try environment.openDatabase("auth"))
            self.environment = environment
        } catch {
            throw .storage(error)
        }
        self.options = options
    }

    /// LMDB's key size limit: longer keys are refused with `MVCCError.keyTooLong`.
    public var maxKeySize: Int { self.environment.maxKeySize }

    func read<Result>(_ body: (StoreView) throws(MVCCError) -> Result) throws(MVCCError) -> Result {
        let tables = self.tables
        let maxKeySize = self.environment.maxKeySize
        do {
            return try self.environment.withReadTransaction { (transaction) throws(MVCCError) -> Result in
                try body(StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize))
            }
        } catch {
            switch error {
            case .storage(let failure): throw .storage(failure)
            case .body(let failure): throw failure
            }
        }
    }

    private func metaValue(_ body: (StoreView) throws(LMDBError) -> Int64) throws(MVCCError) -> Int64 {
        try self.read { (view) throws(MVCCError) -> Int64 in
            do throws(LMDBError) { return try body(view) } catch { throw .storage(error) }
        }
    }

    /// The last Raft index whose writes are in the store (0 for a new store).
    public func appliedIndex() throws(MVCCError) -> UInt64 {
        UInt64(bitPattern: try self.metaValue { (view) throws(LMDBError) in try view.meta(.appliedIndex) ?? 0 })
    }

    /// The store's revision (1 in a new store: etcd's first write is revision 2).
    public func currentRevision() throws(MVCCError) -> Int64 {
        try self.metaValue { (view) throws(LMDBError) in try view.currentRevision() }
    }

    /// The last compaction revision (0 before any compaction).
    public func compactedRevision() throws(MVCCError) -> Int64 {
        max(0, try self.metaValue { (view) throws(LMDBError) in try view.compactedRevision() })
    }

    /// The last compaction revision whose old entries are physically gone (what a `physical`
    /// compaction waits for); 0 before any.
    public func finishedCompactionRevision() throws(MVCCError) -> Int64 {
        try self.metaValue { (view) throws(LMDBError) in try view.meta(.finishedCompactionRevision) ?? 0 }
    }

    /// The keys currently attached to `lease`, in key order (any thread).
    public func keys(attachedTo lease: Int64) throws(MVCCError) -> [[UInt8]] {
        try self.read { (view) throws(MVCCError) -> [[UInt8]] in
            do throws(LMDBError) { return try view.keys(attachedTo: lease) } catch { throw .storage(error) }
        }
    }

    /// KV.Range (any thread, concurrently with the writer and other readers).
    public func range(_ request: RangeRequest) throws(MVCCError) -> RangeResponse {
        operations.addTransaction(MVCCOperationCounts(ranges: 1))
        return try self.read { (view) throws(MVCCError) -> RangeResponse in
            let (current, compacted) = try Self.revisions(view)
            return try view.rangeResponse(request, currentRevision: current, compactedRevision: compacted)
        }
    }

    /// KV.Txn for a txn whose ops are all ranges (any thread); `MVCCError.notReadOnly` otherwise.
    public func readOnlyTxn(_ request: TxnRequest) throws(MVCCError) -> TxnResponse {
        guard request.isReadOnly else { throw .notReadOnly }
        return try self.read { (view) throws(MVCCError) -> TxnResponse in
            let (current, compacted) = try Self.revisions(view)
            let plan = try view.plan(request, currentRevision: current)
            try view.check(
                request, plan: plan, isWrite: false, currentRevision: current, compactedRevision: compacted,
                leaseExists: nil)
            var reader = Writer(view: view, beginRevision: current, compactedRevision: compacted)
            defer {
                reader.operations.ranges += plan.comparesEvaluated
                operations.addTransaction(reader.operations)
            }
            return try reader.execute(request, plan: plan)
        }
    }

    static func revisions(_ view: StoreView) throws(MVCCError) -> (current: Int64, compacted: Int64) {
        do { return (try view.currentRevision(), try view.compactedRevision()) } catch { throw .storage(error) }
    }

    /// Applies a batch of committed writes in one LMDB write transaction that also records
    /// `lastIndex` as the applied index. Writer only: call from the apply loop alone.
    ///
    /// - Returns: one result per write, in order; `[]` when `lastIndex` ≤ the applied index (a
    ///   replay after a crash: the batch is already in the store and is skipped whole).
    /// - Throws: `MVCCError` with code `.storage`, or `.databaseFull` when the map size is reached,
    ///   if LMDB fails; nothing of the batch is applied then (not even `lastIndex`).
    public func apply(
        _ batch: [MVCCWrite], lastIndex: UInt64
    ) throws(MVCCError) -> [MVCCWriteResult] {
        let tables = self.tables
        let maxKeySize = self.environment.maxKeySize
        let compactionBatchLimit = max(1, self.options.compactionBatchLimit)
        do {
            let (results, operations) = try commitDurations.time { () throws(LMDBBlockFailure<LMDBError>) in try self.environment.withWriteTransaction {
                (transaction) throws(LMDBError) -> ([MVCCWriteResult], MVCCOperationCounts) in
                let view = StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize)
                if let applied = try view.meta(.appliedIndex), lastIndex <= UInt64(bitPattern: applied) {
                    return ([], MVCCOperationCounts())
                }
                var current = try view.currentRevision()
                var (capped, corrupt) = try view.raisedAlarms()
                // Read on the batch's first auth change only.
                var authState: AuthState?
                var results: [MVCCWriteResult] = []
                results.reserveCapacity(batch.count)
                var operations = MVCCOperationCounts()
                for var write in batch {
                    if case .authChecked(let authRevision, let checked) = write {
                        let state = if let authState { authState } else { try view.authState() }
                        authState = state
                        if state.enabled && authRevision < state.revision {
                            results.append(MVCCWriteResult(response: .failure(.authOldRevision), events: [], revision: current))
                            continue
                        }
                        write = checked
                    }
                    if corrupt && write.refusedWhenCorrupt {
                        results.append(MVCCWriteResult(response: .failure(.corrupt), events: [], revision: current))
                        continue
                    }
                    if capped && write.addsData {
                        // NOSPACE is raised: etcd's capped applier refuses what would add data.
                        results.append(MVCCWriteResult(response: .failure(.noSpace), events: [], revision: current))
                        continue
                    }
                    if case .alarm(let request) = write {
                        let alarms = try view.applyAlarm(request)
                        (capped, corrupt) = try view.raisedAlarms()
                        results.append(MVCCWriteResult(response: .success(.alarm(alarms)), events: [], revision: current))
                        continue
                    }
                    if case .memberAttributes(let member) = write {
                        try view.applyMemberAttributes(member)
                        results.append(MVCCWriteResult(response: .success(.memberAttributesSet), events: [], revision: current))
                        continue
                    }
                    if case .auth(let entry) = write {
                        let before = if let authState { authState } else { try view.authState() }
                        var state = before
                        do throws(MVCCError) {
                            try state.apply(entry)
                        } catch {
                            authState = before
                            results.append(MVCCWriteResult(response: .failure(error), events: [], revision: current))
                            continue
                        }
                        if state != before { try view.saveAuthState(state) }
                        authState = state
                        results.append(MVCCWriteResult(response: .success(.auth(state)), events: [], revision: current))
                        continue
                    }
                    if case .downgradeInfoSet(let target) = write {
                        try view.applyDowngradeInfoSet(target)
                        results.append(MVCCWriteResult(response: .success(.downgradeInfoSet), events: [], revision: current))
                        continue
                    }
                    let result = try Self.applyOne(write, view: view, currentRevision: current, operations: &operations)
                    current = result.revision
                    results.append(result)
                }
                try view.setMeta(.currentRevision, current)
                try view.setMeta(.appliedIndex, Int64(bitPattern: lastIndex))
                _ = try Self.compactionStep(view, limit: compactionBatchLimit)
                return (results, operations)
            } }
            self.operations.add(operations)
            return results
        } catch {
            switch error {
            case .storage(let failure), .body(let failure): throw .storage(failure)
            }
        }
    }

    private static func applyOne(
        _ write: MVCCWrite, view: StoreView, currentRevision: Int64, operations: inout MVCCOperationCounts
    ) throws(LMDBError) -> MVCCWriteResult {
        // A put may attach only an existing lease (etcd's "requested lease not found").
        let leaseExists = { (lease: Int64) throws(LMDBError) -> Bool in try view.lease(lease) != nil }
        let compacted = try view.compactedRevision()
        var writer = Writer(view: view, beginRevision: currentRevision, compactedRevision: compacted)
        let response: Result<MVCCResponse, MVCCError>
        switch write {
        case .put(let request):
            response = Result { () throws(MVCCError) -> MVCCResponse in
                try validate(request, maxKeySize: view.maxKeySize)
                if request.lease != 0 {
                    let exists: Bool
                    do throws(LMDBError) { exists = try leaseExists(request.lease) } catch { throw .storage(error) }
                    if !exists { throw .leaseNotFound }
                }
                return .put(try writer.applyPut(request))
            }
        case .deleteRange(let request):
            response = Result { () throws(MVCCError) -> MVCCResponse in .deleteRange(try writer.applyDeleteRange(request)) }
        case .txn(let request):
            response = Self.applyTxn(request, writer: &writer, leaseExists: leaseExists).map { .txn($0) }
        case .compact(let request):
            response = Result { () throws(MVCCError) -> MVCCResponse in
                try Self.startCompaction(request, view: view, currentRevision: currentRevision, compacted: compacted)
            }
        case .alarm, .downgradeInfoSet, .memberAttributes, .auth, .authChecked:
            preconditionFailure("alarms and downgrade jobs are applied by apply(_:lastIndex:)")
        case .leaseGrant, .leaseRevoke, .leaseCheckpoint:
            response = Result { () throws(MVCCError) -> MVCCResponse in
                try Self.applyLease(write, view: view, writer: &writer)
            }
        }
        if case .failure(let error) = response, let failure = error.underlying {
            throw failure
        }
        if response.isSuccess {
            if writer.compareReads > 0 { operations.addTransaction(MVCCOperationCounts(ranges: writer.compareReads)) }
            operations.addTransaction(writer.operations)
        }
        return MVCCWriteResult(
            response: response, events: response.isSuccess ? writer.events : [], revision: writer.readRevision)
    }

    /// The request checks etcd makes in its gRPC layer for a put (checkPutRequest), plus the key
    /// size limit of this store.
    public static func validate(_ put: PutRequest, maxKeySize: Int) throws(MVCCError) {
        if put.key.isEmpty { throw .emptyKey }
        if put.ignoreValue && !put.value.isEmpty { throw .valueProvided }
        if put.ignoreLease && put.lease != 0 { throw .leaseProvided }
        if put.key.count > maxKeySize { throw .keyTooLong(put.key.count, limit: maxKeySize) }
    }

    private static func validateOps(_ request: TxnRequest, maxKeySize: Int) throws(MVCCError) {
        for op in request.success + request.failure {
            switch op.request {
            case .requestPut(let put)?: try validate(put, maxKeySize: maxKeySize)
            case .requestTxn(let inner)?: try validateOps(inner, maxKeySize: maxKeySize)
            default: continue
            }
        }
    }

    private static func applyTxn(
        _ request: TxnRequest, writer: inout Writer, leaseExists: @escaping (Int64) throws(LMDBError) -> Bool
    ) -> Result<TxnResponse, MVCCError> {
        let view = writer.view
        do throws(MVCCError) {
            try validateOps(request, maxKeySize: view.maxKeySize)
            if let duplicate = txnDuplicateKeyError(request) { throw duplicate }
            let plan = try view.plan(request, currentRevision: writer.beginRevision)
            let isWrite = !request.isReadOnly
            if isWrite {
                // etcd evaluates a writing txn's compares in a read transaction of their own.
                writer.compareReads = plan.comparesEvaluated
                try view.check(
                    request, plan: plan, isWrite: true, currentRevision: writer.beginRevision,
                    compactedRevision: writer.compactedRevision, leaseExists: leaseExists)
            } else {
                writer.operations.ranges += plan.comparesEvaluated
            }
            try view.check(
                request, plan: plan, isWrite: false, currentRevision: writer.beginRevision,
                compactedRevision: writer.compactedRevision, leaseExists: nil)
            guard isWrite else { return .success(try writer.execute(request, plan: plan)) }
            // A nested LMDB transaction makes the txn all-or-nothing should an op fail midway
            // (etcd panics there, e.g. ignore_value on a key the same txn deleted).
            let outer = writer
            do {
                let (response, executed) = try view.transaction.withNestedTransaction {
                    (child) throws(MVCCError) -> (TxnResponse, Writer) in
                    var inner = outer
                    inner.view = StoreView(transaction: child, tables: view.tables, maxKeySize: view.maxKeySize)
                    let response = try inner.execute(request, plan: plan)
                    return (response, inner)
                }
                writer.changes = executed.changes
                writer.events = executed.events
                writer.operations = executed.operations
                return .success(response)
            } catch {
                switch error {
                case .storage(let failure): throw .storage(failure)
                case .body(let failure): throw failure
                }
            }
        } catch {
            return .failure(error)
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
