import Foundation
import Logging
import Raft
import Storage
import Synchronization

/// Carries raft messages to the other members (the peer transport); must not block.
protocol RaftMessageSender: Sendable {
    func send(_ messages: [Message])
}

/// The replicated log of every cluster size, one member included: a `RaftNode` driven by one
/// thread that ticks it, steps it with proposals and peer messages, and acts on each `Ready` in
/// etcd-raft's order — persist entries and hard state to the WAL (one fsync per batch, before any
/// message that depends on them is sent), send messages, hand committed entries to the apply
/// loop, answer read indexes, then `advance`.
///
/// Raft's own storage is the in-memory `MemoryStorage`, filled from the WAL at start-up; the WAL
/// is what makes it durable.
final class RaftReplicatedLog: ReplicatedLog, @unchecked Sendable {
    // @unchecked: `node`, `storage`, `wal`, `sender`, `handlers` and the `Loop` state are used only
    // by the thread `start` creates (`init` and `attach(sender:)` run before it starts); every
    // other thread reaches the log through `inputs`, which is locked, or `status`, which is atomic.

    private enum Input {
        case propose([UInt8], proposalID: UInt64)
        case proposeConfigurationChange(ConfChange)
        case message(Message)
        case readIndex(@Sendable (Result<UInt64, ProposalFailure>) -> Void)
        case transfer(to: NodeID, @Sendable (Result<Void, ProposalFailure>) -> Void)
        case handOver(@Sendable () -> Void)
        case unreachable(NodeID)
        case snapshotStatus(NodeID, succeeded: Bool)
        case configurationChangeApplied(ConfChange)
        case replicationProgress(@Sendable ([UInt64: UInt64]?) -> Void)
        /// This member's own removal, applied once its hand-over ended.
        case removalAfterHandOver(ConfChange)
        case snapshotTaken(AppliedSnapshot)
    }

    /// The loop's own bookkeeping, touched by the raft thread only.
    private struct Loop {
        var ticks: UInt64 = 0
        var nextReadContext: UInt64 = 0
        /// Reads not yet given to Raft (no leader yet, or the leader has not committed in its term).
        var readsToRequest: [@Sendable (Result<UInt64, ProposalFailure>) -> Void] = []
        /// Reads Raft is confirming, by the context their read index request carried.
        var readsAwaitingIndex: [UInt64: (issuedAt: UInt64, completions: [@Sendable (Result<UInt64, ProposalFailure>) -> Void])] = [:]
        var transfers: [(target: NodeID, issuedAt: UInt64, completion: @Sendable (Result<Void, ProposalFailure>) -> Void)] = []
        var knownLeader: NodeID = 0
        var wasLeader = false
        var syncedTerm: UInt64 = 0
        var syncedVote: NodeID = 0
    }

    let status: ConsensusStatus
    let walFsyncDurations = DurationHistogram()
    private let node: RaftNode
    private let storage: MemoryStorage
    private let wal: WAL
    private let snapshotter: Snapshotter
    private let snapshotSettings: SnapshotSettings
    /// Entries kept before a snapshot when the log is compacted, so a follower a little behind
    /// catches up from the log rather than by a whole snapshot (etcd's catch-up entries).
    private let catchUpEntries: UInt64
    /// Voters in the applied configuration; read by `stop` on another thread.
    private let voterCount: Synchronization.Atomic<Int>
    private let inputs = BlockingBatchQueue<Input>()
    private let tickInterval: TimeInterval
    private let electionTicks: Int
    /// A read index request older than this many ticks has been lost (a dropped message, a
    /// partition): its caller is told so rather than left waiting. (A leadership transfer gets
    /// two election timeouts.)
    private let requestTimeoutTicks: UInt64
    private var sender: (any RaftMessageSender)?
    private var handlers: ReplicatedLogHandlers?
    private var loop = Loop()
    private let finished = DispatchSemaphore(value: 0)
    private let logger: Logger

