import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import GRPCTransport

/// The HTTP/2 client over the client role of `TLSHandler`, against the TLS server on loopback,
/// with a certificate from `SelfSignedCertificate`.
final class TLSClientTests: XCTestCase {
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private var directory = ""
    private var certificateFile: String { directory + "/cert.pem" }
    private var keyFile: String { directory + "/key.pem" }
    private var server: GRPCServer!
    private var address: SocketAddress!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "tls-client-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let generated = try SelfSignedCertificate.generate(hosts: ["localhost", "127.0.0.1"])
        try Data(generated.certificatePEM).write(to: URL(fileURLWithPath: certificateFile))
        try Data(generated.privateKeyPEM).write(to: URL(fileURLWithPath: keyFile))
        var configuration = GRPCServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.tls = GRPCTLSConfiguration(certificateChainFile: certificateFile, privateKeyFile: keyFile)
        server = GRPCServer(configuration: configuration, router: TestServices().router, group: Self.group)
        address = try server.start()
    }

    override func tearDown() {
        try? server.shutdownGracefully().wait()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testSkipVerifyClientCallsOverTLSWithLargeMessages() throws {
        let client = try TLSContext(client: GRPCClientTLSConfiguration(verifiesServerCertificate: false))
        // 4 MiB: written at once, before the handshake is done, and beyond the stream window.
        let large = String(repeating: "x", count: 1 << 20)
        let result = try call("/test.Test/BidiEcho", tls: client, serverHostname: "localhost") { stream in
            for _ in 0..<4 { stream.write(Self.grpcFrame(large)) }
            stream.end()
        }
        XCTAssertEqual(result.status, "0")
        XCTAssertEqual(result.bodyBytes, 4 * (5 + (1 << 20)))
    }

    func testVerifyingClientAcceptsTheNamedHostAndRefusesAnother() throws {
        let client = try TLSContext(client: GRPCClientTLSConfiguration(trustedCAFile: certificateFile))
        for name in ["localhost", "127.0.0.1"] {
            let result = try call("/test.Test/Echo", tls: client, serverHostname: name) { stream in
                stream.write(Self.grpcFrame("hello"))
                stream.end()
            }
            XCTAssertEqual(result.status, "0", name)
        }
        let refused = try call("/test.Test/Echo", tls: client, serverHostname: "elsewhere.example") { stream in
            stream.write(Self.grpcFrame("hello"))
            stream.end()
        }
        XCTAssertNil(refused.status)
        XCTAssertEqual(refused.end, .connectionLost)
    }

    func testClientWithAnUntrustedServerCertificateIsRefused() throws {
        let otherDirectory = directory + "/other"
        try FileManager.default.createDirectory(atPath: otherDirectory, withIntermediateDirectories: true)
        let other = try SelfSignedCertificate.generate(hosts: ["localhost"])
        try Data(other.certificatePEM).write(to: URL(fileURLWithPath: otherDirectory + "/cert.pem"))
        let client = try TLSContext(client: GRPCClientTLSConfiguration(trustedCAFile: otherDirectory + "/cert.pem"))
        let refused = try call("/test.Test/Echo", tls: client, serverHostname: "localhost") { stream in
            stream.write(Self.grpcFrame("hello"))
            stream.end()
        }
        XCTAssertEqual(refused.end, .connectionLost)
    }

    func testClientCertificateWithoutItsKeyIsRefused() {
        XCTAssertThrowsError(try TLSContext(client: GRPCClientTLSConfiguration(certificateChainFile: certificateFile)))
    }

    /// etcd's --client-crl-file with etcd's own fixtures, as TestCtlV3GetRevokedCRL uses them: a
    /// DER CRL that expired in 2021 and lists server-revoked.crt. The revoked certificate is
    /// disconnected after the handshake; another one from the same CA is served.
    func testClientCertificateListedInTheRevocationListIsDisconnected() throws {
        let fixtures = "/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures"
        try XCTSkipUnless(
            FileManager.default.fileExists(atPath: fixtures + "/revoke.crl"), "needs etcd's fixtures (golang-etcd-server-dev)")
        try server.shutdownGracefully().wait()
        var configuration = GRPCServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.tls = GRPCTLSConfiguration(
            certificateChainFile: fixtures + "/server.crt", privateKeyFile: fixtures + "/server.key.insecure",
            trustedCAFile: fixtures + "/ca.crt", requireClientCertificate: true,
            revocationListFile: fixtures + "/revoke.crl")
        server = GRPCServer(configuration: configuration, router: TestServices().router, group: Self.group)
        address = try server.start()
        for (name, isServed) in [("server", true), ("server-revoked", false)] {
            let client = try TLSContext(
                client: GRPCClientTLSConfiguration(
                    certificateChainFile: "\(fixtures)/\(name).crt", privateKeyFile: "\(fixtures)/\(name).key.insecure",
                    trustedCAFile: fixtures + "/ca.crt"))
            let result = try call("/test.Test/Echo", tls: client, serverHostname: "localhost") { stream in
                stream.write(Self.grpcFrame("hello"))
                stream.end()
            }
            if isServed {
                XCTAssertEqual(result.status, "0", name)
            } else {
                XCTAssertNil(result.status, name)
                XCTAssertEqual(result.end, .connectionLost, name)
            }
        }
    }

    // MARK: Helpers

    private struct Result {
        var status: String?
        var bodyBytes = 0
        var end: HTTP2StreamEnd?
    }

    private static func grpcFrame(_ text: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(text.utf8.count))
        buffer.writeString(text)
        return buffer
    }

    /// Connects over TLS, opens one stream at once (before the handshake is done), lets `body`
    /// write the request on the event loop, and waits for the stream to end.
    private func call(
        _ path: String, tls: TLSContext, serverHostname: String,
        _ body: @escaping @Sendable (HTTP2ClientStream) -> Void
    ) throws -> Result {
        let logger = Logger(label: "tls-client-test")
        let channel = try ClientBootstrap(group: Self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addTLSClientHandler(
                        context: tls, serverHostname: serverHostname, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(HTTP2ClientHandler(logger: logger))
                }
            }
            .connect(to: address).wait()
        defer { try? channel.close().wait() }
        let promise = channel.eventLoop.makePromise(of: Result.self)
        try channel.eventLoop.submit {
            let result = NIOLoopBoundBox(Result(), eventLoop: channel.eventLoop)
            func record(_ fields: [(name: String, value: String)]) {
                if let status = fields.first(where: { $0.name == "grpc-status" }) { result.value.status = status.value }
            }
            let observer = HTTP2ClientStreamObserver(
                onHeaders: record,
                onData: { result.value.bodyBytes += $0.readableBytes },
                onTrailers: record,
                onEnd: { end in
                    result.value.end = end
                    promise.succeed(result.value)
                })
            let headers = [
                (name: ":method", value: "POST"), (name: ":scheme", value: "https"), (name: ":path", value: path),
                (name: ":authority", value: serverHostname), (name: "content-type", value: "application/grpc"),
                (name: "te", value: "trailers"),
            ]
            guard let handler = try? channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self),
                let stream = handler.openStream(headers: headers, observer: observer)
            else {
                // A refused handshake may have closed the connection already.
                promise.succeed(Result(end: .connectionLost))
                return
            }
            body(stream)
        }.wait()
        return try promise.futureResult.wait()
    }
}
