import EtcdProto
import Foundation
import Logging
import NIOCore
import NIOPosix
import XCTest

@testable import EtcdServer

#if canImport(Glibc)
import Glibc
#endif

/// `/health`, `/version` and `/metrics` on the client port, beside gRPC, answered as etcd answers.
final class ClientHTTPEndpointsTests: XCTestCase {
    private var directory: String!
    private var server: EtcdServer!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "swift-etcd-http-" + UUID().uuidString
        let configuration = ServerConfiguration.loneMemberForTests(name: "http", directory: directory)
        let logger = Logger.quietForTests
        server = try EtcdServer.start(configuration: configuration, logger: logger)
        let deadline = Date(timeIntervalSinceNow: 10)
        while server.core.log.status.leader == 0 && Date() < deadline { usleep(10_000) }
        XCTAssertNotEqual(server.core.log.status.leader, 0, "no leader within 10 s")
    }

    override func tearDownWithError() throws {
        server?.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testHealthIsEtcdsJSONWhileThereIsALeader() throws {
        let reply = try get("/health")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.body, #"{"health":"true"}"#)
    }

    func testANospaceAlarmMakesTheMemberUnhealthyUnlessExcluded() throws {
        var alarm = AlarmRequest()
        alarm.action = .activate
        alarm.memberId = server.identity.memberID
        alarm.alarm = .nospace
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        _ = try server.core.propose(
            kind: .alarm, requestBody: alarm.responseBody(allocator: ByteBufferAllocator()), on: group.next()
        ).wait()
        let unhealthy = try get("/health")
        XCTAssertEqual(unhealthy.status, 503)
        XCTAssertEqual(unhealthy.body, #"{"health":"false"}"# + "\n")
        let excluded = try get("/health?exclude=NOSPACE")
        XCTAssertEqual(excluded.status, 200)
        XCTAssertEqual(excluded.body, #"{"health":"true"}"#)
    }

    func testVersionNamesTheReportedReleaseAndItsClusterVersion() throws {
        let reply = try get("/version")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["content-type"], "application/json")
        XCTAssertEqual(reply.body, #"{"etcdserver":"\#(reportedEtcdVersion)","etcdcluster":"3.5.0"}"#)
    }

    func testMetricsReportTheMembersStateInPrometheusTextFormat() throws {
        let reply = try get("/metrics")
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        let lines = reply.body.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("# TYPE etcd_server_has_leader gauge"))
        XCTAssertTrue(lines.contains("etcd_server_has_leader 1"))
        XCTAssertTrue(lines.contains("etcd_server_is_leader 1"))
        XCTAssertTrue(lines.contains("# TYPE etcd_server_leader_changes_seen_total counter"))
        XCTAssertTrue(lines.contains("etcd_server_leader_changes_seen_total 1"))
        XCTAssertTrue(lines.contains(#"etcd_server_version{server_version="\#(reportedEtcdVersion)"} 1"#))
        XCTAssertTrue(lines.contains("etcd_server_proposals_applied_total \(server.core.appliedIndex.value)"))
        let value = { (name: String) -> Double? in
            lines.first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
        }
        XCTAssertGreaterThan(try XCTUnwrap(value("process_open_fds")), 0)
        XCTAssertGreaterThan(try XCTUnwrap(value("process_resident_memory_bytes")), 1_000_000)
        let started = try XCTUnwrap(value("process_start_time_seconds"))
        XCTAssertLessThanOrEqual(started, Date().timeIntervalSince1970 + 1)
        XCTAssertGreaterThan(started, Date().timeIntervalSince1970 - 24 * 3600)
        XCTAssertGreaterThan(try XCTUnwrap(value("etcd_mvcc_db_total_size_in_bytes")), 0)
        XCTAssertEqual(value("etcd_debugging_mvcc_keys_total"), 0)
        XCTAssertTrue(lines.contains("# TYPE etcd_mvcc_put_total counter"))
        for name in ["etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_debugging_mvcc_put_total", "etcd_debugging_mvcc_delete_total"] {
            XCTAssertEqual(value(name), 0, name)
        }
        XCTAssertTrue(lines.contains(#"etcd_cluster_version{cluster_version="\#(clusterVersion.major).\#(clusterVersion.minor)"} 1"#))
        // go-grpc-prometheus creates every method's samples, and every code's, at zero.
        XCTAssertTrue(lines.contains(#"grpc_server_started_total{grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 0"#))
        XCTAssertTrue(lines.contains(
            #"grpc_server_handled_total{grpc_code="Canceled",grpc_method="Watch",grpc_service="etcdserverpb.Watch",grpc_type="bidi_stream"} 0"#))
        XCTAssertTrue(lines.contains(#"grpc_server_msg_sent_total{grpc_method="Snapshot",grpc_service="etcdserverpb.Maintenance",grpc_type="server_stream"} 0"#))
        XCTAssertNotNil(value("etcd_network_client_grpc_received_bytes_total"))
        XCTAssertNotNil(value("etcd_mvcc_db_total_size_in_use_in_bytes"))
        // The member's bootstrap entries were fsynced and applied before it served.
        XCTAssertTrue(lines.contains("# TYPE etcd_disk_wal_fsync_duration_seconds histogram"))
        XCTAssertTrue(lines.contains { $0.hasPrefix(#"etcd_disk_wal_fsync_duration_seconds_bucket{le="0.001"} "#) })
        XCTAssertGreaterThan(try XCTUnwrap(value("etcd_disk_wal_fsync_duration_seconds_count")), 0)
        XCTAssertEqual(value(#"etcd_disk_wal_fsync_duration_seconds_bucket{le="+Inf"}"#), value("etcd_disk_wal_fsync_duration_seconds_count"))
        XCTAssertGreaterThan(try XCTUnwrap(value("etcd_disk_backend_commit_duration_seconds_count")), 0)
        let names = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        XCTAssertEqual(names, names.sorted(), "Prometheus' Go registry writes families sorted by name")
    }

    func testUnknownPathsAndOtherMethodsGetEtcdsAnswers() throws {
        let missing = try get("/livez")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.body, "404 page not found\n")
        let posted = try get("/health", method: "POST")
        XCTAssertEqual(posted.status, 405)
        XCTAssertEqual(posted.headers["allow"], "GET")
        XCTAssertEqual(posted.body, "Method Not Allowed\n")
        XCTAssertEqual(try get("/version", method: "PUT").status, 405)
    }

    private struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// One HTTP/1.1 request on its own connection, bounded by a 5 s receive timeout.
    private func get(_ target: String, method: String = "GET") throws -> Reply {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(socketFD, 0)
        defer { close(socketFD) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.clientAddress.port!).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(connected, 0)
        let request = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(socketFD, $0, strlen($0), 0) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socketFD, &chunk, chunk.count, 0)
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        let head = try XCTUnwrap(text.range(of: "\r\n\r\n"), "no complete response to \(method) \(target)")
        let headLines = text[..<head.lowerBound].split(separator: "\r\n")
        let status = try XCTUnwrap(Int(headLines[0].split(separator: " ")[1]))
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Reply(status: status, headers: headers, body: String(text[head.upperBound...]))
    }
}
