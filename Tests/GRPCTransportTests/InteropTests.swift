import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import XCTest

@testable import GRPCTransport

/// Drives a real GRPCServer over loopback TCP with Python's grpcio (a C-core gRPC client).
final class InteropTests: XCTestCase {
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private let services = TestServices()
    private var server: GRPCServer!
    private var port = 0

    override func setUpWithError() throws {
        let http1: HTTP1Handler = { request, eventLoop in
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            let body = request.head.uri == "/health"
                ? ByteBuffer(string: #"{"health":"true"}"#)
                : ByteBuffer(string: "\(request.head.method) \(request.head.uri) \(String(buffer: request.body))")
            return eventLoop.makeSucceededFuture(HTTP1Response(status: .ok, headers: headers, body: body))
        }
        server = GRPCServer(
            configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0),
            router: services.router, http1Handler: http1, group: Self.group)
        port = try XCTUnwrap(server.start().port)
    }

    override func tearDownWithError() throws {
        try server.shutdownGracefully().wait()
    }

    func runClient(_ scenario: String) throws -> [String: Any] {
        try InteropClient.run(port: port, scenario)
    }

    func testUnary() throws {
        let result = try runClient("unary")
        XCTAssertEqual(result["echo"] as? String, "hello")
        XCTAssertEqual(result["empty"] as? String, "")
        XCTAssertEqual(result["big"] as? Bool, true)
        XCTAssertEqual(result["offloop"] as? String, "from another thread")
    }

    func testMetadataRoundTrip() throws {
        XCTAssertEqual(try runClient("metadata")["value"] as? String, "v-123")
    }

    func testServerStreaming() throws {
        XCTAssertEqual(try runClient("server_streaming")["messages"] as? [String], ["0009", "0109", "0209", "0309"])
    }

    func testBidirectionalStreaming() throws {
        XCTAssertEqual(try runClient("bidi")["messages"] as? [String], ["a", "bb", "ccc"])
    }

