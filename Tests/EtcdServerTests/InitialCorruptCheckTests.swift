import EtcdProto
import Foundation
import Logging
import MVCC
import NIOConcurrencyHelpers
import NIOCore
import XCTest

@testable import EtcdServer

/// Collects log lines (level and message) for assertions.
final class CapturedLog: Sendable {
    let lines = NIOLockedValueBox<[(Logger.Level, String, Logger.Metadata)]>([])

    var logger: Logger {
        Logger(label: "corrupt-check-test") { _ in CapturingHandler(log: self) }
    }

    func messages(_ level: Logger.Level? = nil) -> [String] {
        lines.withLockedValue { $0.filter { level == nil || $0.0 == level }.map(\.1) }
    }

    struct CapturingHandler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            log.lines.withLockedValue { $0.append((event.level, "\(event.message)", event.metadata ?? [:])) }
        }
    }
}

/// Two or three peer transports on loopback, each answering the HashKV path from its own store.
final class InitialCorruptCheckTests: XCTestCase {
    private var directories: [String] = []
    private var transports: [PeerTransport] = []

    override func tearDown() {
        for transport in transports { transport.stop() }
        transports = []
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        directories = []
    }

    private func makeStore() throws -> MVCCStore {
        let directory = NSTemporaryDirectory() + "corrupt-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        directories.append(directory)
        return try MVCCStore(directory: directory)
    }

    private static func put(_ key: String, _ value: String) -> PutRequest {
        var request = PutRequest()
        request.key = Array(key.utf8)
        request.value = Array(value.utf8)
        return request
    }

    /// Applies `writes`, one revision each, as Raft index 1, 2, ….
    private static func apply(_ writes: [MVCCWrite], to store: MVCCStore) throws {
        for (index, write) in writes.enumerated() {
            _ = try store.apply([write], lastIndex: UInt64(index + 1))
        }
    }

    private static let commonWrites: [MVCCWrite] = [.put(put("a", "1")), .put(put("b", "2")), .put(put("a", "3"))]

    /// The same history plus, in the last revision, one more key (a txn of two puts): the same
    /// revision, a different hash.
    private static let writesWithExtraKey: [MVCCWrite] = {
        var txn = TxnRequest()
        for request in [put("a", "3"), put("extra", "x")] {
            var op = RequestOp()
            op.request = .requestPut(request)
            txn.success.append(op)
        }
        return [.put(put("a", "1")), .put(put("b", "2")), .txn(txn)]
    }()

    /// Starts a transport for each member of `ports` that has a store (the others stay down),
    /// and returns the check as member `local` runs it.
    private func cluster(
        ports: [UInt64: Int], stores: [UInt64: MVCCStore], local: UInt64, clusterID: UInt64 = PeerTestSupport.clusterID,
        log: CapturedLog, timeout: TimeAmount = .seconds(3)
    ) throws -> InitialCorruptCheck {
        for (id, store) in stores.sorted(by: { $0.key < $1.key }) where id != local {
            var peers: [UInt64: [URLEndpoint]] = [:]
            for (peer, port) in ports where peer != id { peers[peer] = [PeerTestSupport.url(port)] }
            var handlers = PeerRecorder().handlers
            handlers.hashKV = { request in
                store.peerHashKV(revision: request.revision, clusterID: PeerTestSupport.clusterID, memberID: id)
            }
            let transport = try PeerTransport(
                memberID: id, clusterID: PeerTestSupport.clusterID, peers: peers,
                listen: [PeerTestSupport.url(ports[id]!)], group: PeerTestSupport.group, logger: PeerTestSupport.logger,
                handlers: handlers)
            transports.append(transport)
            _ = try transport.start()
        }
        let client = PeerUnaryClient(
            memberID: local, clusterID: clusterID, group: PeerTestSupport.group, logger: PeerTestSupport.logger,
            connect: nil)
        return InitialCorruptCheck(
            memberID: local,
            peers: ports.keys.sorted().filter { $0 != local }.map {
                InitialCorruptCheck.Peer(id: $0, endpoints: [PeerTestSupport.url(ports[$0]!)])
            },
            timeout: timeout, logger: log.logger,
            query: { peer, endpoint, revision, timeout in
                client.hashKV(peerID: peer, endpoint: endpoint, revision: revision, timeout: timeout)
            })
    }

