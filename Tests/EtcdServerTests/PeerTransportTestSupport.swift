import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Raft
import XCTest

@testable import EtcdServer

/// Records what one transport hands to its raft loop.
final class PeerRecorder: Sendable {
    let delivered = NIOLockedValueBox<[Raft.Message]>([])
    let unreachable = NIOLockedValueBox<[NodeID]>([])
    let snapshotReports = NIOLockedValueBox<[(NodeID, Bool)]>([])

    var handlers: PeerTransport.Handlers {
        PeerTransport.Handlers(
            deliver: { message in self.delivered.withLockedValue { $0.append(message) } },
            reportUnreachable: { peer in self.unreachable.withLockedValue { $0.append(peer) } },
            reportSnapshot: { peer, success in self.snapshotReports.withLockedValue { $0.append((peer, success)) } })
    }

    func delivered(from sender: NodeID) -> [Raft.Message] {
        delivered.withLockedValue { $0.filter { $0.from == sender } }
    }
}

enum PeerTestSupport {
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    static let clusterID: UInt64 = 0xc1_0000_dead

    static var logger: Logger {
        var logger = Logger(label: "peer-test")
        logger.logLevel = .warning
        return logger
    }

    /// A loopback port nothing listens on right now (bound, read and released).
    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress!.port!
    }

    static func url(_ port: Int, scheme: URLEndpoint.Scheme = .http) -> URLEndpoint {
        URLEndpoint(scheme: scheme, host: "127.0.0.1", port: port)
    }

    /// A transport for `memberID` of a cluster whose members listen on `ports`, all with `scheme`.
    static func transport(
        _ memberID: UInt64, ports: [UInt64: Int], clusterID: UInt64 = clusterID, recorder: PeerRecorder,
        group: any EventLoopGroup = group, scheme: URLEndpoint.Scheme = .http, tls: PeerTLS = .none
    ) throws -> PeerTransport {
        var peers: [UInt64: [URLEndpoint]] = [:]
        for (id, port) in ports where id != memberID { peers[id] = [url(port, scheme: scheme)] }
        return try PeerTransport(
            memberID: memberID, clusterID: clusterID, peers: peers, listen: [url(ports[memberID]!, scheme: scheme)],
            tls: tls, group: group, logger: logger, handlers: recorder.handlers, snapshots: snapshotSettings(memberID))
    }

    /// Where member `memberID`'s transport keeps the store copies it receives.
    static func snapshotSettings(_ memberID: UInt64) -> SnapshotSettings {
        SnapshotSettings(count: .max, directory: NSTemporaryDirectory() + "swift-etcd-peer-test-\(ProcessInfo.processInfo.processIdentifier)/snap-\(memberID)")
    }

    /// A store copy of `bytes` bytes (a counting pattern) in a directory of its own, as the
    /// apply loop makes one for a MsgSnap; returns the directory and the bytes.
    static func storeCopy(bytes: Int) throws -> (directory: String, contents: [UInt8]) {
        let directory = NSTemporaryDirectory() + "swift-etcd-peer-test-copy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let contents = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 / 7) }
        FileManager.default.createFile(atPath: directory + "/data.mdb", contents: Data(contents))
        return (directory, contents)
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes.
    @discardableResult
    static func waitUntil(timeout: TimeInterval = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }

    static func heartbeat(from: NodeID, to: NodeID, commit: UInt64) -> Raft.Message {
        Raft.Message(type: .heartbeat, to: to, from: from, term: 3, commit: commit)
    }

    static func append(from: NodeID, to: NodeID, index: UInt64, entryBytes: Int) -> Raft.Message {
        let data = (0..<entryBytes).map { UInt8(truncatingIfNeeded: $0 &+ Int(index)) }
        return Raft.Message(
            type: .append, to: to, from: from, term: 3, logTerm: 3, index: index - 1,
            entries: [Entry(term: 3, index: index, data: data)], commit: index - 1)
    }

    static func snapshot(from: NodeID, to: NodeID, dataBytes: Int) -> Raft.Message {
        let data = (0..<dataBytes).map { UInt8(truncatingIfNeeded: $0 / 7) }
        return Raft.Message(
            type: .snapshot, to: to, from: from, term: 3,
            snapshot: Snapshot(data: data, metadata: SnapshotMetadata(confState: ConfState(voters: [from, to]), index: 100, term: 3)))
    }
}
