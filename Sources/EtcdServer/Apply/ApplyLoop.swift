import EtcdProto
import Foundation
import Logging
import MVCC
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
    private let queue = BlockingBatchQueue<[CommittedEntry]>()
    private let configurationChangeApplied: @Sendable (ConfChange, MembershipChange) -> Void

    init(
        store: MVCCStore, waiters: ProposalWaiters, watchHub: WatchHub, lessor: Lessor, membership: Membership,
        auth: ServerAuth, logger: Logger,
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
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "swift-etcd-apply"
        thread.start()
    }

    /// Called by the log's thread; never blocks.
    func enqueue(_ entries: [CommittedEntry]) {
        queue.push(entries)
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
                    let entries = batches.count == 1 ? batches[0] : Array(batches.joined())
                    // Raft redelivers entries a restart already replayed: skip what is applied.
                    let applied = appliedIndex.value
                    if let first = entries.firstIndex(where: { $0.index > applied }) {
                        physicalCompactions += try apply(entries[first...])
                    }
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
                logger.critical("apply failed; stopping", metadata: ["error": "\(error)"])
                fatalError("apply failed: \(error)")
            }
            queue.markDrained()
        }
        for waiting in physicalCompactions { waiting.promise.fail(EtcdErrors.stopped) }
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
            case (.leaseGrant, .success(.leaseGranted(let record))): lessor.granted(record)
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
