import EtcdProto
import GRPCTransport
import MVCC

/// What one user may read and write, compiled from the user's roles once per auth revision.
struct UserPermissions: Sendable {
    var isRoot: Bool
    var read: KeyIntervals
    var write: KeyIntervals
}

/// The auth store at one revision, as requests check it: immutable, published by the apply
/// loop, read without locks (see `PublishedValue`).
final class AuthView: Sendable {
    let state: AuthState
    let permissions: [String: UserPermissions]

    init(_ state: AuthState) {
        self.state = state
        var permissions: [String: UserPermissions] = [:]
        for (name, user) in state.users {
            var read: [(start: [UInt8], end: [UInt8]?)] = []
            var write: [(start: [UInt8], end: [UInt8]?)] = []
            for roleName in user.roles {
                guard let role = state.roles[roleName] else { continue }
                for permission in role.keyPermission {
                    let interval = Self.interval(permission)
                    switch permission.permType {
                    case .read: read.append(interval)
                    case .write: write.append(interval)
                    case .readwrite:
                        read.append(interval)
                        write.append(interval)
                    default: continue
                    }
                }
            }
            permissions[name] = UserPermissions(
                isRoot: user.roles.contains(AuthState.rootRole), read: KeyIntervals(read), write: KeyIntervals(write))
        }
        self.permissions = permissions
    }

    /// A granted permission as an interval: no end is the key alone, "\0" every key from it on.
    private static func interval(_ permission: Permission) -> (start: [UInt8], end: [UInt8]?) {
        if permission.rangeEnd.isEmpty { return (permission.key, permission.key + [0]) }
        if permission.rangeEnd == [0] { return (permission.key, nil) }
        return (permission.key, permission.rangeEnd)
    }
}

/// Who sent a request while auth is on: the user its token (or client certificate) names, ""
/// when it carried neither.
struct Requester: Sendable {
    enum Access { case read, write }

    let view: AuthView
    let user: String
    /// A JWT signed at an older auth revision than the store's: etcd refuses it for key access.
    var isStale = false

    /// etcd's `isOpPermitted` for `[key, rangeEnd)` (etcd's range conventions).
    func check(_ access: Access, key: [UInt8], rangeEnd: [UInt8] = []) throws(GRPCStatus) {
        if user.isEmpty { throw EtcdErrors.userEmpty }
        if isStale { throw EtcdErrors.authOldRevision }
        guard let permissions = view.permissions[user] else { throw EtcdErrors.permissionDenied }
        if permissions.isRoot { return }
        let intervals = access == .read ? permissions.read : permissions.write
        let permitted =
            if rangeEnd.isEmpty {
                intervals.contains(key)
            } else {
                intervals.covers(key, to: rangeEnd == [0] ? nil : rangeEnd)
            }
        if !permitted { throw EtcdErrors.permissionDenied }
    }

    /// Lock and Election put, read, watch and delete keys under `prefix`: they need both
    /// permissions on all of it, as the client recipes etcd runs for them would.
    func checkRecipe(prefix: [UInt8]) throws(GRPCStatus) {
        let end = prefixEnd(prefix)
        try check(.write, key: prefix, rangeEnd: end)
        try check(.read, key: prefix, rangeEnd: end)
    }

    /// etcd's `IsAdminPermitted`.
    func checkAdmin() throws(GRPCStatus) {
        do throws(MVCCError) { try view.state.checkAdmin(user) } catch { throw EtcdErrors.status(for: error) }
    }

    func check(_ range: RangeRequest) throws(GRPCStatus) {
        try check(.read, key: range.key, rangeEnd: range.rangeEnd)
    }

    /// etcd's put check: write on the key, and read too when the previous value is returned.
    func check(_ put: PutRequest) throws(GRPCStatus) {
        try check(.write, key: put.key)
        if put.prevKv { try check(.read, key: put.key) }
    }

    func check(_ delete: DeleteRangeRequest) throws(GRPCStatus) {
        try check(.write, key: delete.key, rangeEnd: delete.rangeEnd)
        if delete.prevKv { try check(.read, key: delete.key, rangeEnd: delete.rangeEnd) }
    }

    /// Read on every compare, and every operation of both branches, nested txns included.
    func check(_ txn: TxnRequest) throws(GRPCStatus) {
        for compare in txn.compare { try check(.read, key: compare.key, rangeEnd: compare.rangeEnd) }
        for operation in txn.success { try check(operation) }
        for operation in txn.failure { try check(operation) }
    }

    private func check(_ operation: RequestOp) throws(GRPCStatus) {
        switch operation.request {
        case .requestRange(let range): try check(range)
        case .requestPut(let put): try check(put)
        case .requestDeleteRange(let delete): try check(delete)
        case .requestTxn(let nested): try check(nested)
        case nil: return
        }
    }
}

extension EtcdErrors {
    public static let userEmpty = status(for: MVCCError.authUserEmpty)
    public static let permissionDenied = status(for: MVCCError.authPermissionDenied)
    public static let invalidAuthToken = status(for: MVCCError.authInvalidToken)
    public static let authFailed = status(for: MVCCError.authFailed)
    public static let authNotEnabled = status(for: MVCCError.authNotEnabled)
    public static let userNotFound = status(for: MVCCError.authUserNotFound)
    public static let roleNotFound = status(for: MVCCError.authRoleNotFound)
    public static let authOldRevision = status(for: MVCCError.authOldRevision)
    /// etcd 3.5's answer to a permission grant without a permission.
    public static let permissionNotGiven = GRPCStatus(code: .invalidArgument, message: "etcdserver: permission not given")
}