    /// Restores Raft from what the WAL replayed: `entries` and `hardState` after `snapshot` (the
    /// one the WAL's latest snapshot marker names, if any), with `configuration` as the
    /// membership before the log's configuration changes when there is no snapshot.
    init(
        wal: WAL, snapshot: RaftSnapshot?, entries: [WALEntry], hardState: WALHardState?, memberID: UInt64,
        configuration bootstrapConfiguration: ConfState, snapshotter: Snapshotter, snapshots: SnapshotSettings,
        catchUpEntries: UInt64, heartbeatMilliseconds: Int, electionMilliseconds: Int, logger: Logger
    ) throws {
        self.wal = wal
        self.snapshotter = snapshotter
        self.snapshotSettings = snapshots
        self.catchUpEntries = catchUpEntries
        self.logger = logger
        self.status = ConsensusStatus(memberID: memberID)
        tickInterval = TimeInterval(heartbeatMilliseconds) / 1000
        electionTicks = max(2, electionMilliseconds / heartbeatMilliseconds)
        requestTimeoutTicks = UInt64(ServerConfiguration.requestTimeoutMilliseconds(
            heartbeat: heartbeatMilliseconds, election: electionMilliseconds) / heartbeatMilliseconds)

        let raftEntries = entries.map {
            Entry(term: $0.term, index: $0.index, type: EntryType(rawValue: Int32($0.kind)) ?? .normal, data: $0.data)
        }
        let hard = hardState ?? WALHardState(term: 1, vote: 0, commit: 0)
        var confState = bootstrapConfiguration
        storage = MemoryStorage(confState: confState)
        if let snapshot {
            let membership: MembershipSnapshot
            do { membership = try MembershipSnapshot(serializedBytes: snapshot.membership) } catch {
                throw ConfigurationError.invalid("undecodable membership in the snapshot at index \(snapshot.index): \(error)")
            }
            confState = membership.configuration
            try storage.applySnapshot(Raft.Snapshot(
                data: snapshot.membership,
                metadata: SnapshotMetadata(confState: confState, index: snapshot.index, term: snapshot.term)))
        }
        storage.append(raftEntries)
        if hardState == nil {
            // A new member starts in term 1, as etcd's bootstrap entries are of term 1: the
            // first election makes term 2, the term etcd reports for a new cluster.
            try wal.append(entries: [], hardState: hard)
            try wal.sync()
        }
        // A snapshot is of applied, hence committed, entries: the commit index written with the
        // last entries may be older than it.
        var state = HardState(term: hard.term, vote: hard.vote, commit: max(hard.commit, snapshot?.index ?? 0))
        if state.commit > storage.lastIndex() {
            logger.warning("the WAL's commit index is past its last entry; using the last entry",
                           metadata: ["commit": "\(state.commit)", "last-index": "\(storage.lastIndex())"])
            state.commit = storage.lastIndex()
        }
        storage.setHardState(state)
        loop.syncedTerm = state.term
        loop.syncedVote = state.vote
        var configuration = RaftConfiguration(id: memberID, randomSeed: memberID ^ UInt64(Date().timeIntervalSince1970 * 1000))
        configuration.electionTick = electionTicks
        configuration.heartbeatTick = 1
        let node: RaftNode
        do {
            node = try RaftNode(configuration: configuration, storage: storage)
        } catch {
            throw ConfigurationError.invalid("cannot restore raft state from the WAL: \(error)")
        }
        // The configuration is the bootstrap one changed by every committed configuration change:
        // with the whole log kept, the WAL holds them all. Applied before the node runs, so it
        // never acts on the bootstrap membership alone.
        for entry in raftEntries where entry.type == .confChange && entry.index <= state.commit {
            do {
                node.applyConfigurationChange(try ConfChange(decoding: entry.data))
            } catch {
                throw ConfigurationError.invalid("undecodable configuration change at index \(entry.index) in the WAL")
            }
        }
        self.node = node
        voterCount = Synchronization.Atomic(node.voters.count)
        publishStatus()
    }

    /// The entries the WAL holds as committed, for the synchronous replay before serving.
    func committedEntriesInWAL() throws -> [CommittedEntry] {
        let commit = storage.hardState.commit
        guard commit >= storage.firstIndex() else { return [] }
        return try storage.entries(in: storage.firstIndex()..<(commit + 1), maxBytes: .max).map(committedEntry)
    }

    /// The term of the entry at `index` in the restored log (the snapshot's included), for the
    /// apply loop's start; called before `start`.
    func restoredTerm(at index: UInt64) -> UInt64 {
        (try? storage.term(at: index)) ?? 0
    }

    /// Gives the log its peer transport; called once, before `start`.
    func attach(sender: any RaftMessageSender) {
        self.sender = sender
    }

