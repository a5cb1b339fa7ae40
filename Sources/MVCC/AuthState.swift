// etcd's auth store: users, roles and their key permissions, the enabled flag and the auth
// revision. The whole state is one record in the `auth` table, rewritten by each change in the
// apply batch's transaction (auth changes are rare and the state is small).

import EtcdProto
import ProtoWire
import Storage

/// The users and roles of the auth store, as applied so far.
public struct AuthState: Sendable, Hashable {
    public var enabled = false
    /// etcd's auth revision: 1 in a new store, one more for each change.
    public var revision: UInt64 = 1
    public var users: [String: User] = [:]
    public var roles: [String: Role] = [:]

    public init() {}

    public static let rootUser = "root"
    public static let rootRole = "root"

    /// User names in etcd's order (the bucket's byte order).
    public var userNames: [String] { users.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }
    public var roleNames: [String] { roles.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) } }

    public func hasRootRole(_ user: String) -> Bool {
        users[user]?.roles.contains(Self.rootRole) ?? false
    }

    /// etcd's `IsAdminPermitted`: anyone while auth is off, else only a user with the root role.
    public func checkAdmin(_ user: String) throws(MVCCError) {
        guard enabled else { return }
        if user.isEmpty { throw .authUserEmpty }
        guard users[user] != nil else { throw .authUserNotFound }
        if !hasRootRole(user) { throw .authPermissionDenied }
    }
}

/// One change of the auth store as the log carries it. Passwords are already hashed: the
/// proposing member hashed them, so the log holds no clear text and apply never runs bcrypt.
public enum AuthOperation: Sendable, Hashable {
    case enable
    case disable
    /// A password already checked by the proposing member; applying it assigns `token` to `name`.
    case authenticate(name: String, token: String)
    case userAdd(name: String, hashedPassword: String, noPassword: Bool)
    case userDelete(name: String)
    case userChangePassword(name: String, hashedPassword: String)
    case userGrantRole(user: String, role: String)
    case userRevokeRole(user: String, role: String)
    case roleAdd(name: String)
    case roleDelete(name: String)
    case roleGrantPermission(role: String, permission: Permission)
    case roleRevokePermission(role: String, key: [UInt8], rangeEnd: [UInt8])

    /// Changes only a root user may make once auth is on (etcd's `needAdminPermission`).
    var needsAdmin: Bool {
        if case .authenticate = self { return false }
        return true
    }
}

/// A log entry of the auth store: the change and who asked for it (checked when applied, as
/// etcd's auth applier checks the request header's user).
public struct AuthLogEntry: ProtoMessage, Hashable {
    public var requester = ""
    public var operation = AuthOperation.enable

    public init() {}

    public init(requester: String, operation: AuthOperation) {
        self.requester = requester
        self.operation = operation
    }

    // Field 1: requester. Field 2: operation kind. Fields 3…: its arguments.
    private var kind: Int32 {
        switch operation {
        case .enable: 1
        case .disable: 2
        case .authenticate: 3
        case .userAdd: 4
        case .userDelete: 5
        case .userChangePassword: 6
        case .userGrantRole: 7
        case .userRevokeRole: 8
        case .roleAdd: 9
        case .roleDelete: 10
        case .roleGrantPermission: 11
        case .roleRevokePermission: 12
        }
    }

    private var arguments: (first: [UInt8], second: [UInt8], flag: Bool) {
        switch operation {
        case .enable, .disable: return ([], [], false)
        case .authenticate(let name, let token): return (Array(name.utf8), Array(token.utf8), false)
        case .userAdd(let name, let hash, let noPassword): return (Array(name.utf8), Array(hash.utf8), noPassword)
        case .userDelete(let name), .roleAdd(let name), .roleDelete(let name): return (Array(name.utf8), [], false)
        case .userChangePassword(let name, let hash): return (Array(name.utf8), Array(hash.utf8), false)
        case .userGrantRole(let user, let role), .userRevokeRole(let user, let role):
            return (Array(user.utf8), Array(role.utf8), false)
        case .roleGrantPermission(let role, let permission):
            return (Array(role.utf8), permission.serializedBytes(), false)
        case .roleRevokePermission(let role, let key, let rangeEnd):
            return (Array(role.utf8), Permission(key: key, rangeEnd: rangeEnd).serializedBytes(), false)
        }
    }

