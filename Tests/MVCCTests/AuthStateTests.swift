import EtcdProto
import Foundation
import MVCC
import XCTest

final class AuthStateTests: XCTestCase {
    private func apply(_ state: inout AuthState, _ operation: AuthOperation, as requester: String = "") throws {
        try state.apply(AuthLogEntry(requester: requester, operation: operation))
    }

    private func expect(_ error: MVCCError, _ body: () throws -> Void) {
        XCTAssertThrowsError(try body()) { XCTAssertEqual(($0 as? MVCCError)?.message, error.message) }
    }

    private func enabledState() throws -> AuthState {
        var state = AuthState()
        try apply(&state, .userAdd(name: "root", hashedPassword: "h", noPassword: false))
        try apply(&state, .userGrantRole(user: "root", role: "root"))
        try apply(&state, .userAdd(name: "alice", hashedPassword: "h", noPassword: false))
        try apply(&state, .enable)
        return state
    }

    func testEnableNeedsARootUserWithTheRootRoleAndKeepsTheRevision() throws {
        var state = AuthState()
        expect(.authRootUserNotExist) { try apply(&state, .enable) }
        try apply(&state, .userAdd(name: "root", hashedPassword: "h", noPassword: false))
        expect(.authRootRoleNotExist) { try apply(&state, .enable) }
        try apply(&state, .userGrantRole(user: "root", role: "root"))
        let revision = state.revision
        try apply(&state, .enable)
        XCTAssertTrue(state.enabled)
        XCTAssertEqual(state.revision, revision)
        try apply(&state, .disable, as: "root")
        XCTAssertFalse(state.enabled)
        XCTAssertEqual(state.revision, revision + 1)
    }

    func testRefusedChangesLeaveTheStateAsItWas() throws {
        var state = try enabledState()
        let before = state
        expect(.authPermissionDenied) { try apply(&state, .roleAdd(name: "r"), as: "alice") }
        expect(.authUserEmpty) { try apply(&state, .roleAdd(name: "r")) }
        expect(.authUserNotFound) { try apply(&state, .roleAdd(name: "r"), as: "ghost") }
        expect(.authInvalidManagement) { try apply(&state, .userDelete(name: "root"), as: "root") }
        expect(.authInvalidManagement) { try apply(&state, .userRevokeRole(user: "root", role: "root"), as: "root") }
        expect(.authUserAlreadyExist) { try apply(&state, .userAdd(name: "alice", hashedPassword: "", noPassword: true), as: "root") }
        expect(.authRoleNotFound) { try apply(&state, .userGrantRole(user: "alice", role: "nope"), as: "root") }
        expect(.authRoleNotGranted) { try apply(&state, .userRevokeRole(user: "alice", role: "root"), as: "root") }
        XCTAssertEqual(state, before)
    }

    func testPermissionRangesMustHaveAKeyAndAnEndAfterIt() throws {
        var state = try enabledState()
        try apply(&state, .roleAdd(name: "r"), as: "root")
        let before = state
        for (key, end) in [([UInt8](), [UInt8]()), (Array("b".utf8), Array("a".utf8)), (Array("b".utf8), Array("b".utf8))] {
            expect(.authInvalidManagement) {
                try apply(&state, .roleGrantPermission(role: "r", permission: Permission(permType: .read, key: key, rangeEnd: end)), as: "root")
            }
        }
        XCTAssertEqual(state, before)
        try apply(&state, .roleGrantPermission(role: "r", permission: Permission(permType: .read, key: Array("a".utf8), rangeEnd: [0])), as: "root")
        try apply(&state, .roleGrantPermission(role: "r", permission: Permission(permType: .write, key: Array("a".utf8), rangeEnd: [0])), as: "root")
        XCTAssertEqual(state.roles["r"]?.keyPermission, [Permission(permType: .write, key: Array("a".utf8), rangeEnd: [0])])
        expect(.authPermissionNotGranted) { try apply(&state, .roleRevokePermission(role: "r", key: Array("a".utf8), rangeEnd: []), as: "root") }
    }

