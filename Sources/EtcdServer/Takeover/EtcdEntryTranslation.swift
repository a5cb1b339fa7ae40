import EtcdProto
import Foundation
import GRPCTransport
import MVCC
import ProtoWire
import Raft
import Storage

/// Rewrites an etcd log entry into the entry swift-etcd would have written for the same
/// request, so the entries a take-over keeps apply (and replicate) as swift-etcd's own.
///
/// etcd's normal entries hold an `etcdserverpb.InternalRaftRequest` (fields below), or a bare
/// v2 `etcdserverpb.Request` (etcd 3.4 publishes member attributes and the cluster version
/// that way). Requests that change nothing swift-etcd keeps (reads, authentication, the v2
/// store, the cluster version) become empty entries; their index and term stay.
///
/// etcd checks a write's permissions only when it applies it, so the log may hold writes that
/// etcd refused; swift-etcd checks them before proposing. The translation follows the auth
/// store through the entries (from the backend's, as etcd's own restart does) and turns a write
/// etcd's apply would refuse into an empty entry.
struct EtcdEntryTranslation {
    /// InternalRaftRequest field numbers (etcdserver/etcdserverpb/raft_internal.proto; 13xx are etcd 3.5's).
    private enum Field {
        static let id = 1, v2 = 2, range = 3, put = 4, deleteRange = 5, txn = 6, compaction = 7
        static let leaseGrant = 8, leaseRevoke = 9, alarm = 10, leaseCheckpoint = 11
        static let header = 100
        static let authEnable = 1000, authDisable = 1011, authenticate = 1012
        static let userAdd = 1100, userDelete = 1101, userGet = 1102, userChangePassword = 1103
        static let userGrantRole = 1104, userRevokeRole = 1105, userList = 1106, roleList = 1107
        static let roleAdd = 1200, roleDelete = 1201, roleGet = 1202, roleGrantPermission = 1203, roleRevokePermission = 1204
        static let clusterVersionSet = 1300, memberAttributesSet = 1301, downgradeInfoSet = 1302
    }

    private static let passThrough: [(field: Int, kind: InternalRequest.Kind)] = [
        (Field.compaction, .compact), (Field.leaseGrant, .leaseGrant), (Field.leaseRevoke, .leaseRevoke),
        (Field.alarm, .alarm), (Field.leaseCheckpoint, .leaseCheckpoint), (Field.downgradeInfoSet, .downgradeInfoSet),
    ]
    private static let keyWrites: [(field: Int, kind: InternalRequest.Kind)] = [
        (Field.put, .put), (Field.deleteRange, .deleteRange), (Field.txn, .txn),
    ]
    private static let changingNothingKept = [
        Field.range, Field.authenticate, Field.userGet, Field.userList, Field.roleList, Field.roleGet, Field.clusterVersionSet,
    ]
    private static let v2Methods: Set<String> = ["PUT", "POST", "DELETE", "QGET", "GET", "HEAD", "SYNC"]

    private var auth: AuthState
    /// The permissions of `auth`, compiled when first needed after each change.
    private var authView: AuthView?
    /// Hashes a clear-text password of etcd 3.4's user-add and change-password requests (etcd
    /// 3.5 logs the hash, as swift-etcd does).
    private let hashPassword: (String) throws -> String

    /// `auth`: the auth store before the first entry to translate.
    init(auth: AuthState, hashPassword: @escaping (String) throws -> String) {
        self.auth = auth
        self.hashPassword = hashPassword
    }

    /// Entries must come in log order.
    mutating func translate(_ entry: Entry) throws -> WALEntry {
        let data: [UInt8]
        switch entry.type {
        case .confChange:
            data = try Self.configurationChange(entry).encoded()
        case .normal where entry.data.isEmpty:
            data = []
        case .normal:
            let fields: ProtoFields
            do { fields = try ProtoFields(entry.data) } catch { throw Self.untranslatable(entry, "undecodable request: \(error)") }
            if Self.isBareV2Request(fields) {
                data = try Self.v2Request(fields, entry: entry)
            } else {
                data = try request(fields, entry: entry)
            }
        }
        return WALEntry(index: entry.index, term: entry.term, kind: UInt8(entry.type.rawValue), data: data)
    }