    public var encodedSize: Int {
        let (first, second, flag) = arguments
        return (requester.isEmpty ? 0 : 1 + ProtoSize.lengthDelimited(requester.utf8.count))
            + 1 + ProtoSize.int32(kind)
            + (first.isEmpty ? 0 : 1 + ProtoSize.lengthDelimited(first.count))
            + (second.isEmpty ? 0 : 1 + ProtoSize.lengthDelimited(second.count))
            + (flag ? 2 : 0)
    }

    public func encode(to writer: inout ProtoWriter) {
        let (first, second, flag) = arguments
        if !requester.isEmpty { writer.writeStringField(1, requester) }
        writer.writeInt32Field(2, kind)
        if !first.isEmpty { writer.writeBytesField(3, first) }
        if !second.isEmpty { writer.writeBytesField(4, second) }
        if flag { writer.writeBoolField(5, true) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        var kind: Int32 = 0
        var first: [UInt8] = []
        var second: [UInt8] = []
        var flag = false
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited: requester = try reader.readString()
            case 2 where tag.wireType == .varint: kind = try reader.readInt32()
            case 3 where tag.wireType == .lengthDelimited: first = try reader.readBytes()
            case 4 where tag.wireType == .lengthDelimited: second = try reader.readBytes()
            case 5 where tag.wireType == .varint: flag = try reader.readBool()
            case 1, 2, 3, 4, 5: throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
        let name = String(decoding: first, as: UTF8.self)
        let other = String(decoding: second, as: UTF8.self)
        switch kind {
        case 1: operation = .enable
        case 2: operation = .disable
        case 3: operation = .authenticate(name: name, token: other)
        case 4: operation = .userAdd(name: name, hashedPassword: other, noPassword: flag)
        case 5: operation = .userDelete(name: name)
        case 6: operation = .userChangePassword(name: name, hashedPassword: other)
        case 7: operation = .userGrantRole(user: name, role: other)
        case 8: operation = .userRevokeRole(user: name, role: other)
        case 9: operation = .roleAdd(name: name)
        case 10: operation = .roleDelete(name: name)
        case 11: operation = .roleGrantPermission(role: name, permission: try Permission(serializedBytes: second))
        case 12:
            let permission = try Permission(serializedBytes: second)
            operation = .roleRevokePermission(role: name, key: permission.key, rangeEnd: permission.rangeEnd)
        default: throw ProtoDecodingError.unknownValue(field: 2, value: Int64(kind))
        }
    }
}

extension AuthState {
    /// Applies one change as etcd's auth store does, or throws etcd's error leaving the state as
    /// it was. `authenticate` changes nothing here (its token is the server's business).
    public mutating func apply(_ entry: AuthLogEntry) throws(MVCCError) {
        if entry.operation.needsAdmin { try checkAdmin(entry.requester) }
        switch entry.operation {
        case .enable:
            if enabled { return }
            guard let root = users[Self.rootUser] else { throw .authRootUserNotExist }
            if !root.roles.contains(Self.rootRole) { throw .authRootRoleNotExist }
            // etcd does not advance the revision on enable.
            enabled = true
            return
        case .disable:
            if !enabled { return }
            enabled = false
        case .authenticate(let name, _):
            if !enabled { throw .authNotEnabled }
            guard let user = users[name], user.options?.noPassword != true else { throw .authFailed }
            return
        case .userAdd(let name, let hash, let noPassword):
            if name.isEmpty { throw .authUserEmpty }
            if users[name] != nil { throw .authUserAlreadyExist }
            users[name] = User(
                name: Array(name.utf8), password: noPassword ? [] : Array(hash.utf8),
                options: UserAddOptions(noPassword: noPassword))
        case .userDelete(let name):
            if enabled && name == Self.rootUser { throw .authInvalidManagement }
            if users.removeValue(forKey: name) == nil { throw .authUserNotFound }
        case .userChangePassword(let name, let hash):
            guard users[name] != nil else { throw .authUserNotFound }
            users[name]!.password = Array(hash.utf8)
        case .userGrantRole(let name, let role):
            guard var user = users[name] else { throw .authUserNotFound }
            if role != Self.rootRole && roles[role] == nil { throw .authRoleNotFound }
            // etcd ignores granting a role the user already has (and keeps the revision).
            if user.roles.contains(role) { return }
            user.roles.append(role)
            user.roles.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            users[name] = user
        case .userRevokeRole(let name, let role):
            if enabled && name == Self.rootUser && role == Self.rootRole { throw .authInvalidManagement }
            guard var user = users[name] else { throw .authUserNotFound }
            guard let index = user.roles.firstIndex(of: role) else { throw .authRoleNotGranted }
            user.roles.remove(at: index)
            users[name] = user
        case .roleAdd(let name):
            if name.isEmpty { throw .authRoleEmpty }
            if roles[name] != nil { throw .authRoleAlreadyExist }
            roles[name] = Role(name: Array(name.utf8))
        case .roleDelete(let name):
            if enabled && name == Self.rootRole { throw .authInvalidManagement }
            if roles.removeValue(forKey: name) == nil { throw .authRoleNotFound }
            for (userName, var user) in users where user.roles.contains(name) {
                user.roles.removeAll { $0 == name }
                users[userName] = user
            }
        case .roleGrantPermission(let name, let permission):
            guard var role = roles[name] else { throw .authRoleNotFound }
            if !Self.isValidPermissionRange(key: permission.key, rangeEnd: permission.rangeEnd) {
                throw .authInvalidManagement
            }
            if let index = role.keyPermission.firstIndex(where: { $0.key == permission.key && $0.rangeEnd == permission.rangeEnd }) {
                role.keyPermission[index].permType = permission.permType
            } else {
                role.keyPermission.append(Permission(
                    permType: permission.permType, key: permission.key, rangeEnd: permission.rangeEnd))
                // Stable: etcd sorts by key only, keeping the order of equal keys.
                role.keyPermission = role.keyPermission.enumerated().sorted { lhs, rhs in
                    if lhs.element.key != rhs.element.key { return lhs.element.key.lexicographicallyPrecedes(rhs.element.key) }
                    return lhs.offset < rhs.offset
                }.map(\.element)
            }
            roles[name] = role
        case .roleRevokePermission(let name, let key, let rangeEnd):
            guard var role = roles[name] else { throw .authRoleNotFound }
            let before = role.keyPermission.count
            role.keyPermission.removeAll { $0.key == key && $0.rangeEnd == rangeEnd }
            if role.keyPermission.count == before { throw .authPermissionNotGranted }
            roles[name] = role
        }
        revision += 1
    }

