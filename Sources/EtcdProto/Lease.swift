// Hand-encoded protobuf codec for Lease; see proto/rpc.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `etcdserverpb.LeaseGrantRequest`
public struct LeaseGrantRequest: ProtoMessage, Hashable {
    public var ttl: Int64 = 0
    public var id: Int64 = 0

    public init() {}

    public init(
        ttl: Int64 = 0,
        id: Int64 = 0
    ) {
        self.ttl = ttl
        self.id = id
    }

    public var encodedSize: Int {
        var size = 0
        if self.ttl != 0 { size += 1 + ProtoSize.int64(self.ttl) }
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.ttl != 0 { writer.writeInt64Field(1, self.ttl) }
        if self.id != 0 { writer.writeInt64Field(2, self.id) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.ttl = try reader.readInt64()
            case 2 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseGrantResponse`
public struct LeaseGrantResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var id: Int64 = 0
    public var ttl: Int64 = 0
    public var error: String = ""

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        id: Int64 = 0,
        ttl: Int64 = 0,
        error: String = ""
    ) {
        self.header = header
        self.id = id
        self.ttl = ttl
        self.error = error
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        if self.ttl != 0 { size += 1 + ProtoSize.int64(self.ttl) }
        if !self.error.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.error.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.id != 0 { writer.writeInt64Field(2, self.id) }
        if self.ttl != 0 { writer.writeInt64Field(3, self.ttl) }
        if !self.error.isEmpty { writer.writeStringField(4, self.error) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 3 where tag.wireType == .varint:
                self.ttl = try reader.readInt64()
            case 4 where tag.wireType == .lengthDelimited:
                self.error = try reader.readString()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseRevokeRequest`
public struct LeaseRevokeRequest: ProtoMessage, Hashable {
    public var id: Int64 = 0

    public init() {}

    public init(
        id: Int64 = 0
    ) {
        self.id = id
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeInt64Field(1, self.id) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseRevokeResponse`
public struct LeaseRevokeResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.LeaseCheckpoint`
public struct LeaseCheckpoint: ProtoMessage, Hashable {
    public var id: Int64 = 0
    public var remainingTtl: Int64 = 0

    public init() {}

    public init(
        id: Int64 = 0,
        remainingTtl: Int64 = 0
    ) {
        self.id = id
        self.remainingTtl = remainingTtl
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        if self.remainingTtl != 0 { size += 1 + ProtoSize.int64(self.remainingTtl) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeInt64Field(1, self.id) }
        if self.remainingTtl != 0 { writer.writeInt64Field(2, self.remainingTtl) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 2 where tag.wireType == .varint:
                self.remainingTtl = try reader.readInt64()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseCheckpointRequest`
public struct LeaseCheckpointRequest: ProtoMessage, Hashable {
    public var checkpoints: [LeaseCheckpoint] = []

    public init() {}

    public init(
        checkpoints: [LeaseCheckpoint] = []
    ) {
        self.checkpoints = checkpoints
    }

    public var encodedSize: Int {
        var size = 0
        for item in self.checkpoints { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        for item in self.checkpoints { writer.writeMessageField(1, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.checkpoints.append(try reader.readMessage(LeaseCheckpoint.self))
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseCheckpointResponse`
public struct LeaseCheckpointResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.LeaseKeepAliveRequest`
public struct LeaseKeepAliveRequest: ProtoMessage, Hashable {
    public var id: Int64 = 0

    public init() {}

    public init(
        id: Int64 = 0
    ) {
        self.id = id
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeInt64Field(1, self.id) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseKeepAliveResponse`
public struct LeaseKeepAliveResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var id: Int64 = 0
    public var ttl: Int64 = 0

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        id: Int64 = 0,
        ttl: Int64 = 0
    ) {
        self.header = header
        self.id = id
        self.ttl = ttl
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        if self.ttl != 0 { size += 1 + ProtoSize.int64(self.ttl) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.id != 0 { writer.writeInt64Field(2, self.id) }
        if self.ttl != 0 { writer.writeInt64Field(3, self.ttl) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 3 where tag.wireType == .varint:
                self.ttl = try reader.readInt64()
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseTimeToLiveRequest`
public struct LeaseTimeToLiveRequest: ProtoMessage, Hashable {
    public var id: Int64 = 0
    public var keys: Bool = false

    public init() {}

    public init(
        id: Int64 = 0,
        keys: Bool = false
    ) {
        self.id = id
        self.keys = keys
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        if self.keys { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeInt64Field(1, self.id) }
        if self.keys { writer.writeBoolField(2, self.keys) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 2 where tag.wireType == .varint:
                self.keys = try reader.readBool()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseTimeToLiveResponse`
public struct LeaseTimeToLiveResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var id: Int64 = 0
    public var ttl: Int64 = 0
    public var grantedTtl: Int64 = 0
    public var keys: [[UInt8]] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        id: Int64 = 0,
        ttl: Int64 = 0,
        grantedTtl: Int64 = 0,
        keys: [[UInt8]] = []
    ) {
        self.header = header
        self.id = id
        self.ttl = ttl
        self.grantedTtl = grantedTtl
        self.keys = keys
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        if self.ttl != 0 { size += 1 + ProtoSize.int64(self.ttl) }
        if self.grantedTtl != 0 { size += 1 + ProtoSize.int64(self.grantedTtl) }
        for item in self.keys { size += 1 + ProtoSize.lengthDelimited(item.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.id != 0 { writer.writeInt64Field(2, self.id) }
        if self.ttl != 0 { writer.writeInt64Field(3, self.ttl) }
        if self.grantedTtl != 0 { writer.writeInt64Field(4, self.grantedTtl) }
        for item in self.keys { writer.writeBytesField(5, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 3 where tag.wireType == .varint:
                self.ttl = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.grantedTtl = try reader.readInt64()
            case 5 where tag.wireType == .lengthDelimited:
                self.keys.append(try reader.readBytes())
            case 1, 2, 3, 4, 5:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseLeasesRequest`
public struct LeaseLeasesRequest: ProtoMessage, Hashable {
    public init() {}

    public var encodedSize: Int {
        0
    }

    public func encode(to _: inout ProtoWriter) {
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            try reader.skipField(tag)
        }
    }
}

/// `etcdserverpb.LeaseStatus`
public struct LeaseStatus: ProtoMessage, Hashable {
    public var id: Int64 = 0

    public init() {}

    public init(
        id: Int64 = 0
    ) {
        self.id = id
    }

    public var encodedSize: Int {
        var size = 0
        if self.id != 0 { size += 1 + ProtoSize.int64(self.id) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.id != 0 { writer.writeInt64Field(1, self.id) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.id = try reader.readInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.LeaseLeasesResponse`
public struct LeaseLeasesResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var leases: [LeaseStatus] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        leases: [LeaseStatus] = []
    ) {
        self.header = header
        self.leases = leases
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.leases { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.leases { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.leases.append(try reader.readMessage(LeaseStatus.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
