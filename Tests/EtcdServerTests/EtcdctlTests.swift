import Foundation
import Logging
import XCTest

@testable import EtcdServer

/// Drives an in-process server with the real `etcdctl` (etcd-client 3.4) over loopback.
final class EtcdctlTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "swift-etcd-tests-" + UUID().uuidString
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func startServer() throws -> EtcdServer {
        let configuration = ServerConfiguration.loneMemberForTests(name: "test", directory: directory)
        let logger = Logger.quietForTests
        return try EtcdServer.start(configuration: configuration, logger: logger)
    }

    private struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    private func etcdctl(_ server: EtcdServer, _ arguments: [String], stdin: String? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        process.arguments = ["--endpoints=127.0.0.1:\(server.clientAddress.port!)", "--command-timeout=5s"] + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    private func json(_ output: Output) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    func testPutGetDeleteAndRevisions() throws {
        let server = try startServer()
        defer { server.shutdown() }
        XCTAssertEqual(try etcdctl(server, ["put", "foo", "bar"]).stdout, "OK\n")
        XCTAssertEqual(try etcdctl(server, ["put", "foo2", "baz"]).stdout, "OK\n")
        XCTAssertEqual(try etcdctl(server, ["get", "foo", "--prefix"]).stdout, "foo\nbar\nfoo2\nbaz\n")
        let header = try XCTUnwrap(try json(try etcdctl(server, ["get", "foo", "-w", "json"]))["header"] as? [String: Any])
        XCTAssertEqual(header["revision"] as? Int, 3)
        XCTAssertEqual(header["raft_term"] as? Int, 2)
        XCTAssertEqual(header["member_id"] as? UInt64, server.identity.memberID)
        XCTAssertEqual(try etcdctl(server, ["del", "foo", "--prefix"]).stdout, "2\n")
        XCTAssertEqual(try etcdctl(server, ["get", "foo", "--rev", "3"]).stdout, "foo\nbar\n")
        let future = try etcdctl(server, ["get", "foo", "--rev", "99"])
        XCTAssertNotEqual(future.status, 0)
        XCTAssertTrue(future.stderr.contains("etcdserver: mvcc: required revision is a future revision"), future.stderr)
    }

    func testTxnFromStandardInput() throws {
        let server = try startServer()
        defer { server.shutdown() }
        _ = try etcdctl(server, ["put", "k", "v1"])
        let script = "value(\"k\") = \"v1\"\n\nput k v2\nput other x\n\nput k never\n\n"
        let output = try etcdctl(server, ["txn"], stdin: script)
        XCTAssertEqual(output.stdout, "SUCCESS\n\nOK\n\nOK\n", output.stderr)
        XCTAssertEqual(try etcdctl(server, ["get", "k", "--print-value-only"]).stdout, "v2\n")
    }

    func testCompactionAndCompactedReads() throws {
        let server = try startServer()
        defer { server.shutdown() }
        for value in ["a", "b", "c"] { _ = try etcdctl(server, ["put", "k", value]) }
        XCTAssertEqual(try etcdctl(server, ["compaction", "3"]).stdout, "compacted revision 3\n")
        let compacted = try etcdctl(server, ["get", "k", "--rev", "2"])
        XCTAssertTrue(compacted.stderr.contains("etcdserver: mvcc: required revision has been compacted"), compacted.stderr)
        XCTAssertEqual(try etcdctl(server, ["get", "k", "--rev", "3", "--print-value-only"]).stdout, "b\n")
        for value in ["d", "e"] { _ = try etcdctl(server, ["put", "k", value]) }
        XCTAssertEqual(try etcdctl(server, ["compaction", "--physical", "5"]).stdout, "compacted revision 5\n")
        XCTAssertEqual(try server.core.store.finishedCompactionRevision(), 5, "a physical compaction replies once done")
        XCTAssertEqual(try etcdctl(server, ["get", "k", "--print-value-only"]).stdout, "e\n")
    }

    func testRestartBringsBackEveryWriteAndStartsANewTerm() throws {
        // The first server must be gone before the second opens the same LMDB environment: LMDB
        // forbids two handles on one environment in a process.
        try {
            let server = try startServer()
            for index in 0..<20 { _ = try etcdctl(server, ["put", "key\(index)", "value\(index)"]) }
            server.shutdown()
        }()
        let server = try startServer()
        defer { server.shutdown() }
        let response = try json(try etcdctl(server, ["get", "key", "--prefix", "-w", "json"]))
        XCTAssertEqual((response["kvs"] as? [Any])?.count, 20)
        let header = try XCTUnwrap(response["header"] as? [String: Any])
        XCTAssertEqual(header["revision"] as? Int, 21)
        XCTAssertEqual(header["raft_term"] as? Int, 3)
        XCTAssertEqual(try etcdctl(server, ["put", "after", "restart", "-w", "json"]).status, 0)
        let after = try json(try etcdctl(server, ["get", "after", "-w", "json"]))
        XCTAssertEqual((after["header"] as? [String: Any])?["revision"] as? Int, 22)
    }

    func testBadRequestsGetEtcdsErrors() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let lease = try etcdctl(server, ["put", "k", "v", "--lease=1234"])
        XCTAssertTrue(lease.stderr.contains("etcdserver: requested lease not found"), lease.stderr)
        var script = ""
        for index in 0..<129 { script += "put k\(index) v\n" }
        let tooMany = try etcdctl(server, ["txn"], stdin: "\n" + script + "\n\n")
        XCTAssertTrue(tooMany.stderr.contains("etcdserver: too many operations in txn request"), tooMany.stderr)
        let duplicate = try etcdctl(server, ["txn"], stdin: "\nput a 1\nput a 2\n\n\n")
        XCTAssertTrue(duplicate.stderr.contains("etcdserver: duplicate key given in txn request"), duplicate.stderr)
        let header = try XCTUnwrap(try json(try etcdctl(server, ["get", "k", "-w", "json"]))["header"] as? [String: Any])
        XCTAssertEqual(header["revision"] as? Int, 1, "rejected requests must not create revisions")
    }

    func testMembershipStatusAndLeadershipAnswerAsEtcdDoesForOneMember() throws {
        let server = try startServer()
        defer { server.shutdown() }
        let id = String(server.identity.memberID, radix: 16)
        XCTAssertEqual(
            try etcdctl(server, ["member", "list"]).stdout,
            "\(id), started, test, http://127.0.0.1:2380, http://localhost:2379, false\n")
        XCTAssertTrue(try etcdctl(server, ["member", "remove", id]).stderr.contains(
            "etcdserver: re-configuration failed due to not enough started members"))
        XCTAssertTrue(try etcdctl(server, ["member", "remove", "1234"]).stderr.contains("etcdserver: member not found"))
        XCTAssertTrue(try etcdctl(server, ["member", "promote", id]).stderr.contains(
            "etcdserver: can only promote a learner member"))
        XCTAssertTrue(try etcdctl(server, ["member", "add", "x", "--peer-urls=http://127.0.0.1:2380"]).stderr.contains(
            "etcdserver: Peer URLs already exists"))
        XCTAssertEqual(try etcdctl(server, ["move-leader", id]).stdout, "Leadership transferred from \(id) to \(id)\n")
        XCTAssertTrue(try etcdctl(server, ["move-leader", "1234"]).stderr.contains("etcdserver: bad leader transferee"))
        _ = try etcdctl(server, ["put", "k", "v"])
        let status = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(try etcdctl(server, ["endpoint", "status", "-w", "json"]).stdout.utf8))
                as? [[String: Any]])?.first?["Status"] as? [String: Any])
        XCTAssertEqual(status["version"] as? String, reportedEtcdVersion)
        XCTAssertEqual(status["leader"] as? UInt64, server.identity.memberID)
        // The log holds the leader's first entry, this member's published attributes and the put.
        XCTAssertEqual(status["raftAppliedIndex"] as? Int, 3)
        XCTAssertEqual(status["raftIndex"] as? Int, 3)
        XCTAssertEqual((status["header"] as? [String: Any])?["revision"] as? Int, 2)
        let hashes = try (1...2).map { _ in try etcdctl(server, ["endpoint", "hashkv", "-w", "json"]).stdout }
        XCTAssertEqual(hashes[0], hashes[1], "HashKV is stable while nothing changes")
        _ = try etcdctl(server, ["put", "k", "w"])
        XCTAssertNotEqual(try etcdctl(server, ["endpoint", "hashkv", "-w", "json"]).stdout, hashes[0])
    }
}

extension EtcdctlTests {
    func testRestartKeepsAVoterAddedThroughTheLog() throws {
        try {
            let server = try startServer()
            let added = try etcdctl(server, ["member", "add", "second", "--peer-urls=http://127.0.0.1:9"])
            XCTAssertEqual(added.status, 0, added.stderr)
            XCTAssertTrue(added.stdout.contains(" added to cluster "), added.stdout)
            server.shutdown()
        }()
        let server = try startServer()
        defer { server.shutdown() }
        // The WAL's configuration change makes two voters, one never started: no quorum, so the
        // restarted member must not win an election as if it were alone again.
        XCTAssertEqual(Set(server.core.membership.list.flatMap(\.peerUrls)), ["http://127.0.0.1:2380", "http://127.0.0.1:9"])
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(server.core.log.status.leader, 0, "a member with an unstarted second voter has no quorum")
    }
}