    /// A message from a peer (the transport's delivery handler).
    func receive(_ message: Message) {
        inputs.push(.message(message))
    }

    func reportUnreachable(_ member: NodeID) {
        inputs.push(.unreachable(member))
    }

    func reportSnapshot(to member: NodeID, succeeded: Bool) {
        inputs.push(.snapshotStatus(member, succeeded: succeeded))
    }

    func propose(_ data: [UInt8], proposalID: UInt64) {
        if !inputs.push(.propose(data, proposalID: proposalID)) {
            handlers?.proposalFailed(proposalID, .stopped)
        }
    }

    func readIndex(_ completion: @escaping @Sendable (Result<UInt64, ProposalFailure>) -> Void) {
        if !inputs.push(.readIndex(completion)) { completion(.failure(.stopped)) }
    }

    func transferLeadership(to member: UInt64, completion: @escaping @Sendable (Result<Void, ProposalFailure>) -> Void) {
        if !inputs.push(.transfer(to: member, completion)) { completion(.failure(.stopped)) }
    }

    func replicationProgress(_ completion: @escaping @Sendable ([UInt64: UInt64]?) -> Void) {
        if !inputs.push(.replicationProgress(completion)) { completion(nil) }
    }

    func proposeConfigurationChange(_ change: ConfChange) {
        if !inputs.push(.proposeConfigurationChange(change)) {
            handlers?.proposalFailed(change.id, .stopped)
        }
    }

    func configurationChangeApplied(_ change: ConfChange) {
        inputs.push(.configurationChangeApplied(change))
    }

    func snapshotTaken(_ snapshot: AppliedSnapshot) {
        inputs.push(.snapshotTaken(snapshot))
    }

    func start(handlers: ReplicatedLogHandlers) {
        self.handlers = handlers
        let thread = Thread { [self] in
            self.run()
            self.finished.signal()
        }
        thread.name = "swift-etcd-raft"
        thread.start()
    }

    func stop() {
        // A leader of several members hands over first, so the others need not wait out an
        // election timeout (etcd's TransferLeadership on stop).
        if voterCount.load(ordering: .relaxed) > 1 && status.isLeader {
            let handedOver = DispatchSemaphore(value: 0)
            if inputs.push(.handOver({ handedOver.signal() })) {
                _ = handedOver.wait(timeout: .now() + tickInterval * Double(2 * electionTicks))
            }
        }
        inputs.close()
        finished.wait()
        do {
            try wal.close()
        } catch {
            logger.error("closing the WAL failed", metadata: ["error": "\(error)"])
        }
    }

    // MARK: - The raft thread

