import XCTest

import Linearizability
@testable import Raft

/// Linearizability of ReadIndex reads served by a leader that has been deposed without knowing
/// it. Check-quorum is off, so a leader cut off with a minority keeps believing it leads while
/// the majority elects a new leader and commits writes; clients on the minority side keep
/// reading through the old leader. Only the heartbeat round of ReadIndex stands between them
/// and a stale value.
///
/// This catches the mutation "the leader answers ReadIndex at once, without the heartbeat round
/// that confirms its leadership" (in `stepReadIndex`, answering every read as if the cluster had
/// a single voter): with it applied, all 36 default episodes fail, while the older
/// `testKVHistoryThroughReadIndexIsLinearizable` passes all its seeds.
///
/// Histories stay small for the checker: each seed runs several short episodes on fresh
/// clusters, each checked on its own. `RAFT_SIM_SEEDS` / `RAFT_SIM_SEED` as elsewhere.
final class DeposedLeaderReadTests: XCTestCase {
    func testReadsThroughADeposedLeaderAreLinearizable() throws {
        for seed in simulationSeeds(default: 12) {
            for episode in 0..<UInt64(3) {
                let result = try episodeHistory(seed: seed &* 8 &+ episode, voters: episode % 2 == 0 ? [1, 2, 3] : [1, 2, 3, 4, 5])
                XCTAssertEqual(result, .linearizable, "seed \(seed) episode \(episode) (replay: RAFT_SIM_SEED=\(seed))")
            }
        }
    }

    private func episodeHistory(seed: UInt64, voters: [NodeID]) throws -> LinearizabilityResult {
        let cluster = try ClusterSimulator(voters: voters, seed: seed) { $0.checkQuorum = false }
        cluster.faults = .init(dropRate: 0.02, duplicateRate: 0.02, maxDelay: 1)
        var random = SplitMix64(seed: seed ^ 0x5EED)
        guard try cluster.run(until: { cluster.leader() != nil }, steps: 1000) else {
            throw ClusterSimulator.Violation(description: "no leader elected")
        }
        var client = KVClient(cluster: cluster)
        // Both keys get a value everyone has applied before the partition.
        client.put("a", "initial-a")
        client.put("b", "initial-b")
        let initialWritesApplied = try cluster.run(until: {
            client.collect()
            return client.pendingPuts.isEmpty && voters.allSatisfy { cluster.appliedData($0).count == 2 }
        }, steps: 1000)
        guard initialWritesApplied else { throw ClusterSimulator.Violation(description: "initial writes did not commit") }

        let old = try XCTUnwrap(cluster.leader())
        let minority = voters.count == 5 ? [old, voters.first { $0 != old }!] : [old]
        let majority = voters.filter { !minority.contains($0) }
        cluster.partition([minority, majority])
        for step in 0..<240 {
            if step == 180 { cluster.heal() }
            let key = random.next() % 2 == 0 ? "a" : "b"
            switch random.next() % 4 {
            case 0:
                // Writes go to the newest leader: the majority's once it is elected.
                client.put(key, "v\(step)")
            case 1, 2:
                // Most reads come from clients still talking to the old leader's side.
                let side = random.next() % 3 == 0 ? majority : minority
                client.get(key, at: side[Int(random.next() % UInt64(side.count))])
            default:
                break
            }
            try cluster.step()
            client.collect()
        }
        return LinearizabilityChecker.check(client.history)
    }
}

/// Clients of a simulated KV store whose commands are "put key value" entries: puts through the
/// newest leader, complete once applied anywhere; gets through ReadIndex on a chosen member,
/// complete once that member has applied the read index.
private struct KVClient {
    let cluster: ClusterSimulator
    private(set) var history = KVHistory()
    private(set) var pendingPuts: [[UInt8]: Int] = [:]
    private var pendingGets: [(member: NodeID, context: [UInt8], operation: Int, key: String)] = []
    private var nextClient = 0

    init(cluster: ClusterSimulator) { self.cluster = cluster }

    mutating func put(_ key: String, _ value: String) {
        nextClient += 1
        let operation = history.invoke(client: nextClient, .put(key: key, value: value), at: cluster.now)
        let data = Array("put \(key) \(value)".utf8)
        // A dropped proposal never returns: it stays pending in the history.
        if cluster.propose(data) { pendingPuts[data] = operation }
    }

    mutating func get(_ key: String, at member: NodeID) {
        nextClient += 1
        let context = Array("get-\(nextClient)".utf8)
        let operation = history.invoke(client: nextClient, .get(key: key), at: cluster.now)
        if (try? cluster.nodes[member]!.readIndex(context: context)) != nil {
            pendingGets.append((member, context, operation, key))
        }
    }

    /// Completes what finished during the last step.
    mutating func collect() {
        for (data, operation) in pendingPuts where cluster.members.contains(where: { cluster.appliedData($0).contains(data) }) {
            history.complete(operation, .ok, at: cluster.now)
            pendingPuts[data] = nil
        }
        var stillPending: [(member: NodeID, context: [UInt8], operation: Int, key: String)] = []
        for get in pendingGets {
            guard let state = cluster.readStates[get.member]?.first(where: { $0.context == get.context }),
                (cluster.applied[get.member]!.last?.index ?? 0) >= state.index
            else {
                stillPending.append(get)
                continue
            }
            history.complete(get.operation, .value(value(of: get.key, at: get.member)), at: cluster.now)
        }
        pendingGets = stillPending
    }

    private func value(of key: String, at member: NodeID) -> String? {
        var current: String?
        for data in cluster.appliedData(member) {
            let parts = String(decoding: data, as: UTF8.self).split(separator: " ")
            if parts.count == 3, parts[0] == "put", parts[1] == key { current = String(parts[2]) }
        }
        return current
    }
}
