import Foundation
import XCTest

import Linearizability
@testable import Raft

/// Seeded cluster runs under faults, checking safety after every step and liveness once the
/// network heals. `RAFT_SIM_SEEDS` runs more seeds (CI runs a bounded number).
final class SimulationTests: XCTestCase {
    /// `RAFT_SIM_SEED=n` replays one seed; `RAFT_SIM_SEEDS=n` runs seeds 0..<n (default 1000).
    private var seeds: [UInt64] { simulationSeeds(default: 1000) }

    func testElectsALeaderAndReplicates() throws {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], seed: 1)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 500))
        for value in 0..<20 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0).count == 20 } }, steps: 500))
        for id in cluster.members { XCTAssertEqual(cluster.appliedData(id), (0..<20).map { [UInt8($0)] }) }
    }

    func testABatchOfProposalsCommitsInOrder() throws {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], seed: 3)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 500))
        let batch = (0..<100).map { [UInt8($0)] }
        try cluster.nodes[try XCTUnwrap(cluster.leader())]!.propose(batch: batch)
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0) == batch } }, steps: 500))
    }

    /// Drops, duplicates, delays, partitions, crashes and log compaction; then heals and checks
    /// liveness.
    func testSafetyUnderFaultsAndLivenessAfterHealing() throws {
        for seed in seeds {
            do {
                try runFaultySimulation(seed: seed, voters: seed % 2 == 0 ? [1, 2, 3] : [1, 2, 3, 4, 5])
            } catch {
                XCTFail("seed \(seed) failed (replay: RAFT_SIM_SEED=\(seed)): \(error)")
                return
            }
        }
    }

    private func runFaultySimulation(seed: UInt64, voters: [NodeID]) throws {
        let cluster = try ClusterSimulator(voters: voters, seed: seed)
        var random = SplitMix64(seed: seed ^ 0xABCDEF)
        cluster.faults = .init(dropRate: 0.1, duplicateRate: 0.05, maxDelay: 3)
        var proposed = 0
        for round in 0..<30 {
            switch random.next() % 7 {
            case 0:
                let victim = voters[Int(random.next() % UInt64(voters.count))]
                cluster.crash(victim)
            case 1:
                for id in voters { try cluster.restart(id) }
            case 2:
                let cut = Int(random.next() % UInt64(voters.count - 1)) + 1
                cluster.partition([Array(voters[..<cut]), Array(voters[cut...])])
            case 3:
                cluster.heal()
            case 4:
                for id in cluster.liveMembers { try cluster.takeSnapshot(of: id, compact: true) }
            default:
                break
            }
            for _ in 0..<3 where cluster.propose([UInt8(round), UInt8(proposed & 0xFF)]) { proposed += 1 }
            try cluster.run(steps: 20)
        }
        // Heal everything: a leader must emerge and a new proposal must commit everywhere.
        cluster.heal()
        cluster.faults = .init()
        for id in voters { try cluster.restart(id) }
        guard try cluster.run(until: { cluster.leader() != nil }, steps: 2000) else {
            throw ClusterSimulator.Violation(description: "no leader within 2000 steps after healing")
        }
        var marker: [UInt8] = [0xFF, 0xEE]
        marker += withUnsafeBytes(of: seed) { Array($0) }
        let committed = try cluster.run(until: {
            _ = cluster.appliedData(cluster.leader() ?? voters[0]).contains(marker) || cluster.propose(marker)
            return voters.allSatisfy { cluster.appliedData($0).contains(marker) }
        }, steps: 2000)
        if !committed {
            throw ClusterSimulator.Violation(description: "proposal not applied everywhere within 2000 steps after healing")
        }
    }

    func testLeaderTransferHandsOverLeadership() throws {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], seed: 7)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 500))
        let old = try XCTUnwrap(cluster.leader())
        let target = cluster.members.first { $0 != old }!
        cluster.nodes[old]!.transferLeadership(to: target)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() == target }, steps: 300))
    }

    func testReadIndexAnswersOnlyAfterConfirmingLeadership() throws {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], seed: 11)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 500))
        XCTAssertTrue(cluster.propose([1]))
        let leader = try XCTUnwrap(cluster.leader())
        XCTAssertTrue(try cluster.run(until: { cluster.nodes[leader]!.commitIndex >= 2 }, steps: 200))
        try cluster.nodes[leader]!.readIndex(context: [42])
        XCTAssertTrue(try cluster.run(until: { cluster.readStates[leader]?.contains { $0.context == [42] } ?? false }, steps: 200))
        let read = cluster.readStates[leader]!.first { $0.context == [42] }!
        XCTAssertGreaterThanOrEqual(read.index, 2, "the read point covers every committed write")
        // A leader cut off from its quorum cannot confirm a read.
        let others = cluster.members.filter { $0 != leader }
        cluster.partition([[leader], others])
        try? cluster.nodes[leader]!.readIndex(context: [43])
        try cluster.run(steps: 100)
        XCTAssertFalse(cluster.readStates[leader]!.contains { $0.context == [43] })
    }

    func testMembershipChangesOneAtATimeUnderFaults() throws {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], learners: [4], seed: 5)
        cluster.faults = .init(dropRate: 0.05, duplicateRate: 0.05, maxDelay: 2)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 1000))
        // Promote the learner, then remove a voter; safety is checked after every step.
        for change in [ConfChange(type: .addNode, nodeID: 4), ConfChange(type: .removeNode, nodeID: 3)] {
            let done = try cluster.run(until: {
                guard let leader = cluster.leader() else { return false }
                let node = cluster.nodes[leader]!
                let applied = change.type == .addNode ? node.voters.contains(4) : !node.voters.contains(3)
                if !applied { try? node.proposeConfigurationChange(change) }
                return applied
            }, steps: 3000)
            XCTAssertTrue(done, "\(change) not applied")
        }
        XCTAssertTrue(try cluster.run(until: { cluster.propose([5]) }, steps: 1000))
    }

    /// Adds, promotes and removes members (the removed one chosen at random, the leader
    /// included) while members crash, the network partitions, drops and duplicates; safety is
    /// checked after every step, and every change and a later proposal must complete once healed.
    func testMembershipChangesUnderFaults() throws {
        for seed in simulationSeeds(default: 300) {
            do {
                try membershipRun(seed: seed)
            } catch {
                XCTFail("seed \(seed) failed (replay: RAFT_SIM_SEED=\(seed)): \(error)")
                return
            }
        }
    }

    private func membershipRun(seed: UInt64) throws {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], learners: [4], seed: seed)
        var random = SplitMix64(seed: seed ^ 0x5EED)
        cluster.faults = .init(dropRate: 0.05, duplicateRate: 0.05, maxDelay: 2)
        guard try cluster.run(until: { cluster.leader() != nil }, steps: 3000) else {
            throw ClusterSimulator.Violation(description: "no leader at the start")
        }
        let removed = NodeID(random.next() % 3 + 1)
        for change in [ConfChange(type: .addNode, nodeID: 4), ConfChange(type: .removeNode, nodeID: removed)] {
            let isApplied = { (node: RaftNode) in change.type == .addNode ? node.voters.contains(4) : !node.voters.contains(removed) }
            var proposedOnce = false
            for _ in 0..<Int(random.next() % 3) {
                switch random.next() % 3 {
                case 0: cluster.crash(NodeID(random.next() % 4 + 1))
                case 1:
                    let isolated = NodeID(random.next() % 4 + 1)
                    cluster.partition([[isolated], [1, 2, 3, 4].filter { $0 != isolated }])
                default:
                    if let leader = cluster.leader() {
                        try? cluster.nodes[leader]!.proposeConfigurationChange(change)
                        proposedOnce = true
                    }
                }
                try cluster.run(steps: Int(random.next() % 200))
            }
            cluster.heal()
            for id in cluster.members { try cluster.restart(id) }
            let done = try cluster.run(until: {
                guard let leader = cluster.leader() else { return false }
                let node = cluster.nodes[leader]!
                if isApplied(node) { return true }
                if !proposedOnce || random.next() % 50 == 0 {
                    try? node.proposeConfigurationChange(change)
                    proposedOnce = true
                }
                return false
            }, steps: 6000)
            if !done { throw ClusterSimulator.Violation(description: "\(change) not applied after healing") }
        }
        let remaining = cluster.members.filter { $0 != removed }
        let committed = try cluster.run(until: {
            guard let leader = cluster.leader(), leader != removed else { return false }
            return cluster.propose([42])
        }, steps: 3000)
        let applied = try committed && cluster.run(until: {
            remaining.allSatisfy { cluster.appliedData($0).last == [42] }
        }, steps: 3000)
        if !applied { throw ClusterSimulator.Violation(description: "no proposal committed after the changes") }
    }

    /// Clients put and read (through ReadIndex, on any member) while the network drops and
    /// delays messages, partitions and members crash; the recorded history must be linearizable.
    func testKVHistoryThroughReadIndexIsLinearizable() throws {
        for seed in seeds.prefix(20) {
            let result = try linearizabilityRun(seed: seed)
            XCTAssertEqual(result, .linearizable, "seed \(seed) (replay: RAFT_SIM_SEED=\(seed))")
        }
    }

    private func linearizabilityRun(seed: UInt64) throws -> LinearizabilityResult {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], seed: seed)
        cluster.faults = .init(dropRate: 0.05, duplicateRate: 0.02, maxDelay: 2)
        var random = SplitMix64(seed: seed &+ 17)
        var history = KVHistory()
        var pendingPuts: [[UInt8]: Int] = [:]
        struct PendingRead { var member: NodeID; var context: [UInt8]; var operation: Int; var key: String }
        var pendingReads: [PendingRead] = []
        func value(of key: String, at member: NodeID) -> String? {
            var current: String?
            for data in cluster.appliedData(member) {
                let parts = String(decoding: data, as: UTF8.self).split(separator: " ")
                if parts.count == 3, parts[0] == "put", parts[1] == key { current = String(parts[2]) }
            }
            return current
        }
        for step in 0..<800 {
            if random.next() % 3 == 0 {
                let key = random.next() % 2 == 0 ? "a" : "b"
                if random.next() % 2 == 0 {
                    let written = "s\(step)"
                    let operation = history.invoke(client: step, .put(key: key, value: written), at: cluster.now)
                    let data = Array("put \(key) \(written)".utf8)
                    // A dropped proposal never returns: it stays pending in the history.
                    if cluster.propose(data) { pendingPuts[data] = operation }
                } else if !cluster.liveMembers.isEmpty {
                    let live = cluster.liveMembers
                    let member = live[Int(random.next() % UInt64(live.count))]
                    let context = Array("read-\(step)".utf8)
                    let operation = history.invoke(client: step, .get(key: key), at: cluster.now)
                    if (try? cluster.nodes[member]!.readIndex(context: context)) != nil {
                        pendingReads.append(PendingRead(member: member, context: context, operation: operation, key: key))
                    }
                }
            }
            switch random.next() % 200 {
            case 0: cluster.partition([[1], [2, 3]])
            case 1: cluster.heal()
            case 2: cluster.crash(NodeID(random.next() % 3 + 1))
            case 3: for id in cluster.members { try cluster.restart(id) }
            default: break
            }
            try cluster.step()
            // A put is acknowledged once it is applied (committed) anywhere.
            for (data, operation) in pendingPuts where cluster.members.contains(where: { cluster.appliedData($0).contains(data) }) {
                history.complete(operation, .ok, at: cluster.now)
                pendingPuts[data] = nil
            }
            // A read answers from its member's state once that member has applied the read index.
            pendingReads.removeAll { read in
                guard cluster.liveMembers.contains(read.member),
                    let state = cluster.readStates[read.member]?.first(where: { $0.context == read.context }),
                    (cluster.applied[read.member]!.last?.index ?? 0) >= state.index
                else { return false }
                history.complete(read.operation, .value(value(of: read.key, at: read.member)), at: cluster.now)
                return true
            }
        }
        return LinearizabilityChecker.check(history)
    }
}