    private func run() {
        if voterCount.load(ordering: .relaxed) == 1 {
            // Alone, this member wins at once: no reason to wait out an election timeout.
            node.campaign()
        } else {
            // etcd fast-forwards a starting member to one tick before its election timeout.
            for _ in 0..<(electionTicks - 1) { node.tick() }
        }
        var nextTick = Date(timeIntervalSinceNow: tickInterval)
        while let batch = inputs.popAll(until: nextTick) {
            var proposals: [[UInt8]] = []
            var proposalIDs: [UInt64] = []
            for input in batch {
                switch input {
                case .propose(let data, let id):
                    proposals.append(data)
                    proposalIDs.append(id)
                case .message(let message):
                    do { try node.step(message) } catch {
                        logger.debug("dropped a raft message", metadata: ["from": "\(message.from.hex)", "error": "\(error)"])
                    }
                case .readIndex(let completion):
                    loop.readsToRequest.append(completion)
                case .transfer(let target, let completion):
                    startTransfer(to: target, completion: completion)
                case .handOver(let done):
                    handOver(done: done)
                case .unreachable(let member):
                    node.reportUnreachable(member)
                case .snapshotStatus(let member, let succeeded):
                    node.reportSnapshot(to: member, succeeded: succeeded)
                case .proposeConfigurationChange(let change):
                    do { try node.proposeConfigurationChange(change) } catch {
                        handlers?.proposalFailed(change.id, node.leader == 0 ? .noLeader : .leaderChanged)
                    }
                case .replicationProgress(let completion):
                    completion(node.role == .leader ? node.followerProgress.mapValues(\.match) : nil)
                case .configurationChangeApplied(let change):
                    if change.type == .removeNode && change.nodeID == node.id && node.role == .leader
                        && voterCount.load(ordering: .relaxed) > 1
                    {
                        // A removed leader hands over first, so the others need not wait out an
                        // election timeout for a new one.
                        handOver { [inputs] in _ = inputs.push(.removalAfterHandOver(change)) }
                    } else {
                        applyConfigurationChange(change)
                    }
                case .removalAfterHandOver(let change):
                    applyConfigurationChange(change)
                case .snapshotTaken(let snapshot):
                    do { try recordSnapshot(snapshot) } catch {
                        stopAfterStorageFailure(logger, "saving a snapshot failed", error: error)
                    }
                }
            }
            if Date() >= nextTick {
                node.tick()
                loop.ticks += 1
                nextTick = max(nextTick + tickInterval, Date(timeIntervalSinceNow: tickInterval / 2))
                expireRequests()
            }
            if !proposals.isEmpty {
                do {
                    try node.propose(batch: proposals)
                } catch {
                    let failure: ProposalFailure = node.leader == 0 ? .noLeader : .leaderChanged
                    for id in proposalIDs { handlers?.proposalFailed(id, failure) }
                }
            }
            requestReads()
            do {
                try handleReadies()
            } catch {
                // Sending or applying what is not durable would break invariant 1: stop instead.
                stopAfterStorageFailure(logger, "WAL write failed", error: error)
            }
            finishTransfers()
            inputs.markDrained()
        }
        for completion in loop.readsToRequest { completion(.failure(.stopped)) }
        for (_, waiting) in loop.readsAwaitingIndex {
            for completion in waiting.completions { completion(.failure(.stopped)) }
        }
        for transfer in loop.transfers { transfer.completion(.failure(.stopped)) }
    }

    private func handleReadies() throws {
        while let ready = node.ready() {
            if let soft = ready.softState { leadershipMayHaveChanged(soft) }
            let hard = ready.hardState.map { WALHardState(term: $0.term, vote: $0.vote, commit: $0.commit) }
            let termOrVoteChanged = hard.map { $0.term != loop.syncedTerm || $0.vote != loop.syncedVote } ?? false
            // etcd's MustSync: new entries, or a new term or vote. A hard state that only moves
            // the commit index is not written on its own: the commit index is learnt again from
            // the leader (or re-established by an election) after a restart, and it rides along
            // with the next entries.
            var received: CommittedEntry?
            if let snapshot = ready.snapshot {
                received = try persistReceivedSnapshot(snapshot)
            }
            if !ready.entries.isEmpty || termOrVoteChanged {
                let walEntries = ready.entries.map {
                    WALEntry(index: $0.index, term: $0.term, kind: UInt8($0.type.rawValue), data: $0.data)
                }
                try wal.append(entries: walEntries, hardState: hard)
                try walFsyncDurations.time { () throws in try wal.sync() }
                if let hard {
                    loop.syncedTerm = hard.term
                    loop.syncedVote = hard.vote
                }
                storage.append(ready.entries)
            }
            if let state = ready.hardState { storage.setHardState(state) }
            if !ready.messages.isEmpty { send(ready.messages) }
            if let received { handlers?.deliver([received]) }
            if !ready.committedEntries.isEmpty {
                handlers?.deliver(ready.committedEntries.map(committedEntry))
            }
            for read in ready.readStates { answerRead(read) }
            node.advance(ready)
        }
        publishStatus()
    }

    /// MsgSnaps go to the apply loop, which copies the store and sends them with the copy;
    /// everything else to the transport.
    private func send(_ messages: [Raft.Message]) {
        guard let snapshotRequested = handlers?.snapshotRequested, messages.contains(where: { $0.type == .snapshot }) else {
            sender?.send(messages)
            return
        }
        for message in messages where message.type == .snapshot {
            logger.info("sending a snapshot", metadata: ["to": "\(message.to.hex)", "raft-snapshot-index": "\(message.snapshot?.metadata.index ?? 0)"])
            snapshotRequested(message)
        }
        sender?.send(messages.filter { $0.type != .snapshot })
    }

