/// Settings of one Raft member. Tick counts are in host ticks (etcd: 100 ms).
public struct RaftConfiguration: Sendable {
    public var id: NodeID
    /// A follower that hears nothing for a randomized [electionTick, 2 × electionTick) ticks campaigns.
    public var electionTick = 10
    public var heartbeatTick = 1
    /// Pre-vote (thesis §9.6): a partitioned node cannot disrupt the cluster by bumping terms.
    public var preVote = true
    /// A leader that has not heard from a quorum within an election timeout steps down.
    public var checkQuorum = true
    /// Appends in flight per follower before the leader waits for acknowledgements.
    public var maxInflightMessages = 256
    /// Bytes of entries per append message (at least one entry is always sent).
    public var maxSizePerMessage: UInt64 = 1 << 20
    /// Bytes of committed entries handed to the host per `Ready`.
    public var maxCommittedBytesPerReady: UInt64 = 64 << 20
    public var readOnlyMode = ReadOnlyMode.safe
    /// Lease-based reads: how many ticks the members' clocks may drift apart within one election
    /// timeout. The leader's read lease ends this many ticks before a follower that acknowledged
    /// it could vote for someone else; more drift than this breaks lease reads (etcd documents
    /// the same assumption for ReadOnlyLeaseBased).
    public var maxClockDriftTicks = 1
    /// Seeds the randomized election timeout, so a simulation replays exactly.
    public var randomSeed: UInt64

    public init(id: NodeID, randomSeed: UInt64? = nil) {
        self.id = id
        self.randomSeed = randomSeed ?? id
    }
}

/// What the host must do next, in this order: persist `hardState`, `entries` and `snapshot`;
/// send `messages`; apply `committedEntries`; answer `readStates`; then call `advance`.
public struct Ready: Sendable {
    public var softState: SoftState?
    public var hardState: HardState?
    public var entries: [Entry]
    public var snapshot: Snapshot?
    public var committedEntries: [Entry]
    public var messages: [Message]
    public var readStates: [ReadState]
}

/// One Raft member as a deterministic state machine (the design of etcd's raft library): no
/// clocks, threads or I/O. The host calls `tick` on a timer, `step` with peer messages, and
/// acts on each `Ready`.
public final class RaftNode {
    public let id: NodeID
    private let configuration: RaftConfiguration
    private var log: RaftLog
    public private(set) var term: UInt64 = 0
    private var vote: NodeID = 0
    public private(set) var leader: NodeID = 0
    public private(set) var role = RaftRole.follower
    private var progress: [NodeID: Progress] = [:]
    /// The keys of `progress`, sorted so messages go out in a deterministic order; kept here so
    /// broadcasts do not sort (and allocate) each time. `membershipChanged` refreshes it.
    private var memberIDs: [NodeID] = []
    private var votes: [NodeID: Bool] = [:]
    private var messages: [Message] = []
    private var readStates: [ReadState] = []
    private var electionElapsed = 0
    private var heartbeatElapsed = 0
    private var randomizedElectionTimeout = 0
    private var random: SplitMix64
    /// The member a leadership transfer is handing over to, if one is in progress.
    public private(set) var transferee: NodeID = 0
    /// Index of the newest unapplied configuration change: only one may be in flight (the
    /// one-member-at-a-time rule that keeps every pair of old/new majorities overlapping).
    private var pendingConfigurationIndex: UInt64 = 0
    private var pendingReads: [PendingRead] = []
    private var previousSoftState: SoftState
    private var previousHardState: HardState
    /// Ticks since this member started: the clock the read lease is measured in.
    private var clock: UInt64 = 0
    /// Lease-based reads: heartbeat rounds sent in this term. Each heartbeat carries its round
    /// and send tick (`LeaseStamp`) and followers echo it back.
    private var heartbeatRound: UInt64 = 0
    /// Set once this leader sent TimeoutNow in its term: the transferee's campaign overrides the
    /// followers' lease, so lease reads stop until the next term (etcd-io/etcd#12704).
    private var leaseRevoked = false

    private struct PendingRead {
        var index: UInt64
        var context: [UInt8]
        var requester: NodeID
        /// Safe mode: the voters that acknowledged the heartbeat carrying `context`.
        var acknowledged: Set<NodeID>
        /// Lease-based mode with a lapsed lease: the heartbeat round a quorum must acknowledge.
        var confirmingRound: UInt64 = 0
    }

