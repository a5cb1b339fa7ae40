import EtcdProto
import Foundation
import Raft
import XCTest

@testable import EtcdServer

/// Peer transports on https URLs, real sockets on loopback: auto-TLS, CA-signed certificates,
/// and the peers TLS must keep out.
final class PeerTransportTLSTests: XCTestCase {
    private typealias Support = PeerTestSupport
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "peer-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Auto TLS

    func testAutoTLSMembersExchangeMessagesInOrder() throws {
        let ids: [UInt64] = [1, 2, 3]
        let ports = try freePorts(ids)
        var recorders: [UInt64: PeerRecorder] = [:]
        var transports: [UInt64: PeerTransport] = [:]
        for id in ids {
            recorders[id] = PeerRecorder()
            let tls = try autoTLS(dataDirectory: "\(directory)/member\(id)", port: ports[id]!)
            transports[id] = try Support.transport(id, ports: ports, recorder: recorders[id]!, scheme: .https, tls: tls)
        }
        for transport in transports.values { _ = try transport.start() }
        defer { for transport in transports.values { transport.stop() } }
        for from in ids {
            for to in ids where to != from {
                XCTAssertTrue(Support.waitUntil { transports[from]!.isConnected(to: to) }, "\(from) → \(to) not connected")
            }
        }
        for from in ids {
            for to in ids where to != from {
                let messages = (1...50).map { Support.append(from: from, to: to, index: UInt64($0), entryBytes: $0 * 1000) }
                transports[from]!.send(messages)
                XCTAssertTrue(Support.waitUntil { recorders[to]!.delivered(from: from).count >= messages.count })
                XCTAssertEqual(recorders[to]!.delivered(from: from), messages, "\(from) → \(to)")
            }
        }
        // A snapshot goes over a TLS connection of its own.
        transports[1]!.sendSnapshot(
            Support.snapshot(from: 1, to: 2, dataBytes: 100), storeDirectory: try Support.storeCopy(bytes: 3 << 20).directory)
        XCTAssertTrue(Support.waitUntil { recorders[1]!.snapshotReports.withLockedValue { !$0.isEmpty } })
        XCTAssertEqual(recorders[1]!.snapshotReports.withLockedValue { $0.map(\.1) }, [true])
    }