    /// Makes a leader's snapshot durable before anything after it (etcd's SaveSnap: the
    /// snapshot file, then the WAL's marker), and returns the entry that has the apply loop
    /// install it. The store copy it names was synced before the message was delivered.
    private func persistReceivedSnapshot(_ snapshot: Raft.Snapshot) throws -> CommittedEntry {
        let metadata = snapshot.metadata
        let membership: MembershipSnapshot
        do { membership = try MembershipSnapshot(serializedBytes: snapshot.data) } catch {
            // Raft has already moved past its log: there is no way back but a restart.
            logger.critical("undecodable membership in a leader's snapshot", metadata: ["index": "\(metadata.index)"])
            fatalError("undecodable membership in the snapshot at index \(metadata.index): \(error)")
        }
        try snapshotter.save(RaftSnapshot(index: metadata.index, term: metadata.term, membership: snapshot.data, data: []))
        try wal.saveSnapshotMarker(index: metadata.index, term: metadata.term)
        try storage.applySnapshot(snapshot)
        voterCount.store(metadata.confState.voters.count, ordering: .relaxed)
        return CommittedEntry(
            index: metadata.index, term: metadata.term,
            kind: .snapshot(membership, storeFile: snapshotSettings.receivedStoreFile(index: metadata.index)), data: [])
    }

    /// The apply loop synced the store at `snapshot.index`: record a Raft snapshot there (file,
    /// then WAL marker), compact the in-memory log up to the catch-up margin, and release the
    /// WAL segments and older snapshot files the next start no longer needs.
    private func recordSnapshot(_ snapshot: AppliedSnapshot) throws {
        guard snapshot.index > storage.snapshotValue.metadata.index, snapshot.index <= storage.lastIndex() else { return }
        let data = snapshot.membership.serializedBytes()
        let recorded = try storage.createSnapshot(at: snapshot.index, confState: snapshot.membership.configuration, data: data)
        try snapshotter.save(RaftSnapshot(index: recorded.metadata.index, term: recorded.metadata.term, membership: data, data: []))
        try wal.saveSnapshotMarker(index: recorded.metadata.index, term: recorded.metadata.term)
        logger.info("saved snapshot", metadata: ["snapshot-index": "\(recorded.metadata.index)", "term": "\(recorded.metadata.term)"])
        if snapshot.index > catchUpEntries, snapshot.index - catchUpEntries >= storage.firstIndex() {
            let compactIndex = snapshot.index - catchUpEntries
            try storage.compact(upTo: compactIndex)
            logger.info("compacted Raft logs", metadata: ["compact-index": "\(compactIndex)"])
        }
        let segmentsBefore = wal.segmentFileNames.count
        try wal.releaseSegments(before: snapshot.index)
        if wal.segmentFileNames.count < segmentsBefore {
            logger.info("released WAL segments", metadata: [
                "released": "\(segmentsBefore - wal.segmentFileNames.count)", "kept": "\(wal.segmentFileNames.count)",
            ])
        }
        // etcd keeps five snapshot files (--max-snapshots); store copies older than this
        // snapshot were installed or are stale.
        try snapshotter.removeAll(keepingNewest: 5)
        removeStaleStoreFiles(before: snapshot.index)
    }

