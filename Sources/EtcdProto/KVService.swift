// Hand-encoded protobuf codec for KVService; see proto/rpc.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `etcdserverpb.ResponseHeader`
public struct ResponseHeader: ProtoMessage, Hashable {
    public var clusterId: UInt64 = 0
    public var memberId: UInt64 = 0
    public var revision: Int64 = 0
    public var raftTerm: UInt64 = 0

    public init() {}

    public init(
        clusterId: UInt64 = 0,
        memberId: UInt64 = 0,
        revision: Int64 = 0,
        raftTerm: UInt64 = 0
    ) {
        self.clusterId = clusterId
        self.memberId = memberId
        self.revision = revision
        self.raftTerm = raftTerm
    }

    public var encodedSize: Int {
        var size = 0
        if self.clusterId != 0 { size += 1 + ProtoSize.varint(self.clusterId) }
        if self.memberId != 0 { size += 1 + ProtoSize.varint(self.memberId) }
        if self.revision != 0 { size += 1 + ProtoSize.int64(self.revision) }
        if self.raftTerm != 0 { size += 1 + ProtoSize.varint(self.raftTerm) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.clusterId != 0 { writer.writeUInt64Field(1, self.clusterId) }
        if self.memberId != 0 { writer.writeUInt64Field(2, self.memberId) }
        if self.revision != 0 { writer.writeInt64Field(3, self.revision) }
        if self.raftTerm != 0 { writer.writeUInt64Field(4, self.raftTerm) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.clusterId = try reader.readUInt64()
            case 2 where tag.wireType == .varint:
                self.memberId = try reader.readUInt64()
            case 3 where tag.wireType == .varint:
                self.revision = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.raftTerm = try reader.readUInt64()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.RangeRequest`
public struct RangeRequest: ProtoMessage, Hashable {
    /// `etcdserverpb.RangeRequest.SortOrder`; unnamed values are kept, as proto3 enums are open.
    public struct SortOrder: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let none = SortOrder(rawValue: 0)
        public static let ascend = SortOrder(rawValue: 1)
        public static let descend = SortOrder(rawValue: 2)
    }

    /// `etcdserverpb.RangeRequest.SortTarget`; unnamed values are kept, as proto3 enums are open.
    public struct SortTarget: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let key = SortTarget(rawValue: 0)
        public static let version = SortTarget(rawValue: 1)
        public static let create = SortTarget(rawValue: 2)
        public static let mod = SortTarget(rawValue: 3)
        public static let value = SortTarget(rawValue: 4)
    }

    public var key: [UInt8] = []
    public var rangeEnd: [UInt8] = []
    public var limit: Int64 = 0
    public var revision: Int64 = 0
    public var sortOrder = RangeRequest.SortOrder.none
    public var sortTarget = RangeRequest.SortTarget.key
    public var serializable: Bool = false
    public var keysOnly: Bool = false
    public var countOnly: Bool = false
    public var minModRevision: Int64 = 0
    public var maxModRevision: Int64 = 0
    public var minCreateRevision: Int64 = 0
    public var maxCreateRevision: Int64 = 0

    public init() {}

    public init(
        key: [UInt8] = [],
        rangeEnd: [UInt8] = [],
        limit: Int64 = 0,
        revision: Int64 = 0,
        sortOrder: RangeRequest.SortOrder = .none,
        sortTarget: RangeRequest.SortTarget = .key,
        serializable: Bool = false,
        keysOnly: Bool = false,
        countOnly: Bool = false,
        minModRevision: Int64 = 0,
        maxModRevision: Int64 = 0,
        minCreateRevision: Int64 = 0,
        maxCreateRevision: Int64 = 0
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.limit = limit
        self.revision = revision
        self.sortOrder = sortOrder
        self.sortTarget = sortTarget
        self.serializable = serializable
        self.keysOnly = keysOnly
        self.countOnly = countOnly
        self.minModRevision = minModRevision
        self.maxModRevision = maxModRevision
        self.minCreateRevision = minCreateRevision
        self.maxCreateRevision = maxCreateRevision
    }

    public var encodedSize: Int {
        var size = 0
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.rangeEnd.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.rangeEnd.count) }
        if self.limit != 0 { size += 1 + ProtoSize.int64(self.limit) }
        if self.revision != 0 { size += 1 + ProtoSize.int64(self.revision) }
        if self.sortOrder.rawValue != 0 { size += 1 + ProtoSize.int32(self.sortOrder.rawValue) }
        if self.sortTarget.rawValue != 0 { size += 1 + ProtoSize.int32(self.sortTarget.rawValue) }
        if self.serializable { size += 1 + 1 }
        if self.keysOnly { size += 1 + 1 }
        if self.countOnly { size += 1 + 1 }
        if self.minModRevision != 0 { size += 1 + ProtoSize.int64(self.minModRevision) }
        if self.maxModRevision != 0 { size += 1 + ProtoSize.int64(self.maxModRevision) }
        if self.minCreateRevision != 0 { size += 1 + ProtoSize.int64(self.minCreateRevision) }
        if self.maxCreateRevision != 0 { size += 1 + ProtoSize.int64(self.maxCreateRevision) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.key.isEmpty { writer.writeBytesField(1, self.key) }
        if !self.rangeEnd.isEmpty { writer.writeBytesField(2, self.rangeEnd) }
        if self.limit != 0 { writer.writeInt64Field(3, self.limit) }
        if self.revision != 0 { writer.writeInt64Field(4, self.revision) }
        if self.sortOrder.rawValue != 0 { writer.writeInt32Field(5, self.sortOrder.rawValue) }
        if self.sortTarget.rawValue != 0 { writer.writeInt32Field(6, self.sortTarget.rawValue) }
        if self.serializable { writer.writeBoolField(7, self.serializable) }
        if self.keysOnly { writer.writeBoolField(8, self.keysOnly) }
        if self.countOnly { writer.writeBoolField(9, self.countOnly) }
        if self.minModRevision != 0 { writer.writeInt64Field(10, self.minModRevision) }
        if self.maxModRevision != 0 { writer.writeInt64Field(11, self.maxModRevision) }
        if self.minCreateRevision != 0 { writer.writeInt64Field(12, self.minCreateRevision) }
        if self.maxCreateRevision != 0 { writer.writeInt64Field(13, self.maxCreateRevision) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.rangeEnd = try reader.readBytes()
            case 3 where tag.wireType == .varint:
                self.limit = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.revision = try reader.readInt64()
            case 5 where tag.wireType == .varint:
                self.sortOrder = RangeRequest.SortOrder(rawValue: try reader.readInt32())
            case 6 where tag.wireType == .varint:
                self.sortTarget = RangeRequest.SortTarget(rawValue: try reader.readInt32())
            case 7 where tag.wireType == .varint:
                self.serializable = try reader.readBool()
            case 8 where tag.wireType == .varint:
                self.keysOnly = try reader.readBool()
            case 9 where tag.wireType == .varint:
                self.countOnly = try reader.readBool()
            case 10 where tag.wireType == .varint:
                self.minModRevision = try reader.readInt64()
            case 11 where tag.wireType == .varint:
                self.maxModRevision = try reader.readInt64()
            case 12 where tag.wireType == .varint:
                self.minCreateRevision = try reader.readInt64()
            case 13 where tag.wireType == .varint:
                self.maxCreateRevision = try reader.readInt64()
            case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.RangeResponse`
public struct RangeResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var kvs: [KeyValue] = []
    public var more: Bool = false
    public var count: Int64 = 0

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        kvs: [KeyValue] = [],
        more: Bool = false,
        count: Int64 = 0
    ) {
        self.header = header
        self.kvs = kvs
        self.more = more
        self.count = count
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.kvs { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        if self.more { size += 1 + 1 }
        if self.count != 0 { size += 1 + ProtoSize.int64(self.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.kvs { writer.writeMessageField(2, item) }
        if self.more { writer.writeBoolField(3, self.more) }
        if self.count != 0 { writer.writeInt64Field(4, self.count) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.kvs.append(try reader.readMessage(KeyValue.self))
            case 3 where tag.wireType == .varint:
                self.more = try reader.readBool()
            case 4 where tag.wireType == .varint:
                self.count = try reader.readInt64()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.PutRequest`
public struct PutRequest: ProtoMessage, Hashable {
    public var key: [UInt8] = []
    public var value: [UInt8] = []
    public var lease: Int64 = 0
    public var prevKv: Bool = false
    public var ignoreValue: Bool = false
    public var ignoreLease: Bool = false

    public init() {}

    public init(
        key: [UInt8] = [],
        value: [UInt8] = [],
        lease: Int64 = 0,
        prevKv: Bool = false,
        ignoreValue: Bool = false,
        ignoreLease: Bool = false
    ) {
        self.key = key
        self.value = value
        self.lease = lease
        self.prevKv = prevKv
        self.ignoreValue = ignoreValue
        self.ignoreLease = ignoreLease
    }

    public var encodedSize: Int {
        var size = 0
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.value.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.value.count) }
        if self.lease != 0 { size += 1 + ProtoSize.int64(self.lease) }
        if self.prevKv { size += 1 + 1 }
        if self.ignoreValue { size += 1 + 1 }
        if self.ignoreLease { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.key.isEmpty { writer.writeBytesField(1, self.key) }
        if !self.value.isEmpty { writer.writeBytesField(2, self.value) }
        if self.lease != 0 { writer.writeInt64Field(3, self.lease) }
        if self.prevKv { writer.writeBoolField(4, self.prevKv) }
        if self.ignoreValue { writer.writeBoolField(5, self.ignoreValue) }
        if self.ignoreLease { writer.writeBoolField(6, self.ignoreLease) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.value = try reader.readBytes()
            case 3 where tag.wireType == .varint:
                self.lease = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.prevKv = try reader.readBool()
            case 5 where tag.wireType == .varint:
                self.ignoreValue = try reader.readBool()
            case 6 where tag.wireType == .varint:
                self.ignoreLease = try reader.readBool()
            case 1, 2, 3, 4, 5, 6:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.PutResponse`
public struct PutResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var prevKv: KeyValue?

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        prevKv: KeyValue? = nil
    ) {
        self.header = header
        self.prevKv = prevKv
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if let value = self.prevKv { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if let value = self.prevKv { writer.writeMessageField(2, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                var value = self.prevKv ?? KeyValue()
                try reader.mergeMessage(into: &value)
                self.prevKv = value
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.DeleteRangeRequest`
public struct DeleteRangeRequest: ProtoMessage, Hashable {
    public var key: [UInt8] = []
    public var rangeEnd: [UInt8] = []
    public var prevKv: Bool = false

    public init() {}

    public init(
        key: [UInt8] = [],
        rangeEnd: [UInt8] = [],
        prevKv: Bool = false
    ) {
        self.key = key
        self.rangeEnd = rangeEnd
        self.prevKv = prevKv
    }

    public var encodedSize: Int {
        var size = 0
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.rangeEnd.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.rangeEnd.count) }
        if self.prevKv { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.key.isEmpty { writer.writeBytesField(1, self.key) }
        if !self.rangeEnd.isEmpty { writer.writeBytesField(2, self.rangeEnd) }
        if self.prevKv { writer.writeBoolField(3, self.prevKv) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.rangeEnd = try reader.readBytes()
            case 3 where tag.wireType == .varint:
                self.prevKv = try reader.readBool()
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.DeleteRangeResponse`
public struct DeleteRangeResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var deleted: Int64 = 0
    public var prevKvs: [KeyValue] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        deleted: Int64 = 0,
        prevKvs: [KeyValue] = []
    ) {
        self.header = header
        self.deleted = deleted
        self.prevKvs = prevKvs
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.deleted != 0 { size += 1 + ProtoSize.int64(self.deleted) }
        for item in self.prevKvs { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.deleted != 0 { writer.writeInt64Field(2, self.deleted) }
        for item in self.prevKvs { writer.writeMessageField(3, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.deleted = try reader.readInt64()
            case 3 where tag.wireType == .lengthDelimited:
                self.prevKvs.append(try reader.readMessage(KeyValue.self))
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.RequestOp`
public struct RequestOp: ProtoMessage, Hashable {
    public enum Request: Hashable, Sendable {
        case requestRange(RangeRequest)
        case requestPut(PutRequest)
        case requestDeleteRange(DeleteRangeRequest)
        case requestTxn(TxnRequest)
    }

    public var request: Request?

    public init() {}

    public init(
        request: Request? = nil
    ) {
        self.request = request
    }

    public var encodedSize: Int {
        var size = 0
        switch self.request {
        case .requestRange(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .requestPut(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .requestDeleteRange(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .requestTxn(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case nil: break
        }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        switch self.request {
        case .requestRange(let value)?: writer.writeMessageField(1, value)
        case .requestPut(let value)?: writer.writeMessageField(2, value)
        case .requestDeleteRange(let value)?: writer.writeMessageField(3, value)
        case .requestTxn(let value)?: writer.writeMessageField(4, value)
        case nil: break
        }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = RangeRequest()
                if case .requestRange(let existing)? = self.request { value = existing }
                try reader.mergeMessage(into: &value)
                self.request = .requestRange(value)
            case 2 where tag.wireType == .lengthDelimited:
                var value = PutRequest()
                if case .requestPut(let existing)? = self.request { value = existing }
                try reader.mergeMessage(into: &value)
                self.request = .requestPut(value)
            case 3 where tag.wireType == .lengthDelimited:
                var value = DeleteRangeRequest()
                if case .requestDeleteRange(let existing)? = self.request { value = existing }
                try reader.mergeMessage(into: &value)
                self.request = .requestDeleteRange(value)
            case 4 where tag.wireType == .lengthDelimited:
                var value = TxnRequest()
                if case .requestTxn(let existing)? = self.request { value = existing }
                try reader.mergeMessage(into: &value)
                self.request = .requestTxn(value)
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.ResponseOp`
public struct ResponseOp: ProtoMessage, Hashable {
    public enum Response: Hashable, Sendable {
        case responseRange(RangeResponse)
        case responsePut(PutResponse)
        case responseDeleteRange(DeleteRangeResponse)
        case responseTxn(TxnResponse)
    }

    public var response: Response?

    public init() {}

    public init(
        response: Response? = nil
    ) {
        self.response = response
    }

    public var encodedSize: Int {
        var size = 0
        switch self.response {
        case .responseRange(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .responsePut(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .responseDeleteRange(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case .responseTxn(let value)?: size += 1 + ProtoSize.lengthDelimited(value.encodedSize)
        case nil: break
        }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        switch self.response {
        case .responseRange(let value)?: writer.writeMessageField(1, value)
        case .responsePut(let value)?: writer.writeMessageField(2, value)
        case .responseDeleteRange(let value)?: writer.writeMessageField(3, value)
        case .responseTxn(let value)?: writer.writeMessageField(4, value)
        case nil: break
        }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = RangeResponse()
                if case .responseRange(let existing)? = self.response { value = existing }
                try reader.mergeMessage(into: &value)
                self.response = .responseRange(value)
            case 2 where tag.wireType == .lengthDelimited:
                var value = PutResponse()
                if case .responsePut(let existing)? = self.response { value = existing }
                try reader.mergeMessage(into: &value)
                self.response = .responsePut(value)
            case 3 where tag.wireType == .lengthDelimited:
                var value = DeleteRangeResponse()
                if case .responseDeleteRange(let existing)? = self.response { value = existing }
                try reader.mergeMessage(into: &value)
                self.response = .responseDeleteRange(value)
            case 4 where tag.wireType == .lengthDelimited:
                var value = TxnResponse()
                if case .responseTxn(let existing)? = self.response { value = existing }
                try reader.mergeMessage(into: &value)
                self.response = .responseTxn(value)
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.Compare`
public struct Compare: ProtoMessage, Hashable {
    /// `etcdserverpb.Compare.CompareResult`; unnamed values are kept, as proto3 enums are open.
    public struct CompareResult: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let equal = CompareResult(rawValue: 0)
        public static let greater = CompareResult(rawValue: 1)
        public static let less = CompareResult(rawValue: 2)
        public static let notEqual = CompareResult(rawValue: 3)
    }

    /// `etcdserverpb.Compare.CompareTarget`; unnamed values are kept, as proto3 enums are open.
    public struct CompareTarget: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let version = CompareTarget(rawValue: 0)
        public static let create = CompareTarget(rawValue: 1)
        public static let mod = CompareTarget(rawValue: 2)
        public static let value = CompareTarget(rawValue: 3)
        public static let lease = CompareTarget(rawValue: 4)
    }

    public enum TargetUnion: Hashable, Sendable {
        case version(Int64)
        case createRevision(Int64)
        case modRevision(Int64)
        case value([UInt8])
        case lease(Int64)
    }

    public var result = Compare.CompareResult.equal
    public var target = Compare.CompareTarget.version
    public var key: [UInt8] = []
    public var rangeEnd: [UInt8] = []
    public var targetUnion: TargetUnion?

    public init() {}

    public init(
        result: Compare.CompareResult = .equal,
        target: Compare.CompareTarget = .version,
        key: [UInt8] = [],
        rangeEnd: [UInt8] = [],
        targetUnion: TargetUnion? = nil
    ) {
        self.result = result
        self.target = target
        self.key = key
        self.rangeEnd = rangeEnd
        self.targetUnion = targetUnion
    }

    public var encodedSize: Int {
        var size = 0
        if self.result.rawValue != 0 { size += 1 + ProtoSize.int32(self.result.rawValue) }
        if self.target.rawValue != 0 { size += 1 + ProtoSize.int32(self.target.rawValue) }
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.rangeEnd.isEmpty { size += 2 + ProtoSize.lengthDelimited(self.rangeEnd.count) }
        switch self.targetUnion {
        case .version(let value)?: size += 1 + ProtoSize.int64(value)
        case .createRevision(let value)?: size += 1 + ProtoSize.int64(value)
        case .modRevision(let value)?: size += 1 + ProtoSize.int64(value)
        case .value(let value)?: size += 1 + ProtoSize.lengthDelimited(value.count)
        case .lease(let value)?: size += 1 + ProtoSize.int64(value)
        case nil: break
        }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.result.rawValue != 0 { writer.writeInt32Field(1, self.result.rawValue) }
        if self.target.rawValue != 0 { writer.writeInt32Field(2, self.target.rawValue) }
        if !self.key.isEmpty { writer.writeBytesField(3, self.key) }
        switch self.targetUnion {
        case .version(let value)?: writer.writeInt64Field(4, value)
        case .createRevision(let value)?: writer.writeInt64Field(5, value)
        case .modRevision(let value)?: writer.writeInt64Field(6, value)
        case .value(let value)?: writer.writeBytesField(7, value)
        case .lease(let value)?: writer.writeInt64Field(8, value)
        case nil: break
        }
        if !self.rangeEnd.isEmpty { writer.writeBytesField(64, self.rangeEnd) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.result = Compare.CompareResult(rawValue: try reader.readInt32())
            case 2 where tag.wireType == .varint:
                self.target = Compare.CompareTarget(rawValue: try reader.readInt32())
            case 3 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 4 where tag.wireType == .varint:
                self.targetUnion = .version(try reader.readInt64())
            case 5 where tag.wireType == .varint:
                self.targetUnion = .createRevision(try reader.readInt64())
            case 6 where tag.wireType == .varint:
                self.targetUnion = .modRevision(try reader.readInt64())
            case 7 where tag.wireType == .lengthDelimited:
                self.targetUnion = .value(try reader.readBytes())
            case 8 where tag.wireType == .varint:
                self.targetUnion = .lease(try reader.readInt64())
            case 64 where tag.wireType == .lengthDelimited:
                self.rangeEnd = try reader.readBytes()
            case 1, 2, 3, 4, 5, 6, 7, 8, 64:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.TxnRequest`
public struct TxnRequest: ProtoMessage, Hashable {
    public var compare: [Compare] = []
    public var success: [RequestOp] = []
    public var failure: [RequestOp] = []

    public init() {}

    public init(
        compare: [Compare] = [],
        success: [RequestOp] = [],
        failure: [RequestOp] = []
    ) {
        self.compare = compare
        self.success = success
        self.failure = failure
    }

    public var encodedSize: Int {
        var size = 0
        for item in self.compare { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        for item in self.success { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        for item in self.failure { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        for item in self.compare { writer.writeMessageField(1, item) }
        for item in self.success { writer.writeMessageField(2, item) }
        for item in self.failure { writer.writeMessageField(3, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.compare.append(try reader.readMessage(Compare.self))
            case 2 where tag.wireType == .lengthDelimited:
                self.success.append(try reader.readMessage(RequestOp.self))
            case 3 where tag.wireType == .lengthDelimited:
                self.failure.append(try reader.readMessage(RequestOp.self))
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.TxnResponse`
public struct TxnResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var succeeded: Bool = false
    public var responses: [ResponseOp] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        succeeded: Bool = false,
        responses: [ResponseOp] = []
    ) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.succeeded { size += 1 + 1 }
        for item in self.responses { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.succeeded { writer.writeBoolField(2, self.succeeded) }
        for item in self.responses { writer.writeMessageField(3, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.succeeded = try reader.readBool()
            case 3 where tag.wireType == .lengthDelimited:
                self.responses.append(try reader.readMessage(ResponseOp.self))
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.CompactionRequest`
public struct CompactionRequest: ProtoMessage, Hashable {
    public var revision: Int64 = 0
    public var physical: Bool = false

    public init() {}

    public init(
        revision: Int64 = 0,
        physical: Bool = false
    ) {
        self.revision = revision
        self.physical = physical
    }

    public var encodedSize: Int {
        var size = 0
        if self.revision != 0 { size += 1 + ProtoSize.int64(self.revision) }
        if self.physical { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.revision != 0 { writer.writeInt64Field(1, self.revision) }
        if self.physical { writer.writeBoolField(2, self.physical) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.revision = try reader.readInt64()
            case 2 where tag.wireType == .varint:
                self.physical = try reader.readBool()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.CompactionResponse`
public struct CompactionResponse: ProtoMessage, Hashable {
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