    func testDeadlineExceeded() throws {
        let error = try XCTUnwrap(try runClient("deadline")["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "DEADLINE_EXCEEDED")
    }

    func testStatusCodesAndPercentEncodedMessages() throws {
        let result = try runClient("statuses")
        let names = [
            "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]
        for (index, name) in names.enumerated() {
            let error = try XCTUnwrap(result[String(index + 1)] as? [String: Any])
            XCTAssertEqual(error["code"] as? String, name)
            XCTAssertEqual(error["details"] as? String, "etcdserver: 100% ünicode\tdone")
        }
        let method = try XCTUnwrap(result["unknown_method"] as? [String: Any])
        XCTAssertEqual(method["code"] as? String, "UNIMPLEMENTED")
        XCTAssertEqual(method["details"] as? String, "unknown method Missing for service test.Test")
        let service = try XCTUnwrap(result["unknown_service"] as? [String: Any])
        XCTAssertEqual(service["details"] as? String, "unknown service etcdserverpb.Nope")
        let plain = try XCTUnwrap(result["plain_error"] as? [String: Any])
        XCTAssertEqual(plain["code"] as? String, "UNKNOWN")
        XCTAssertEqual(plain["details"] as? String, "plain error")
    }

    func testThreeHundredConcurrentStreamsOnOneConnection() throws {
        let result = try runClient("concurrent_streams")
        XCTAssertEqual(result["replies"] as? Int, 300)
        XCTAssertEqual(result["in_order"] as? Bool, true)
    }

    func testManyConnections() throws {
        let result = try runClient("many_connections")
        XCTAssertEqual(result["connections"] as? Int, 20)
        XCTAssertEqual(result["all_good"] as? Bool, true)
    }

    func testHTTP1OnTheSamePort() throws {
        let result = try runClient("http1")
        let health = try XCTUnwrap(result["health"] as? [String: Any])
        XCTAssertEqual(health["status"] as? Int, 200)
        XCTAssertEqual(health["body"] as? String, #"{"health":"true"}"#)
        XCTAssertEqual(health["content_type"] as? String, "application/json")
        let post = try XCTUnwrap(result["post"] as? [String: Any])
        XCTAssertEqual(post["body"] as? String, #"POST /v3/kv/range {"key":"Zm9v"}"#)
    }

    func testGracefulShutdownFinishesInFlightCallsAndRefusesNewOnes() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("interop_client.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(port), "graceful_shutdown"]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        let killer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 45, execute: killer)
        defer { killer.cancel() }

        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("ready\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("client exited early: \(String(decoding: received, as: UTF8.self))") }
            received.append(chunk)
        }
        let shutdown = server.shutdownGracefully()
        let shutdownDone = NIOLockedValueBox(false)
        shutdown.whenComplete { _ in shutdownDone.withLockedValue { $0 = true } }
        XCTAssertFalse(shutdownDone.withLockedValue { $0 }, "the open call holds its connection")
        input.fileHandleForWriting.write(Data("go\n".utf8))
        received.append(output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        try shutdown.wait()

        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n")
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        XCTAssertEqual(result["messages"] as? [String], ["first", "second"])
        let refused = try XCTUnwrap(result["new_call"] as? [String: Any])
        XCTAssertEqual(refused["code"] as? String, "UNAVAILABLE")
    }

    /// A load smoke run with nghttp2's h2load: 4 connections × 50 concurrent unary calls.
    func testH2LoadSmoke() throws {
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-h2load-\(port).bin")
        try Data(H2TestClient.frame(Array("ping".utf8))).write(to: body)
        defer { try? FileManager.default.removeItem(at: body) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/h2load")
        process.arguments = [
            "-n", "20000", "-c", "4", "-m", "50", "-d", body.path,
            "-H", "content-type: application/grpc", "-H", "te: trailers",
            "http://127.0.0.1:\(port)/test.Test/Echo",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(
            text.contains("requests: 20000 total, 20000 started, 20000 done, 20000 succeeded, 0 failed, 0 errored"), text)
        XCTAssertTrue(text.contains("status codes: 20000 2xx"), text)
        if let summary = text.split(separator: "\n").first(where: { $0.hasPrefix("finished in") }) {
            print("h2load: \(summary)")
        }
    }
}

/// The same server behind OpenSSL: ALPN h2 for grpcio, HTTP/1.1 over TLS, client certificates.
final class TLSInteropTests: XCTestCase {
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    private let services = TestServices()

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl \(arguments) failed") }
    }

    private func makeCertificate(_ name: String, commonName: String, in directory: URL) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory.appendingPathComponent("\(name).key").path,
            "-out", directory.appendingPathComponent("\(name).pem").path,
            "-days", "1", "-subj", "/CN=\(commonName)",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
    }

    func testGRPCAndHTTP1OverTLSWithClientCertificates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeCertificate("server", commonName: "localhost", in: directory)
        try makeCertificate("client", commonName: "etcd-user", in: directory)
        let tls = GRPCTLSConfiguration(
            certificateChainFile: directory.appendingPathComponent("server.pem").path,
            privateKeyFile: directory.appendingPathComponent("server.key").path,
            trustedCAFile: directory.appendingPathComponent("client.pem").path)
        let http1: HTTP1Handler = { _, eventLoop in
            eventLoop.makeSucceededFuture(HTTP1Response(status: .ok, body: ByteBuffer(string: "healthy")))
        }
        let server = GRPCServer(
            configuration: GRPCServerConfiguration(tls: tls), router: services.router, http1Handler: http1,
            group: Self.group)
        let port = try XCTUnwrap(server.start().port)
        defer { try? server.shutdownGracefully().wait() }

        let result = try InteropClient.run(port: port, "tls", [directory.path])
        XCTAssertEqual(result["echo"] as? String, "over tls")
        XCTAssertEqual(result["anonymous_peer"] as? String, "<none>")
        XCTAssertEqual(result["client_peer"] as? String, "etcd-user")
        XCTAssertEqual(result["https"] as? String, "healthy")
    }

    func testBadCertificatePathIsAnError() {
        let tls = GRPCTLSConfiguration(certificateChainFile: "/nonexistent.pem", privateKeyFile: "/nonexistent.key")
        let server = GRPCServer(configuration: GRPCServerConfiguration(tls: tls), router: GRPCRouter(), group: Self.group)
        XCTAssertThrowsError(try server.start()) { error in
            XCTAssertTrue(error is GRPCTLSError, "\(error)")
        }
    }
}

enum InteropClient {
    /// Runs one scenario of interop_client.py (Python grpcio) and returns its JSON result.
    static func run(port: Int, _ scenario: String, _ extraArguments: [String] = []) throws -> [String: Any] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("interop_client.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(port), scenario] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let killer = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 45, execute: killer)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        killer.cancel()
        guard let result = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("no JSON from interop client (exit \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        if let error = result["error"] as? String {
            throw TestFailure("interop client: \(error)")
        }
        guard process.terminationStatus == 0 else { throw TestFailure("interop client exit status \(process.terminationStatus)") }
        return result
    }
}

/// The real Go client (etcdctl 3.4, grpc-go) against a server with stand-in KV handlers that
/// answer empty (all-default) protobuf responses.
final class GoClientInteropTests: XCTestCase {
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    private func etcdctl(_ port: Int, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/etcdctl") else {
            throw TestFailure("etcdctl is missing: run `apt-get install etcd-client`")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        process.arguments = ["--endpoints=http://127.0.0.1:\(port)", "--command-timeout=10s"] + arguments
        process.environment = ["ETCDCTL_API": "3"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    func testEtcdctlTalksToTheServer() throws {
        let requests = NIOLockedValueBox<[String]>([])
        var router = GRPCRouter()
        for method in ["Range", "Put"] {
            router.register("/etcdserverpb.KV/\(method)", .unary { request, context in
                requests.withLockedValue { $0.append("\(method) \(request.readableBytes)") }
                return context.eventLoop.makeSucceededFuture(ByteBuffer())
            })
        }
        let server = GRPCServer(configuration: GRPCServerConfiguration(), router: router, group: Self.group)
        let port = try XCTUnwrap(server.start().port)
        defer { try? server.shutdownGracefully().wait() }

        let get = try etcdctl(port, ["get", "foo"])
        XCTAssertEqual(get.status, 0, get.output)
        let put = try etcdctl(port, ["put", "foo", "bar"])
        XCTAssertEqual(put.status, 0, put.output)
        XCTAssertEqual(put.output, "OK\n")
        // Range request: key "foo" (field 1) = 5 bytes; Put: key + value = 10 bytes.
        XCTAssertEqual(requests.withLockedValue { $0 }, ["Range 5", "Put 10"])

        let members = try etcdctl(port, ["member", "list"])
        XCTAssertNotEqual(members.status, 0)
        XCTAssertTrue(members.output.contains("unknown service etcdserverpb.Cluster"), members.output)
    }
}
