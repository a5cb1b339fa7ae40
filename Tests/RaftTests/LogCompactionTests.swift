import XCTest

@testable import Raft

/// The host snapshots its state machine and compacts `MemoryStorage` behind it: followers behind
/// the compacted index need a snapshot, everyone else keeps receiving entries, and a member
/// restarted from a compacted log recovers from its snapshot plus the log after it.
final class LogCompactionTests: XCTestCase {
    private func electedCluster(seed: UInt64) throws -> ClusterSimulator {
        let cluster = try ClusterSimulator(voters: [1, 2, 3], seed: seed)
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 500))
        return cluster
    }

    private func values(_ range: Range<Int>) -> [[UInt8]] { range.map { [UInt8($0)] } }

    /// A follower that missed entries the leader has compacted away catches up from a snapshot.
    func testLaggingFollowerCatchesUpFromASnapshot() throws {
        let cluster = try electedCluster(seed: 21)
        let leader = try XCTUnwrap(cluster.leader())
        let lagging = cluster.members.first { $0 != leader }!
        cluster.crash(lagging)
        for value in 0..<50 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.appliedData(leader).count == 50 }, steps: 500))
        let snapshotIndex = try XCTUnwrap(try cluster.takeSnapshot(of: leader, compact: true))
        XCTAssertEqual(cluster.storages[leader]!.firstIndex(), snapshotIndex + 1, "the leader's log starts after the snapshot")
        try cluster.restart(lagging)
        XCTAssertTrue(try cluster.run(until: { cluster.storages[lagging]!.snapshotValue.metadata.index == snapshotIndex }, steps: 1000),
                      "the lagging member installs the leader's snapshot")
        XCTAssertTrue(try cluster.run(until: { cluster.propose([200]) }, steps: 500))
        XCTAssertTrue(try cluster.run(until: { cluster.appliedData(lagging).contains([200]) }, steps: 1000),
                      "and then follows the log after it")
        XCTAssertEqual(cluster.appliedData(lagging), values(0..<50) + [[200]], "its state is the snapshot's plus what followed")
    }

    /// Snapshots to the lagging member are lost for a while; the host reports each loss, and
    /// the leader sends another until one arrives (without the reports it waited forever).
    func testALostSnapshotIsSentAgain() throws {
        let cluster = try electedCluster(seed: 21)
        let leader = try XCTUnwrap(cluster.leader())
        let lagging = cluster.members.first { $0 != leader }!
        cluster.crash(lagging)
        for value in 0..<20 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.appliedData(leader).count == 20 }, steps: 500))
        try cluster.takeSnapshot(of: leader, compact: true)
        cluster.faults.snapshotDropRate = 1
        try cluster.restart(lagging)
        try cluster.run(steps: 200)
        XCTAssertEqual(cluster.storages[lagging]!.snapshotValue.metadata.index, 0)
        XCTAssertEqual(cluster.leader(), leader, "the majority kept its leader")
        cluster.faults.snapshotDropRate = 0
        XCTAssertTrue(try cluster.run(until: { cluster.appliedData(lagging) == self.values(0..<20) }, steps: 1000))
    }

    /// Followers that keep up never need a snapshot, however often the leader compacts.
    func testEntriesAfterCompactionReplicateAsEntries() throws {
        let cluster = try electedCluster(seed: 4)
        let leader = try XCTUnwrap(cluster.leader())
        for round in 0..<10 {
            for value in (round * 10)..<(round * 10 + 10) { XCTAssertTrue(cluster.propose([UInt8(value)])) }
            XCTAssertTrue(try cluster.run(until: { cluster.appliedData(leader).count == round * 10 + 10 }, steps: 500))
            try cluster.takeSnapshot(of: leader, compact: true)
        }
        XCTAssertGreaterThan(cluster.storages[leader]!.firstIndex(), 90)
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0) == self.values(0..<100) } }, steps: 1000))
        for follower in cluster.members where follower != leader {
            XCTAssertEqual(cluster.storages[follower]!.snapshotValue.metadata.index, 0, "member \(follower) got a snapshot")
            XCTAssertEqual(cluster.storages[follower]!.firstIndex(), 1, "member \(follower) holds the whole log")
        }
    }

    /// Every member compacts, then the whole cluster restarts: each rebuilds its state from its
    /// snapshot and re-applies only the entries after it, and the cluster keeps committing.
    func testMembersRestartedFromACompactedLogRecover() throws {
        let cluster = try electedCluster(seed: 9)
        for value in 0..<30 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0).count == 30 } }, steps: 1000))
        var snapshotIndexes: [NodeID: UInt64] = [:]
        for id in cluster.members { snapshotIndexes[id] = try XCTUnwrap(try cluster.takeSnapshot(of: id, compact: true)) }
        for value in 30..<40 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0).count == 40 } }, steps: 1000))
        for id in cluster.members { cluster.crash(id) }
        for id in cluster.members {
            try cluster.restart(id)
            let node = cluster.nodes[id]!
            XCTAssertGreaterThanOrEqual(node.commitIndex, snapshotIndexes[id]!, "member \(id) restarts committed up to its snapshot")
            XCTAssertEqual(node.voters, [1, 2, 3], "member \(id) takes its membership from the snapshot")
        }
        XCTAssertTrue(try cluster.run(until: { cluster.leader() != nil }, steps: 1000))
        XCTAssertTrue(try cluster.run(until: { cluster.propose([40]) }, steps: 500))
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0) == self.values(0..<41) } }, steps: 1000))
        for id in cluster.members {
            XCTAssertGreaterThan(cluster.applied[id]!.first!.index, 0)
            XCTAssertEqual(cluster.storages[id]!.firstIndex(), snapshotIndexes[id]! + 1, "member \(id) kept its compacted log")
        }
    }

    /// A member that crashed before compaction restarts from its own full log while the others
    /// have compacted theirs; it is behind the leader's first index and needs the snapshot.
    func testRestartedMemberBehindEveryCompactedLogGetsTheSnapshot() throws {
        let cluster = try electedCluster(seed: 13)
        let leader = try XCTUnwrap(cluster.leader())
        let lagging = cluster.members.first { $0 != leader }!
        for value in 0..<10 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.members.allSatisfy { cluster.appliedData($0).count == 10 } }, steps: 1000))
        cluster.crash(lagging)
        for value in 10..<40 { XCTAssertTrue(cluster.propose([UInt8(value)])) }
        XCTAssertTrue(try cluster.run(until: { cluster.appliedData(leader).count == 40 }, steps: 1000))
        for id in cluster.members where id != lagging { try cluster.takeSnapshot(of: id, compact: true) }
        try cluster.restart(lagging)
        XCTAssertTrue(try cluster.run(until: { cluster.appliedData(lagging) == self.values(0..<40) }, steps: 1000))
        XCTAssertGreaterThan(cluster.storages[lagging]!.snapshotValue.metadata.index, 10, "it caught up through a snapshot")
    }
}
