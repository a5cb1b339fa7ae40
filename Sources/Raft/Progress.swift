/// The leader's view of one follower's log, with the flow-control state of etcd's tracker.
public enum ReplicationState: Sendable, Hashable {
    /// Probing for the match point: one append in flight at a time.
    case probe
    /// Match known: appends are pipelined optimistically, bounded by the inflight window.
    case replicate
    /// A snapshot is on its way; nothing else is sent until the host reports its outcome.
    case snapshot
}

/// A bounded ring of the last indexes of appends sent but not yet acknowledged.
struct Inflights {
    private var buffer: [UInt64]
    private var start = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        buffer = []
    }

    var isFull: Bool { count == capacity }

    mutating func add(_ index: UInt64) {
        precondition(!isFull, "inflights window overflow")
        if buffer.count < capacity { buffer = [UInt64](repeating: 0, count: capacity) }
        var slot = start + count
        if slot >= capacity { slot -= capacity }
        buffer[slot] = index
        count += 1
    }

    /// Acknowledges every append whose last index is at most `index`.
    mutating func free(upTo index: UInt64) {
        while count > 0 && buffer[start] <= index {
            start += 1
            if start == capacity { start = 0 }
            count -= 1
        }
        if count == 0 { start = 0 }
    }

    mutating func freeFirst() {
        guard count > 0 else { return }
        free(upTo: buffer[start])
    }

    mutating func reset() {
        start = 0
        count = 0
    }
}

struct Progress {
    var match: UInt64 = 0
    var next: UInt64
    var state: ReplicationState = .probe
    var pendingSnapshot: UInt64 = 0
    /// Heard from since the last check-quorum round.
    var recentActive = false
    /// In probe state: an append was sent and we wait for its answer (or a heartbeat response).
    var probeSent = false
    var inflights: Inflights
    var isLearner: Bool
    /// Lease-based reads: the newest heartbeat round this follower echoed, and its send tick.
    var leaseAcknowledgedRound: UInt64 = 0
    var leaseAcknowledgedTick: UInt64 = 0

    init(next: UInt64, maxInflight: Int, isLearner: Bool) {
        self.next = next
        inflights = Inflights(capacity: maxInflight)
        self.isLearner = isLearner
    }

    private mutating func reset(to newState: ReplicationState) {
        state = newState
        probeSent = false
        pendingSnapshot = 0
        inflights.reset()
    }

    mutating func becomeProbe() {
        // After a snapshot the follower has at least the snapshot's entries.
        if state == .snapshot {
            let snapshotIndex = pendingSnapshot
            reset(to: .probe)
            next = max(match + 1, snapshotIndex + 1)
        } else {
            reset(to: .probe)
            next = match + 1
        }
    }

    mutating func becomeReplicate() {
        reset(to: .replicate)
        next = match + 1
    }

    mutating func becomeSnapshot(at index: UInt64) {
        reset(to: .snapshot)
        pendingSnapshot = index
    }

    /// Records an acknowledgement up to `index`; true if it advanced `match`.
    mutating func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// Handles a rejected append of `rejected`; `hint` is the highest index that may match.
    /// False when the rejection is stale (an older append, already superseded).
    mutating func maybeDecrease(rejected: UInt64, hint: UInt64) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        if next - 1 != rejected { return false }
        next = max(min(rejected, hint + 1), 1)
        probeSent = false
        return true
    }

    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }
}

/// What the host may inspect about a follower (tests, metrics, `etcdctl endpoint status`).
public struct FollowerProgress: Sendable, Hashable {
    public var match: UInt64
    public var next: UInt64
    public var state: ReplicationState
    public var isLearner: Bool
}
