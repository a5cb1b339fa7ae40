@testable import EtcdServer
import EtcdProto
import GRPCTransport
import MVCC
import XCTest

final class AuthPermissionTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testMergedIntervalsCoverRangesAcrossAdjacentGrants() {
        let intervals = KeyIntervals([
            (start: bytes("b"), end: bytes("d")), (start: bytes("a"), end: bytes("b")), (start: bytes("x"), end: nil),
        ])
        XCTAssertTrue(intervals.contains(bytes("a")))
        XCTAssertTrue(intervals.contains(bytes("c")))
        XCTAssertFalse(intervals.contains(bytes("d")))
        XCTAssertTrue(intervals.covers(bytes("a"), to: bytes("d")))
        XCTAssertFalse(intervals.covers(bytes("a"), to: bytes("e")))
        XCTAssertFalse(intervals.covers(bytes("a"), to: nil))
        XCTAssertTrue(intervals.covers(bytes("xyz"), to: nil))
        XCTAssertFalse(intervals.contains(bytes("0")))
    }

    private func view() throws -> AuthView {
        var state = AuthState()
        let operations: [AuthOperation] = [
            .userAdd(name: "root", hashedPassword: "h", noPassword: false),
            .userGrantRole(user: "root", role: "root"),
            .userAdd(name: "alice", hashedPassword: "h", noPassword: false),
            .roleAdd(name: "r"),
            .roleGrantPermission(role: "r", permission: Permission(permType: .readwrite, key: bytes("foo"), rangeEnd: bytes("fop"))),
            .roleGrantPermission(role: "r", permission: Permission(permType: .read, key: bytes("ro"))),
            .userGrantRole(user: "alice", role: "r"),
            .enable,
        ]
        for operation in operations { try state.apply(AuthLogEntry(requester: "root", operation: operation)) }
        return AuthView(state)
    }

    private func denied(_ body: () throws(GRPCStatus) -> Void) -> GRPCStatus? {
        do { try body() } catch { return error }
        return nil
    }

    func testRequestsAreCheckedAgainstTheUsersRoles() throws {
        let alice = Requester(view: try view(), user: "alice")
        XCTAssertNil(denied { () throws(GRPCStatus) in try alice.check(.write, key: bytes("foo1")) })
        XCTAssertNil(denied { () throws(GRPCStatus) in try alice.check(.read, key: bytes("foo"), rangeEnd: bytes("fop")) })
        XCTAssertNil(denied { () throws(GRPCStatus) in try alice.check(.read, key: bytes("ro")) })
        XCTAssertEqual(denied { () throws(GRPCStatus) in try alice.check(.write, key: bytes("ro")) }, EtcdErrors.permissionDenied)
        XCTAssertEqual(denied { () throws(GRPCStatus) in try alice.check(.read, key: bytes("foo"), rangeEnd: [0]) }, EtcdErrors.permissionDenied)
        var txn = TxnRequest()
        txn.success = [RequestOp(request: .requestPut(PutRequest(key: bytes("foo2"))))]
        var nested = TxnRequest()
        nested.failure = [RequestOp(request: .requestDeleteRange(DeleteRangeRequest(key: bytes("zzz"))))]
        XCTAssertNil(denied { () throws(GRPCStatus) in try alice.check(txn) })
        txn.failure = [RequestOp(request: .requestTxn(nested))]
        XCTAssertEqual(denied { () throws(GRPCStatus) in try alice.check(txn) }, EtcdErrors.permissionDenied)
        XCTAssertEqual(denied { () throws(GRPCStatus) in try alice.checkAdmin() }, EtcdErrors.permissionDenied)
        let nobody = Requester(view: try view(), user: "")
        XCTAssertEqual(denied { () throws(GRPCStatus) in try nobody.check(.read, key: bytes("foo")) }, EtcdErrors.userEmpty)
        let root = Requester(view: try view(), user: "root")
        XCTAssertNil(denied { () throws(GRPCStatus) in try root.check(.write, key: bytes("anything"), rangeEnd: [0]) })
    }

    func testBcryptHashesInEtcdsFormAndVerifiesGoHashes() throws {
        let hash = try XCTUnwrap(Bcrypt.hash("secret", cost: 4))
        XCTAssertTrue(hash.hasPrefix("$2a$04$"))
        XCTAssertTrue(Bcrypt.verify("secret", hash: Array(hash.utf8)))
        XCTAssertFalse(Bcrypt.verify("Secret", hash: Array(hash.utf8)))
        XCTAssertFalse(Bcrypt.verify("secret", hash: Array("not a hash".utf8)))
        // Written by Go's golang.org/x/crypto/bcrypt (etcd) for "pass" at cost 10.
        let goHash = "$2a$10$ZsM8IfU8pZN8DRXr1RIc6eN4D5zqd9xx6n6EpD4BXzqBADcU3tJGe"
        XCTAssertTrue(Bcrypt.verify("pass", hash: Array(goHash.utf8)))
    }

    func testTokensExpireAndAreInvalidatedPerUser() {
        let tokens = SimpleTokens(ttl: .seconds(60))
        tokens.assign("a.1", to: "alice")
        tokens.assign("b.2", to: "bob")
        XCTAssertEqual(tokens.user(for: "a.1"), "alice")
        XCTAssertNil(tokens.user(for: "forged.3"))
        tokens.invalidate(user: "alice")
        XCTAssertNil(tokens.user(for: "a.1"))
        XCTAssertEqual(tokens.user(for: "b.2"), "bob")
        let expiring = SimpleTokens(ttl: .nanoseconds(1))
        expiring.assign("c.3", to: "carol")
        Thread.sleep(forTimeInterval: 0.01)
        XCTAssertNil(expiring.user(for: "c.3"))
    }
}

final class AuthCheckedEntryTests: XCTestCase {
    func testAnAuthCheckedWriteRoundTripsThroughTheLogEncoding() throws {
        var put = PutRequest()
        put.key = Array("k".utf8)
        let body = InternalRequest.authCheckedPrefix(authRevision: 0x0102_0304_0506_0708, kind: .put) + put.serializedBytes()
        let data = body.withUnsafeBytes { InternalRequest.entryData(kind: .authChecked, proposalID: 9, request: $0) }
        let (proposalID, request) = try InternalRequest.decode(data)
        XCTAssertEqual(proposalID, 9)
        guard case .authChecked(let revision, .put(let decoded)) = request else { return XCTFail("decoded \(request)") }
        XCTAssertEqual(revision, 0x0102_0304_0506_0708)
        XCTAssertEqual(decoded, put)
        // Only writes may be wrapped.
        let lease = InternalRequest.authCheckedPrefix(authRevision: 1, kind: .leaseGrant)
        let bad = lease.withUnsafeBytes { InternalRequest.entryData(kind: .authChecked, proposalID: 1, request: $0) }
        XCTAssertThrowsError(try InternalRequest.decode(bad))
    }
}