    /// etcd 3.5's check of a granted range: a key, and an end that is absent, "\0" (every key
    /// from `key` on) or after the key.
    static func isValidPermissionRange(key: [UInt8], rangeEnd: [UInt8]) -> Bool {
        if key.isEmpty { return false }
        if rangeEnd.isEmpty || rangeEnd == [0] { return true }
        return key.lexicographicallyPrecedes(rangeEnd)
    }
}

extension MVCCError {
    public static let authRootUserNotExist = auth("etcdserver: root user does not exist", code: 9)
    public static let authRootRoleNotExist = auth("etcdserver: root user does not have root role", code: 9)
    public static let authUserAlreadyExist = auth("etcdserver: user name already exists", code: 9)
    public static let authUserEmpty = auth("etcdserver: user name is empty", code: 3)
    public static let authUserNotFound = auth("etcdserver: user name not found", code: 9)
    public static let authRoleAlreadyExist = auth("etcdserver: role name already exists", code: 9)
    public static let authRoleNotFound = auth("etcdserver: role name not found", code: 9)
    public static let authRoleEmpty = auth("etcdserver: role name is empty", code: 3)
    public static let authFailed = auth("etcdserver: authentication failed, invalid user ID or password", code: 3)
    public static let authPermissionDenied = auth("etcdserver: permission denied", code: 7)
    public static let authRoleNotGranted = auth("etcdserver: role is not granted to the user", code: 9)
    public static let authPermissionNotGranted = auth("etcdserver: permission is not granted to the role", code: 9)
    public static let authNotEnabled = auth("etcdserver: authentication is not enabled", code: 9)
    public static let authInvalidToken = auth("etcdserver: invalid auth token", code: 16)
    public static let authInvalidManagement = auth("etcdserver: invalid auth management", code: 3)
    public static let authOldRevision = auth("etcdserver: revision of auth store is old", code: 3)

