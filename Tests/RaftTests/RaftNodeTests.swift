import XCTest

@testable import Raft

/// The rules of the Raft paper's figure 2 and etcd's additions, one member at a time.
final class RaftNodeTests: XCTestCase {
    /// Each node's disk: `drain` persists a `Ready` there before acknowledging it, as a host must.
    private var disks: [ObjectIdentifier: MemoryStorage] = [:]

    private func node(
        _ id: NodeID, voters: [NodeID] = [1, 2, 3], preVote: Bool = false, readOnlyMode: ReadOnlyMode = .safe,
        storage: MemoryStorage? = nil
    ) throws -> RaftNode {
        var configuration = RaftConfiguration(id: id)
        configuration.preVote = preVote
        configuration.readOnlyMode = readOnlyMode
        let disk = storage ?? MemoryStorage(confState: ConfState(voters: voters))
        let raft = try RaftNode(configuration: configuration, storage: disk)
        disks[ObjectIdentifier(raft)] = disk
        return raft
    }

    private func drain(_ node: RaftNode) -> [Message] {
        guard let ready = node.ready() else { return [] }
        if let disk = disks[ObjectIdentifier(node)] {
            if let hardState = ready.hardState { disk.setHardState(hardState) }
            disk.append(ready.entries)
        }
        node.advance(ready)
        return ready.messages
    }

    func testFollowerCampaignsAfterElectionTimeoutAndVotesForItself() throws {
        let raft = try node(1)
        for _ in 0..<20 { raft.tick() }
        XCTAssertEqual(raft.role, .candidate)
        XCTAssertEqual(raft.term, 1)
        XCTAssertEqual(raft.hardState.vote, 1)
        let requests = drain(raft).filter { $0.type == .vote }
        XCTAssertEqual(Set(requests.map(\.to)), [2, 3])
    }

    func testPreVoteDoesNotBumpTheTerm() throws {
        let raft = try node(1, preVote: true)
        raft.campaign()
        XCTAssertEqual(raft.role, .preCandidate)
        XCTAssertEqual(raft.term, 0)
        let requests = drain(raft)
        XCTAssertTrue(requests.allSatisfy { $0.type == .preVote && $0.term == 1 })
        try raft.step(Message(type: .preVoteResponse, to: 1, from: 2, term: 1))
        XCTAssertEqual(raft.role, .candidate)
        XCTAssertEqual(raft.term, 1)
    }

