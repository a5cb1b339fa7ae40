import EtcdProto
import MVCC
import NIOConcurrencyHelpers
import NIOCore

/// The leases' clocks (etcd's lessor on the leader): when each lease expires, renewals, and
/// which leases are due for revocation or a checkpoint.
///
/// It owns no durable state: grants, revocations and checkpoints are log entries applied to
/// the store, and the apply loop tells the lessor about them. Expiry is acted on by proposing a
/// revocation, the same write path as a client's `LeaseRevoke`, so it will replicate with Raft.
final class Lessor: Sendable {
    /// etcd's `MaxLeaseTTL`.
    static let maxTTL: Int64 = 9_000_000_000

    /// The smallest TTL granted (etcd: 1.5 election timeouts, rounded up to whole seconds).
    let minTTL: Int64
    private let state: NIOLockedValueBox<State>

    private struct State {
        var leases: [Int64: Lease] = [:]
    }

    private struct Lease {
        var ttl: Int64
        var expiry: NIODeadline
        /// The remaining TTL last written to the store (0: none).
        var checkpointedRemaining: Int64 = 0
        /// When a revocation for this expired lease was last proposed.
        var revokeProposedAt: NIODeadline?
    }

    /// Starts from the store's leases: each runs for its checkpointed remaining TTL, or its full
    /// TTL if it has none (as a newly elected etcd leader extends every lease).
    init(records: [LeaseRecord], minTTL: Int64, now: NIODeadline = .now()) {
        self.minTTL = minTTL
        var state = State()
        for record in records {
            let runFor = record.remainingTTL > 0 ? record.remainingTTL : record.ttl
            state.leases[record.id] = Lease(
                ttl: record.ttl, expiry: now + .seconds(runFor), checkpointedRemaining: record.remainingTTL)
        }
        self.state = NIOLockedValueBox(state)
    }

    /// The store became a leader's snapshot (the apply loop): its leases replace every lease
    /// known, each running as a restart's do.
    func restore(records: [LeaseRecord], now: NIODeadline = .now()) {
        state.withLockedValue { state in
            state.leases = [:]
            for record in records {
                let runFor = record.remainingTTL > 0 ? record.remainingTTL : record.ttl
                state.leases[record.id] = Lease(
                    ttl: record.ttl, expiry: now + .seconds(runFor), checkpointedRemaining: record.remainingTTL)
            }
        }
    }

    // MARK: Applied writes (apply loop)

    func granted(_ record: LeaseRecord, now: NIODeadline = .now()) {
        state.withLockedValue { $0.leases[record.id] = Lease(ttl: record.ttl, expiry: now + .seconds(record.ttl)) }
    }

    func revoked(_ id: Int64) {
        _ = state.withLockedValue { $0.leases.removeValue(forKey: id) }
    }

    /// This member became the leader (etcd's `Promote`): every lease keeps the expiry its last
    /// renewal gave it (renewals of a cluster are log entries every member applied), but runs
    /// for at least `grace`, so that leases whose renewals raced the election are not revoked
    /// before their clients can reach the new leader.
    func promote(grace: TimeAmount, now: NIODeadline = .now()) {
        state.withLockedValue { state in
            for (id, lease) in state.leases where lease.expiry < now + grace {
                state.leases[id]?.expiry = now + grace
                state.leases[id]?.revokeProposedAt = nil
            }
        }
    }

    // MARK: Client requests

    /// What a keep-alive gets: the lease's TTL, now running again from the start; nil if the
    /// lease is unknown or already expired (etcd then answers TTL 0). `clearCheckpoint` is
    /// set when the store holds a remaining TTL that this renewal makes stale.
    func renew(_ id: Int64, now: NIODeadline = .now()) -> (ttl: Int64, clearCheckpoint: Bool)? {
        state.withLockedValue { state in
            guard var lease = state.leases[id], lease.expiry > now else { return nil }
            lease.expiry = now + .seconds(lease.ttl)
            let clear = lease.checkpointedRemaining > 0
            lease.checkpointedRemaining = 0
            state.leases[id] = lease
            return (lease.ttl, clear)
        }
    }

    /// Remaining whole seconds (etcd truncates) and granted TTL, or nil if unknown.
    func timeToLive(_ id: Int64, now: NIODeadline = .now()) -> (remaining: Int64, granted: Int64)? {
        state.withLockedValue { state in
            guard let lease = state.leases[id] else { return nil }
            let remaining = max(0, (lease.expiry - now).nanoseconds / 1_000_000_000)
            return (remaining, lease.ttl)
        }
    }

    var leaseIDs: [Int64] { state.withLockedValue { $0.leases.keys.sorted() } }

    // MARK: Timers

    /// Expired leases whose revocation is not already under way (a proposal unanswered for
    /// `retryAfter` is made again, as etcd retries expired leases).
    func leasesToRevoke(now: NIODeadline = .now(), retryAfter: TimeAmount = .seconds(3), limit: Int) -> [Int64] {
        state.withLockedValue { state in
            var due: [Int64] = []
            for (id, lease) in state.leases where lease.expiry <= now {
                if let proposed = lease.revokeProposedAt, now - proposed < retryAfter { continue }
                state.leases[id]?.revokeProposedAt = now
                due.append(id)
                if due.count == limit { break }
            }
            return due
        }
    }

    /// The remaining TTL of every live lease, marked as checkpointed: written to the store so
    /// a restart resumes the leases where they were instead of renewing them.
    func checkpoints(now: NIODeadline = .now()) -> [LeaseCheckpoint] {
        state.withLockedValue { state in
            var checkpoints: [LeaseCheckpoint] = []
            for (id, lease) in state.leases where lease.expiry > now {
                let remaining = max(1, (lease.expiry - now).nanoseconds / 1_000_000_000)
                state.leases[id]?.checkpointedRemaining = remaining
                checkpoints.append(LeaseCheckpoint(id: id, remainingTtl: remaining))
            }
            return checkpoints.sorted { $0.id < $1.id }
        }
    }
}

/// etcd's request ID generator (`idutil.Generator`), used for server-chosen lease IDs: the
/// member ID's low 16 bits, then the start time in milliseconds and a counter, so IDs from
/// different members and restarts do not collide.
struct LeaseIDGenerator: Sendable {
    private let prefix: UInt64
    private let counter: NIOLockedValueBox<UInt64>

    init(memberID: UInt64, startMilliseconds: UInt64) {
        prefix = (memberID & 0xFFFF) << 48
        counter = NIOLockedValueBox((startMilliseconds & (1 << 40 - 1)) << 8)
    }

    /// A positive ID (etcd keeps lease IDs positive).
    func next() -> Int64 {
        let suffix = counter.withLockedValue { value -> UInt64 in
            value += 1
            return value
        }
        let id = Int64(bitPattern: (prefix | (suffix & (1 << 48 - 1))) & (1 << 63 - 1))
        return id == 0 ? next() : id
    }
}
