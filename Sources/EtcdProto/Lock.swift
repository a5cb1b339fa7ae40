// Hand-encoded protobuf codec for Lock; see proto/v3lock.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `v3lockpb.LockRequest`
public struct LockRequest: ProtoMessage, Hashable {
    public var name: [UInt8] = []
    public var lease: Int64 = 0

    public init() {}

    public init(
        name: [UInt8] = [],
        lease: Int64 = 0
    ) {
        self.name = name
        self.lease = lease
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.count) }
        if self.lease != 0 { size += 1 + ProtoSize.int64(self.lease) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeBytesField(1, self.name) }
        if self.lease != 0 { writer.writeInt64Field(2, self.lease) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readBytes()
            case 2 where tag.wireType == .varint:
                self.lease = try reader.readInt64()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3lockpb.LockResponse`
public struct LockResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var key: [UInt8] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        key: [UInt8] = []
    ) {
        self.header = header
        self.key = key
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if !self.key.isEmpty { writer.writeBytesField(2, self.key) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3lockpb.UnlockRequest`
public struct UnlockRequest: ProtoMessage, Hashable {
    public var key: [UInt8] = []

    public init() {}

    public init(
        key: [UInt8] = []
    ) {
        self.key = key
    }

    public var encodedSize: Int {
        var size = 0
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.key.isEmpty { writer.writeBytesField(1, self.key) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3lockpb.UnlockResponse`
public struct UnlockResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?

    public init() {}

    public init(
        header: ResponseHeader? = nil
    ) {
        self.header = header
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
