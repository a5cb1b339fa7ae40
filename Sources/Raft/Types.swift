/// Value types of the Raft library. Field layouts follow etcd's raftpb so the codec in
/// `Codec.swift` can be wire compatible with proto/raft.proto.

/// The identifier of a member. 0 means "nobody" (no leader, no vote), as in etcd.
public typealias NodeID = UInt64

public enum EntryType: Int32, Sendable, Hashable {
    case normal = 0
    case confChange = 1
}

public struct Entry: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64
    public var type: EntryType
    public var data: [UInt8]

    public init(term: UInt64 = 0, index: UInt64 = 0, type: EntryType = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.type = type
        self.data = data
    }

    /// The size counted against `maxSizePerMessage`; etcd counts the encoded entry, the payload
    /// dominates, and a constant for the header keeps the limit meaningful for empty entries.
    @inlinable
    var accountedSize: UInt64 { UInt64(data.count) + 16 }
}

/// raftpb.MessageType with etcd's numbers.
public enum MessageType: Int32, Sendable, Hashable {
    case hup = 0
    case beat = 1
    case propose = 2
    case append = 3
    case appendResponse = 4
    case vote = 5
    case voteResponse = 6
    case snapshot = 7
    case heartbeat = 8
    case heartbeatResponse = 9
    case unreachable = 10
    case snapshotStatus = 11
    case checkQuorum = 12
    case transferLeader = 13
    case timeoutNow = 14
    case readIndex = 15
    case readIndexResponse = 16
    case preVote = 17
    case preVoteResponse = 18

    /// Messages a host creates for its own node; they never arrive from the network.
    var isLocal: Bool {
        switch self {
        case .hup, .beat, .unreachable, .snapshotStatus, .checkQuorum: return true
        default: return false
        }
    }

    var voteResponse: MessageType { self == .preVote ? .preVoteResponse : .voteResponse }
}

public struct HardState: Sendable, Hashable {
    public var term: UInt64
    public var vote: NodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID = 0, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var isEmpty: Bool { term == 0 && vote == 0 && commit == 0 }
}

/// The membership: voters and learners (non-voting members that receive the log).
public struct ConfState: Sendable, Hashable {
    public var voters: [NodeID]
    public var learners: [NodeID]

    public init(voters: [NodeID] = [], learners: [NodeID] = []) {
        self.voters = voters
        self.learners = learners
    }
}

public struct SnapshotMetadata: Sendable, Hashable {
    public var confState: ConfState
    public var index: UInt64
    public var term: UInt64

    public init(confState: ConfState = ConfState(), index: UInt64 = 0, term: UInt64 = 0) {
        self.confState = confState
        self.index = index
        self.term = term
    }
}

/// A snapshot of the host's state machine up to `metadata.index`; `data` is opaque to Raft.
public struct Snapshot: Sendable, Hashable {
    public var data: [UInt8]
    public var metadata: SnapshotMetadata

    public init(data: [UInt8] = [], metadata: SnapshotMetadata = SnapshotMetadata()) {
        self.data = data
        self.metadata = metadata
    }

    public var isEmpty: Bool { metadata.index == 0 }
}

public enum ConfChangeType: Int32, Sendable, Hashable {
    case addNode = 0
    case removeNode = 1
    case updateNode = 2
    case addLearnerNode = 3
}

/// A single-member membership change (raftpb.ConfChange). Adding an existing learner as a node
/// promotes it.
public struct ConfChange: Sendable, Hashable {
    public var id: UInt64
    public var type: ConfChangeType
    public var nodeID: NodeID
    public var context: [UInt8]

    public init(id: UInt64 = 0, type: ConfChangeType, nodeID: NodeID, context: [UInt8] = []) {
        self.id = id
        self.type = type
        self.nodeID = nodeID
        self.context = context
    }
}

public struct Message: Sendable, Hashable {
    public var type: MessageType
    public var to: NodeID
    public var from: NodeID
    public var term: UInt64
    /// For appends: the term of the entry at `index`; for rejections: the term of the hint.
    public var logTerm: UInt64
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var snapshot: Snapshot?
    public var reject: Bool
    public var rejectHint: UInt64
    public var context: [UInt8]

    public init(
        type: MessageType, to: NodeID = 0, from: NodeID = 0, term: UInt64 = 0, logTerm: UInt64 = 0,
        index: UInt64 = 0, entries: [Entry] = [], commit: UInt64 = 0, snapshot: Snapshot? = nil,
        reject: Bool = false, rejectHint: UInt64 = 0, context: [UInt8] = []
    ) {
        self.type = type
        self.to = to
        self.from = from
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.snapshot = snapshot
        self.reject = reject
        self.rejectHint = rejectHint
        self.context = context
    }
}

public enum RaftRole: Sendable, Hashable {
    case follower
    case preCandidate
    case candidate
    case leader
}

/// Volatile state the host may want to observe (leader changes); not persisted.
public struct SoftState: Sendable, Hashable {
    public var leader: NodeID
    public var role: RaftRole
}

/// The answer to a `readIndex(context:)` request: once the host has applied up to `index`,
/// a read issued with `context` is linearizable.
public struct ReadState: Sendable, Hashable {
    public var index: UInt64
    public var context: [UInt8]
}

/// How ReadIndex confirms leadership (etcd's ReadOnlyOption).
public enum ReadOnlyMode: Sendable, Hashable {
    /// A heartbeat round acknowledged by a quorum confirms the leader is still the leader.
    case safe
    /// Answers from the leader's lease without a round trip while it holds (a quorum acknowledged
    /// a heartbeat sent less than an election timeout ago, less `maxClockDriftTicks`), with a
    /// heartbeat round otherwise. Safe only with `checkQuorum` (followers then refuse votes for
    /// an election timeout after hearing from the leader), every member in this mode, and clocks
    /// whose drift stays within `maxClockDriftTicks` per election timeout.
    case leaseBased
}

public enum RaftError: Error, Sendable, Hashable {
    /// No leader is known, the node was removed, or a leader transfer is in progress.
    case proposalDropped
    /// A requested index is below the first index still in the log.
    case compacted
    /// A requested index is above the last index in storage.
    case unavailable
    /// The host cannot produce a snapshot right now; Raft retries later.
    case snapshotTemporarilyUnavailable
    /// A message type that only the node itself may create arrived from the network.
    case localMessageFromNetwork(MessageType)
    /// A message from a member this node does not know.
    case unknownPeer(NodeID)
    case invalidConfiguration(String)
    /// Storage returned state that contradicts itself (for example a commit index past the log).
    case corruptState(String)
}
