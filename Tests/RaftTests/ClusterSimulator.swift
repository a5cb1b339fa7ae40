@testable import Raft

/// A deterministic cluster of `RaftNode`s over a seeded, faulty in-memory network.
///
/// Each member keeps a `MemoryStorage` as its disk: a `Ready` is persisted there before its
/// messages leave, so a crash (dropping the node object and rebuilding it from storage) loses
/// exactly what a real crash loses. The network drops, duplicates, delays and reorders messages
/// and can be partitioned. Safety properties are checked after every step.
final class ClusterSimulator {
    struct Faults {
        var dropRate = 0.0
        var duplicateRate = 0.0
        /// Maximum extra delivery delay in steps (reordering comes from differing delays).
        var maxDelay = 0
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
        // Entries applied before a crash are applied again from the log: the state machine is
        // rebuilt, as a host without a snapshot does.
        applied[id] = []
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
        for id in liveMembers where chance(tickRate) { nodes[id]!.tick() }
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
            if let snapshot = ready.snapshot { try storage.applySnapshot(snapshot) }
            storage.append(ready.entries)
            for message in ready.messages { send(message) }
            for entry in ready.committedEntries {
                applied[id]!.append(entry)
                if entry.type == .confChange, let change = try? ConfChange(decoding: entry.data) {
                    node.applyConfigurationChange(change)
                }
            }
            readStates[id, default: []] += ready.readStates
            node.advance(ready)
        }
    }

    private func send(_ message: Message) {
        guard !crashed.contains(message.from), reachable(message.from, message.to), !chance(faults.dropRate) else { return }
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
        // Log matching: equal index and term imply identical logs up to there.
        let logs = members.map { (id: $0, entries: Array(storages[$0]!.storedEntries)) }
        for (a, b) in zip(logs, logs.dropFirst()) {
            let common = min(a.entries.count, b.entries.count)
            var matchedUpTo = -1
            for position in stride(from: common - 1, through: 0, by: -1)
            where a.entries[position].term == b.entries[position].term && a.entries[position].index == b.entries[position].index {
                matchedUpTo = position
                break
            }
            if matchedUpTo >= 0 && Array(a.entries[...matchedUpTo]) != Array(b.entries[...matchedUpTo]) {
                throw Violation(description: "log matching broken between \(a.id) and \(b.id) below index \(a.entries[matchedUpTo].index)")
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

    func appliedData(_ id: NodeID) -> [[UInt8]] {
        applied[id]!.filter { $0.type == .normal && !$0.data.isEmpty }.map(\.data)
    }
}
