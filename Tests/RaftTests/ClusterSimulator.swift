import Foundation

@testable import Raft

/// Seeds for seeded simulations: `RAFT_SIM_SEED=n` replays one seed; `RAFT_SIM_SEEDS=n` runs
/// seeds 0..<n instead of the CI-sized default each test picks.
func simulationSeeds(default count: Int) -> [UInt64] {
    let environment = ProcessInfo.processInfo.environment
    if let seed = environment["RAFT_SIM_SEED"].flatMap(UInt64.init) { return [seed] }
    return Array(0..<UInt64(environment["RAFT_SIM_SEEDS"].flatMap(Int.init) ?? count))
}

/// A deterministic cluster of `RaftNode`s over a seeded, faulty in-memory network.
///
/// Each member keeps a `MemoryStorage` as its disk: a `Ready` is persisted there before its
/// messages leave, so a crash (dropping the node object and rebuilding it from storage) loses
/// exactly what a real crash loses. The network drops, duplicates, delays and reorders messages
/// and can be partitioned. Safety properties are checked after every step, and every read the
/// simulator requested is checked when it is answered: its index must cover every entry any
/// member had committed when the read was requested.
final class ClusterSimulator {
    struct Faults {
        var dropRate = 0.0
        var duplicateRate = 0.0
        /// Maximum extra delivery delay in steps (reordering comes from differing delays).
        var maxDelay = 0
        /// Extra loss for snapshot messages (a failed snapshot stream).
        var snapshotDropRate = 0.0
    }

    struct InFlight {
        var deliverAt: Int
        var message: Message
    }

    private(set) var nodes: [NodeID: RaftNode] = [:]
    private(set) var storages: [NodeID: MemoryStorage] = [:]
    /// What each member applied, in order (the state machine is the applied log itself).
    private(set) var applied: [NodeID: [Entry]] = [:]
    private var crashed: Set<NodeID> = []
    private var partition: [NodeID: Int] = [:]
    private var network: [InFlight] = []
    private var random: SplitMix64
    private(set) var now = 0
    var faults = Faults()
    /// Leaders seen per term, to check election safety.
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// Every committed entry any member ever reported, by index (state machine safety).
    private var committed: [UInt64: Entry] = [:]
    let members: [NodeID]
    private let learnerIDs: [NodeID]
    private let configure: (inout RaftConfiguration) -> Void
    private(set) var readStates: [NodeID: [ReadState]] = [:]
    /// Members listed here tick exactly once every `period` steps (0: the clock is stopped), in
    /// lockstep: the ratio of periods is their clock drift. Others tick at random.
    var tickPeriods: [NodeID: Int] = [:]
    /// For each read requested through `requestRead`, the cluster's commit index at that moment.
    private var readFloors: [[UInt8]: UInt64] = [:]
    /// The state machine a snapshot holds, by snapshot index: the applied entries up to there.
    private var snapshotContents: [UInt64: [Entry]] = [:]

    init(voters: [NodeID], learners: [NodeID] = [], seed: UInt64, configure: @escaping (inout RaftConfiguration) -> Void = { _ in }) throws {
        members = voters + learners
        learnerIDs = learners
        random = SplitMix64(seed: seed)
        self.configure = configure
        for id in members {
            storages[id] = MemoryStorage(confState: ConfState(voters: voters, learners: learners))
            applied[id] = []
            try start(id)
        }
    }

    private func start(_ id: NodeID) throws {
        var configuration = RaftConfiguration(id: id, randomSeed: random.next())
        configure(&configuration)
        let node = try RaftNode(configuration: configuration, storage: storages[id]!)
        // The state machine is rebuilt from the snapshot, then the log after it is applied again.
        applied[id] = snapshotContents[storages[id]!.snapshotValue.metadata.index] ?? []
        nodes[id] = node
    }

    var liveMembers: [NodeID] { members.filter { !crashed.contains($0) } }

    func leader() -> NodeID? {
        let leaders = liveMembers.filter { nodes[$0]!.role == .leader }
        return leaders.max { nodes[$0]!.term < nodes[$1]!.term }
    }

    // MARK: - Faults

