import MVCC
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// Replies owed to clients whose writes are in flight, keyed by proposal ID.
///
/// The ID travels inside the log entry, so whichever thread applies the entry can find the
/// reply; entries replayed from the WAL or proposed on another member find no waiter and need none.
final class ProposalWaiters: Sendable {
    private struct Pending {
        var promise: EventLoopPromise<MVCCWriteResult>
        var deadline: NIODeadline
        /// The leader this member knew was lost while the proposal waited.
        var leaderLost = false
    }

    private struct State {
        var nextID: UInt64
        var pending: [UInt64: Pending] = [:]
    }

    private let state: NIOLockedValueBox<State>
    /// Proposals answered with an error instead of their applied result (etcd's
    /// `proposals_failed_total`): counted on the failure paths only, so an applied write pays
    /// nothing for it.
    private let failures = Synchronization.Atomic<UInt64>(0)

    /// etcd's ID layout (`idutil.Generator`): the member ID's low 16 bits, the start time in
    /// milliseconds, then a counter, so IDs of different members and restarts do not collide.
    init(memberID: UInt64, startMilliseconds: UInt64) {
        let seed = (memberID & 0xFFFF) << 48 | (startMilliseconds & (1 << 40 - 1)) << 8
        state = NIOLockedValueBox(State(nextID: seed))
    }

    func register(_ promise: EventLoopPromise<MVCCWriteResult>, deadline: NIODeadline) -> UInt64 {
        state.withLockedValue { state in
            state.nextID &+= 1
            state.pending[state.nextID] = Pending(promise: promise, deadline: deadline)
            return state.nextID
        }
    }

    func take(_ id: UInt64) -> EventLoopPromise<MVCCWriteResult>? {
        state.withLockedValue { $0.pending.removeValue(forKey: id)?.promise }
    }

    /// Fails the reply of a proposal the log could not commit.
    func fail(_ id: UInt64, with error: any Error) {
        guard let promise = take(id) else { return }
        failures.add(1, ordering: .relaxed)
        promise.fail(error)
    }

    var failedCount: UInt64 { failures.load(ordering: .relaxed) }

    /// Proposals made here and not yet answered (etcd's `proposals_pending`).
    var pendingCount: Int { state.withLockedValue { $0.pending.count } }

    /// Remembers, for every reply pending now, that the leader was lost while it waited. The
    /// proposal may still commit (a new leader holding it commits it), so it waits on as etcd's
    /// does; if it times out, the client hears why.
    func leaderLost() {
        state.withLockedValue { state in
            for id in state.pending.keys { state.pending[id]!.leaderLost = true }
        }
    }

    /// Fails the replies whose deadline has passed (etcd's request timeout): with etcd's
    /// "possibly due to previous leader failure" when the leader was lost meanwhile.
    func failExpired(now: NIODeadline = .now()) {
        let expired = state.withLockedValue { state in
            var expired: [Pending] = []
            for (id, pending) in state.pending where pending.deadline <= now {
                expired.append(pending)
                state.pending[id] = nil
            }
            return expired
        }
        failures.add(UInt64(expired.count), ordering: .relaxed)
        for pending in expired {
            pending.promise.fail(pending.leaderLost ? EtcdErrors.timeoutDueToLeaderFail : EtcdErrors.timeout)
        }
    }

    /// Fails every pending reply (at shutdown).
    func failAll(with error: any Error) {
        let pending = state.withLockedValue { state in
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        failures.add(UInt64(pending.count), ordering: .relaxed)
        for entry in pending { entry.promise.fail(error) }
    }
}