    private func localHash(_ store: MVCCStore, member: UInt64) throws -> HashKVResponse {
        try store.peerHashKV(revision: 0, clusterID: PeerTestSupport.clusterID, memberID: member).get()
    }

    private func ports(_ ids: [UInt64]) throws -> [UInt64: Int] {
        var ports: [UInt64: Int] = [:]
        for id in ids { ports[id] = try PeerTestSupport.freePort() }
        return ports
    }

    func testEqualStoresPass() throws {
        let stores = try [UInt64(1), 2, 3].reduce(into: [UInt64: MVCCStore]()) { stores, id in
            stores[id] = try makeStore()
            try Self.apply(Self.commonWrites, to: stores[id]!)
        }
        let log = CapturedLog()
        let check = try cluster(ports: try ports([1, 2, 3]), stores: stores, local: 1, log: log)
        let local = try localHash(stores[1]!, member: 1)
        XCTAssertEqual(local.header?.revision, 4)
        XCTAssertEqual(local.compactRevision, -1)

        let results = check.peerHashKVs(revision: 4)
        XCTAssertEqual(results.map(\.peer.id), [2, 3])
        XCTAssertEqual(results.compactMap(\.response?.hash), [local.hash, local.hash])
        XCTAssertEqual(results.compactMap(\.response?.header?.memberId), [2, 3])
        XCTAssertNoThrow(try check.run(local: local))
        XCTAssertEqual(log.messages(.info), ["starting initial corruption check", "initial corruption checking passed; no corruption"])
        XCTAssertEqual(log.messages(.warning), [])
    }

    func testExtraKeyAtTheSameRevisionIsInconsistent() throws {
        var stores: [UInt64: MVCCStore] = [:]
        for id: UInt64 in [1, 2, 3] {
            stores[id] = try makeStore()
            try Self.apply(id == 3 ? Self.writesWithExtraKey : Self.commonWrites, to: stores[id]!)
        }
        XCTAssertEqual(try stores[3]!.currentRevision(), try stores[1]!.currentRevision())
        let log = CapturedLog()
        let check = try cluster(ports: try ports([1, 2, 3]), stores: stores, local: 1, log: log)
        XCTAssertThrowsError(try check.run(local: try localHash(stores[1]!, member: 1))) { error in
            XCTAssertEqual(error as? InitialCorruptCheckError, .inconsistent(memberID: 1))
            XCTAssertEqual("\(error)", "1 found data inconsistency with peers")
        }
        XCTAssertEqual(log.messages(.warning), ["found different hash values from remote peer"])
        let fields = log.lines.withLockedValue { $0.first { $0.0 == .warning }!.2 }
        XCTAssertEqual(fields["remote-peer-id"], "3")
        XCTAssertEqual(fields["remote-peer-revision"], "4")
        XCTAssertEqual(fields["local-member-revision"], "4")
        XCTAssertFalse(log.messages(.info).contains("initial corruption checking passed; no corruption"))

        // The corrupt member's own check finds both others different.
        let fromCorrupt = CapturedLog()
        let check3 = try cluster(ports: try ports([1, 2, 3]), stores: [1: stores[1]!, 2: stores[2]!], local: 3, log: fromCorrupt)
        XCTAssertThrowsError(try check3.run(local: try localHash(stores[3]!, member: 3)))
        XCTAssertEqual(fromCorrupt.messages(.warning).count, 2)
    }

    func testSingleMemberPassesAtOnce() throws {
        let store = try makeStore()
        try Self.apply(Self.commonWrites, to: store)
        let log = CapturedLog()
        let check = try cluster(ports: [1: try PeerTestSupport.freePort()], stores: [:], local: 1, log: log)
        XCTAssertNoThrow(try check.run(local: try localHash(store, member: 1)))
        XCTAssertEqual(log.messages(), ["starting initial corruption check", "initial corruption checking passed; no corruption"])
    }

