// Hand-encoded protobuf codec for KV; see proto/kv.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `mvccpb.KeyValue`
public struct KeyValue: ProtoMessage, Hashable {
    public var key: [UInt8] = []
    public var createRevision: Int64 = 0
    public var modRevision: Int64 = 0
    public var version: Int64 = 0
    public var value: [UInt8] = []
    public var lease: Int64 = 0

    public init() {}

    public init(
        key: [UInt8] = [],
        createRevision: Int64 = 0,
        modRevision: Int64 = 0,
        version: Int64 = 0,
        value: [UInt8] = [],
        lease: Int64 = 0
    ) {
        self.key = key
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.value = value
        self.lease = lease
    }

    public var encodedSize: Int {
        var size = 0
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if self.createRevision != 0 { size += 1 + ProtoSize.int64(self.createRevision) }
        if self.modRevision != 0 { size += 1 + ProtoSize.int64(self.modRevision) }
        if self.version != 0 { size += 1 + ProtoSize.int64(self.version) }
        if !self.value.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.value.count) }
        if self.lease != 0 { size += 1 + ProtoSize.int64(self.lease) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.key.isEmpty { writer.writeBytesField(1, self.key) }
        if self.createRevision != 0 { writer.writeInt64Field(2, self.createRevision) }
        if self.modRevision != 0 { writer.writeInt64Field(3, self.modRevision) }
        if self.version != 0 { writer.writeInt64Field(4, self.version) }
        if !self.value.isEmpty { writer.writeBytesField(5, self.value) }
        if self.lease != 0 { writer.writeInt64Field(6, self.lease) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 2 where tag.wireType == .varint:
                self.createRevision = try reader.readInt64()
            case 3 where tag.wireType == .varint:
                self.modRevision = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.version = try reader.readInt64()
            case 5 where tag.wireType == .lengthDelimited:
                self.value = try reader.readBytes()
            case 6 where tag.wireType == .varint:
                self.lease = try reader.readInt64()
            case 1, 2, 3, 4, 5, 6:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `mvccpb.Event`
public struct Event: ProtoMessage, Hashable {
    /// `mvccpb.Event.EventType`; unnamed values are kept, as proto3 enums are open.
    public struct EventType: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let put = EventType(rawValue: 0)
        public static let delete = EventType(rawValue: 1)
    }

    public var type = Event.EventType.put
    public var kv: KeyValue?
    public var prevKv: KeyValue?

    public init() {}

    public init(
        type: Event.EventType = .put,
        kv: KeyValue? = nil,
        prevKv: KeyValue? = nil
    ) {
        self.type = type
        self.kv = kv
        self.prevKv = prevKv
    }

    public var encodedSize: Int {
        var size = 0
        if self.type.rawValue != 0 { size += 1 + ProtoSize.int32(self.type.rawValue) }
        if let value = self.kv { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if let value = self.prevKv { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.type.rawValue != 0 { writer.writeInt32Field(1, self.type.rawValue) }
        if let value = self.kv { writer.writeMessageField(2, value) }
        if let value = self.prevKv { writer.writeMessageField(3, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.type = Event.EventType(rawValue: try reader.readInt32())
            case 2 where tag.wireType == .lengthDelimited:
                var value = self.kv ?? KeyValue()
                try reader.mergeMessage(into: &value)
                self.kv = value
            case 3 where tag.wireType == .lengthDelimited:
                var value = self.prevKv ?? KeyValue()
                try reader.mergeMessage(into: &value)
                self.prevKv = value
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