    func crash(_ id: NodeID) {
        crashed.insert(id)
        network.removeAll { $0.message.to == id }
    }

    func restart(_ id: NodeID) throws {
        guard crashed.remove(id) != nil else { return }
        try start(id)
    }

    /// Splits the members into groups that cannot reach each other.
    func partition(_ groups: [[NodeID]]) {
        partition = [:]
        for (group, ids) in groups.enumerated() { for id in ids { partition[id] = group } }
    }

    func heal() {
        partition = [:]
    }

    private func reachable(_ from: NodeID, _ to: NodeID) -> Bool {
        partition[from, default: 0] == partition[to, default: 0]
    }

    // MARK: - Driving

    /// One step: every live member ticks with probability `tickRate`, due messages are delivered,
    /// and every member's `Ready` is processed. Then the invariants are checked.
    func step(tickRate: Double = 0.3) throws {
        now += 1
        for id in liveMembers {
            if let period = tickPeriods[id] {
                if period > 0 && now % period == 0 { nodes[id]!.tick() }
            } else if chance(tickRate) {
                nodes[id]!.tick()
            }
        }
        let due = network.filter { $0.deliverAt <= now }
        network.removeAll { $0.deliverAt <= now }
        for inFlight in due {
            let message = inFlight.message
            guard !crashed.contains(message.to), let node = nodes[message.to] else { continue }
            try? node.step(message)
        }
        for id in liveMembers { try processReady(id) }
        try checkInvariants()
    }

    func run(steps: Int, tickRate: Double = 0.3) throws {
        for _ in 0..<steps { try step(tickRate: tickRate) }
    }

    /// Runs until `condition` holds; false if it did not within `steps`.
    func run(until condition: () -> Bool, steps: Int) throws -> Bool {
        for _ in 0..<steps {
            if condition() { return true }
            try step()
        }
        return condition()
    }

    private func processReady(_ id: NodeID) throws {
        let node = nodes[id]!
        while let ready = node.ready() {
            let storage = storages[id]!
            // Persist first (§5: a member answers only about what it has made durable).
            if let hardState = ready.hardState { storage.setHardState(hardState) }
            if let snapshot = ready.snapshot {
                try storage.applySnapshot(snapshot)
                applied[id] = snapshotContents[snapshot.metadata.index]!
            }
            storage.append(ready.entries)
            for message in ready.messages { send(message) }
            for entry in ready.committedEntries {
                applied[id]!.append(entry)
                if entry.type == .confChange, let change = try? ConfChange(decoding: entry.data) {
                    node.applyConfigurationChange(change)
                }
            }
            for state in ready.readStates {
                if let floor = readFloors[state.context], state.index < floor {
                    throw Violation(description: "member \(id) answered read \"\(String(decoding: state.context, as: UTF8.self))\" at index \(state.index), but \(floor) was committed before it was requested")
                }
            }
            readStates[id, default: []] += ready.readStates
            node.advance(ready)
        }
    }

    private func send(_ message: Message) {
        let sent = !crashed.contains(message.from) && reachable(message.from, message.to) && !chance(faults.dropRate)
            && !(message.type == .snapshot && chance(faults.snapshotDropRate))
        // The transport reports how a snapshot went, as etcd's does once it finished streaming.
        if message.type == .snapshot { nodes[message.from]!.reportSnapshot(to: message.to, succeeded: sent) }
        guard sent else { return }
        let copies = chance(faults.duplicateRate) ? 2 : 1
        for _ in 0..<copies {
            let delay = faults.maxDelay > 0 ? Int(random.next() % UInt64(faults.maxDelay + 1)) : 0
            network.append(InFlight(deliverAt: now + 1 + delay, message: message))
        }
    }

    private func chance(_ probability: Double) -> Bool {
        probability > 0 && Double(random.next() % 1_000_000) / 1_000_000 < probability
    }

    // MARK: - Invariants (Raft paper, figure 3)

    struct Violation: Error, CustomStringConvertible {
        var description: String
    }

