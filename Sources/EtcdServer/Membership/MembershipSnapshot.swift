import EtcdProto
import ProtoWire
import Raft

/// The membership at one log index, as a Raft snapshot carries it (etcd keeps it in the v2
/// store its snapshots hold): once the log before a snapshot is gone, its configuration changes
/// can no longer be replayed, so the snapshot states their outcome.
///
/// Encoded as a protobuf message: `repeated etcdserverpb.Member members = 1; repeated uint64
/// removed = 2;` (one varint per removed ID, unpacked).
struct MembershipSnapshot: ProtoMessage {
    var members: [Member] = []
    var removedIDs: [UInt64] = []

    init() {}

    init(members: [Member], removedIDs: [UInt64]) {
        self.members = members
        self.removedIDs = removedIDs
    }

    /// Raft's view of the same membership.
    var configuration: ConfState {
        ConfState(
            voters: members.filter { !$0.isLearner }.map(\.id).sorted(),
            learners: members.filter(\.isLearner).map(\.id).sorted())
    }

    var encodedSize: Int {
        var size = 0
        for member in members { size += 1 + ProtoSize.lengthDelimited(member.encodedSize) }
        for id in removedIDs { size += 1 + ProtoSize.varint(id) }
        return size
    }

    func encode(to writer: inout ProtoWriter) {
        for member in members { writer.writeMessageField(1, member) }
        for id in removedIDs { writer.writeUInt64Field(2, id) }
    }

    mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                members.append(try reader.readMessage(Member.self))
            case 2 where tag.wireType == .varint:
                removedIDs.append(try reader.readUInt64())
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
