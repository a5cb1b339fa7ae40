import Raft
import Storage
import Synchronization

/// One entry the log has committed, as the apply loop receives it.
struct CommittedEntry: Sendable {
    enum Kind: Sendable {
        /// A client or server write: `data` is an `InternalRequest` entry.
        case request
        /// Nothing to apply (a new leader's first entry): only the applied index moves.
        case empty
        /// A membership change; the apply loop hands it back to the log once applied.
        case configurationChange(ConfChange)
        /// A leader's Raft snapshot at `index`: the store becomes the copy in `storeFile`, the
        /// membership the snapshot's.
        case snapshot(MembershipSnapshot, storeFile: String)
    }

    var index: UInt64
    var term: UInt64
    var kind: Kind
    var data: [UInt8]

    init(index: UInt64, term: UInt64, kind: Kind = .request, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}

/// Why the log could not take a proposal or a read: every case is retryable by the client, so
/// each reaches it as etcd's `UNAVAILABLE` error.
public enum ProposalFailure: Error, Sendable, Hashable {
    case noLeader
    case leaderChanged
    case timedOut
    case stopped
}

/// What the log calls back with; set once by `start`.
struct ReplicatedLogHandlers: Sendable {
    /// Committed entries in index order, from the log's thread; must not block.
    var deliver: @Sendable ([CommittedEntry]) -> Void
    /// A proposal the log dropped (its reply must not wait for a timeout).
    var proposalFailed: @Sendable (_ proposalID: UInt64, ProposalFailure) -> Void
    /// This member became leader (true) or stopped being leader (false).
    var leadershipChanged: @Sendable (_ isLeader: Bool) -> Void
    /// The leader this member knew is no longer the leader: proposals in flight may have been
    /// lost with it (forwarded to it, or appended only by it), so their outcome is unknown.
    var leaderLost: @Sendable () -> Void
    /// Raft wants this MsgSnap sent: the store must be copied to go with it. Without it, the
    /// message goes to the transport as it is.
    var snapshotRequested: (@Sendable (Raft.Message) -> Void)? = nil
}

/// The seam between the server and consensus: proposals go in, committed entries come out in
/// index order on one thread, linearizable reads get a read index.
protocol ReplicatedLog: AnyObject, Sendable {
    /// Term, leader and indexes as last published by the log's thread.
    var status: ConsensusStatus { get }
    /// How long making appended entries durable took (etcd's `etcd_disk_wal_fsync_duration_seconds`).
    var walFsyncDurations: DurationHistogram { get }
    /// Queues `data` for replication; never blocks. A dropped proposal is reported through
    /// `proposalFailed` with `proposalID`.
    func propose(_ data: [UInt8], proposalID: UInt64)
    /// Asks for a read index: `completion` gets the commit index at which leadership was
    /// confirmed (called on the log's thread), or why it could not be.
    func readIndex(_ completion: @escaping @Sendable (Result<UInt64, ProposalFailure>) -> Void)
    /// Hands leadership to `member` (MoveLeader); `completion` once it leads or the attempt ended.
    func transferLeadership(to member: UInt64, completion: @escaping @Sendable (Result<Void, ProposalFailure>) -> Void)
    /// Queues a membership change; a dropped one is reported through `proposalFailed` with
    /// `change.id`.
    func proposeConfigurationChange(_ change: ConfChange)
    /// The leader's view of how far each member's log (its own included) matches the leader's,
    /// etcd's raft status progress; nil when this member does not lead. `completion` runs on
    /// the log's thread.
    func replicationProgress(_ completion: @escaping @Sendable ([UInt64: UInt64]?) -> Void)
    /// The apply loop applied a membership change entry.
    func configurationChangeApplied(_ change: ConfChange)
    func start(handlers: ReplicatedLogHandlers)
    /// Stops after making everything already proposed durable and delivered; a leader of
    /// several members hands leadership over first.
    func stop()
}

/// Consensus state published by the log's thread and read lock-free by every request.
final class ConsensusStatus: Sendable {
    private let termValue = Synchronization.Atomic<UInt64>(0)
    private let leaderValue = Synchronization.Atomic<UInt64>(0)
    private let lastIndexValue = Synchronization.Atomic<UInt64>(0)
    private let commitIndexValue = Synchronization.Atomic<UInt64>(0)
    /// Set while this member leads a cluster in which it is the only voter and has committed an
    /// entry of its term: its commit index is then a read index without asking Raft.
    private let soleVoterLeaderValue = Synchronization.Atomic<Bool>(false)
    /// How often a leader other than the last one known (none included) was seen: etcd's
    /// `leader_changes_seen_total`. Losing the leader alone is no change.
    private let leaderChangesValue = Synchronization.Atomic<UInt64>(0)
    let memberID: UInt64

    init(memberID: UInt64) {
        self.memberID = memberID
    }

    var term: UInt64 { termValue.load(ordering: .acquiring) }
    var leader: UInt64 { leaderValue.load(ordering: .acquiring) }
    var lastIndex: UInt64 { lastIndexValue.load(ordering: .acquiring) }
    var commitIndex: UInt64 { commitIndexValue.load(ordering: .acquiring) }
    var isSoleVoterLeader: Bool { soleVoterLeaderValue.load(ordering: .acquiring) }
    var isLeader: Bool { leader == memberID }
    var leaderChangesSeen: UInt64 { leaderChangesValue.load(ordering: .relaxed) }

    func publish(term: UInt64, leader: UInt64, lastIndex: UInt64, commitIndex: UInt64, soleVoterLeader: Bool) {
        termValue.store(term, ordering: .releasing)
        let previousLeader = leaderValue.exchange(leader, ordering: .acquiringAndReleasing)
        if leader != 0 && leader != previousLeader {
            leaderChangesValue.add(1, ordering: .relaxed)
        }
        lastIndexValue.store(lastIndex, ordering: .releasing)
        commitIndexValue.store(commitIndex, ordering: .releasing)
        soleVoterLeaderValue.store(soleVoterLeader, ordering: .releasing)
    }
}