    private func checkInvariants() throws {
        for id in liveMembers {
            let node = nodes[id]!
            // Election safety: at most one leader per term.
            if node.role == .leader {
                if let other = leaderOfTerm[node.term], other != id {
                    throw Violation(description: "two leaders in term \(node.term): \(other) and \(id)")
                }
                leaderOfTerm[node.term] = id
            }
            // State machine safety: no two members apply different entries at one index.
            for entry in applied[id]! {
                if let known = committed[entry.index] {
                    if known != entry {
                        throw Violation(description: "member \(id) applied \(entry) at \(entry.index), another applied \(known)")
                    }
                } else {
                    committed[entry.index] = entry
                }
            }
        }
        // Log matching: equal index and term imply identical logs up to there (compared over the
        // indexes both still hold: compaction leaves logs starting at different indexes).
        for (a, b) in zip(members, members.dropFirst()) {
            let logA = storages[a]!, logB = storages[b]!
            let low = max(logA.firstIndex(), logB.firstIndex())
            let high = min(logA.lastIndex(), logB.lastIndex())
            guard low <= high else { continue }
            let entriesA = try logA.entries(in: low..<(high + 1), maxBytes: .max)
            let entriesB = try logB.entries(in: low..<(high + 1), maxBytes: .max)
            guard let matched = entriesA.indices.last(where: { entriesA[$0].term == entriesB[$0].term }) else { continue }
            if entriesA[...matched] != entriesB[...matched] {
                throw Violation(description: "log matching broken between \(a) and \(b) below index \(entriesA[matched].index)")
            }
        }
        // Leader completeness: a leader's log holds every committed entry of earlier terms.
        if let leader = leader() {
            let leaderLog = storages[leader]!
            for (index, entry) in committed where entry.term < nodes[leader]!.term {
                let held = leaderLog.storedEntries.first { $0.index == index }
                if let held, held != entry {
                    throw Violation(description: "leader \(leader) lacks committed entry \(index)")
                }
                if held == nil && index > nodes[leader]!.lastIndex {
                    throw Violation(description: "leader \(leader) lacks committed entry \(index)")
                }
            }
        }
    }

    /// Proposes through the current leader; false if there is none or it dropped the proposal.
    @discardableResult
    func propose(_ data: [UInt8]) -> Bool {
        guard let leader = leader() else { return false }
        do {
            try nodes[leader]!.propose(data)
            try processReady(leader)
            return true
        } catch {
            return false
        }
    }

    /// The highest index any member has committed (crashed members count with what they
    /// persisted).
    var clusterCommitIndex: UInt64 {
        var highest: UInt64 = 0
        for id in members {
            highest = max(highest, storages[id]!.hardState.commit)
            if !crashed.contains(id) { highest = max(highest, nodes[id]!.commitIndex) }
        }
        return highest
    }

    /// A client asks `member` for a linearizable read point. Returns the `ReadState` if the
    /// member answered at once (a lease read), nil if the answer comes later or never; either
    /// way the answer is checked against what was committed now.
    @discardableResult
    func requestRead(at member: NodeID, context: [UInt8]) throws -> ReadState? {
        precondition(readFloors[context] == nil, "read contexts must be unique")
        guard !crashed.contains(member) else { return nil }
        readFloors[context] = clusterCommitIndex
        do {
            try nodes[member]!.readIndex(context: context)
        } catch {
            return nil
        }
        try processReady(member)
        return readStates[member]?.last { $0.context == context }
    }

    /// The host of `member` snapshots its state machine at its applied index and, if `compact`,
    /// drops the log up to there.
    @discardableResult
    func takeSnapshot(of member: NodeID, compact: Bool) throws -> UInt64? {
        let node = nodes[member]!
        guard let index = applied[member]!.last?.index, index > storages[member]!.snapshotValue.metadata.index else { return nil }
        snapshotContents[index] = applied[member]!
        try storages[member]!.createSnapshot(
            at: index, confState: ConfState(voters: node.voters, learners: node.learners), data: Array("state at \(index)".utf8))
        if compact { try storages[member]!.compact(upTo: index) }
        return index
    }

    func appliedData(_ id: NodeID) -> [[UInt8]] {
        applied[id]!.filter { $0.type == .normal && !$0.data.isEmpty }.map(\.data)
    }
}