    func testAutoTLSCertificateNamesThePeerHostsAndIsReusedOnRestart() throws {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = "\(directory)/member"
        configuration.peerAutoTLS = true
        configuration.listenPeerURLs = [URLEndpoint(scheme: .https, host: "127.0.0.1", port: 2380)]
        configuration.initialAdvertisePeerURLs = [URLEndpoint(scheme: .https, host: "localhost", port: 2380)]
        let first = try PeerTLS.resolve(configuration, logger: Support.logger)
        let certificatePath = "\(directory)/member/fixtures/peer/cert.pem"
        let keyPath = "\(directory)/member/fixtures/peer/key.pem"
        XCTAssertEqual(first.server?.certificateChainFile, certificatePath)
        XCTAssertEqual(first.server?.privateKeyFile, keyPath)
        XCTAssertEqual(first.client.verifiesServerCertificate, false, "etcd skips verifying self-signed peers")
        XCTAssertEqual(first.server?.requireClientCertificate, false)
        let permissions = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
        XCTAssertEqual(permissions, 0o600)
        let text = try openssl(["x509", "-in", certificatePath, "-noout", "-text"])
        XCTAssertTrue(text.contains("IP Address:127.0.0.1"), text)
        XCTAssertTrue(text.contains("DNS:localhost"), text)
        XCTAssertTrue(text.contains("O = etcd"), text)
        XCTAssertTrue(text.contains("prime256v1"), text)
        let key = try openssl(["pkey", "-in", keyPath, "-noout", "-text"])
        XCTAssertFalse(key.isEmpty)
        XCTAssertTrue(try String(contentsOfFile: keyPath, encoding: .utf8).hasPrefix("-----BEGIN EC PRIVATE KEY-----"))

        let certificate = try Data(contentsOf: URL(fileURLWithPath: certificatePath))
        _ = try PeerTLS.resolve(configuration, logger: Support.logger)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: certificatePath)), certificate, "regenerated on restart")
    }

    func testAutoTLSIsIgnoredWhenCertificateFilesAreGiven() throws {
        let ca = try TestCA(name: "ca", directory: directory)
        let leaf = try ca.issue(commonName: "member")
        var configuration = ServerConfiguration()
        configuration.dataDirectory = "\(directory)/member"
        configuration.peerAutoTLS = true
        configuration.peerTLS = .init(certFile: leaf.certificate, keyFile: leaf.key, trustedCAFile: ca.certificate)
        let tls = try PeerTLS.resolve(configuration, logger: Support.logger)
        XCTAssertEqual(tls.server?.certificateChainFile, leaf.certificate)
        XCTAssertEqual(tls.client.verifiesServerCertificate, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory)/member/fixtures/peer"))
    }

    // MARK: CA-signed certificates

    func testCASignedMembersWithClientCertAuthExchangeMessages() throws {
        let ca = try TestCA(name: "ca", directory: directory)
        let (transports, recorders) = try startPair(
            tls1: try caTLS(ca.issue(commonName: "member1"), trusting: ca, clientCertAuth: true),
            tls2: try caTLS(ca.issue(commonName: "member2"), trusting: ca, clientCertAuth: true))
        defer { for transport in transports.values { transport.stop() } }
        XCTAssertTrue(Support.waitUntil { transports[1]!.isConnected(to: 2) && transports[2]!.isConnected(to: 1) })
        let oneToTwo = (1...20).map { Support.heartbeat(from: 1, to: 2, commit: UInt64($0)) }
        let twoToOne = (1...20).map { Support.heartbeat(from: 2, to: 1, commit: UInt64($0)) }
        transports[1]!.send(oneToTwo)
        transports[2]!.send(twoToOne)
        XCTAssertTrue(Support.waitUntil {
            recorders[2]!.delivered(from: 1).count >= 20 && recorders[1]!.delivered(from: 2).count >= 20
        })
        XCTAssertEqual(recorders[2]!.delivered(from: 1), oneToTwo)
        XCTAssertEqual(recorders[1]!.delivered(from: 2), twoToOne)
    }

    func testMemberWithACertificateFromAnotherCAIsRefused() throws {
        let ca = try TestCA(name: "ca", directory: directory)
        let otherCA = try TestCA(name: "other-ca", directory: directory)
        // Member 2 trusts member 1's CA, so only member 1's check of member 2's certificate fails.
        let (transports, recorders) = try startPair(
            tls1: try caTLS(ca.issue(commonName: "member1"), trusting: ca, clientCertAuth: true),
            tls2: try caTLS(otherCA.issue(commonName: "member2"), trusting: ca, clientCertAuth: true))
        defer { for transport in transports.values { transport.stop() } }
        sendHeartbeats(for: 1.5, from: 2, to: 1, via: transports[2]!)
        XCTAssertFalse(transports[2]!.isConnected(to: 1))
        XCTAssertTrue(recorders[1]!.delivered.withLockedValue { $0.isEmpty })
        XCTAssertFalse(recorders[2]!.unreachable.withLockedValue { $0.isEmpty })
    }

    func testServerCertificateNotNamingTheDialledAddressIsRefused() throws {
        let ca = try TestCA(name: "ca", directory: directory)
        let (transports, recorders) = try startPair(
            tls1: try caTLS(ca.issue(commonName: "member1"), trusting: ca),
            tls2: try caTLS(ca.issue(commonName: "member2", alternativeNames: "DNS:elsewhere.example"), trusting: ca))
        defer { for transport in transports.values { transport.stop() } }
        // Member 2 reaches member 1 (whose certificate names 127.0.0.1), member 1 not member 2.
        XCTAssertTrue(Support.waitUntil { transports[2]!.isConnected(to: 1) })
        sendHeartbeats(for: 1, from: 1, to: 2, via: transports[1]!)
        XCTAssertFalse(transports[1]!.isConnected(to: 2))
        XCTAssertTrue(recorders[2]!.delivered.withLockedValue { $0.isEmpty })
    }

    func testAllowedCommonNameKeepsOtherNamesOutBothWays() throws {
        let ca = try TestCA(name: "ca", directory: directory)
        let ids: [UInt64] = [1, 2, 3]
        let ports = try freePorts(ids)
        let names: [UInt64: String] = [1: "peer", 2: "peer", 3: "intruder"]
        var recorders: [UInt64: PeerRecorder] = [:]
        var transports: [UInt64: PeerTransport] = [:]
        for id in ids {
            recorders[id] = PeerRecorder()
            let tls = try caTLS(ca.issue(commonName: names[id]!), trusting: ca, allowedCN: "peer")
            transports[id] = try Support.transport(id, ports: ports, recorder: recorders[id]!, scheme: .https, tls: tls)
        }
        for transport in transports.values { _ = try transport.start() }
        defer { for transport in transports.values { transport.stop() } }
        XCTAssertTrue(Support.waitUntil { transports[1]!.isConnected(to: 2) && transports[2]!.isConnected(to: 1) })
        sendHeartbeats(for: 1, from: 3, to: 1, via: transports[3]!)
        XCTAssertFalse(transports[3]!.isConnected(to: 1))
        XCTAssertFalse(transports[3]!.isConnected(to: 2))
        XCTAssertFalse(transports[1]!.isConnected(to: 3), "member 1 accepted a server named intruder")
        XCTAssertTrue(recorders[1]!.delivered(from: 3).isEmpty)
    }

    func testHashKVQueryDialsAnHTTPSPeerAsTheTransportDoes() throws {
        let ports = try freePorts([1, 2])
        var handlers = PeerRecorder().handlers
        handlers.hashKV = { request in .success(HashKVResponse(hash: 0xfeed, hashRevision: request.revision)) }
        let member2 = try PeerTransport(
            memberID: 2, clusterID: Support.clusterID, peers: [1: [Support.url(ports[1]!, scheme: .https)]],
            listen: [Support.url(ports[2]!, scheme: .https)],
            tls: try autoTLS(dataDirectory: "\(directory)/member2", port: ports[2]!), group: Support.group,
            logger: Support.logger, handlers: handlers)
        _ = try member2.start()
        defer { member2.stop() }
        let member1 = try Support.transport(
            1, ports: ports, recorder: PeerRecorder(), scheme: .https,
            tls: try autoTLS(dataDirectory: "\(directory)/member1", port: ports[1]!))
        let client = PeerUnaryClient(
            memberID: 1, clusterID: Support.clusterID, group: Support.group, logger: Support.logger,
            connect: { endpoint, eventLoop in member1.connect(to: endpoint, on: eventLoop, timeout: .seconds(1)) })
        let response = try client.hashKV(
            peerID: 2, endpoint: Support.url(ports[2]!, scheme: .https), revision: 7, timeout: .seconds(3)).wait()
        XCTAssertEqual(response.hash, 0xfeed)
        XCTAssertEqual(response.hashRevision, 7)
    }

    // MARK: Plain HTTP against TLS, and refused configurations

    func testPlainHTTPDialToAnHTTPSPeerDeliversNothing() throws {
        let ports = try freePorts([1, 2])
        let recorder1 = PeerRecorder()
        let member1 = try Support.transport(
            1, ports: ports, recorder: recorder1, scheme: .https,
            tls: try autoTLS(dataDirectory: "\(directory)/member1", port: ports[1]!))
        _ = try member1.start()
        defer { member1.stop() }
        // Member 2 has member 1 on an http URL: its h2c preface meets member 1's TLS.
        let recorder2 = PeerRecorder()
        let member2 = try Support.transport(2, ports: ports, recorder: recorder2)
        _ = try member2.start()
        defer { member2.stop() }
        sendHeartbeats(for: 1, from: 2, to: 1, via: member2)
        member2.sendSnapshot(Support.snapshot(from: 2, to: 1, dataBytes: 10), storeDirectory: try Support.storeCopy(bytes: 1000).directory)
        XCTAssertTrue(Support.waitUntil { recorder2.snapshotReports.withLockedValue { !$0.isEmpty } })
        XCTAssertEqual(recorder2.snapshotReports.withLockedValue { $0.map(\.1) }, [false])
        XCTAssertFalse(member2.isConnected(to: 1))
        XCTAssertTrue(recorder1.delivered.withLockedValue { $0.isEmpty })
    }

    func testHTTPSListenerWithoutCertificateIsRefusedWithEtcdsMessage() throws {
        let port = try Support.freePort()
        let transport = try Support.transport(1, ports: [1: port], recorder: PeerRecorder(), scheme: .https)
        XCTAssertThrowsError(try transport.start()) { error in
            XCTAssertEqual("\(error)", "cannot listen on TLS for 127.0.0.1:\(port): KeyFile and CertFile are not presented")
        }
    }

    func testKeyWithoutCertificateIsRefusedWithEtcdsMessage() {
        var configuration = ServerConfiguration()
        configuration.peerTLS = .init(keyFile: "/some/key.pem")
        XCTAssertThrowsError(try PeerTLS.resolve(configuration, logger: Support.logger)) { error in
            XCTAssertEqual("\(error)", "KeyFile and CertFile must both be present[key: /some/key.pem, cert: ]")
        }
    }

    // MARK: Helpers

    private func freePorts(_ ids: [UInt64]) throws -> [UInt64: Int] {
        var ports: [UInt64: Int] = [:]
        for id in ids { ports[id] = try Support.freePort() }
        return ports
    }

    private func startPair(
        tls1: PeerTLS, tls2: PeerTLS
    ) throws -> (transports: [UInt64: PeerTransport], recorders: [UInt64: PeerRecorder]) {
        let ports = try freePorts([1, 2])
        let recorders: [UInt64: PeerRecorder] = [1: PeerRecorder(), 2: PeerRecorder()]
        let transports: [UInt64: PeerTransport] = [
            1: try Support.transport(1, ports: ports, recorder: recorders[1]!, scheme: .https, tls: tls1),
            2: try Support.transport(2, ports: ports, recorder: recorders[2]!, scheme: .https, tls: tls2),
        ]
        for transport in transports.values { _ = try transport.start() }
        return (transports, recorders)
    }

    /// Keeps sending for `seconds`, as raft would while the link is down.
    private func sendHeartbeats(for seconds: TimeInterval, from: UInt64, to: UInt64, via transport: PeerTransport) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            transport.send([Support.heartbeat(from: from, to: to, commit: 1)])
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    private func autoTLS(dataDirectory: String, port: Int) throws -> PeerTLS {
        var configuration = ServerConfiguration()
        configuration.dataDirectory = dataDirectory
        configuration.peerAutoTLS = true
        configuration.listenPeerURLs = [Support.url(port, scheme: .https)]
        configuration.initialAdvertisePeerURLs = configuration.listenPeerURLs
        return try PeerTLS.resolve(configuration, logger: Support.logger)
    }

    private func caTLS(
        _ leaf: (certificate: String, key: String), trusting ca: TestCA, clientCertAuth: Bool = false, allowedCN: String = ""
    ) throws -> PeerTLS {
        var configuration = ServerConfiguration()
        configuration.peerTLS = .init(
            certFile: leaf.certificate, keyFile: leaf.key, trustedCAFile: ca.certificate, clientCertAuth: clientCertAuth,
            allowedCN: allowedCN)
        return try PeerTLS.resolve(configuration, logger: Support.logger)
    }
}

