import Foundation
import Logging
import Raft
import Storage
import XCTest

@testable import EtcdServer

/// A raft snapshot from a peer is refused with a log line until snapshots can be installed:
/// stepping it would move Raft's log past what the store holds.
final class RaftSnapshotRefusalTests: XCTestCase {
    private final class RecordingSender: RaftMessageSender, @unchecked Sendable {
        // @unchecked: `sent` is only touched under `lock`.
        private let lock = NSLock()
        private var sent: [Message] = []
        func send(_ messages: [Message]) { lock.withLock { sent += messages } }
        var messages: [Message] { lock.withLock { sent } }
    }

    func testSnapshotFromAPeerChangesNothing() throws {
        let directory = NSTemporaryDirectory() + "swift-etcd-snapshot-refusal-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let wal = try WAL.create(directory: directory, metadata: Array("refusal".utf8))
        let log = try RaftReplicatedLog(
            wal: wal, entries: [], hardState: nil, memberID: 1, configuration: ConfState(voters: [1, 2, 3]),
            heartbeatMilliseconds: 10, electionMilliseconds: 100, logger: logger)
        let sender = RecordingSender()
        log.attach(sender: sender)
        let delivered = NSLock()
        nonisolated(unsafe) var deliveredEntries = 0
        log.start(handlers: ReplicatedLogHandlers(
            deliver: { entries in delivered.withLock { deliveredEntries += entries.count } },
            proposalFailed: { _, _ in }, leadershipChanged: { _ in }, leaderLost: {}))
        let snapshot = Snapshot(
            data: Array(repeating: 7, count: 64),
            metadata: SnapshotMetadata(confState: ConfState(voters: [1, 2, 3]), index: 100, term: 5))
        log.receive(Message(type: .snapshot, to: 1, from: 2, term: 5, snapshot: snapshot))
        // A heartbeat of the same term right after shows the log kept running and ignored the
        // snapshot: the term may move, the log must not.
        log.receive(Message(type: .heartbeat, to: 1, from: 2, term: 5))
        let deadline = Date(timeIntervalSinceNow: 2)
        while log.status.leader != 2 && Date() < deadline { usleep(1000) }
        XCTAssertEqual(log.status.leader, 2, "the heartbeat after the snapshot was stepped")
        XCTAssertEqual(log.status.lastIndex, 0, "the snapshot moved the log")
        XCTAssertEqual(log.status.commitIndex, 0)
        XCTAssertFalse(sender.messages.contains { $0.type == .appendResponse && $0.index == 100 },
                       "the member acknowledged the snapshot")
        log.stop()
        XCTAssertEqual(delivered.withLock { deliveredEntries }, 0)
    }
}
