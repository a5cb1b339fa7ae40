// Hand-encoded protobuf codec for Watch; see proto/rpc.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `etcdserverpb.WatchRequest`
public struct WatchRequest: ProtoMessage, Hashable {
    public enum RequestUnion: Hashable, Sendable {
        case createRequest(WatchCreateRequest)
        case cancelRequest(WatchCancelRequest)
        case progressRequest(WatchProgressRequest)
    }

    public var requestUnion: RequestUnion?

    public init() {}

    public init(
        requestUnion: RequestUnion? = nil
    ) {
        self.requestUnion = requestUnion
    }

    public var encodedSize: Int {
        var size = 0
        switch self.requestUnion {
        case .createRequest(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .cancelRequest(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .progressRequest(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case nil: break
        }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        switch self.requestUnion {
        case .createRequest(let value)?: writer.writeMessageField(1, value)
        case .cancelRequest(let value)?: writer.writeMessageField(2, value)
        case .progressRequest(let value)?: writer.writeMessageField(3, value)
        case nil: break
        }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = WatchCreateRequest()
                if case .createRequest(let existing)? = self.requestUnion { value = existing }
                try reader.mergeMessage(into: &value)
                self.requestUnion = .createRequest(value)
            case 2 where tag.wireType == .lengthDelimited:
                var value = WatchCancelRequest()
                if case .cancelRequest(let existing)? = self.requestUnion { value = existing }
                try reader.mergeMessage(into: &value)
                self.requestUnion = .cancelRequest(value)
            case 3 where tag.wireType == .lengthDelimited:
                var value = WatchProgressRequest()
                if case .progressRequest(let existing)? = self.requestUnion { value = existing }
                try reader.mergeMessage(into: &value)
                self.requestUnion = .progressRequest(value)
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.WatchCreateRequest`
public struct WatchCreateRequest: ProtoMessage, Hashable {
    /// `etcdserverpb.WatchCreateRequest.FilterType`; unnamed values are kept, as proto3 enums are open.
    public struct FilterType: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let noput = FilterType(rawValue: 0)
        public static let nodelete = FilterType(rawValue: 1)
    }

    public var key: [UInt8] = []
    public var rangeEnd: [UInt8] = []
    public var startRevision: Int64 = 0
    public var progressNotify: Bool = false
    public var filters: [WatchCreateRequest.FilterType] = []
    public var prevKv: Bool = false
    public var watchId: Int64 = 0
    public var fragment: Bool = false

    public init() {}

    public init(
        key: [UInt8] = [],
        rangeEnd: [UInt8] = [],
        startRevision: Int64 = 0,
        progressNotify: Bool = false,
        filters: [WatchCreateRequest.FilterType] = [],
        prevKv: Bool = false,
        watchId: Int64 = 0,
        fragment: Bool = false
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.startRevision = startRevision
        self.progressNotify = progressNotify
        self.filters = filters
        self.prevKv = prevKv
        self.watchId = watchId
        self.fragment = fragment
    }

    public var encodedSize: Int {
        var size = 0
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.rangeEnd.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.rangeEnd.count) }
        if self.startRevision != 0 { size += 1 + ProtoSize.int64(self.startRevision) }
        if self.progressNotify { size += 1 + 1 }
        if !self.filters.isEmpty { size += 1 + ProtoSize.lengthDelimited(ProtoSize.packedEnumPayload(self.filters)) }
        if self.prevKv { size += 1 + 1 }
        if self.watchId != 0 { size += 1 + ProtoSize.int64(self.watchId) }
        if self.fragment { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.key.isEmpty { writer.writeBytesField(1, self.key) }
        if !self.rangeEnd.isEmpty { writer.writeBytesField(2, self.rangeEnd) }
        if self.startRevision != 0 { writer.writeInt64Field(3, self.startRevision) }
        if self.progressNotify { writer.writeBoolField(4, self.progressNotify) }
        if !self.filters.isEmpty {
            writer.writePackedEnumField(5, self.filters, payloadSize: ProtoSize.packedEnumPayload(self.filters))
        }
        if self.prevKv { writer.writeBoolField(6, self.prevKv) }
        if self.watchId != 0 { writer.writeInt64Field(7, self.watchId) }
        if self.fragment { writer.writeBoolField(8, self.fragment) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.rangeEnd = try reader.readBytes()
            case 3 where tag.wireType == .varint:
                self.startRevision = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.progressNotify = try reader.readBool()
            case 5 where tag.wireType == .varint || tag.wireType == .lengthDelimited:
                try reader.readRepeatedEnum(wireType: tag.wireType, into: &self.filters)
            case 6 where tag.wireType == .varint:
                self.prevKv = try reader.readBool()
            case 7 where tag.wireType == .varint:
                self.watchId = try reader.readInt64()
            case 8 where tag.wireType == .varint:
                self.fragment = try reader.readBool()
            case 1, 2, 3, 4, 5, 6, 7, 8:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.WatchCancelRequest`
public struct WatchCancelRequest: ProtoMessage, Hashable {
    public var watchId: Int64 = 0

    public init() {}

    public init(
        watchId: Int64 = 0
    ) {
        self.watchId = watchId
    }

    public var encodedSize: Int {
        var size = 0
        if self.watchId != 0 { size += 1 + ProtoSize.int64(self.watchId) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.watchId != 0 { writer.writeInt64Field(1, self.watchId) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.watchId = try reader.readInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.WatchProgressRequest`
public struct WatchProgressRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.WatchResponse`
public struct WatchResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var watchId: Int64 = 0
    public var created: Bool = false
    public var canceled: Bool = false
    public var compactRevision: Int64 = 0
    public var cancelReason: String = ""
    public var fragment: Bool = false
    public var events: [Event] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        watchId: Int64 = 0,
        created: Bool = false,
        canceled: Bool = false,
        compactRevision: Int64 = 0,
        cancelReason: String = "",
        fragment: Bool = false,
        events: [Event] = []
    ) {
        self.header = header
        self.watchId = watchId
        self.created = created
        self.canceled = canceled
        self.compactRevision = compactRevision
        self.cancelReason = cancelReason
        self.fragment = fragment
        self.events = events
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.watchId != 0 { size += 1 + ProtoSize.int64(self.watchId) }
        if self.created { size += 1 + 1 }
        if self.canceled { size += 1 + 1 }
        if self.compactRevision != 0 { size += 1 + ProtoSize.int64(self.compactRevision) }
        if !self.cancelReason.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.cancelReason.utf8.count) }
        if self.fragment { size += 1 + 1 }
        for item in self.events { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.watchId != 0 { writer.writeInt64Field(2, self.watchId) }
        if self.created { writer.writeBoolField(3, self.created) }
        if self.canceled { writer.writeBoolField(4, self.canceled) }
        if self.compactRevision != 0 { writer.writeInt64Field(5, self.compactRevision) }
        if !self.cancelReason.isEmpty { writer.writeStringField(6, self.cancelReason) }
        if self.fragment { writer.writeBoolField(7, self.fragment) }
        for item in self.events { writer.writeMessageField(11, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.watchId = try reader.readInt64()
            case 3 where tag.wireType == .varint:
                self.created = try reader.readBool()
            case 4 where tag.wireType == .varint:
                self.canceled = try reader.readBool()
            case 5 where tag.wireType == .varint:
                self.compactRevision = try reader.readInt64()
            case 6 where tag.wireType == .lengthDelimited:
                self.cancelReason = try reader.readString()
            case 7 where tag.wireType == .varint:
                self.fragment = try reader.readBool()
            case 11 where tag.wireType == .lengthDelimited:
                self.events.append(try reader.readMessage(Event.self))
            case 1, 2, 3, 4, 5, 6, 7, 11:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
