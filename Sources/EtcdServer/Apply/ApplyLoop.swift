import EtcdProto
import Foundation
import Logging
import MVCC
import NIOConcurrencyHelpers
import NIOCore
import Raft

/// The one writer of the MVCC store: applies committed entries in order, one LMDB write
/// transaction per batch, and completes the replies waiting on them.
///
/// Runs on its own thread so the store's write transaction always stays on one OS thread
/// (LMDB's rule), and so WAL syncing of the next batch overlaps applying this one.
final class ApplyLoop: Sendable {
    private let store: MVCCStore
    private let waiters: ProposalWaiters
    private let watchHub: WatchHub
    private let lessor: Lessor
    private let membership: Membership
    private let auth: ServerAuth
    let appliedIndex: AppliedIndex
    private let logger: Logger
    private let queue = BlockingBatchQueue<Work>()
    private let configurationChangeApplied: @Sendable (ConfChange, MembershipChange) -> Void
    private let snapshotSettings: SnapshotSettings?
    private let snapshotHooks: SnapshotHooks?
    /// Touched by the apply thread only (and by `replay` before it starts).
    private let progress: NIOLockedValueBox<Progress>

    private enum Work: Sendable {
        case entries([CommittedEntry])
        /// Raft wants a snapshot sent with this MsgSnap: copy the store as it is now.
        case snapshot(for: Raft.Message)
    }

    private struct Progress {
        /// The term of the last entry applied (0 until one is).
        var appliedTerm: UInt64 = 0
        var lastSnapshotIndex: UInt64
    }

    /// `snapshots` (with `hooks`) turns on Raft snapshots every `count` applied entries;
    /// `lastSnapshotIndex` is where the log's latest one is, `appliedTerm` the term of the entry
    /// the store has applied last.
    init(
        store: MVCCStore, waiters: ProposalWaiters, watchHub: WatchHub, lessor: Lessor, membership: Membership,
        auth: ServerAuth, logger: Logger, snapshots: SnapshotSettings? = nil, hooks: SnapshotHooks? = nil,
        lastSnapshotIndex: UInt64 = 0, appliedTerm: UInt64 = 0,
        configurationChangeApplied: @escaping @Sendable (ConfChange, MembershipChange) -> Void
    ) throws {
        self.store = store
        self.waiters = waiters
        self.watchHub = watchHub
        self.lessor = lessor
        self.membership = membership
        self.auth = auth
        self.logger = logger
        self.configurationChangeApplied = configurationChangeApplied
        self.appliedIndex = AppliedIndex(try store.appliedIndex())
        self.snapshotSettings = snapshots
        self.snapshotHooks = hooks
        self.progress = NIOLockedValueBox(Progress(appliedTerm: appliedTerm, lastSnapshotIndex: lastSnapshotIndex))
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "swift-etcd-apply"
        thread.start()
    }

    /// Called by the log's thread; never blocks.
    func enqueue(_ entries: [CommittedEntry]) {
        queue.push(.entries(entries))
    }

    /// Called by the log's thread for a MsgSnap Raft wants sent; never blocks. The store is
    /// copied between two batches, so the copy is exactly the state at the applied index, and
    /// `message` leaves with that index, its term and its membership (etcd's merged snapshot).
    func prepareSnapshot(for message: Raft.Message) {
        queue.push(.snapshot(for: message))
    }

    /// Applies everything queued so far, then ends the thread.
    func stop() {
        queue.close()
        queue.waitUntilDrained()
    }

    /// Applies entries synchronously on the calling thread: used at start-up to replay the
    /// WAL's committed entries before any client is served.
    func replay(_ entries: [CommittedEntry]) throws {
        let applied = appliedIndex.value
        // The membership is not in the store: it is the bootstrap one changed by every committed
        // configuration change, all of which the WAL holds.
        for entry in entries where entry.index <= applied {
            if case .configurationChange(let change) = entry.kind { membership.apply(try MembershipChange(change)) }
        }
        guard let first = entries.firstIndex(where: { $0.index > applied }) else { return }
        logger.info("replaying WAL entries", metadata: ["from": "\(entries[first].index)", "count": "\(entries.count - first)"])
        try apply(entries[first...])
    }