    func testDeletingARoleRemovesItFromItsUsers() throws {
        var state = try enabledState()
        try apply(&state, .roleAdd(name: "r"), as: "root")
        try apply(&state, .userGrantRole(user: "alice", role: "r"), as: "root")
        let revision = state.revision
        // Granting a role the user has changes nothing, not even the revision.
        try apply(&state, .userGrantRole(user: "alice", role: "r"), as: "root")
        XCTAssertEqual(state.revision, revision)
        try apply(&state, .roleDelete(name: "r"), as: "root")
        XCTAssertEqual(state.users["alice"]?.roles, [])
    }

    func testTheLogEntryRoundTrips() throws {
        let entries = [
            AuthLogEntry(requester: "root", operation: .userAdd(name: "u", hashedPassword: "$2a$10$x", noPassword: true)),
            AuthLogEntry(requester: "", operation: .authenticate(name: "u", token: "abc.1")),
            AuthLogEntry(requester: "root", operation: .roleGrantPermission(
                role: "r", permission: Permission(permType: .readwrite, key: Array("k".utf8), rangeEnd: [0]))),
            AuthLogEntry(requester: "root", operation: .roleRevokePermission(role: "r", key: Array("k".utf8), rangeEnd: [])),
            AuthLogEntry(requester: "root", operation: .disable),
        ]
        for entry in entries {
            XCTAssertEqual(try AuthLogEntry(serializedBytes: entry.serializedBytes()), entry)
        }
    }

    func testTheStateIsPersistedWithTheAppliedIndex() throws {
        let directory = NSTemporaryDirectory() + "auth-state-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try MVCCStore(directory: directory)
            let results = try store.apply([
                .auth(AuthLogEntry(requester: "", operation: .userAdd(name: "root", hashedPassword: "h", noPassword: false))),
                .auth(AuthLogEntry(requester: "", operation: .userGrantRole(user: "root", role: "root"))),
                .auth(AuthLogEntry(requester: "", operation: .enable)),
                .auth(AuthLogEntry(requester: "", operation: .roleAdd(name: "r"))),
            ], lastIndex: 5)
            guard case .failure(let error) = results[3].response else { return XCTFail("a change without a user was applied") }
            XCTAssertEqual(error.message, MVCCError.authUserEmpty.message)
        }
        let reopened = try MVCCStore(directory: directory)
        let state = try reopened.authState()
        XCTAssertTrue(state.enabled)
        XCTAssertEqual(state.userNames, ["root"])
        XCTAssertEqual(state.roleNames, [])
        XCTAssertEqual(state.revision, 3)
        XCTAssertEqual(try reopened.appliedIndex(), 5)
    }

    func testAWriteCheckedAtAnOlderAuthRevisionIsRefused() throws {
        let directory = NSTemporaryDirectory() + "auth-checked-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try MVCCStore(directory: directory)
        var put = PutRequest()
        put.key = Array("k".utf8)
        let results = try store.apply([
            .auth(AuthLogEntry(requester: "", operation: .userAdd(name: "root", hashedPassword: "h", noPassword: false))),
            .auth(AuthLogEntry(requester: "", operation: .userGrantRole(user: "root", role: "root"))),
            .auth(AuthLogEntry(requester: "", operation: .enable)),
            .authChecked(authRevision: 2, .put(put)),
            .authChecked(authRevision: 3, .put(put)),
        ], lastIndex: 1)
        guard case .failure(let error) = results[3].response else { return XCTFail("a stale write was applied") }
        XCTAssertEqual(error.message, "etcdserver: revision of auth store is old")
        guard case .success(.put) = results[4].response else { return XCTFail("a current write was refused") }
        XCTAssertEqual(try store.currentRevision(), 2)
    }
}