    func testUnreachablePeerIsSkipped() throws {
        let stores = try [UInt64(1), 2].reduce(into: [UInt64: MVCCStore]()) { stores, id in
            stores[id] = try makeStore()
            try Self.apply(Self.commonWrites, to: stores[id]!)
        }
        let log = CapturedLog()
        // Member 3 has a port but nothing listens on it.
        let check = try cluster(ports: try ports([1, 2, 3]), stores: stores, local: 1, log: log)
        let started = Date()
        XCTAssertNoThrow(try check.run(local: try localHash(stores[1]!, member: 1)))
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        XCTAssertEqual(log.messages(.warning), ["failed hash kv request"])
        XCTAssertEqual(log.messages(.info).last, "initial corruption checking passed; no corruption")
    }

    func testPeerThatNeverAnswersTimesOut() throws {
        let store = try makeStore()
        try Self.apply(Self.commonWrites, to: store)
        // A listener that accepts and never speaks HTTP/2.
        let silent = try ServerBootstrapForTests.silentListener()
        defer { try? silent.close().wait() }
        let log = CapturedLog()
        let check = try cluster(
            ports: [1: try PeerTestSupport.freePort(), 2: silent.localAddress!.port!], stores: [:], local: 1, log: log,
            timeout: .milliseconds(300))
        let results = check.peerHashKVs(revision: 4)
        XCTAssertEqual(results.first?.error, .timedOut)
        XCTAssertNoThrow(try check.run(local: try localHash(store, member: 1)))
    }

    func testLaggingCompactedAndDifferentlyCompactedPeersAreSkipped() throws {
        var stores: [UInt64: MVCCStore] = [:]
        stores[1] = try makeStore()
        try Self.apply(Self.commonWrites, to: stores[1]!)
        // Member 2 is one revision behind: "future revision" for it.
        stores[2] = try makeStore()
        try Self.apply(Array(Self.commonWrites.prefix(2)), to: stores[2]!)
        // Member 3 has the same history, compacted, and a different hash for it.
        stores[3] = try makeStore()
        var compaction = CompactionRequest()
        compaction.revision = 3
        try Self.apply(Self.writesWithExtraKey + [.compact(compaction)], to: stores[3]!)
        // Member 4 is ahead and compacted past revision 4: "compacted" for it.
        stores[4] = try makeStore()
        var laterCompaction = CompactionRequest()
        laterCompaction.revision = 5
        try Self.apply(Self.commonWrites + [.put(Self.put("c", "4")), .compact(laterCompaction)], to: stores[4]!)
        let log = CapturedLog()
        let check = try cluster(ports: try ports([1, 2, 3, 4]), stores: stores, local: 1, log: log)
        let results = check.peerHashKVs(revision: 4)
        XCTAssertEqual(results.first { $0.peer.id == 2 }?.error, .futureRevision)
        XCTAssertEqual(results.first { $0.peer.id == 3 }?.response?.compactRevision, 3)
        XCTAssertEqual(results.first { $0.peer.id == 4 }?.error, .compacted)
        XCTAssertNoThrow(try check.run(local: try localHash(stores[1]!, member: 1)))
        XCTAssertEqual(
            log.messages(.warning).filter { $0 != "failed hash kv request" },
            [
                "cannot fetch hash from slow remote peer", "found different compact revision values from remote peer",
                "cannot fetch hash from remote peer; local member is behind",
            ])
    }

    func testRequestFromAnotherClusterIsRefused() throws {
        let stores = try [UInt64(1), 2].reduce(into: [UInt64: MVCCStore]()) { stores, id in
            stores[id] = try makeStore()
            try Self.apply(Self.commonWrites, to: stores[id]!)
        }
        let log = CapturedLog()
        let check = try cluster(ports: try ports([1, 2]), stores: stores, local: 1, clusterID: 0xbad, log: log)
        let results = check.peerHashKVs(revision: 4)
        guard case .refused(let code, let message)? = results.first?.error else {
            return XCTFail("expected a refusal, got \(results)")
        }
        XCTAssertEqual(code, "9")
        XCTAssertTrue(message.contains("cluster ID mismatch"), message)
        // A refusal is an unreachable peer for the check: skipped.
        XCTAssertNoThrow(try check.run(local: try localHash(stores[1]!, member: 1)))
    }
}

import NIOPosix

enum ServerBootstrapForTests {
    /// Accepts connections and ignores every byte.
    static func silentListener() throws -> any Channel {
        try ServerBootstrap(group: PeerTestSupport.group).bind(host: "127.0.0.1", port: 0).wait()
    }
}