    private func removeStaleStoreFiles(before index: UInt64) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: snapshotSettings.directory) else { return }
        for name in names where name.hasSuffix(".snap.db") {
            guard let fileIndex = UInt64(name.prefix(16), radix: 16), fileIndex < index else { continue }
            try? FileManager.default.removeItem(atPath: snapshotSettings.directory + "/" + name)
        }
    }

    private func committedEntry(_ entry: Entry) -> CommittedEntry {
        switch entry.type {
        case .normal:
            return CommittedEntry(index: entry.index, term: entry.term, kind: entry.data.isEmpty ? .empty : .request, data: entry.data)
        case .confChange:
            do {
                let change = try ConfChange(decoding: entry.data)
                return CommittedEntry(index: entry.index, term: entry.term, kind: .configurationChange(change), data: entry.data)
            } catch {
                // A committed entry no member can decode: applying around it would diverge.
                logger.critical("undecodable configuration change in the log", metadata: ["index": "\(entry.index)"])
                fatalError("undecodable configuration change at index \(entry.index): \(error)")
            }
        }
    }

    private func leadershipMayHaveChanged(_ soft: SoftState) {
        if soft.leader != loop.knownLeader {
            if loop.knownLeader != 0 {
                // A read index requested from the old leader may never be answered, and a
                // proposal it had not replicated never commits.
                failAwaitingReads(soft.leader == 0 ? .noLeader : .leaderChanged)
                handlers?.leaderLost()
            }
            logger.info("raft leader changed", metadata: [
                "member-id": "\(status.memberID.hex)", "leader": "\(soft.leader.hex)", "term": "\(node.term)",
            ])
            loop.knownLeader = soft.leader
        }
        let isLeader = soft.role == .leader
        if isLeader != loop.wasLeader {
            loop.wasLeader = isLeader
            handlers?.leadershipChanged(isLeader)
        }
    }

    private func requestReads() {
        guard !loop.readsToRequest.isEmpty else { return }
        if node.leader == 0 {
            let waiting = loop.readsToRequest
            loop.readsToRequest = []
            for completion in waiting { completion(.failure(.noLeader)) }
            return
        }
        loop.nextReadContext += 1
        let context = loop.nextReadContext
        var contextBytes = [UInt8](repeating: 0, count: 8)
        for offset in 0..<8 { contextBytes[offset] = UInt8(truncatingIfNeeded: context >> (56 - 8 * UInt64(offset))) }
        do {
            try node.readIndex(context: contextBytes)
        } catch {
            // A new leader answers only once it has committed in its term: ask again next round.
            return
        }
        loop.readsAwaitingIndex[context] = (loop.ticks, loop.readsToRequest)
        loop.readsToRequest = []
    }

    private func answerRead(_ read: ReadState) {
        guard read.context.count == 8 else { return }
        let context = read.context.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        guard let waiting = loop.readsAwaitingIndex.removeValue(forKey: context) else { return }
        for completion in waiting.completions { completion(.success(read.index)) }
    }

    private func failAwaitingReads(_ failure: ProposalFailure) {
        let awaiting = loop.readsAwaitingIndex
        loop.readsAwaitingIndex = [:]
        for (_, waiting) in awaiting {
            for completion in waiting.completions { completion(.failure(failure)) }
        }
    }

    private func expireRequests() {
        let now = loop.ticks
        for (context, waiting) in loop.readsAwaitingIndex where now - waiting.issuedAt > requestTimeoutTicks {
            loop.readsAwaitingIndex[context] = nil
            for completion in waiting.completions { completion(.failure(.timedOut)) }
        }
    }

    private func startTransfer(to target: NodeID, completion: @escaping @Sendable (Result<Void, ProposalFailure>) -> Void) {
        if node.leader == target {
            completion(.success(()))
            return
        }
        guard node.role == .leader else {
            completion(.failure(node.leader == 0 ? .noLeader : .leaderChanged))
            return
        }
        node.transferLeadership(to: target)
        loop.transfers.append((target, loop.ticks, completion))
    }

    private func applyConfigurationChange(_ change: ConfChange) {
        let configuration = node.applyConfigurationChange(change)
        voterCount.store(configuration.voters.count, ordering: .relaxed)
    }

    /// Hands leadership to the most caught-up voter, for a stopping or removed leader.
    private func handOver(done: @escaping @Sendable () -> Void) {
        let candidates = node.followerProgress.filter { $0.key != node.id && !$0.value.isLearner }
        guard node.role == .leader, let best = candidates.max(by: { $0.value.match < $1.value.match }) else {
            done()
            return
        }
        logger.info("leader is stopping; transferring leadership", metadata: ["transferee": "\(best.key.hex)"])
        startTransfer(to: best.key) { _ in done() }
    }

    private func finishTransfers() {
        guard !loop.transfers.isEmpty else { return }
        let leader = node.leader
        let now = loop.ticks
        loop.transfers.removeAll { transfer in
            if leader == transfer.target {
                transfer.completion(.success(()))
                return true
            }
            // etcd gives a transfer one election timeout, the time the transferee has to win.
            if now - transfer.issuedAt > UInt64(2 * electionTicks) {
                transfer.completion(.failure(.timedOut))
                return true
            }
            return false
        }
    }

    private func publishStatus() {
        let commit = node.commitIndex
        let soleVoterLeader = node.role == .leader && voterCount.load(ordering: .relaxed) == 1 && (try? storage.term(at: commit)) == node.term
        status.publish(term: node.term, leader: node.leader, lastIndex: node.lastIndex, commitIndex: commit,
                       soleVoterLeader: soleVoterLeader)
    }
}