    private static func auth(_ message: String, code: Int) -> MVCCError {
        MVCCError(code: .auth, message: message, grpcStatusCode: code)
    }
}

// MARK: Persistence

/// The auth table's one record: field 1 enabled, 2 revision, 3 users, 4 roles.
struct AuthRecord: ProtoMessage {
    var state = AuthState()

    static let key: [UInt8] = Array("state".utf8)

    var encodedSize: Int {
        var size = (state.enabled ? 2 : 0) + 1 + ProtoSize.varint(state.revision)
        for user in state.users.values { size += 1 + ProtoSize.lengthDelimited(user.encodedSize) }
        for role in state.roles.values { size += 1 + ProtoSize.lengthDelimited(role.encodedSize) }
        return size
    }

    func encode(to writer: inout ProtoWriter) {
        if state.enabled { writer.writeBoolField(1, true) }
        writer.writeUInt64Field(2, state.revision)
        for name in state.userNames { writer.writeMessageField(3, state.users[name]!) }
        for name in state.roleNames { writer.writeMessageField(4, state.roles[name]!) }
    }

    mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint: state.enabled = try reader.readBool()
            case 2 where tag.wireType == .varint: state.revision = try reader.readUInt64()
            case 3 where tag.wireType == .lengthDelimited:
                let user = try reader.readMessage(User.self)
                state.users[String(decoding: user.name, as: UTF8.self)] = user
            case 4 where tag.wireType == .lengthDelimited:
                let role = try reader.readMessage(Role.self)
                state.roles[String(decoding: role.name, as: UTF8.self)] = role
            case 1, 2, 3, 4: throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension StoreView {
    /// Only this store writes the record: one that does not decode is corruption, reported as
    /// a storage failure (which stops the member).
    func authState() throws(LMDBError) -> AuthState {
        try AuthRecord.key.withBytes { (key) throws(LMDBError) -> AuthState in
            guard let stored = try self.transaction.get(self.tables.auth, key: key) else { return AuthState() }
            do {
                return try AuthRecord(serializedBytes: stored).state
            } catch {
                throw LMDBError(code: 0, reason: "corrupt auth record: \(error)")
            }
        }
    }

    func saveAuthState(_ state: AuthState) throws(LMDBError) {
        let bytes = AuthRecord(state: state).serializedBytes()
        try AuthRecord.key.withBytes { (key) throws(LMDBError) in
            try bytes.withBytes { (value) throws(LMDBError) in
                try self.transaction.put(self.tables.auth, key: key, value: value)
            }
        }
    }
}

extension MVCCStore {
    /// The auth store as applied (any thread).
    public func authState() throws(MVCCError) -> AuthState {
        try self.read { (view) throws(MVCCError) -> AuthState in
            do throws(LMDBError) { return try view.authState() } catch { throw .storage(error) }
        }
    }
}