    /// A configuration change with swift-etcd's context (an `etcdserverpb.Member`) in place of
    /// etcd's member JSON.
    static func configurationChange(_ entry: Entry) throws -> ConfChange {
        var change: ConfChange
        do { change = try ConfChange(decoding: entry.data) } catch {
            throw untranslatable(entry, "undecodable configuration change: \(error)")
        }
        switch change.type {
        case .addNode, .addLearnerNode, .updateNode:
            guard let json = try? JSONSerialization.jsonObject(with: Data(change.context)) as? [String: Any] else {
                throw untranslatable(entry, "the configuration change's context is not etcd's member JSON")
            }
            let member = Member(
                id: change.nodeID, name: json["name"] as? String ?? "", peerUrls: json["peerURLs"] as? [String] ?? [],
                clientUrls: json["clientURLs"] as? [String] ?? [], isLearner: json["isLearner"] as? Bool ?? false)
            change.context = member.serializedBytes()
        case .removeNode:
            change.context = []
        }
        return change
    }

    /// etcd tells the two apart by trying the InternalRaftRequest first; a bare v2 request
    /// reads as one too, so look for what only a v2 request has: a method name in field 2 and
    /// no request header.
    private static func isBareV2Request(_ fields: ProtoFields) -> Bool {
        fields.bytes(Field.header) == nil && v2Methods.contains(fields.string(2))
    }

    private static func v2Request(_ fields: ProtoFields, entry: Entry) throws -> [UInt8] {
        let path = fields.string(3).split(separator: "/")
        // The only v2 write swift-etcd keeps: a member's attributes, /0/members/<hex id>/attributes.
        guard fields.string(2) == "PUT", path.count == 4, path[0] == "0", path[1] == "members", path[3] == "attributes",
            let id = UInt64(path[2], radix: 16)
        else { return [] }
        guard let json = try? JSONSerialization.jsonObject(with: Data(fields.string(4).utf8)) as? [String: Any] else {
            throw untranslatable(entry, "member attributes that are not JSON")
        }
        let member = Member(id: id, name: json["name"] as? String ?? "", clientUrls: json["clientURLs"] as? [String] ?? [])
        return entryData(.memberAttributes, id: fields.varint(1), member.serializedBytes())
    }

    private mutating func request(_ fields: ProtoFields, entry: Entry) throws -> [UInt8] {
        let header = try fields.bytes(Field.header).map { try ProtoFields($0) }
        let id = header?.varint(1) ?? fields.varint(Field.id)
        let username = header?.string(2) ?? ""
        let authRevision = header?.varint(3) ?? 0
        for (field, kind) in Self.keyWrites {
            guard let request = fields.bytes(field) else { continue }
            if auth.enabled, try !isPermitted(kind, request, user: username, authRevision: authRevision) { return [] }
            // etcd's auth applier refuses a write checked against an older auth store; ours too.
            if authRevision > 0 {
                return Self.entryData(.authChecked, id: id, InternalRequest.authCheckedPrefix(authRevision: authRevision, kind: kind) + request)
            }
            return Self.entryData(kind, id: id, request)
        }
        for (field, kind) in Self.passThrough {
            if let request = fields.bytes(field) { return Self.entryData(kind, id: id, request) }
        }
        if let nested = fields.bytes(Field.v2) { return try Self.v2Request(try ProtoFields(nested), entry: entry) }
        if let attributes = fields.bytes(Field.memberAttributesSet) {
            let request = try ProtoFields(attributes)
            let published = try ProtoFields(request.bytes(2) ?? [])
            let member = Member(id: request.varint(1), name: published.string(1), clientUrls: published.strings(2))
            return Self.entryData(.memberAttributes, id: id, member.serializedBytes())
        }
        if let operation = try authOperation(fields) {
            let change = AuthLogEntry(requester: username, operation: operation)
            // A change the store refuses when applied changes nothing here either.
            if (try? auth.apply(change)) != nil { authView = nil }
            return Self.entryData(.auth, id: id, change.serializedBytes())
        }
        if Self.changingNothingKept.contains(where: { fields.bytes($0) != nil }) { return [] }
        throw Self.untranslatable(entry, "no request swift-etcd knows (fields \(fields.numbers.sorted()))")
    }

