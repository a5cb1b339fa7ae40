import EtcdProto
import Foundation
import Logging
import MVCC
import Raft
import XCTest

@testable import EtcdServer

/// Protobuf by hand, as etcd's gogoproto writes it.
private enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
        return out
    }

    static func field(_ number: UInt64, _ value: UInt64) -> [UInt8] { varint(number << 3) + varint(value) }

    static func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes }

    static func field(_ number: UInt64, _ string: String) -> [UInt8] { field(number, Array(string.utf8)) }
}

final class EtcdTakeoverTests: XCTestCase {
    private func translate(_ data: [UInt8], type: EntryType = .normal, auth: AuthState = AuthState()) throws -> [UInt8] {
        var translation = EtcdEntryTranslation(auth: auth) { "hashed(\($0))" }
        return try translation.translate(Entry(term: 2, index: 9, type: type, data: data)).data
    }

    /// Auth on: root, and alice who may write keys under "foo" only.
    private var authEnabled: AuthState {
        var auth = AuthState()
        try! auth.apply(AuthLogEntry(requester: "", operation: .userAdd(name: "root", hashedPassword: "x", noPassword: false)))
        try! auth.apply(AuthLogEntry(requester: "", operation: .userGrantRole(user: "root", role: "root")))
        try! auth.apply(AuthLogEntry(requester: "", operation: .userAdd(name: "alice", hashedPassword: "x", noPassword: false)))
        try! auth.apply(AuthLogEntry(requester: "", operation: .roleAdd(name: "writer")))
        try! auth.apply(AuthLogEntry(requester: "", operation: .roleGrantPermission(
            role: "writer", permission: Permission(permType: .write, key: Array("foo".utf8), rangeEnd: Array("fop".utf8)))))
        try! auth.apply(AuthLogEntry(requester: "", operation: .userGrantRole(user: "alice", role: "writer")))
        try! auth.apply(AuthLogEntry(requester: "", operation: .enable))
        return auth
    }

    /// etcd 3.4 checks permissions when it applies a write: a refused one changes nothing.
    func testAWriteEtcdsApplyWouldRefuseBecomesAnEmptyEntry() throws {
        let put = { (key: String) in Wire.field(4, Wire.field(1, key) + Wire.field(2, "v")) }
        XCTAssertEqual(try translate(put("bar") + header(id: 1, username: "alice", authRevision: 8), auth: authEnabled), [])
        XCTAssertEqual(try translate(put("foo1") + header(id: 1), auth: authEnabled), [], "no user while auth is on")
        XCTAssertNotEqual(try translate(put("foo1") + header(id: 1, username: "alice", authRevision: 8), auth: authEnabled), [])
        XCTAssertNotEqual(try translate(put("bar") + header(id: 1, username: "root", authRevision: 8), auth: authEnabled), [])
    }

    func testAuthChangesInTheLogAreFollowed() throws {
        var translation = EtcdEntryTranslation(auth: authEnabled) { $0 }
        let grant = Wire.field(1, "writer") + Wire.field(2, Wire.field(1, 1) + Wire.field(2, "bar"))
        _ = try translation.translate(Entry(term: 2, index: 1, data: Wire.field(1203, grant) + header(id: 1, username: "root", authRevision: 8)))
        let put = Wire.field(4, Wire.field(1, "bar") + Wire.field(2, "v")) + header(id: 2, username: "alice", authRevision: 9)
        XCTAssertNotEqual(try translation.translate(Entry(term: 2, index: 2, data: put)).data, [])
    }

    private func header(id: UInt64, username: String = "", authRevision: UInt64 = 0) -> [UInt8] {
        Wire.field(100, Wire.field(1, id) + (username.isEmpty ? [] : Wire.field(2, username)) + (authRevision == 0 ? [] : Wire.field(3, authRevision)))
    }

    func testAPutKeepsItsRequestAndProposalID() throws {
        let put = Wire.field(1, "foo") + Wire.field(2, "bar")
        let (id, request) = try InternalRequest.decode(try translate(Wire.field(4, put) + header(id: 77)))
        XCTAssertEqual(id, 77)
        guard case .put(let decoded) = request else { return XCTFail("not a put: \(request)") }
        XCTAssertEqual(decoded.key, Array("foo".utf8))
        XCTAssertEqual(decoded.value, Array("bar".utf8))
    }

