import Foundation
import GRPCTransport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Raft
import XCTest

@testable import EtcdServer

/// Peer transports on loopback, real sockets.
final class PeerTransportTests: XCTestCase {
    private typealias Support = PeerTestSupport

    /// Starts one transport per member of `ids` and waits until every stream is accepted.
    private func startCluster(_ ids: [UInt64]) throws -> (transports: [UInt64: PeerTransport], recorders: [UInt64: PeerRecorder]) {
        var ports: [UInt64: Int] = [:]
        for id in ids { ports[id] = try Support.freePort() }
        var transports: [UInt64: PeerTransport] = [:]
        var recorders: [UInt64: PeerRecorder] = [:]
        for id in ids {
            recorders[id] = PeerRecorder()
            transports[id] = try Support.transport(id, ports: ports, recorder: recorders[id]!)
        }
        for transport in transports.values { _ = try transport.start() }
        for (id, transport) in transports {
            for peer in ids where peer != id {
                XCTAssertTrue(Support.waitUntil { transport.isConnected(to: peer) }, "\(id) → \(peer) not connected")
            }
        }
        return (transports, recorders)
    }

    /// Heartbeats and appends of 0 B to 1 MiB entries, numbered so order shows.
    private func traffic(from: UInt64, to: UInt64) -> [Raft.Message] {
        let sizes = [0, 1, 100, 4096, 65_536, 1 << 20, 10, 300_000]
        var messages: [Raft.Message] = []
        var index: UInt64 = 1
        for round in 0..<40 {
            messages.append(Support.heartbeat(from: from, to: to, commit: UInt64(round)))
            messages.append(Support.append(from: from, to: to, index: index, entryBytes: sizes[round % sizes.count]))
            index += 1
        }
        return messages
    }

    func testTwoMembersExchangeMessagesBothWaysOnceAndInOrder() throws {
        let (transports, recorders) = try startCluster([1, 2])
        defer { for transport in transports.values { transport.stop() } }
        let oneToTwo = traffic(from: 1, to: 2)
        let twoToOne = traffic(from: 2, to: 1)
        // Several send calls, as the raft loop makes them, each several messages long.
        for chunk in stride(from: 0, to: oneToTwo.count, by: 7) {
            transports[1]!.send(Array(oneToTwo[chunk..<min(chunk + 7, oneToTwo.count)]))
            transports[2]!.send(Array(twoToOne[chunk..<min(chunk + 7, twoToOne.count)]))
        }
        XCTAssertTrue(Support.waitUntil { recorders[2]!.delivered(from: 1).count >= oneToTwo.count })
        XCTAssertTrue(Support.waitUntil { recorders[1]!.delivered(from: 2).count >= twoToOne.count })
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(recorders[2]!.delivered(from: 1), oneToTwo)
        XCTAssertEqual(recorders[1]!.delivered(from: 2), twoToOne)
        XCTAssertTrue(recorders[1]!.unreachable.withLockedValue { $0.isEmpty })
        XCTAssertTrue(recorders[2]!.unreachable.withLockedValue { $0.isEmpty })
    }

    func testThreeMembersEachReceiveEverySendersMessagesInOrder() throws {
        let ids: [UInt64] = [0x10, 0x20, 0x30]
        let (transports, recorders) = try startCluster(ids)
        defer { for transport in transports.values { transport.stop() } }
        var expected: [UInt64: [UInt64: [Raft.Message]]] = [:]
        for from in ids {
            var outgoing: [Raft.Message] = []
            for to in ids where to != from {
                let messages = traffic(from: from, to: to)
                expected[to, default: [:]][from] = messages
                outgoing += messages
            }
            transports[from]!.send(outgoing)
        }
        for to in ids {
            for from in ids where from != to {
                let want = expected[to]![from]!
                XCTAssertTrue(Support.waitUntil { recorders[to]!.delivered(from: from).count >= want.count })
                XCTAssertEqual(recorders[to]!.delivered(from: from), want, "\(from) → \(to)")
            }
        }
    }