    /// etcd's `isOpPermitted` as its auth applier asks it: a write without a user (auth
    /// revision 0) is refused, root may do anything, others what their roles grant.
    private mutating func isPermitted(_ kind: InternalRequest.Kind, _ request: [UInt8], user: String, authRevision: UInt64) throws -> Bool {
        guard authRevision > 0 else { return false }
        let view = authView ?? AuthView(auth)
        authView = view
        let requester = Requester(view: view, user: user)
        do {
            switch kind {
            case .put: try requester.check(try PutRequest(serializedBytes: request))
            case .deleteRange: try requester.check(try DeleteRangeRequest(serializedBytes: request))
            default: try requester.check(try TxnRequest(serializedBytes: request))
            }
            return true
        } catch is GRPCStatus {
            return false
        }
    }

    private func authOperation(_ fields: ProtoFields) throws -> AuthOperation? {
        func request(_ field: Int) throws -> ProtoFields? { try fields.bytes(field).map { try ProtoFields($0) } }
        if try request(Field.authEnable) != nil { return .enable }
        if try request(Field.authDisable) != nil { return .disable }
        if let add = try request(Field.userAdd) {
            let noPassword = try ProtoFields(add.bytes(3) ?? []).bool(1)
            let hashed = noPassword ? "" : add.string(4).isEmpty ? try hashPassword(add.string(2)) : add.string(4)
            return .userAdd(name: add.string(1), hashedPassword: hashed, noPassword: noPassword)
        }
        if let delete = try request(Field.userDelete) { return .userDelete(name: delete.string(1)) }
        if let change = try request(Field.userChangePassword) {
            let hashed = change.string(3).isEmpty ? try hashPassword(change.string(2)) : change.string(3)
            return .userChangePassword(name: change.string(1), hashedPassword: hashed)
        }
        if let grant = try request(Field.userGrantRole) { return .userGrantRole(user: grant.string(1), role: grant.string(2)) }
        if let revoke = try request(Field.userRevokeRole) { return .userRevokeRole(user: revoke.string(1), role: revoke.string(2)) }
        if let add = try request(Field.roleAdd) { return .roleAdd(name: add.string(1)) }
        if let delete = try request(Field.roleDelete) { return .roleDelete(name: delete.string(1)) }
        if let grant = try request(Field.roleGrantPermission) {
            return .roleGrantPermission(role: grant.string(1), permission: try Permission(serializedBytes: grant.bytes(2) ?? []))
        }
        if let revoke = try request(Field.roleRevokePermission) {
            return .roleRevokePermission(role: revoke.string(1), key: revoke.bytes(2) ?? [], rangeEnd: revoke.bytes(3) ?? [])
        }
        return nil
    }

    private static func entryData(_ kind: InternalRequest.Kind, id: UInt64, _ request: [UInt8]) -> [UInt8] {
        request.withUnsafeBytes { InternalRequest.entryData(kind: kind, proposalID: id, request: $0) }
    }

    private static func untranslatable(_ entry: Entry, _ reason: String) -> TakeoverError {
        TakeoverError("cannot convert etcd's log entry \(entry.index) (term \(entry.term)): \(reason)")
    }
}

/// Why a data directory of etcd cannot be taken over; nothing was changed.
public struct TakeoverError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
