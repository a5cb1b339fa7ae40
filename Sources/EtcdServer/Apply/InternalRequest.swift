import EtcdProto
import MVCC
import ProtoWire

/// What a log entry carries: a client write, tagged with the proposal ID that its reply waits on.
///
/// Layout: kind (1 byte), proposal ID (8 bytes, big-endian), then the request exactly as the
/// client encoded it, so proposing copies the bytes once and never re-encodes. `downgradeInfoSet`,
/// which no client sends, carries etcd's own log encoding of it (`DowngradeInfoSetRequest`).
public enum InternalRequest: Sendable {
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
    case compact(CompactionRequest)
    case leaseGrant(LeaseGrantRequest)
    case leaseRevoke(LeaseRevokeRequest)
    case leaseCheckpoint(LeaseCheckpointRequest)
    case alarm(AlarmRequest)
    case downgradeInfoSet(DowngradeInfoSetRequest)
    /// A member's name and client URLs, as it publishes them once it serves (etcd's publish).
    case memberAttributes(Member)
    /// A keep-alive in a cluster of several members: renewed on every member as it is applied,
    /// so whichever member leads next knows every lease's latest renewal.
    case leaseRenew(LeaseKeepAliveRequest)
    /// A change of the auth store, with the user who asked for it.
    case auth(AuthLogEntry)
    /// A KV write whose permissions were checked at auth revision `authRevision`: applied only
    /// if no auth change came between (etcd's "revision of auth store is old" otherwise).
    indirect case authChecked(authRevision: UInt64, InternalRequest)

    public enum Kind: UInt8, Sendable {
        case put = 1
        case deleteRange = 2
        case txn = 3
        case compact = 4
        case leaseGrant = 5
        case leaseRevoke = 6
        case leaseCheckpoint = 7
        case alarm = 8
        case downgradeInfoSet = 9
        case memberAttributes = 10
        case leaseRenew = 11
        case auth = 12
        /// Payload: the auth revision (8 bytes, big-endian), the write's kind (1 byte), the write.
        case authChecked = 13
    }

    static let headerSize = 9

    /// Builds entry data from a request's wire bytes.
    public static func entryData(kind: Kind, proposalID: UInt64, request: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: headerSize + request.count) { buffer, count in
            buffer[0] = kind.rawValue
            var id = proposalID.bigEndian
            withUnsafeBytes(of: &id) { idBytes in
                for offset in 0..<8 { buffer[1 + offset] = idBytes[offset] }
            }
            if request.count > 0 {
                UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[headerSize...])).copyMemory(from: request)
            }
            count = headerSize + request.count
        }
    }

    /// The bytes that make a write's entry an `authChecked` one: they go before its request.
    public static func authCheckedPrefix(authRevision: UInt64, kind: Kind) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: authRevision >> (56 - 8 * $0)) } + [kind.rawValue]
    }

    /// Splits entry data into its proposal ID and request. Throws on data this server never wrote.
    public static func decode(_ data: [UInt8]) throws -> (proposalID: UInt64, request: InternalRequest) {
        guard data.count >= headerSize, let kind = Kind(rawValue: data[0]) else {
            throw InternalRequestError(reason: "entry of \(data.count) bytes has no valid request header")
        }
        let proposalID = data[1..<headerSize].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return try data.withUnsafeBytes { raw in
            (proposalID, try request(kind: kind, payload: UnsafeRawBufferPointer(rebasing: raw[headerSize...])))
        }
    }

    private static func request(kind: Kind, payload: UnsafeRawBufferPointer) throws -> InternalRequest {
        switch kind {
        case .put: return .put(try PutRequest(serializedBytes: payload))
        case .deleteRange: return .deleteRange(try DeleteRangeRequest(serializedBytes: payload))
        case .txn: return .txn(try TxnRequest(serializedBytes: payload))
        case .compact: return .compact(try CompactionRequest(serializedBytes: payload))
        case .leaseGrant: return .leaseGrant(try LeaseGrantRequest(serializedBytes: payload))
        case .leaseRevoke: return .leaseRevoke(try LeaseRevokeRequest(serializedBytes: payload))
        case .leaseCheckpoint:
            return .leaseCheckpoint(try LeaseCheckpointRequest(serializedBytes: payload))
        case .alarm: return .alarm(try AlarmRequest(serializedBytes: payload))
        case .downgradeInfoSet:
            return .downgradeInfoSet(try DowngradeInfoSetRequest(serializedBytes: payload))
        case .memberAttributes: return .memberAttributes(try Member(serializedBytes: payload))
        case .leaseRenew: return .leaseRenew(try LeaseKeepAliveRequest(serializedBytes: payload))
        case .auth: return .auth(try AuthLogEntry(serializedBytes: payload))
        case .authChecked:
            guard payload.count >= 9, let inner = Kind(rawValue: payload[8]), [.put, .deleteRange, .txn].contains(inner) else {
                throw InternalRequestError(reason: "auth-checked entry of \(payload.count) bytes has no valid write")
            }
            let revision = payload[0..<8].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            let write = try Self.request(kind: inner, payload: UnsafeRawBufferPointer(rebasing: payload[9...]))
            return .authChecked(authRevision: revision, write)
        }
    }
}

public struct InternalRequestError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "invalid log entry: \(reason)" }
}

/// etcd's `membershippb.DowngradeInfoSetRequest` (field 1 `enabled`, field 2 `ver`): enables a
/// downgrade job to cluster version `ver` ("3.4.0"), or cancels the job (`enabled` false, no `ver`).
public struct DowngradeInfoSetRequest: ProtoMessage, Hashable {
    public var enabled = false
    public var ver = ""

    public init() {}

    public init(enabled: Bool, ver: String = "") {
        self.enabled = enabled
        self.ver = ver
    }

    public var encodedSize: Int {
        (enabled ? 1 + 1 : 0) + (ver.isEmpty ? 0 : 1 + ProtoSize.lengthDelimited(ver.utf8.count))
    }

    public func encode(to writer: inout ProtoWriter) {
        if enabled { writer.writeBoolField(1, true) }
        if !ver.isEmpty { writer.writeStringField(2, ver) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint: enabled = try reader.readBool()
            case 2 where tag.wireType == .lengthDelimited: ver = try reader.readString()
            case 1, 2: throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
    }

    /// The job this request leaves in place: its target, or nil for a cancellation.
    func target() throws(InternalRequestError) -> ClusterVersion? {
        guard enabled else { return nil }
        guard let version = ClusterVersion(semanticVersion: ver) else {
            throw InternalRequestError(reason: "downgrade target \"\(ver)\" is not a semantic version")
        }
        return version
    }
}
