import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// How far the apply loop has applied, and the linearizable reads waiting for it to reach
/// their read index.
final class AppliedIndex: Sendable {
    private struct Waiter {
        var index: UInt64
        var promise: EventLoopPromise<Void>
    }

    private let current: Synchronization.Atomic<UInt64>
    private let waiters = NIOLockedValueBox<[Waiter]>([])

    init(_ applied: UInt64) {
        current = Synchronization.Atomic(applied)
    }

    var value: UInt64 { current.load(ordering: .acquiring) }

    /// Completes `promise` once everything up to `index` is applied.
    func wait(for index: UInt64, _ promise: EventLoopPromise<Void>) {
        if value >= index {
            promise.succeed(())
            return
        }
        let appliedMeanwhile = waiters.withLockedValue { waiters -> Bool in
            // Checked again under the lock: `advance` stores before it takes the lock.
            if current.load(ordering: .acquiring) >= index { return true }
            waiters.append(Waiter(index: index, promise: promise))
            return false
        }
        if appliedMeanwhile { promise.succeed(()) }
    }

    /// The apply loop has applied everything up to `index`.
    func advance(to index: UInt64) {
        current.store(index, ordering: .releasing)
        let ready = waiters.withLockedValue { waiters -> [Waiter] in
            if waiters.isEmpty { return [] }
            var ready: [Waiter] = []
            waiters.removeAll { waiter in
                guard waiter.index <= index else { return false }
                ready.append(waiter)
                return true
            }
            return ready
        }
        for waiter in ready { waiter.promise.succeed(()) }
    }

    func failAll(with error: any Error) {
        let all = waiters.withLockedValue { waiters in
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in all { waiter.promise.fail(error) }
    }
}
