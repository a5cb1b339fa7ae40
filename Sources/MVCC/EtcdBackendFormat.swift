// The keys and values of etcd 3.4's backend (mvcc/kvstore.go, mvcc/revision.go, lease/lessor.go,
// etcdserver/api/membership/store.go, auth/store.go):
//   key:     main (8 bytes BE) '_' sub (8 bytes BE) [+ 't' for a tombstone] → mvccpb.KeyValue
//            (a tombstone's value holds the key alone)
//   meta:    consistent_index → u64 BE; finishedCompactRev / scheduledCompactRev → revision key
//   lease:   ID (8 bytes BE) → leasepb.Lease {1: ID, 2: TTL, 3: RemainingTTL}
//   members: ID in hex → member JSON; members_removed: ID in hex → "removed"
//   cluster: clusterVersion → "3.4.0"; alarm: etcdserverpb.AlarmMember → empty
//   auth:    authRevision → u64 BE (authEnabled once auth was ever switched)

import EtcdProto
import Foundation
import ProtoWire

enum EtcdBackendFormat {
    static let keyBucket = Array("key".utf8)
    static let metaBucket = Array("meta".utf8)
    static let leaseBucket = Array("lease".utf8)
    static let membersBucket = Array("members".utf8)
    static let membersRemovedBucket = Array("members_removed".utf8)
    static let clusterBucket = Array("cluster".utf8)
    static let alarmBucket = Array("alarm".utf8)
    static let authBucket = Array("auth".utf8)
    static let authUsersBucket = Array("authUsers".utf8)
    static let authRolesBucket = Array("authRoles".utf8)

    static let consistentIndexKey = Array("consistent_index".utf8)
    static let finishedCompactKey = Array("finishedCompactRev".utf8)
    static let scheduledCompactKey = Array("scheduledCompactRev".utf8)
    static let clusterVersionKey = Array("clusterVersion".utf8)
    static let authRevisionKey = Array("authRevision".utf8)
    static let authEnabledKey = Array("authEnabled".utf8)

    static let revisionKeySize = 17
    private static let tombstoneMark = UInt8(ascii: "t")

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func revisionKey(main: Int64, sub: Int64, isTombstone: Bool) -> [UInt8] {
        bigEndian(UInt64(bitPattern: main)) + [UInt8(ascii: "_")] + bigEndian(UInt64(bitPattern: sub))
            + (isTombstone ? [tombstoneMark] : [])
    }

    /// (main, sub, tombstone) of a `key` bucket key; nil if it is not one.
    static func parseRevisionKey(_ key: [UInt8]) -> (main: Int64, sub: Int64, isTombstone: Bool)? {
        guard key.count == revisionKeySize || (key.count == revisionKeySize + 1 && key[revisionKeySize] == tombstoneMark),
            key[8] == UInt8(ascii: "_")
        else { return nil }
        return key.withUnsafeBytes { bytes in
            (
                Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))),
                Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 9, as: UInt64.self))),
                key.count == revisionKeySize + 1
            )
        }
    }

    static func leaseValue(_ lease: LeaseRecord) -> [UInt8] {
        var bytes: [UInt8] = []
        for (field, value) in [(1, lease.id), (2, lease.ttl), (3, lease.remainingTTL)] where value != 0 {
            appendVarint(UInt64(field << 3), to: &bytes)
            appendVarint(UInt64(bitPattern: value), to: &bytes)
        }
        return bytes
    }

    static func parseLease(_ bytes: [UInt8]) throws(ProtoDecodingError) -> LeaseRecord {
        var record = LeaseRecord(id: 0, ttl: 0)
        try bytes.withBytes { (buffer) throws(ProtoDecodingError) in
            var reader = ProtoReader(buffer)
            while let tag = try reader.nextTag() {
                switch tag.fieldNumber {
                case 1: record.id = try reader.readInt64()
                case 2: record.ttl = try reader.readInt64()
                case 3: record.remainingTTL = try reader.readInt64()
                default: try reader.skipField(tag)
                }
            }
        }
        return record
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    static func memberKey(_ id: UInt64) -> [UInt8] { Array(String(id, radix: 16).utf8) }

    /// The JSON etcd's `json.Marshal(*Member)` gives: fields in struct order, empty ones omitted.
    static func memberJSON(_ member: Member) -> [UInt8] {
        var fields = [#""id":\#(member.id)"#, #""peerURLs":"# + jsonArray(member.peerUrls)]
        if member.isLearner { fields.append(#""isLearner":true"#) }
        if !member.name.isEmpty { fields.append(#""name":"# + jsonString(member.name)) }
        if !member.clientUrls.isEmpty { fields.append(#""clientURLs":"# + jsonArray(member.clientUrls)) }
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }

    /// etcd's member JSON; nil if it is not JSON. The ID is the bucket key's (JSON numbers
    /// above 2^53 do not survive every parser).
    static func parseMemberJSON(_ bytes: [UInt8], id: UInt64) -> Member? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        return Member(
            id: id, name: json["name"] as? String ?? "", peerUrls: json["peerURLs"] as? [String] ?? [],
            clientUrls: json["clientURLs"] as? [String] ?? [], isLearner: json["isLearner"] as? Bool ?? false)
    }

    private static func jsonArray(_ values: [String]) -> String {
        "[" + values.map(jsonString).joined(separator: ",") + "]"
    }

    /// A JSON string as Go writes it (it also escapes <, > and & for HTML).
    private static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar == "<" || scalar == ">" || scalar == "&" {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