    func testMajorityOfVotesMakesALeaderThatAppendsAnEmptyEntry() throws {
        let raft = try node(1)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 1))
        XCTAssertEqual(raft.role, .leader)
        XCTAssertEqual(raft.lastIndex, 1, "a new leader appends an empty entry of its term")
        let appends = drain(raft).filter { $0.type == .append }
        XCTAssertEqual(Set(appends.map(\.to)), [2, 3])
    }

    func testRejectedVotesFromAMajorityMakeAFollower() throws {
        let raft = try node(1)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 1, reject: true))
        try raft.step(Message(type: .voteResponse, to: 1, from: 3, term: 1, reject: true))
        XCTAssertEqual(raft.role, .follower)
    }

    func testOneVotePerTermAndOnlyForAnUpToDateLog() throws {
        let storage = MemoryStorage(confState: ConfState(voters: [1, 2, 3]))
        storage.append([Entry(term: 2, index: 1)])
        storage.setHardState(HardState(term: 2))
        let raft = try node(1, storage: storage)
        // A log ending in an older term is not up to date.
        try raft.step(Message(type: .vote, to: 1, from: 2, term: 3, logTerm: 1, index: 5))
        XCTAssertTrue(drain(raft).contains { $0.type == .voteResponse && $0.reject })
        try raft.step(Message(type: .vote, to: 1, from: 2, term: 3, logTerm: 2, index: 1))
        XCTAssertTrue(drain(raft).contains { $0.type == .voteResponse && !$0.reject })
        // Same term, another candidate: already voted.
        try raft.step(Message(type: .vote, to: 1, from: 3, term: 3, logTerm: 2, index: 1))
        XCTAssertTrue(drain(raft).contains { $0.type == .voteResponse && $0.reject })
    }

    func testHigherTermTurnsALeaderIntoAFollower() throws {
        let raft = try node(1)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 1))
        XCTAssertEqual(raft.role, .leader)
        try raft.step(Message(type: .append, to: 1, from: 3, term: 5, logTerm: 0, index: 0))
        XCTAssertEqual(raft.role, .follower)
        XCTAssertEqual(raft.term, 5)
        XCTAssertEqual(raft.leader, 3)
    }

    func testAppendConsistencyCheckRejectsAGapAndHintsWhereToResume() throws {
        let raft = try node(2)
        try raft.step(Message(type: .append, to: 2, from: 1, term: 1, logTerm: 1, index: 5, entries: [Entry(term: 1, index: 6)]))
        let response = try XCTUnwrap(drain(raft).first { $0.type == .appendResponse })
        XCTAssertTrue(response.reject)
        XCTAssertEqual(response.rejectHint, 0)
        try raft.step(Message(type: .append, to: 2, from: 1, term: 1, logTerm: 0, index: 0,
                              entries: [Entry(term: 1, index: 1, data: [7])], commit: 1))
        let accepted = try XCTUnwrap(drain(raft).first { $0.type == .appendResponse })
        XCTAssertFalse(accepted.reject)
        XCTAssertEqual(accepted.index, 1)
        XCTAssertEqual(raft.commitIndex, 1)
    }

    func testConflictingUncommittedSuffixIsReplaced() throws {
        let storage = MemoryStorage(confState: ConfState(voters: [1, 2, 3]))
        storage.append([Entry(term: 1, index: 1), Entry(term: 1, index: 2, data: [1])])
        storage.setHardState(HardState(term: 1, commit: 1))
        let raft = try node(2, storage: storage)
        try raft.step(Message(type: .append, to: 2, from: 3, term: 2, logTerm: 1, index: 1,
                              entries: [Entry(term: 2, index: 2, data: [2])], commit: 2))
        let ready = try XCTUnwrap(raft.ready())
        XCTAssertEqual(ready.entries, [Entry(term: 2, index: 2, data: [2])])
        XCTAssertEqual(ready.committedEntries.last, Entry(term: 2, index: 2, data: [2]))
    }

    func testLeaderCommitsOnlyEntriesOfItsOwnTermByCounting() throws {
        let storage = MemoryStorage(confState: ConfState(voters: [1, 2, 3]))
        storage.append([Entry(term: 1, index: 1, data: [1])])
        storage.setHardState(HardState(term: 1))
        let raft = try node(1, storage: storage)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 2))
        XCTAssertEqual(raft.role, .leader)
        _ = drain(raft)
        // A majority holding the old-term entry 1 does not commit it on its own (figure 8).
        try raft.step(Message(type: .appendResponse, to: 1, from: 2, term: 2, index: 1))
        XCTAssertEqual(raft.commitIndex, 0)
        // Entry 2, of the leader's term, commits and takes entry 1 with it.
        try raft.step(Message(type: .appendResponse, to: 1, from: 2, term: 2, index: 2))
        XCTAssertEqual(raft.commitIndex, 2)
    }

    func testProposalsWithoutALeaderAreDropped() throws {
        let raft = try node(1)
        XCTAssertThrowsError(try raft.propose([1])) { XCTAssertEqual($0 as? RaftError, .proposalDropped) }
    }

    func testFollowerForwardsProposalsToTheLeader() throws {
        let raft = try node(2)
        try raft.step(Message(type: .heartbeat, to: 2, from: 1, term: 1))
        _ = drain(raft)
        try raft.propose([9])
        let forwarded = try XCTUnwrap(drain(raft).first { $0.type == .propose })
        XCTAssertEqual(forwarded.to, 1)
        XCTAssertEqual(forwarded.entries.first?.data, [9])
    }

    func testCheckQuorumLeaderStepsDownWhenItHearsFromNoQuorum() throws {
        let raft = try node(1)
        let configuration = RaftConfiguration(id: 1)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 1))
        XCTAssertEqual(raft.role, .leader)
        for _ in 0..<(2 * configuration.electionTick + 1) { raft.tick() }
        XCTAssertEqual(raft.role, .follower)
    }

    func testLeaseBasedReadsRequireCheckQuorum() throws {
        var configuration = RaftConfiguration(id: 1)
        configuration.readOnlyMode = .leaseBased
        configuration.checkQuorum = false
        XCTAssertThrowsError(try RaftNode(configuration: configuration, storage: MemoryStorage(confState: ConfState(voters: [1]))))
        configuration.checkQuorum = true
        let disk = MemoryStorage(confState: ConfState(voters: [1]))
        let raft = try RaftNode(configuration: configuration, storage: disk)
        disks[ObjectIdentifier(raft)] = disk
        raft.campaign()
        XCTAssertEqual(raft.role, .leader)
        _ = drain(raft)
        try raft.readIndex(context: [1])
        XCTAssertEqual(raft.ready()?.readStates, [ReadState(index: 1, context: [1])])
    }

    /// A lease-based leader of [1, 2, 3] whose term's first entry is committed.
    private func leaseLeader() throws -> RaftNode {
        let raft = try node(1, readOnlyMode: .leaseBased)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 1))
        XCTAssertEqual(raft.role, .leader)
        try raft.step(Message(type: .appendResponse, to: 1, from: 2, term: 1, index: 1))
        XCTAssertEqual(raft.commitIndex, 1)
        _ = drain(raft)
        return raft
    }

    private func readStates(_ raft: RaftNode) -> [ReadState] { raft.ready()?.readStates ?? [] }

    func testLeaseReadWaitsForAHeartbeatRoundUntilTheLeaseIsEstablished() throws {
        let raft = try leaseLeader()
        try raft.readIndex(context: [1])
        XCTAssertEqual(readStates(raft), [], "no quorum has acknowledged this leader yet")
        let heartbeats = drain(raft).filter { $0.type == .heartbeat }
        XCTAssertEqual(Set(heartbeats.map(\.to)), [2, 3])
        let stamp = try XCTUnwrap(LeaseStamp(decoding: heartbeats[0].context))
        XCTAssertEqual(stamp, LeaseStamp(round: 1, tick: 0))
        try raft.step(Message(type: .heartbeatResponse, to: 1, from: 2, term: 1, context: heartbeats[0].context))
        XCTAssertEqual(readStates(raft), [ReadState(index: 1, context: [1])], "the acknowledged round confirms the read")
        _ = drain(raft)
        try raft.readIndex(context: [2])
        XCTAssertEqual(readStates(raft), [ReadState(index: 1, context: [2])], "and the lease now answers at once")
    }

    func testLeaseEndsAnElectionTimeoutLessTheDriftAfterTheAcknowledgedHeartbeatWasSent() throws {
        let raft = try leaseLeader()
        let configuration = RaftConfiguration(id: 1)
        // Acknowledge a heartbeat sent at tick 0.
        try raft.readIndex(context: [0])
        let heartbeat = try XCTUnwrap(drain(raft).first { $0.type == .heartbeat })
        try raft.step(Message(type: .heartbeatResponse, to: 1, from: 3, term: 1, context: heartbeat.context))
        _ = drain(raft)
        let leaseTicks = configuration.electionTick - configuration.maxClockDriftTicks
        for tick in 1...leaseTicks {
            raft.tick()
            _ = drain(raft)
            try raft.readIndex(context: [UInt8(tick)])
            let answered = !readStates(raft).isEmpty
            XCTAssertEqual(answered, tick < leaseTicks, "tick \(tick)")
            _ = drain(raft)
        }
        // A stale echo of an older round cannot extend the lease.
        try raft.step(Message(type: .heartbeatResponse, to: 1, from: 2, term: 1, context: heartbeat.context))
        try raft.readIndex(context: [99])
        XCTAssertEqual(readStates(raft), [])
    }

    func testSendingTimeoutNowEndsTheLease() throws {
        let raft = try leaseLeader()
        try raft.readIndex(context: [0])
        let heartbeat = try XCTUnwrap(drain(raft).first { $0.type == .heartbeat })
        try raft.step(Message(type: .heartbeatResponse, to: 1, from: 2, term: 1, context: heartbeat.context))
        _ = drain(raft)
        raft.transferLeadership(to: 2)
        XCTAssertTrue(drain(raft).contains { $0.type == .timeoutNow && $0.to == 2 })
        // Member 2's campaign overrides the followers' lease: the old lease no longer holds.
        try raft.readIndex(context: [1])
        XCTAssertEqual(readStates(raft), [])
    }

    func testRestartedLeaseBasedMemberRefusesVotesForItsFirstElectionTimeout() throws {
        let raft = try node(2, preVote: true, readOnlyMode: .leaseBased)
        try raft.step(Message(type: .preVote, to: 2, from: 3, term: 1, logTerm: 0, index: 0))
        XCTAssertEqual(drain(raft), [], "it may have acknowledged a leader just before restarting")
        for _ in 0..<RaftConfiguration(id: 2).electionTick { raft.tick() }
        _ = drain(raft)
        try raft.step(Message(type: .preVote, to: 2, from: 3, term: 1, logTerm: 0, index: 0))
        XCTAssertTrue(drain(raft).contains { $0.type == .preVoteResponse && !$0.reject })
    }

    func testAnUnreachableFollowerIsProbedInsteadOfPipelined() throws {
        let raft = try node(1)
        raft.campaign()
        try raft.step(Message(type: .voteResponse, to: 1, from: 2, term: 1))
        try raft.step(Message(type: .appendResponse, to: 1, from: 2, term: 1, index: 1))
        XCTAssertEqual(raft.followerProgress[2]?.state, .replicate)
        raft.reportUnreachable(2)
        XCTAssertEqual(raft.followerProgress[2]?.state, .probe)
    }

    func testLocalMessagesFromTheNetworkAreRefused() throws {
        let raft = try node(1)
        XCTAssertThrowsError(try raft.step(Message(type: .hup, to: 1, from: 2, term: 1)))
    }

    func testConfChangeCodecRoundTrips() throws {
        let change = ConfChange(id: 7, type: .addLearnerNode, nodeID: 42, context: [1, 2])
        XCTAssertEqual(try ConfChange(decoding: change.encoded()), change)
    }
}