    func testAWriteCheckedAgainstAnAuthRevisionStaysChecked() throws {
        let put = Wire.field(1, "foo") + Wire.field(2, "bar")
        let (_, request) = try InternalRequest.decode(try translate(Wire.field(4, put) + header(id: 1, username: "alice", authRevision: 5)))
        guard case .authChecked(let revision, .put) = request else { return XCTFail("not an auth-checked put: \(request)") }
        XCTAssertEqual(revision, 5)
    }

    func testEtcd34sUserAddIsLoggedWithTheHashNotThePassword() throws {
        let add = Wire.field(1, "alice") + Wire.field(2, "secret")
        let (_, request) = try InternalRequest.decode(try translate(Wire.field(1100, add) + header(id: 3, username: "root")))
        guard case .auth(let entry) = request else { return XCTFail("not an auth change: \(request)") }
        XCTAssertEqual(entry.requester, "root")
        XCTAssertEqual(entry.operation, .userAdd(name: "alice", hashedPassword: "hashed(secret)", noPassword: false))
    }

    func testAV2MemberAttributesPublishBecomesOurs() throws {
        let v2 = Wire.field(1, 12) + Wire.field(2, "PUT") + Wire.field(3, "/0/members/8e9e05c52164694d/attributes")
            + Wire.field(4, #"{"name":"infra1","clientURLs":["http://127.0.0.1:2379"]}"#)
        let (_, request) = try InternalRequest.decode(try translate(v2))
        XCTAssertEqual(
            request.memberAttributes,
            Member(id: 0x8e9e_05c5_2164_694d, name: "infra1", clientUrls: ["http://127.0.0.1:2379"]))
    }

    func testRequestsThatChangeNothingKeptBecomeEmptyEntries() throws {
        XCTAssertEqual(try translate(Wire.field(1, 5) + Wire.field(2, "SYNC") + Wire.field(15, 1_700_000_000)), [])
        XCTAssertEqual(try translate(Wire.field(3, Wire.field(1, "foo")) + header(id: 4)), [])
    }

    func testAConfigurationChangeCarriesOurMemberInsteadOfEtcdsJSON() throws {
        let change = ConfChange(
            id: 1, type: .addNode, nodeID: 0x1234,
            context: Array(#"{"id":4660,"peerURLs":["http://127.0.0.1:2380"],"name":"m1"}"#.utf8))
        let translated = try ConfChange(decoding: try translate(change.encoded(), type: .confChange))
        XCTAssertEqual(translated.nodeID, 0x1234)
        XCTAssertEqual(try Member(serializedBytes: translated.context), Member(id: 0x1234, name: "m1", peerUrls: ["http://127.0.0.1:2380"]))
    }

    func testAnUnknownRequestIsRefusedNamingTheEntry() {
        XCTAssertThrowsError(try translate(Wire.field(9999, Wire.field(1, 1)) + header(id: 5))) { error in
            XCTAssertTrue("\(error)".contains("entry 9 (term 2)"), "\(error)")
        }
    }

    /// A crash after the rename that completes a conversion: the next start finishes the moves.
    func testAnInterruptedTakeOverIsFinishedByTheNextStart() throws {
        let root = NSTemporaryDirectory() + "takeover-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let member = root + "/member"
        for directory in ["takeover/db", "takeover/wal", "etcd-wal", "snap"] {
            try FileManager.default.createDirectory(atPath: member + "/" + directory, withIntermediateDirectories: true)
        }
        XCTAssertTrue(FileManager.default.createFile(atPath: member + "/takeover/wal/ours.wal", contents: Data()))
        XCTAssertTrue(FileManager.default.createFile(atPath: member + "/snap/db", contents: Data("bbolt".utf8)))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        XCTAssertTrue(EtcdTakeover.isNeeded(dataDirectory: root))
        XCTAssertNil(try EtcdTakeover.convertIfNeeded(dataDirectory: root, bcryptCost: 4, logger: logger))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: member).sorted(), ["db", "etcd-snap", "etcd-wal", "wal"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: member + "/wal"), ["ours.wal"])
        XCTAssertEqual(FileManager.default.contents(atPath: member + "/etcd-snap/db"), Data("bbolt".utf8))
        XCTAssertFalse(EtcdTakeover.isNeeded(dataDirectory: root))
    }
}

extension InternalRequest {
    fileprivate var memberAttributes: Member? {
        if case .memberAttributes(let member) = self { return member }
        return nil
    }
}
