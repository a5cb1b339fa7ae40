import MVCC
import NIOConcurrencyHelpers
import NIOCore

/// Replies owed to clients whose writes are in flight, keyed by proposal ID.
///
/// The ID travels inside the log entry, so whichever thread applies the entry can find the
/// reply; entries replayed from the WAL or proposed elsewhere find no waiter and need none.
final class ProposalWaiters: Sendable {
    private struct State {
        var nextID: UInt64
        var pending: [UInt64: EventLoopPromise<MVCCWriteResult>] = [:]
    }

    private let state: NIOLockedValueBox<State>

    /// `seed` keeps IDs unique across restarts of this member (etcd mixes in time the same way).
    init(seed: UInt64) {
        state = NIOLockedValueBox(State(nextID: seed))
    }

    func register(_ promise: EventLoopPromise<MVCCWriteResult>) -> UInt64 {
        state.withLockedValue { state in
            state.nextID &+= 1
            state.pending[state.nextID] = promise
            return state.nextID
        }
    }

    func take(_ id: UInt64) -> EventLoopPromise<MVCCWriteResult>? {
        state.withLockedValue { $0.pending.removeValue(forKey: id) }
    }

    /// Fails every pending reply, for shutdown.
    func failAll(with error: any Error) {
        let pending = state.withLockedValue { state in
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for promise in pending { promise.fail(error) }
    }
}
