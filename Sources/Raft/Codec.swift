import ProtoWire

/// raftpb.ConfChange as etcd encodes it (proto2, every field present): the payload of a
/// configuration-change entry.
extension ConfChange {
    public func encoded() -> [UInt8] {
        let size = 1 + ProtoSize.varint(id) + 1 + ProtoSize.varint(UInt64(type.rawValue)) + 1 + ProtoSize.varint(nodeID)
            + 1 + ProtoSize.varint(UInt64(context.count)) + context.count
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = ProtoWriter(UnsafeMutableRawBufferPointer(buffer))
            writer.writeTag(1, .varint)
            writer.writeVarint(id)
            writer.writeTag(2, .varint)
            writer.writeVarint(UInt64(type.rawValue))
            writer.writeTag(3, .varint)
            writer.writeVarint(nodeID)
            writer.writeBytesField(4, context)
            count = size
        }
    }

    public init(decoding bytes: [UInt8]) throws(ProtoDecodingError) {
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtoDecodingError) -> ConfChange in
                var change = ConfChange(type: .addNode, nodeID: 0)
                var reader = ProtoReader(raw)
                while let tag = try reader.nextTag() {
                    switch (tag.fieldNumber, tag.wireType) {
                    case (1, .varint): change.id = try reader.readUInt64()
                    case (2, .varint):
                        guard let kind = ConfChangeType(rawValue: try reader.readInt32()) else {
                            throw ProtoDecodingError.wrongWireType(tag)
                        }
                        change.type = kind
                    case (3, .varint): change.nodeID = try reader.readUInt64()
                    case (4, .lengthDelimited): change.context = try reader.readBytes()
                    default: try reader.skipField(tag)
                    }
                }
                return change
            }
        }
        self = try decoded.get()
    }
}