/// A certificate authority made with the `openssl` command line, and the leaf certificates it signs.
struct TestCA {
    let directory: String
    let name: String
    var certificate: String { "\(directory)/\(name).pem" }
    private var key: String { "\(directory)/\(name)-key.pem" }

    init(name: String, directory: String) throws {
        self.name = name
        self.directory = directory
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=\(name)", "-keyout", key, "-out", certificate,
        ])
    }

    /// A certificate for TLS servers and clients, for 127.0.0.1 unless `alternativeNames` says otherwise.
    func issue(commonName: String, alternativeNames: String = "IP:127.0.0.1") throws -> (certificate: String, key: String) {
        let base = "\(directory)/\(name)-\(commonName)-\(UUID().uuidString.prefix(8))"
        let extensions = "\(base).ext"
        try "subjectAltName=\(alternativeNames)\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(commonName)",
            "-keyout", "\(base)-key.pem", "-out", "\(base).csr",
        ])
        try openssl([
            "x509", "-req", "-in", "\(base).csr", "-CA", certificate, "-CAkey", key, "-CAcreateserial", "-days", "2",
            "-extfile", extensions, "-out", "\(base).pem",
        ])
        return ("\(base).pem", "\(base)-key.pem")
    }
}

/// Runs the `openssl` command line and returns what it printed; throws when it fails.
@discardableResult
func openssl(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PeerTestFailure("openssl \(arguments.joined(separator: " ")) failed: \(printed)")
    }
    return printed
}