    private func run() {
        var physicalCompactions: [PhysicalCompaction] = []
        var compactionPending = (try? store.finishedCompactionRevision() < store.compactedRevision()) ?? false
        // While a compaction is unfinished, an idle moment removes the next bounded chunk of it.
        while let batches = queue.popAll(wait: !compactionPending) {
            do {
                if batches.isEmpty {
                    compactionPending = try !store.runCompaction(maxEntries: store.options.compactionBatchLimit)
                } else {
                    var entries: [CommittedEntry] = []
                    for work in batches {
                        switch work {
                        case .entries(let more): entries += more
                        case .snapshot(let message):
                            physicalCompactions += try applyInOrder(entries)
                            entries = []
                            sendSnapshot(message)
                        }
                    }
                    physicalCompactions += try applyInOrder(entries)
                    try takeSnapshotIfDue()
                    compactionPending = try store.finishedCompactionRevision() < store.compactedRevision()
                }
                if !physicalCompactions.isEmpty {
                    let finished = try store.finishedCompactionRevision()
                    physicalCompactions.removeAll { waiting in
                        guard waiting.revision <= finished else { return false }
                        waiting.promise.succeed(waiting.result)
                        return true
                    }
                }
            } catch {
                // The store could not commit: nothing acknowledged is lost (the WAL has it), but
                // continuing would diverge from the log, so stop the member loudly.
                stopAfterStorageFailure(logger, "apply failed", error: error)
            }
            queue.markDrained()
        }
        for waiting in physicalCompactions { waiting.promise.fail(EtcdErrors.stopped) }
    }

    /// Applies what is not applied yet (Raft redelivers entries a restart already replayed),
    /// installing a leader's snapshot where one comes.
    private func applyInOrder(_ entries: [CommittedEntry]) throws -> [PhysicalCompaction] {
        var held: [PhysicalCompaction] = []
        var start = entries.startIndex
        while start < entries.endIndex {
            let applied = appliedIndex.value
            let end = entries[start...].firstIndex { if case .snapshot = $0.kind { true } else { false } } ?? entries.endIndex
            if let first = entries[start..<end].firstIndex(where: { $0.index > applied }) {
                held += try apply(entries[first..<end])
            }
            if end < entries.endIndex { try installSnapshot(entries[end]) }
            start = end + 1
        }
        return held
    }

    /// Every `--snapshot-count` applied entries: syncs the store (LMDB runs without syncing
    /// each commit) and tells the log, which records the snapshot and compacts before it.
    private func takeSnapshotIfDue() throws {
        guard let settings = snapshotSettings, let hooks = snapshotHooks else { return }
        let applied = appliedIndex.value
        let state = progress.withLockedValue { $0 }
        guard applied > state.lastSnapshotIndex, applied - state.lastSnapshotIndex >= settings.count, state.appliedTerm > 0 else {
            return
        }
        try store.sync()
        progress.withLockedValue { $0.lastSnapshotIndex = applied }
        hooks.taken(AppliedSnapshot(index: applied, term: state.appliedTerm, membership: membership.snapshot))
    }

    /// Copies the store for a MsgSnap and hands the copy to the transport (the leader).
    private func sendSnapshot(_ message: Raft.Message) {
        guard let settings = snapshotSettings, let hooks = snapshotHooks else { return }
        let term = progress.withLockedValue { $0.appliedTerm }
        let index = appliedIndex.value
        let directory = settings.outgoingStoreDirectory(to: message.to)
        do {
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try store.copy(toDirectory: directory)
        } catch {
            logger.warning("copying the store for a snapshot failed", metadata: ["to": "\(message.to.hex)", "error": "\(error)"])
            try? FileManager.default.removeItem(atPath: directory)
            hooks.send(message, "")
            return
        }
        let membership = membership.snapshot
        var merged = message
        merged.snapshot = Raft.Snapshot(
            data: membership.serializedBytes(),
            metadata: SnapshotMetadata(confState: membership.configuration, index: index, term: term))
        hooks.send(merged, directory)
    }

    /// Makes the store the leader's copy and everything held in memory follow it.
    private func installSnapshot(_ entry: CommittedEntry) throws {
        guard case .snapshot(let snapshot, let storeFile) = entry.kind else { return }
        guard entry.index > appliedIndex.value else {
            try? FileManager.default.removeItem(atPath: storeFile)
            return
        }
        try store.installSnapshot(dataFile: storeFile)
        let installedIndex = try store.appliedIndex()
        guard installedIndex == entry.index else {
            // The copy is not of the snapshot's state: going on would diverge from the log.
            throw InternalRequestError(reason: "the snapshot's store is at index \(installedIndex), the snapshot at \(entry.index)")
        }
        appliedIndex.advance(to: installedIndex)
        progress.withLockedValue {
            $0.appliedTerm = entry.term
            $0.lastSnapshotIndex = entry.index
        }
        membership.restore(snapshot, published: try store.publishedMembers())
        lessor.restore(records: try store.leases())
        auth.restored(state: try store.authState())
        let revision = try store.currentRevision()
        watchHub.storeReplaced(revision: revision)
        snapshotHooks?.installed(snapshot)
        logger.info("applied incoming snapshot", metadata: [
            "snapshot-index": "\(entry.index)", "snapshot-term": "\(entry.term)", "revision": "\(revision)",
        ])
    }

