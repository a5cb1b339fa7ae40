// Hand-encoded protobuf codec for Cluster; see proto/rpc.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `etcdserverpb.Member`
public struct Member: ProtoMessage, Hashable {
    public var id: UInt64 = 0
    public var name: String = ""
    public var peerUrls: [String] = []
    public var clientUrls: [String] = []
    public var isLearner: Bool = false

    public init() {}

    public init(
        id: UInt64 = 0,
        name: String = "",
        peerUrls: [String] = [],
        clientUrls: [String] = [],
        isLearner: Bool = false
    ) {
        self.id = id
        self.name = name
        self.peerUrls = peerUrls
        self.clientUrls = clientUrls
        self.isLearner = isLearner
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.varint(self.id) }
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        for item in self.peerUrls { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        for item in self.clientUrls { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        if self.isLearner { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeUInt64Field(1, self.id) }
        if !self.name.isEmpty { writer.writeStringField(2, self.name) }
        for item in self.peerUrls { writer.writeStringField(3, item) }
        for item in self.clientUrls { writer.writeStringField(4, item) }
        if self.isLearner { writer.writeBoolField(5, self.isLearner) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readUInt64()
            case 2 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 3 where tag.wireType == .lengthDelimited:
                self.peerUrls.append(try reader.readString())
            case 4 where tag.wireType == .lengthDelimited:
                self.clientUrls.append(try reader.readString())
            case 5 where tag.wireType == .varint:
                self.isLearner = try reader.readBool()
            case 1, 2, 3, 4, 5:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberAddRequest`
public struct MemberAddRequest: ProtoMessage, Hashable {
    public var peerUrls: [String] = []
    public var isLearner: Bool = false

    public init() {}

    public init(
        peerUrls: [String] = [],
        isLearner: Bool = false
    ) {
        self.peerUrls = peerUrls
        self.isLearner = isLearner
    }

    public var encodedSize: Int {
        var size = 0
        for item in self.peerUrls { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        if self.isLearner { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        for item in self.peerUrls { writer.writeStringField(1, item) }
        if self.isLearner { writer.writeBoolField(2, self.isLearner) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.peerUrls.append(try reader.readString())
            case 2 where tag.wireType == .varint:
                self.isLearner = try reader.readBool()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberAddResponse`
public struct MemberAddResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var member: Member?
    public var members: [Member] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        member: Member? = nil,
        members: [Member] = []
    ) {
        self.header = header
        self.member = member
        self.members = members
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if let value = self.member { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.members { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if let value = self.member { writer.writeMessageField(2, value) }
        for item in self.members { writer.writeMessageField(3, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                var value = self.member ?? Member()
                try reader.mergeMessage(into: &value)
                self.member = value
            case 3 where tag.wireType == .lengthDelimited:
                self.members.append(try reader.readMessage(Member.self))
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberRemoveRequest`
public struct MemberRemoveRequest: ProtoMessage, Hashable {
    public var id: UInt64 = 0

    public init() {}

    public init(
        id: UInt64 = 0
    ) {
        self.id = id
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.varint(self.id) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeUInt64Field(1, self.id) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readUInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberRemoveResponse`
public struct MemberRemoveResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var members: [Member] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        members: [Member] = []
    ) {
        self.header = header
        self.members = members
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.members { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.members { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.members.append(try reader.readMessage(Member.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberUpdateRequest`
public struct MemberUpdateRequest: ProtoMessage, Hashable {
    public var id: UInt64 = 0
    public var peerUrls: [String] = []

    public init() {}

    public init(
        id: UInt64 = 0,
        peerUrls: [String] = []
    ) {
        self.id = id
        self.peerUrls = peerUrls
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.varint(self.id) }
        for item in self.peerUrls { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeUInt64Field(1, self.id) }
        for item in self.peerUrls { writer.writeStringField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readUInt64()
            case 2 where tag.wireType == .lengthDelimited:
                self.peerUrls.append(try reader.readString())
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberUpdateResponse`
public struct MemberUpdateResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var members: [Member] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        members: [Member] = []
    ) {
        self.header = header
        self.members = members
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.members { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.members { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.members.append(try reader.readMessage(Member.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberListRequest`
public struct MemberListRequest: ProtoMessage, Hashable {
    public var linearizable: Bool = false

    public init() {}

    public init(
        linearizable: Bool = false
    ) {
        self.linearizable = linearizable
    }

    public var encodedSize: Int {
        var size = 0
        if self.linearizable { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.linearizable { writer.writeBoolField(1, self.linearizable) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.linearizable = try reader.readBool()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberListResponse`
public struct MemberListResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var members: [Member] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        members: [Member] = []
    ) {
        self.header = header
        self.members = members
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.members { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.members { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.members.append(try reader.readMessage(Member.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberPromoteRequest`
public struct MemberPromoteRequest: ProtoMessage, Hashable {
    public var id: UInt64 = 0

    public init() {}

    public init(
        id: UInt64 = 0
    ) {
        self.id = id
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.varint(self.id) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeUInt64Field(1, self.id) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readUInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MemberPromoteResponse`
public struct MemberPromoteResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var members: [Member] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        members: [Member] = []
    ) {
        self.header = header
        self.members = members
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.members { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.members { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.members.append(try reader.readMessage(Member.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
