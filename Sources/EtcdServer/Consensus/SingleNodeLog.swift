import Foundation
import Logging
import NIOConcurrencyHelpers
import Storage

/// The replicated log of a one-member cluster: an entry is committed once it is in this
/// member's WAL and fsync'd.
///
/// One thread does group commit: it takes every proposal that arrived since its last sync,
/// appends them, syncs once, and hands the batch to the apply loop, so one fsync covers every
/// write that arrived meanwhile.
final class SingleNodeLog: ReplicatedLog, @unchecked Sendable {
    // @unchecked: `wal` is used only by the thread `start` creates once `init` has returned
    // (and by `init` before that); the mutable counters are behind `NIOLockedValueBox`.
    private let wal: WAL
    private let proposals = BlockingBatchQueue<[UInt8]>()
    private let term: UInt64
    private let memberID: UInt64
    private let durableIndex: NIOLockedValueBox<UInt64>
    private let logger: Logger

    /// Takes over `wal` after replay: starts a new term (as a restarted etcd member campaigns
    /// and wins one) and makes it durable before anything is served.
    init(wal: WAL, lastIndex: UInt64, previousTerm: UInt64, memberID: UInt64, logger: Logger) throws {
        self.wal = wal
        self.term = previousTerm + 1
        self.memberID = memberID
        self.durableIndex = NIOLockedValueBox(lastIndex)
        self.logger = logger
        try wal.append(entries: [], hardState: WALHardState(term: term, vote: memberID, commit: lastIndex))
        try wal.sync()
    }

    var currentTerm: UInt64 { term }

    var lastIndex: UInt64 { durableIndex.withLockedValue { $0 } }

    func propose(_ data: [UInt8]) -> Bool {
        proposals.push(data)
    }

    func start(deliver: @escaping @Sendable ([CommittedEntry]) -> Void) {
        let thread = Thread { [self] in self.run(deliver: deliver) }
        thread.name = "swift-etcd-wal"
        thread.start()
    }

    func stop() {
        proposals.close()
        proposals.waitUntilDrained()
        do {
            try wal.close()
        } catch {
            logger.error("closing the WAL failed", metadata: ["error": "\(error)"])
        }
    }

    private func run(deliver: @Sendable ([CommittedEntry]) -> Void) {
        var nextIndex = lastIndex + 1
        while let batch = proposals.popAll() {
            var committed: [CommittedEntry] = []
            var walEntries: [WALEntry] = []
            committed.reserveCapacity(batch.count)
            walEntries.reserveCapacity(batch.count)
            for data in batch {
                walEntries.append(WALEntry(index: nextIndex, term: term, kind: 0, data: data))
                committed.append(CommittedEntry(index: nextIndex, term: term, data: data))
                nextIndex += 1
            }
            let last = nextIndex - 1
            do {
                try wal.append(entries: walEntries, hardState: WALHardState(term: term, vote: memberID, commit: last))
                try wal.sync()
            } catch {
                // Acknowledging without durability would break invariant 1: stop instead.
                logger.critical("WAL write failed; stopping", metadata: ["error": "\(error)"])
                fatalError("WAL write failed: \(error)")
            }
            durableIndex.withLockedValue { $0 = last }
            deliver(committed)
            proposals.markDrained()
        }
    }
}