    /// A `physical` compaction's reply, held until the store has removed what it compacted.
    private struct PhysicalCompaction {
        var revision: Int64
        var promise: EventLoopPromise<MVCCWriteResult>
        var result: MVCCWriteResult
    }

    /// Applies `entries` in one store transaction and answers their waiters, except the physical
    /// compactions it returns, whose replies wait for the compaction to finish.
    @discardableResult
    private func apply(_ entries: ArraySlice<CommittedEntry>) throws -> [PhysicalCompaction] {
        var writes: [MVCCWrite] = []
        var proposalIDs: [UInt64] = []
        var physicalRevisions: [Int: Int64] = [:]
        var configurationChanges: [ConfChange] = []
        var renewals: [Int: Int64] = [:]
        writes.reserveCapacity(entries.count)
        proposalIDs.reserveCapacity(entries.count)
        for entry in entries {
            switch entry.kind {
            case .request: break
            case .empty: continue
            case .configurationChange(let change):
                configurationChanges.append(change)
                continue
            case .snapshot:
                throw InternalRequestError(reason: "a snapshot among the entries of one batch")
            }
            let (proposalID, request) = try InternalRequest.decode(entry.data)
            proposalIDs.append(proposalID)
            switch request {
            case .put(let put): writes.append(.put(put))
            case .deleteRange(let delete): writes.append(.deleteRange(delete))
            case .txn(let txn): writes.append(.txn(txn))
            case .compact(let compact):
                if compact.physical { physicalRevisions[writes.count] = compact.revision }
                writes.append(.compact(compact))
            case .leaseGrant(let grant): writes.append(.leaseGrant(LeaseRecord(id: grant.id, ttl: grant.ttl)))
            case .leaseRevoke(let revoke): writes.append(.leaseRevoke(revoke.id))
            case .leaseCheckpoint(let checkpoint): writes.append(.leaseCheckpoint(checkpoint.checkpoints))
            case .alarm(let alarm): writes.append(.alarm(alarm))
            case .downgradeInfoSet(let request): writes.append(.downgradeInfoSet(try request.target()))
            case .memberAttributes(let member): writes.append(.memberAttributes(member))
            case .leaseRenew(let renew):
                // A renewal makes any remaining TTL the store holds for the lease stale.
                renewals[writes.count] = renew.id
                writes.append(.leaseCheckpoint([LeaseCheckpoint(id: renew.id, remainingTtl: 0)]))
            case .auth(let entry): writes.append(.auth(entry))
            case .authChecked(let revision, .put(let put)): writes.append(.authChecked(authRevision: revision, .put(put)))
            case .authChecked(let revision, .deleteRange(let delete)):
                writes.append(.authChecked(authRevision: revision, .deleteRange(delete)))
            case .authChecked(let revision, .txn(let txn)): writes.append(.authChecked(authRevision: revision, .txn(txn)))
            case .authChecked: throw InternalRequestError(reason: "an auth-checked entry holds neither a put, a delete nor a txn")
            }
        }
        let lastIndex = entries[entries.endIndex - 1].index
        let results = try store.apply(writes, lastIndex: lastIndex)
        progress.withLockedValue { $0.appliedTerm = entries[entries.endIndex - 1].term }
        appliedIndex.advance(to: lastIndex)
        for change in configurationChanges {
            let membershipChange = try MembershipChange(change)
            membership.apply(membershipChange)
            configurationChangeApplied(change, membershipChange)
            waiters.take(change.id)?.succeed(MVCCWriteResult(response: .success(.membershipChanged), events: [], revision: 0))
        }
        // Committed: watchers may now see these revisions (and catch-ups may read them).
        watchHub.publish(results)
        for (_, id) in renewals { _ = lessor.renew(id) }
        for (write, result) in zip(writes, results) {
            switch (write, result.response) {
            case (.leaseGrant, .success(.leaseGranted(let record, _))): lessor.granted(record)
            case (.leaseRevoke(let id), _): lessor.revoked(id)
            case (.memberAttributes(let member), _): membership.published(member)
            // Published before any reply: the client's next request sees the change.
            case (.auth(let entry), .success(.auth(let state))): auth.applied(entry, state: state)
            default: continue
            }
        }
        var held: [PhysicalCompaction] = []
        for (offset, (proposalID, result)) in zip(proposalIDs, results).enumerated() {
            guard let promise = waiters.take(proposalID) else { continue }
            if let revision = physicalRevisions[offset], case .success = result.response {
                held.append(PhysicalCompaction(revision: revision, promise: promise, result: result))
            } else {
                promise.succeed(result)
            }
        }
        return held
    }
}