    func testAnotherClusterAndAnUnknownMemberAreRefused() throws {
        let port1 = try Support.freePort()
        let portStranger = try Support.freePort()
        let recorder = PeerRecorder()
        // Member 1 knows only member 2.
        let member1 = try Support.transport(1, ports: [1: port1, 2: try Support.freePort()], recorder: recorder)
        _ = try member1.start()
        defer { member1.stop() }

        let otherCluster = PeerRecorder()
        let fromOtherCluster = try Support.transport(
            2, ports: [1: port1, 2: portStranger], clusterID: 0xbad, recorder: otherCluster)
        _ = try fromOtherCluster.start()
        defer { fromOtherCluster.stop() }

        let unknown = PeerRecorder()
        let unknownMember = try Support.transport(7, ports: [1: port1, 7: try Support.freePort()], recorder: unknown)
        _ = try unknownMember.start()
        defer { unknownMember.stop() }

        let deadline = Date().addingTimeInterval(1.5)
        while Date() < deadline {
            fromOtherCluster.send([Support.heartbeat(from: 2, to: 1, commit: 1)])
            unknownMember.send([Support.heartbeat(from: 7, to: 1, commit: 1)])
            Thread.sleep(forTimeInterval: 0.05)
        }
        unknownMember.sendSnapshot(Support.snapshot(from: 7, to: 1, dataBytes: 10), storeDirectory: try Support.storeCopy(bytes: 1000).directory)
        XCTAssertTrue(Support.waitUntil { unknown.snapshotReports.withLockedValue { !$0.isEmpty } })
        XCTAssertEqual(unknown.snapshotReports.withLockedValue { $0.map(\.1) }, [false])
        XCTAssertFalse(fromOtherCluster.isConnected(to: 1))
        XCTAssertFalse(unknownMember.isConnected(to: 1))
        XCTAssertTrue(recorder.delivered.withLockedValue { $0.isEmpty })
        XCTAssertFalse(otherCluster.unreachable.withLockedValue { $0.isEmpty })
    }

    func testPeerThatIsDownIsReportedAndReachedOnceItStarts() throws {
        let ports: [UInt64: Int] = [1: try Support.freePort(), 2: try Support.freePort()]
        let recorder1 = PeerRecorder()
        let member1 = try Support.transport(1, ports: ports, recorder: recorder1)
        _ = try member1.start()
        defer { member1.stop() }

        member1.send([Support.heartbeat(from: 1, to: 2, commit: 1)])
        member1.sendSnapshot(Support.snapshot(from: 1, to: 2, dataBytes: 10), storeDirectory: try Support.storeCopy(bytes: 10).directory)
        XCTAssertTrue(Support.waitUntil { recorder1.unreachable.withLockedValue { $0.contains(2) } })
        XCTAssertTrue(Support.waitUntil { recorder1.snapshotReports.withLockedValue { !$0.isEmpty } })
        XCTAssertEqual(recorder1.snapshotReports.withLockedValue { $0.map(\.0) }, [2])
        XCTAssertEqual(recorder1.snapshotReports.withLockedValue { $0.map(\.1) }, [false])
        // Let the back-off grow to its cap.
        Thread.sleep(forTimeInterval: 1.6)

        let recorder2 = PeerRecorder()
        var member2 = try Support.transport(2, ports: ports, recorder: recorder2)
        _ = try member2.start()
        let started = Date()
        var commit: UInt64 = 1
        let reached = Support.waitUntil(timeout: 3) {
            commit += 1
            member1.send([Support.heartbeat(from: 1, to: 2, commit: commit)])
            return !recorder2.delivered.withLockedValue { $0.isEmpty }
        }
        XCTAssertTrue(reached)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)