    /// Restores a member from its persisted state (hard state, log, snapshot, membership).
    public init(configuration: RaftConfiguration, storage: any RaftStorage) throws(RaftError) {
        guard configuration.id != 0 else { throw .invalidConfiguration("id must not be 0") }
        guard configuration.heartbeatTick > 0, configuration.electionTick > configuration.heartbeatTick else {
            throw .invalidConfiguration("electionTick must be greater than heartbeatTick")
        }
        // The read lease is the check-quorum lease: without check-quorum a deposed leader could
        // keep answering reads (etcd refuses this combination the same way).
        if configuration.readOnlyMode == .leaseBased && !configuration.checkQuorum {
            throw .invalidConfiguration("lease-based reads require checkQuorum")
        }
        guard configuration.maxClockDriftTicks >= 0 else { throw .invalidConfiguration("maxClockDriftTicks must not be negative") }
        self.id = configuration.id
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration.randomSeed)
        self.log = RaftLog(storage: storage, maxCommittedBytesPerReady: configuration.maxCommittedBytesPerReady)
        let (hardState, confState) = try storage.initialState()
        for voter in confState.voters { progress[voter] = Progress(next: 1, maxInflight: configuration.maxInflightMessages, isLearner: false) }
        for learner in confState.learners { progress[learner] = Progress(next: 1, maxInflight: configuration.maxInflightMessages, isLearner: true) }
        memberIDs = progress.keys.sorted()
        if !hardState.isEmpty {
            guard hardState.commit >= log.committed, hardState.commit <= log.lastIndex else {
                throw .corruptState("commit \(hardState.commit) outside [\(log.committed), \(log.lastIndex)]")
            }
            term = hardState.term
            vote = hardState.vote
            log.commit(to: hardState.commit)
        }
        previousHardState = HardState(term: term, vote: vote, commit: log.committed)
        previousSoftState = SoftState(leader: 0, role: .follower)
        becomeFollower(term: term, leader: 0)
    }

    // MARK: - Host interface

    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    public var softState: SoftState { SoftState(leader: leader, role: role) }
    public var commitIndex: UInt64 { log.committed }
    public var lastIndex: UInt64 { log.lastIndex }
    public var voters: [NodeID] { progress.filter { !$0.value.isLearner }.keys.sorted() }
    public var learners: [NodeID] { progress.filter { $0.value.isLearner }.keys.sorted() }

    /// The leader's view of each follower (empty on other members).
    public var followerProgress: [NodeID: FollowerProgress] {
        guard role == .leader else { return [:] }
        return progress.mapValues { FollowerProgress(match: $0.match, next: $0.next, state: $0.state, isLearner: $0.isLearner) }
    }

    /// Advances logical time by one tick.
    public func tick() {
        clock += 1
        switch role {
        case .leader: tickHeartbeat()
        default: tickElection()
        }
    }

    /// Starts an election now (etcd's MsgHup), as if the election timeout had passed.
    public func campaign() {
        hup(transfer: false)
    }

    /// Appends `data` to the log through the leader. Throws `proposalDropped` when no leader is
    /// known or a leadership transfer is under way: the host should fail the request fast.
    public func propose(_ data: [UInt8]) throws(RaftError) {
        try stepPropose(Message(type: .propose, from: id, entries: [Entry(data: data)]))
    }

    /// Appends several proposals with one round of appends to the followers (the host batches
    /// what arrived while the previous `Ready` was being handled).
    public func propose(batch: [[UInt8]]) throws(RaftError) {
        guard !batch.isEmpty else { return }
        try stepPropose(Message(type: .propose, from: id, entries: batch.map { Entry(data: $0) }))
    }

    /// Proposes a one-member membership change; the host calls `applyConfigurationChange` once
    /// the entry is committed and applied.
    ///
    /// Why one member at a time is safe (etcd raft's rule, kept here): a configuration takes
    /// effect when its entry is applied, and the leader refuses a further change while one is
    /// appended but not yet applied (`pendingConfigurationIndex`), so any two configurations in
    /// force at once differ by at most one voter, and every majority of one intersects every
    /// majority of the other: two leaders of one term, or a commit unseen by the next leader,
    /// would need two disjoint majorities. A new leader may not change membership before an
    /// entry of its own term is applied (`becomeLeader` sets the pending index to its log end),
    /// which closes the hole of single-server changes across leader changes (Ongaro, 2015):
    /// an uncommitted change of a deposed leader can no longer combine with a new one.
    /// Learners vote in no majority, so adding, promoting or removing them follows the same rule.
    public func proposeConfigurationChange(_ change: ConfChange) throws(RaftError) {
        try stepPropose(Message(type: .propose, from: id, entries: [Entry(type: .confChange, data: change.encoded())]))
    }

    /// Asks for a linearizable read point: a `ReadState` with `context` comes back in a later
    /// `Ready` once leadership at that index is confirmed.
    public func readIndex(context: [UInt8]) throws(RaftError) {
        try stepReadIndex(Message(type: .readIndex, from: id, entries: [Entry(data: context)]))
    }

    /// Hands leadership to `target` (etcd's MoveLeader): it is caught up, then told to campaign.
    public func transferLeadership(to target: NodeID) {
        if role == .leader {
            handleTransfer(to: target)
        } else if leader != 0 {
            send(Message(type: .transferLeader, to: leader, from: target))
        }
    }

    /// The host's transport finished sending a snapshot to `member` (etcd's ReportSnapshot).
    /// Until it does, the leader sends that member nothing else, so a host must report every
    /// snapshot it sends, lost ones included.
    public func reportSnapshot(to member: NodeID, succeeded: Bool) {
        guard role == .leader, progress[member]?.state == .snapshot else { return }
        if !succeeded { progress[member]!.pendingSnapshot = 0 }
        progress[member]!.becomeProbe()
        // As etcd: wait for the member's answer (or, after a failure, the next heartbeat
        // response) before probing again.
        progress[member]!.probeSent = true
    }

    /// The host could not deliver a message to `member` (etcd's ReportUnreachable): stop
    /// pipelining appends to it and probe instead.
    public func reportUnreachable(_ member: NodeID) {
        guard role == .leader, progress[member]?.state == .replicate else { return }
        progress[member]!.becomeProbe()
    }

    /// Takes a message from a peer.
    public func step(_ message: Message) throws(RaftError) {
        if message.type.isLocal { throw .localMessageFromNetwork(message.type) }
        try handle(message)
    }

    /// The membership after applying `change` (the host calls this when it applies the entry).
    @discardableResult
    public func applyConfigurationChange(_ change: ConfChange) -> ConfState {
        pendingConfigurationIndex = 0
        switch change.type {
        case .addNode:
            if progress[change.nodeID] == nil {
                progress[change.nodeID] = Progress(next: log.lastIndex + 1, maxInflight: configuration.maxInflightMessages, isLearner: false)
                membershipChanged()
            } else {
                progress[change.nodeID]!.isLearner = false
            }
        case .addLearnerNode:
            if progress[change.nodeID] == nil {
                progress[change.nodeID] = Progress(next: log.lastIndex + 1, maxInflight: configuration.maxInflightMessages, isLearner: true)
                membershipChanged()
            }
        case .removeNode:
            progress[change.nodeID] = nil
            membershipChanged()
            if change.nodeID == transferee { transferee = 0 }
            // A removed leader steps down so the others can elect among themselves (etcd's server
            // stops a removed member; the library makes sure it cannot keep leading meanwhile).
            if change.nodeID == id && role == .leader {
                becomeFollower(term: term, leader: 0)
                return ConfState(voters: voters, learners: learners)
            }
            // A smaller quorum may now commit more.
            if role == .leader, maybeCommit() { broadcastAppend() }
        case .updateNode:
            break
        }
        return ConfState(voters: voters, learners: learners)
    }

    public var hasReady: Bool {
        softState != previousSoftState || hardState != previousHardState || !log.unstableEntries.isEmpty
            || log.unstable.snapshot != nil || !messages.isEmpty || !readStates.isEmpty || log.hasCommittedEntriesToApply
    }

    /// What the host must do next; nil when there is nothing.
    public func ready() -> Ready? {
        guard hasReady else { return nil }
        let soft = softState
        let hard = hardState
        return Ready(
            softState: soft != previousSoftState ? soft : nil,
            hardState: hard != previousHardState ? hard : nil,
            entries: log.unstableEntries,
            snapshot: log.unstable.snapshot,
            committedEntries: log.committedEntriesToApply(),
            messages: messages,
            readStates: readStates)
    }

    /// The host has done everything `ready` asked for.
    public func advance(_ ready: Ready) {
        if let soft = ready.softState { previousSoftState = soft }
        if let hard = ready.hardState { previousHardState = hard }
        if let last = ready.entries.last { log.unstable.stable(to: last.index, term: last.term) }
        if let snapshot = ready.snapshot { log.unstable.stableSnapshot(to: snapshot.metadata.index) }
        if let applied = ready.committedEntries.last?.index { log.applied(to: applied) }
        messages.removeFirst(min(ready.messages.count, messages.count))
        readStates.removeFirst(min(ready.readStates.count, readStates.count))
    }

    // MARK: - Roles

    private func reset(term newTerm: UInt64) {
        if term != newTerm {
            term = newTerm
            vote = 0
        }
        leader = 0
        electionElapsed = 0
        heartbeatElapsed = 0
        randomizedElectionTimeout = configuration.electionTick + Int(random.next() % UInt64(configuration.electionTick))
        votes = [:]
        transferee = 0
        pendingReads = []
        heartbeatRound = 0
        leaseRevoked = false
        for member in progress.keys {
            progress[member] = Progress(
                next: log.lastIndex + 1, maxInflight: configuration.maxInflightMessages,
                isLearner: progress[member]!.isLearner)
            if member == id { progress[member]!.match = log.lastIndex }
        }
    }

    private func becomeFollower(term newTerm: UInt64, leader newLeader: NodeID) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    private func becomePreCandidate() {
        // Pre-vote changes neither term nor vote: a failed pre-election leaves no trace.
        votes = [:]
        role = .preCandidate
        leader = 0
    }

    private func becomeCandidate() {
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    private func becomeLeader() {
        reset(term: term)
        leader = id
        role = .leader
        // `reset` left every follower probing from just past the leader's log (etcd's
        // becomeLeader): probing from its match (0) would reach below a compacted log, and
        // cost a snapshot where one append does.
        // Etcd appends an empty entry: committing it commits everything before it (§5.4.2)
        // and tells the leader which index its term starts at (needed by ReadIndex).
        pendingConfigurationIndex = log.lastIndex
        appendEntries([Entry(data: [])])
    }

    private var isPromotable: Bool { progress[id].map { !$0.isLearner } ?? false }

    private var voterCount: Int {
        var count = 0
        for memberProgress in progress.values where !memberProgress.isLearner { count += 1 }
        return count
    }

    private var quorum: Int { voterCount / 2 + 1 }

    private func membershipChanged() {
        memberIDs = progress.keys.sorted()
    }

    // MARK: - Ticks

    private func tickElection() {
        electionElapsed += 1
        if isPromotable && electionElapsed >= randomizedElectionTimeout {
            electionElapsed = 0
            hup(transfer: false)
        }
    }

    private func tickHeartbeat() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= configuration.electionTick {
            electionElapsed = 0
            if configuration.checkQuorum && !checkQuorumActive() {
                becomeFollower(term: term, leader: 0)
                return
            }
            // A transfer that did not finish within an election timeout is abandoned.
            transferee = 0
        }
        if heartbeatElapsed >= configuration.heartbeatTick {
            heartbeatElapsed = 0
            broadcastHeartbeat(readContext: [])
        }
    }

    /// True if a quorum was heard from since the last check; clears the marks for the next round.
    private func checkQuorumActive() -> Bool {
        var active = 0
        for member in progress.keys {
            if member == id { active += progress[member]!.isLearner ? 0 : 1; continue }
            if progress[member]!.recentActive && !progress[member]!.isLearner { active += 1 }
            progress[member]!.recentActive = false
        }
        return active >= quorum
    }

    // MARK: - Elections

    private func hup(transfer: Bool) {
        guard role != .leader, isPromotable else { return }
        // Unapplied configuration changes could change who votes: etcd refuses to campaign then.
        if log.committed > log.applied, hasUnappliedConfigurationChange() { return }
        if configuration.preVote && !transfer {
            becomePreCandidate()
            requestVotes(type: .preVote, term: term + 1, transfer: false)
        } else {
            becomeCandidate()
            requestVotes(type: .vote, term: term, transfer: transfer)
        }
    }

    private func hasUnappliedConfigurationChange() -> Bool {
        guard let entries = try? log.slice((log.applied + 1)..<(log.committed + 1), maxBytes: .max) else { return false }
        return entries.contains { $0.type == .confChange }
    }

    private func requestVotes(type: MessageType, term electionTerm: UInt64, transfer: Bool) {
        if recordVote(from: id, granted: true, type: type) { return }
        for member in voters where member != id {
            send(Message(
                type: type, to: member, from: id, term: electionTerm, logTerm: log.lastTerm, index: log.lastIndex,
                context: transfer ? Array("transfer".utf8) : []))
        }
    }

    /// Records a vote; true if the election was decided (won or lost) by it.
    private func recordVote(from member: NodeID, granted: Bool, type: MessageType) -> Bool {
        if votes[member] == nil { votes[member] = granted }
        let granted = votes.values.filter { $0 }.count
        let rejected = votes.values.count - granted
        if granted >= quorum {
            if type == .preVote {
                becomeCandidate()
                requestVotes(type: .vote, term: term, transfer: false)
            } else {
                becomeLeader()
                broadcastAppend()
            }
            return true
        }
        if rejected >= quorum {
            becomeFollower(term: term, leader: 0)
            return true
        }
        return false
    }

    // MARK: - Messages

    private func handle(_ message: Message) throws(RaftError) {
        // Term rules (figure 2, "all servers"), with etcd's refinements for pre-vote and leases.
        // Term 0 marks a message that carries no term: a forwarded proposal or read request.
        if message.term == 0 {
            // No term check.
        } else if message.term > term {
            let isTransfer = message.context == Array("transfer".utf8)
            if message.type == .vote || message.type == .preVote {
                // Check-quorum lease: a member that heard from a live leader within the election
                // timeout ignores campaigns (unless the leader itself asked for the transfer).
                let inLease = leader != 0 && electionElapsed < configuration.electionTick
                // A lease-based member may have acknowledged a leader's heartbeat just before it
                // restarted: it keeps that lease for its first election timeout (etcd does not,
                // and restarts within a lease then break lease reads).
                let mayHoldLeaseFromBeforeRestart = configuration.readOnlyMode == .leaseBased
                    && clock < UInt64(configuration.electionTick)
                if configuration.checkQuorum && (inLease || mayHoldLeaseFromBeforeRestart) && !isTransfer {
                    return
                }
            }
            if message.type == .preVote {
                // A pre-vote does not change our term.
            } else if message.type == .preVoteResponse && !message.reject {
                // Our pre-election succeeded at a future term; the term changes when we campaign.
            } else {
                let newLeader: NodeID = [.append, .heartbeat, .snapshot].contains(message.type) ? message.from : 0
                becomeFollower(term: message.term, leader: newLeader)
            }
        } else if message.term < term {
            if (configuration.checkQuorum || configuration.preVote) && (message.type == .heartbeat || message.type == .append) {
                // A stale leader learns of the newer term and steps down (etcd sends an append
                // response with our term).
                send(Message(type: .appendResponse, to: message.from, from: id, term: term))
            } else if message.type == .preVote {
                send(Message(type: .preVoteResponse, to: message.from, from: id, term: term, reject: true))
            }
            return
        }

        switch message.type {
        case .vote, .preVote:
            handleVoteRequest(message)
        case .propose:
            try stepPropose(message)
        case .readIndex:
            try stepReadIndex(message)
        default:
            switch role {
            case .leader: try stepLeader(message)
            case .candidate, .preCandidate: stepCandidate(message)
            case .follower: stepFollower(message)
            }
        }
    }

    private func handleVoteRequest(_ message: Message) {
        // §5.2/§5.4: one vote per term, only for a log at least as up to date as ours. A
        // pre-vote is granted on the log check alone when its term is ahead of ours.
        let canVote = vote == message.from || (vote == 0 && leader == 0)
            || (message.type == .preVote && message.term > term)
        let granted = canVote && log.isUpToDate(lastIndex: message.index, term: message.logTerm)
        // etcd answers a granted pre-vote with the candidate's term, so it is not ignored as stale.
        let responseTerm = granted && message.type == .preVote ? message.term : term
        send(Message(type: message.type.voteResponse, to: message.from, from: id, term: responseTerm, reject: !granted))
        if granted && message.type == .vote {
            electionElapsed = 0
            vote = message.from
        }
    }

    private func stepPropose(_ message: Message) throws(RaftError) {
        switch role {
        case .leader:
            if transferee != 0 { throw .proposalDropped }
            if progress[id] == nil { throw .proposalDropped }
            var entries = message.entries
            for index in entries.indices where entries[index].type == .confChange {
                if pendingConfigurationIndex > log.applied {
                    // One change at a time: the next must wait until the previous is applied.
                    entries[index] = Entry(data: [])
                } else {
                    pendingConfigurationIndex = log.lastIndex + UInt64(index) + 1
                }
            }
            appendEntries(entries)
            broadcastAppend()
        default:
            guard leader != 0 else { throw .proposalDropped }
            // Forwarding (etcd's default): the leader appends it.
            var forwarded = message
            forwarded.to = leader
            forwarded.from = id
            send(forwarded)
        }
    }

    private func stepReadIndex(_ message: Message) throws(RaftError) {
        guard role == .leader else {
            guard leader != 0 else { throw .proposalDropped }
            var forwarded = message
            forwarded.to = leader
            forwarded.from = id
            send(forwarded)
            return
        }
        // The leader may answer only once an entry of its own term is committed (§8): before
        // that, its commit index may lag behind entries committed by earlier leaders.
        // (etcd queues such reads until then; the host retries a dropped read instead.)
        guard log.term(at: log.committed) == term else {
            throw .proposalDropped
        }
        let context = message.entries.first?.data ?? []
        var read = PendingRead(index: log.committed, context: context, requester: message.from, acknowledged: [id])
        if voters.count == 1 {
            answerRead(read)
            return
        }
        switch configuration.readOnlyMode {
        case .safe:
            pendingReads.append(read)
            broadcastHeartbeat(readContext: context)
        case .leaseBased:
            if leaseHolds {
                answerRead(read)
                return
            }
            // The lease lapsed (new leader, lost heartbeats): confirm leadership with a round.
            read.confirmingRound = heartbeatRound + 1
            pendingReads.append(read)
            broadcastHeartbeat(readContext: [])
        }
    }

    /// Thesis §6.4.1: a quorum acknowledged a heartbeat sent at tick `start`; each of them reset
    /// its election timer on receiving it, and with check-quorum refuses to vote for another
    /// leader for an election timeout after. So no other leader can exist until `start` plus an
    /// election timeout, less the drift allowance. etcd instead trusts the leader until its next
    /// check-quorum step-down, which can come up to an election timeout after followers may
    /// already vote (etcd-io/raft#166).
    private var leaseHolds: Bool {
        guard !leaseRevoked else { return false }
        var sendTicks: [UInt64] = []
        for (member, memberProgress) in progress where !memberProgress.isLearner {
            if member == id {
                sendTicks.append(clock)
            } else if memberProgress.leaseAcknowledgedRound > 0 {
                sendTicks.append(memberProgress.leaseAcknowledgedTick)
            }
        }
        guard sendTicks.count >= quorum else { return false }
        sendTicks.sort(by: >)
        let leaseTicks = UInt64(max(0, configuration.electionTick - configuration.maxClockDriftTicks))
        return clock < sendTicks[quorum - 1] + leaseTicks
    }

    /// Lease-based mode: records the round a follower echoed and answers the reads that waited
    /// for a round a quorum has now acknowledged.
    private func acknowledgeLease(from member: NodeID, context: [UInt8]) {
        guard let stamp = LeaseStamp(decoding: context), stamp.round <= heartbeatRound else { return }
        if stamp.round > progress[member]!.leaseAcknowledgedRound {
            progress[member]!.leaseAcknowledgedRound = stamp.round
            progress[member]!.leaseAcknowledgedTick = stamp.tick
        }
        guard !pendingReads.isEmpty else { return }
        var rounds: [UInt64] = []
        for (voter, voterProgress) in progress where !voterProgress.isLearner {
            rounds.append(voter == id ? heartbeatRound : voterProgress.leaseAcknowledgedRound)
        }
        rounds.sort(by: >)
        let confirmedRound = rounds[quorum - 1]
        let confirmed = pendingReads.prefix { $0.confirmingRound <= confirmedRound }
        pendingReads.removeFirst(confirmed.count)
        for read in confirmed { answerRead(read) }
    }

    private func answerRead(_ read: PendingRead) {
        if read.requester == id || read.requester == 0 {
            readStates.append(ReadState(index: read.index, context: read.context))
        } else {
            send(Message(type: .readIndexResponse, to: read.requester, from: id, index: read.index,
                         entries: [Entry(data: read.context)]))
        }
    }

    private func stepLeader(_ message: Message) throws(RaftError) {
        guard progress[message.from] != nil else { return }
        progress[message.from]!.recentActive = true
        switch message.type {
        case .appendResponse:
            if message.reject {
                // Fast backtracking: skip every entry of terms the follower cannot match.
                var hintIndex = min(message.rejectHint, log.lastIndex)
                if message.logTerm > 0 {
                    hintIndex = log.findConflictByTerm(index: hintIndex, term: message.logTerm).index
                }
                if progress[message.from]!.maybeDecrease(rejected: message.index, hint: hintIndex) {
                    if progress[message.from]!.state == .replicate { progress[message.from]!.becomeProbe() }
                    sendAppend(to: message.from)
                }
                return
            }
            let wasPaused = progress[message.from]!.isPaused
            guard progress[message.from]!.maybeUpdate(message.index) else {
                if wasPaused && !progress[message.from]!.isPaused { sendAppend(to: message.from) }
                return
            }
            switch progress[message.from]!.state {
            case .probe: progress[message.from]!.becomeReplicate()
            case .snapshot:
                if progress[message.from]!.match >= progress[message.from]!.pendingSnapshot {
                    progress[message.from]!.becomeProbe()
                    progress[message.from]!.becomeReplicate()
                }
            case .replicate: progress[message.from]!.inflights.free(upTo: message.index)
            }
            if maybeCommit() {
                broadcastAppend()
            } else {
                while sendAppend(to: message.from, sendIfEmpty: false) {}
            }
            if message.from == transferee && progress[message.from]!.match == log.lastIndex {
                sendTimeoutNow(to: message.from)
            }
        case .heartbeatResponse:
            progress[message.from]!.probeSent = false
            if progress[message.from]!.state == .replicate && progress[message.from]!.inflights.isFull {
                progress[message.from]!.inflights.freeFirst()
            }
            if progress[message.from]!.match < log.lastIndex { sendAppend(to: message.from) }
            switch configuration.readOnlyMode {
            case .safe: acknowledgeReads(from: message.from, context: message.context)
            case .leaseBased: acknowledgeLease(from: message.from, context: message.context)
            }
        case .transferLeader:
            handleTransfer(to: message.from)
        default:
            break
        }
    }

    private func acknowledgeReads(from member: NodeID, context: [UInt8]) {
        guard !context.isEmpty, let position = pendingReads.firstIndex(where: { $0.context == context }) else { return }
        pendingReads[position].acknowledged.insert(member)
        let acknowledged = pendingReads[position].acknowledged.filter { progress[$0].map { !$0.isLearner } ?? false }.count
        guard acknowledged >= quorum else { return }
        // Reads queued before this one are confirmed by the same heartbeat round.
        let confirmed = pendingReads[...position]
        pendingReads.removeFirst(position + 1)
        for read in confirmed { answerRead(read) }
    }

    private func handleTransfer(to target: NodeID) {
        guard let targetProgress = progress[target], !targetProgress.isLearner, target != id else { return }
        if transferee == target { return }
        transferee = target
        electionElapsed = 0
        if targetProgress.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppend(to: target)
        }
    }

    private func sendTimeoutNow(to target: NodeID) {
        leaseRevoked = true
        send(Message(type: .timeoutNow, to: target, from: id))
    }

    private func stepCandidate(_ message: Message) {
        switch message.type {
        case .append, .heartbeat, .snapshot:
            becomeFollower(term: message.term, leader: message.from)
            stepFollower(message)
        case .voteResponse where role == .candidate, .preVoteResponse where role == .preCandidate:
            _ = recordVote(from: message.from, granted: !message.reject, type: role == .preCandidate ? .preVote : .vote)
        default:
            break
        }
    }

    private func stepFollower(_ message: Message) {
        switch message.type {
        case .append:
            electionElapsed = 0
            leader = message.from
            handleAppend(message)
        case .heartbeat:
            electionElapsed = 0
            leader = message.from
            log.commit(to: min(message.commit, log.lastIndex))
            send(Message(type: .heartbeatResponse, to: message.from, from: id, context: message.context))
        case .snapshot:
            electionElapsed = 0
            leader = message.from
            handleSnapshot(message)
        case .readIndexResponse:
            readStates.append(ReadState(index: message.index, context: message.entries.first?.data ?? []))
        case .timeoutNow:
            // The leader asks us to take over: campaign at once, skipping pre-vote.
            hup(transfer: true)
        case .transferLeader:
            if leader != 0 {
                var forwarded = message
                forwarded.to = leader
                send(forwarded)
            }
        default:
            break
        }
    }

    private func handleAppend(_ message: Message) {
        if message.index < log.committed {
            send(Message(type: .appendResponse, to: message.from, from: id, index: log.committed))
            return
        }
        if let last = log.maybeAppend(index: message.index, logTerm: message.logTerm, committed: message.commit, entries: message.entries) {
            send(Message(type: .appendResponse, to: message.from, from: id, index: last))
            return
        }
        // Rejected: hint the largest index whose term is at most the leader's term there, so
        // the leader can skip whole terms (etcd's fast backtracking).
        let hint = log.findConflictByTerm(index: min(message.index, log.lastIndex), term: message.logTerm)
        send(Message(type: .appendResponse, to: message.from, from: id, logTerm: hint.term, index: message.index,
                     reject: true, rejectHint: hint.index))
    }

    private func handleSnapshot(_ message: Message) {
        guard let snapshot = message.snapshot else { return }
        let metadata = snapshot.metadata
        if metadata.index <= log.committed || log.matchTerm(metadata.index, metadata.term) {
            if log.matchTerm(metadata.index, metadata.term) { log.commit(to: metadata.index) }
            send(Message(type: .appendResponse, to: message.from, from: id, index: log.committed))
            return
        }
        log.restore(snapshot)
        progress = [:]
        for voter in metadata.confState.voters { progress[voter] = Progress(next: log.lastIndex + 1, maxInflight: configuration.maxInflightMessages, isLearner: false) }
        for learner in metadata.confState.learners { progress[learner] = Progress(next: log.lastIndex + 1, maxInflight: configuration.maxInflightMessages, isLearner: true) }
        membershipChanged()
        send(Message(type: .appendResponse, to: message.from, from: id, index: log.lastIndex))
    }

    // MARK: - Replication

    private func appendEntries(_ entries: [Entry]) {
        var entries = entries
        var index = log.lastIndex
        for position in entries.indices {
            index += 1
            entries[position].term = term
            entries[position].index = index
        }
        log.append(entries[...])
        _ = progress[id]?.maybeUpdate(log.lastIndex)
        _ = maybeCommit()
    }

    /// Commits the highest index a quorum of voters holds, if it is of the current term.
    private func maybeCommit() -> Bool {
        let voterCount = self.voterCount
        guard voterCount > 0 else { return false }
        // On the stack: this runs for every append response.
        let quorumMatch = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: voterCount) { buffer in
            var matches = buffer
            matches.initialize(repeating: 0)
            var position = 0
            for memberProgress in progress.values where !memberProgress.isLearner {
                matches[position] = memberProgress.match
                position += 1
            }
            matches.sort(by: >)
            return matches[voterCount / 2]
        }
        return log.maybeCommit(index: quorumMatch, term: term)
    }

    private func broadcastAppend() {
        for member in memberIDs where member != id { sendAppend(to: member) }
    }

    /// Safe mode: `readContext` rides on the heartbeats (etcd's ReadIndex). Lease-based mode: the
    /// heartbeats carry a new round's stamp instead.
    private func broadcastHeartbeat(readContext: [UInt8]) {
        var context = readContext
        if configuration.readOnlyMode == .leaseBased {
            heartbeatRound += 1
            context = LeaseStamp(round: heartbeatRound, tick: clock).encoded
        }
        for member in memberIDs where member != id {
            // Never tell a follower to commit past what it is known to hold.
            let commit = min(progress[member]!.match, log.committed)
            send(Message(type: .heartbeat, to: member, from: id, commit: commit, context: context))
        }
    }

    /// Sends the next append (or a snapshot) to `member`; false when nothing was sent.
    @discardableResult
    private func sendAppend(to member: NodeID, sendIfEmpty: Bool = true) -> Bool {
        // Progress is mutated in place below: a copy would duplicate its inflight window.
        guard let next = progress[member]?.next, !progress[member]!.isPaused else { return false }
        let previousIndex = next - 1
        let entries: [Entry]
        do {
            entries = try log.entries(from: next, maxBytes: configuration.maxSizePerMessage)
        } catch {
            return sendSnapshot(to: member)
        }
        guard let previousTerm = log.term(at: previousIndex) else { return sendSnapshot(to: member) }
        if entries.isEmpty && !sendIfEmpty { return false }
        send(Message(type: .append, to: member, from: id, logTerm: previousTerm, index: previousIndex,
                     entries: entries, commit: log.committed))
        switch progress[member]!.state {
        case .replicate:
            if let last = entries.last?.index {
                progress[member]!.next = last + 1
                progress[member]!.inflights.add(last)
            }
        case .probe:
            progress[member]!.probeSent = true
        case .snapshot:
            break
        }
        return true
    }

    private func sendSnapshot(to member: NodeID) -> Bool {
        guard let snapshot = try? log.snapshot(), !snapshot.isEmpty else { return false }
        send(Message(type: .snapshot, to: member, from: id, snapshot: snapshot))
        progress[member]!.becomeSnapshot(at: snapshot.metadata.index)
        return true
    }

    private func send(_ message: Message) {
        var message = message
        if message.term == 0 && message.type != .propose && message.type != .readIndex && message.type != .transferLeader {
            message.term = term
        }
        messages.append(message)
    }
}

/// What a lease-based leader's heartbeat carries in its context and a follower echoes back: the
/// round it belongs to and the leader's tick when it was sent. (Followers echo any context, as
/// etcd's do, so they need not know the format.)
struct LeaseStamp: Equatable {
    var round: UInt64
    var tick: UInt64

    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for value in [round, tick] {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        return bytes
    }

    init(round: UInt64, tick: UInt64) {
        self.round = round
        self.tick = tick
    }

    init?(decoding bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        func word(_ start: Int) -> UInt64 {
            var value: UInt64 = 0
            for position in (start..<(start + 8)).reversed() { value = value << 8 | UInt64(bytes[position]) }
            return value
        }
        self.init(round: word(0), tick: word(8))
    }
}

/// A small, fast, seedable generator (SplitMix64): deterministic election timeouts.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
