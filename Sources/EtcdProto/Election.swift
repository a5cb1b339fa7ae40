// Hand-encoded protobuf codec for Election; see proto/v3election.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `v3electionpb.CampaignRequest`
public struct CampaignRequest: ProtoMessage, Hashable {
    public var name: [UInt8] = []
    public var lease: Int64 = 0
    public var value: [UInt8] = []

    public init() {}

    public init(
        name: [UInt8] = [],
        lease: Int64 = 0,
        value: [UInt8] = []
    ) {
        self.name = name
        self.lease = lease
        self.value = value
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.count) }
        if self.lease != 0 { size += 1 + ProtoSize.int64(self.lease) }
        if !self.value.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.value.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeBytesField(1, self.name) }
        if self.lease != 0 { writer.writeInt64Field(2, self.lease) }
        if !self.value.isEmpty { writer.writeBytesField(3, self.value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readBytes()
            case 2 where tag.wireType == .varint:
                self.lease = try reader.readInt64()
            case 3 where tag.wireType == .lengthDelimited:
                self.value = try reader.readBytes()
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.CampaignResponse`
public struct CampaignResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var leader: LeaderKey?

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        leader: LeaderKey? = nil
    ) {
        self.header = header
        self.leader = leader
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if let value = self.leader { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if let value = self.leader { writer.writeMessageField(2, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                var value = self.leader ?? LeaderKey()
                try reader.mergeMessage(into: &value)
                self.leader = value
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.LeaderKey`
public struct LeaderKey: ProtoMessage, Hashable {
    public var name: [UInt8] = []
    public var key: [UInt8] = []
    public var rev: Int64 = 0
    public var lease: Int64 = 0

    public init() {}

    public init(
        name: [UInt8] = [],
        key: [UInt8] = [],
        rev: Int64 = 0,
        lease: Int64 = 0
    ) {
        self.name = name
        self.key = key
        self.rev = rev
        self.lease = lease
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.count) }
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if self.rev != 0 { size += 1 + ProtoSize.int64(self.rev) }
        if self.lease != 0 { size += 1 + ProtoSize.int64(self.lease) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeBytesField(1, self.name) }
        if !self.key.isEmpty { writer.writeBytesField(2, self.key) }
        if self.rev != 0 { writer.writeInt64Field(3, self.rev) }
        if self.lease != 0 { writer.writeInt64Field(4, self.lease) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 3 where tag.wireType == .varint:
                self.rev = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.lease = try reader.readInt64()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.LeaderRequest`
public struct LeaderRequest: ProtoMessage, Hashable {
    public var name: [UInt8] = []

    public init() {}

    public init(
        name: [UInt8] = []
    ) {
        self.name = name
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeBytesField(1, self.name) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readBytes()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.LeaderResponse`
public struct LeaderResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var kv: KeyValue?

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        kv: KeyValue? = nil
    ) {
        self.header = header
        self.kv = kv
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if let value = self.kv { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if let value = self.kv { writer.writeMessageField(2, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                var value = self.kv ?? KeyValue()
                try reader.mergeMessage(into: &value)
                self.kv = value
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.ResignRequest`
public struct ResignRequest: ProtoMessage, Hashable {
    public var leader: LeaderKey?

    public init() {}

    public init(
        leader: LeaderKey? = nil
    ) {
        self.leader = leader
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.leader { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.leader { writer.writeMessageField(1, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.leader ?? LeaderKey()
                try reader.mergeMessage(into: &value)
                self.leader = value
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.ResignResponse`
public struct ResignResponse: ProtoMessage, Hashable {
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

/// `v3electionpb.ProclaimRequest`
public struct ProclaimRequest: ProtoMessage, Hashable {
    public var leader: LeaderKey?
    public var value: [UInt8] = []

    public init() {}

    public init(
        leader: LeaderKey? = nil,
        value: [UInt8] = []
    ) {
        self.leader = leader
        self.value = value
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.leader { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if !self.value.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.value.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.leader { writer.writeMessageField(1, value) }
        if !self.value.isEmpty { writer.writeBytesField(2, self.value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.leader ?? LeaderKey()
                try reader.mergeMessage(into: &value)
                self.leader = value
            case 2 where tag.wireType == .lengthDelimited:
                self.value = try reader.readBytes()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `v3electionpb.ProclaimResponse`
public struct ProclaimResponse: ProtoMessage, Hashable {
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
