import Foundation
import Logging
import MVCC

/// The one writer of the MVCC store: applies committed entries in order, one LMDB write
/// transaction per batch, and completes the replies waiting on them.
///
/// Runs on its own thread so the store's write transaction always stays on one OS thread
/// (LMDB's rule), and so WAL syncing of the next batch overlaps applying this one.
final class ApplyLoop: Sendable {
    private let store: MVCCStore
    private let waiters: ProposalWaiters
    private let logger: Logger
    private let queue = BlockingBatchQueue<[CommittedEntry]>()
    /// No lease can exist until the Lease service lands, so every lease ID is unknown.
    private let leaseExists: @Sendable (Int64) -> Bool = { _ in false }

    init(store: MVCCStore, waiters: ProposalWaiters, logger: Logger) {
        self.store = store
        self.waiters = waiters
        self.logger = logger
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

    /// Applies entries synchronously on the calling thread: used at start-up to replay the WAL
    /// before any client is served.
    func replay(_ entries: [CommittedEntry]) throws {
        let applied = try store.appliedIndex()
        let pending = entries.filter { $0.index > applied }
        if pending.isEmpty { return }
        logger.info("replaying WAL entries", metadata: ["from": "\(pending[0].index)", "count": "\(pending.count)"])
        try apply(pending)
    }

    private func run() {
        while let batches = queue.popAll() {
            let entries = batches.count == 1 ? batches[0] : Array(batches.joined())
            do {
                try apply(entries)
            } catch {
                // The store could not commit: nothing acknowledged is lost (the WAL has it), but
                // continuing would diverge from the log, so stop the member loudly.
                logger.critical("apply failed; stopping", metadata: ["error": "\(error)"])
                fatalError("apply failed: \(error)")
            }
            queue.markDrained()
        }
    }

    private func apply(_ entries: [CommittedEntry]) throws {
        var writes: [MVCCWrite] = []
        var proposalIDs: [UInt64] = []
        writes.reserveCapacity(entries.count)
        proposalIDs.reserveCapacity(entries.count)
        for entry in entries {
            let (proposalID, request) = try InternalRequest.decode(entry.data)
            proposalIDs.append(proposalID)
            switch request {
            case .put(let put): writes.append(.put(put))
            case .deleteRange(let delete): writes.append(.deleteRange(delete))
            case .txn(let txn): writes.append(.txn(txn))
            case .compact(let compact): writes.append(.compact(compact))
            }
        }
        let results = try store.apply(writes, lastIndex: entries[entries.count - 1].index, leaseExists: leaseExists)
        for (proposalID, result) in zip(proposalIDs, results) {
            waiters.take(proposalID)?.succeed(result)
        }
    }
}