        // A restart on the same port: reconnected within the capped back-off.
        member2.stop()
        let recorder2b = PeerRecorder()
        member2 = try Support.transport(2, ports: ports, recorder: recorder2b)
        _ = try member2.start()
        defer { member2.stop() }
        let restarted = Date()
        XCTAssertTrue(
            Support.waitUntil(timeout: 3) {
                commit += 1
                member1.send([Support.heartbeat(from: 1, to: 2, commit: commit)])
                return !recorder2b.delivered.withLockedValue { $0.isEmpty }
            })
        XCTAssertLessThan(Date().timeIntervalSince(restarted), 2)
    }

    func testLargeSnapshotTravelsBesideTheStreamAndIsReported() throws {
        let (transports, recorders) = try startCluster([1, 2])
        defer { for transport in transports.values { transport.stop() } }
        let snapshot = Support.snapshot(from: 1, to: 2, dataBytes: 1000)
        let copy = try Support.storeCopy(bytes: 24 << 20)
        transports[1]!.send([Support.heartbeat(from: 1, to: 2, commit: 0)])
        transports[1]!.sendSnapshot(snapshot, storeDirectory: copy.directory)
        var heartbeats = 1
        let delivered = Support.waitUntil(timeout: 8) {
            transports[1]!.send([Support.heartbeat(from: 1, to: 2, commit: UInt64(heartbeats))])
            heartbeats += 1
            return recorders[1]!.snapshotReports.withLockedValue { !$0.isEmpty }
        }
        XCTAssertTrue(delivered)
        XCTAssertEqual(recorders[1]!.snapshotReports.withLockedValue { $0.map(\.0) }, [2])
        XCTAssertEqual(recorders[1]!.snapshotReports.withLockedValue { $0.map(\.1) }, [true])
        XCTAssertTrue(Support.waitUntil { recorders[2]!.delivered(from: 1).filter { $0.type == .heartbeat }.count == heartbeats })
        let received = recorders[2]!.delivered(from: 1)
        XCTAssertEqual(received.filter { $0.type == .snapshot }, [snapshot])
        // The copy arrived whole, under the name the apply loop installs it from, and the
        // sender's copy is gone.
        let received2 = Support.snapshotSettings(2).receivedStoreFile(index: 100)
        XCTAssertEqual(FileManager.default.contents(atPath: received2).map { [UInt8]($0) }, copy.contents)
        XCTAssertFalse(FileManager.default.fileExists(atPath: copy.directory))
        try? FileManager.default.removeItem(atPath: received2)
        // The stream kept its order while the snapshot was under way.
        XCTAssertEqual(received.filter { $0.type == .heartbeat }.map(\.commit), (0..<UInt64(heartbeats)).map { $0 })
    }

    func testFloodingAPeerThatStopsReadingStaysBounded() throws {
        let ports: [UInt64: Int] = [1: try Support.freePort(), 2: try Support.freePort()]
        // Member 2 runs on an event loop of its own, which its deliver handler blocks until the
        // gate opens: it stops reading its socket, and member 1's writes back up.
        let gate = ConditionLock(value: 0)
        let slowGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? slowGroup.syncShutdownGracefully() }
        let recorder1 = PeerRecorder()
        let member1 = try Support.transport(1, ports: ports, recorder: recorder1)
        let blocked = NIOLockedValueBox(false)
        let member2 = try PeerTransport(
            memberID: 2, clusterID: Support.clusterID, peers: [1: [Support.url(ports[1]!)]], listen: [Support.url(ports[2]!)],
            group: slowGroup, logger: Support.logger,
            handlers: .init(
                deliver: { _ in
                    blocked.withLockedValue { $0 = true }
                    gate.lock(whenValue: 1)
                    gate.unlock()
                },
                reportUnreachable: { _ in }, reportSnapshot: { _, _ in }))
        _ = try member1.start()
        _ = try member2.start()
        defer {
            gate.lock()
            gate.unlock(withValue: 1)
            member2.stop()
            member1.stop()
        }
        XCTAssertTrue(Support.waitUntil { member1.isConnected(to: 2) })

        var maxQueued = 0
        var index: UInt64 = 1
        let deadline = Date().addingTimeInterval(4)
        while Date() < deadline, recorder1.unreachable.withLockedValue({ $0.isEmpty }) {
            var batch: [Raft.Message] = []
            for _ in 0..<500 {
                batch.append(Support.append(from: 1, to: 2, index: index, entryBytes: 1024))
                index += 1
            }
            member1.send(batch)
            maxQueued = max(maxQueued, member1.queuedMessages(to: 2))
            Thread.sleep(forTimeInterval: 0.001)
        }
        XCTAssertTrue(blocked.withLockedValue { $0 })
        XCTAssertFalse(recorder1.unreachable.withLockedValue { $0.isEmpty }, "never reported unreachable after \(index) messages")
        // The drops came from the full queue, not from a lost connection.
        XCTAssertTrue(member1.isConnected(to: 2))
        XCTAssertGreaterThan(maxQueued, PeerLink.queueCapacity / 2)
        XCTAssertLessThanOrEqual(maxQueued, PeerLink.queueCapacity)
        XCTAssertLessThanOrEqual(member1.queuedMessages(to: 2), PeerLink.queueCapacity)
    }

    func testUnixPeerURLIsRefused() throws {
        let transport = try PeerTransport(
            memberID: 1, clusterID: 1, peers: [2: [URLEndpoint(scheme: .unix, host: "peer", port: 1)]],
            listen: [Support.url(0)], group: Support.group, logger: Support.logger, handlers: PeerRecorder().handlers)
        XCTAssertThrowsError(try transport.start()) { error in
            XCTAssertTrue("\(error)".contains("unix"), "\(error)")
        }
    }
}
