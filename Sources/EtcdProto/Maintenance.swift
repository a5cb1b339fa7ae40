// Hand-encoded protobuf codec for Maintenance; see proto/rpc.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `etcdserverpb.HashRequest`
public struct HashRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.HashKVRequest`
public struct HashKVRequest: ProtoMessage, Hashable {
    public var revision: Int64 = 0

    public init() {}

    public init(
        revision: Int64 = 0
    ) {
        self.revision = revision
    }

    public var encodedSize: Int {
        var size = 0
        if self.revision != 0 { size += 1 + ProtoSize.int64(self.revision) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.revision != 0 { writer.writeInt64Field(1, self.revision) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.revision = try reader.readInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.HashKVResponse`
public struct HashKVResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var hash: UInt32 = 0
    public var compactRevision: Int64 = 0
    public var hashRevision: Int64 = 0

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        hash: UInt32 = 0,
        compactRevision: Int64 = 0,
        hashRevision: Int64 = 0
    ) {
        self.header = header
        self.hash = hash
        self.compactRevision = compactRevision
        self.hashRevision = hashRevision
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.hash != 0 { size += 1 + ProtoSize.varint(UInt64(self.hash)) }
        if self.compactRevision != 0 { size += 1 + ProtoSize.int64(self.compactRevision) }
        if self.hashRevision != 0 { size += 1 + ProtoSize.int64(self.hashRevision) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.hash != 0 { writer.writeUInt32Field(2, self.hash) }
        if self.compactRevision != 0 { writer.writeInt64Field(3, self.compactRevision) }
        if self.hashRevision != 0 { writer.writeInt64Field(4, self.hashRevision) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.hash = try reader.readUInt32()
            case 3 where tag.wireType == .varint:
                self.compactRevision = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.hashRevision = try reader.readInt64()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.HashResponse`
public struct HashResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var hash: UInt32 = 0

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        hash: UInt32 = 0
    ) {
        self.header = header
        self.hash = hash
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.hash != 0 { size += 1 + ProtoSize.varint(UInt64(self.hash)) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.hash != 0 { writer.writeUInt32Field(2, self.hash) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.hash = try reader.readUInt32()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.SnapshotRequest`
public struct SnapshotRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.SnapshotResponse`
public struct SnapshotResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var remainingBytes: UInt64 = 0
    public var blob: [UInt8] = []
    public var version: String = ""

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        remainingBytes: UInt64 = 0,
        blob: [UInt8] = [],
        version: String = ""
    ) {
        self.header = header
        self.remainingBytes = remainingBytes
        self.blob = blob
        self.version = version
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.remainingBytes != 0 { size += 1 + ProtoSize.varint(self.remainingBytes) }
        if !self.blob.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.blob.count) }
        if !self.version.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.version.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.remainingBytes != 0 { writer.writeUInt64Field(2, self.remainingBytes) }
        if !self.blob.isEmpty { writer.writeBytesField(3, self.blob) }
        if !self.version.isEmpty { writer.writeStringField(4, self.version) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.remainingBytes = try reader.readUInt64()
            case 3 where tag.wireType == .lengthDelimited:
                self.blob = try reader.readBytes()
            case 4 where tag.wireType == .lengthDelimited:
                self.version = try reader.readString()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.DefragmentRequest`
public struct DefragmentRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.DefragmentResponse`
public struct DefragmentResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.MoveLeaderRequest`
public struct MoveLeaderRequest: ProtoMessage, Hashable {
    public var targetId: UInt64 = 0

    public init() {}

    public init(
        targetId: UInt64 = 0
    ) {
        self.targetId = targetId
    }

    public var encodedSize: Int {
        var size = 0
        if self.targetId != 0 { size += 1 + ProtoSize.varint(self.targetId) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.targetId != 0 { writer.writeUInt64Field(1, self.targetId) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.targetId = try reader.readUInt64()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.MoveLeaderResponse`
public struct MoveLeaderResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AlarmRequest`
public struct AlarmRequest: ProtoMessage, Hashable {
    /// `etcdserverpb.AlarmRequest.AlarmAction`; unnamed values are kept, as proto3 enums are open.
    public struct AlarmAction: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let get = AlarmAction(rawValue: 0)
        public static let activate = AlarmAction(rawValue: 1)
        public static let deactivate = AlarmAction(rawValue: 2)
    }

    public var action = AlarmRequest.AlarmAction.get
    public var memberId: UInt64 = 0
    public var alarm = AlarmType.none

    public init() {}

    public init(
        action: AlarmRequest.AlarmAction = .get,
        memberId: UInt64 = 0,
        alarm: AlarmType = .none
    ) {
        self.action = action
        self.memberId = memberId
        self.alarm = alarm
    }

    public var encodedSize: Int {
        var size = 0
        if self.action.rawValue != 0 { size += 1 + ProtoSize.int32(self.action.rawValue) }
        if self.memberId != 0 { size += 1 + ProtoSize.varint(self.memberId) }
        if self.alarm.rawValue != 0 { size += 1 + ProtoSize.int32(self.alarm.rawValue) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.action.rawValue != 0 { writer.writeInt32Field(1, self.action.rawValue) }
        if self.memberId != 0 { writer.writeUInt64Field(2, self.memberId) }
        if self.alarm.rawValue != 0 { writer.writeInt32Field(3, self.alarm.rawValue) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.action = AlarmRequest.AlarmAction(rawValue: try reader.readInt32())
            case 2 where tag.wireType == .varint:
                self.memberId = try reader.readUInt64()
            case 3 where tag.wireType == .varint:
                self.alarm = AlarmType(rawValue: try reader.readInt32())
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AlarmMember`
public struct AlarmMember: ProtoMessage, Hashable {
    public var memberId: UInt64 = 0
    public var alarm = AlarmType.none

    public init() {}

    public init(
        memberId: UInt64 = 0,
        alarm: AlarmType = .none
    ) {
        self.memberId = memberId
        self.alarm = alarm
    }

    public var encodedSize: Int {
        var size = 0
        if self.memberId != 0 { size += 1 + ProtoSize.varint(self.memberId) }
        if self.alarm.rawValue != 0 { size += 1 + ProtoSize.int32(self.alarm.rawValue) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.memberId != 0 { writer.writeUInt64Field(1, self.memberId) }
        if self.alarm.rawValue != 0 { writer.writeInt32Field(2, self.alarm.rawValue) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.memberId = try reader.readUInt64()
            case 2 where tag.wireType == .varint:
                self.alarm = AlarmType(rawValue: try reader.readInt32())
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AlarmResponse`
public struct AlarmResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var alarms: [AlarmMember] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        alarms: [AlarmMember] = []
    ) {
        self.header = header
        self.alarms = alarms
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.alarms { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.alarms { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.alarms.append(try reader.readMessage(AlarmMember.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.DowngradeRequest`
public struct DowngradeRequest: ProtoMessage, Hashable {
    /// `etcdserverpb.DowngradeRequest.DowngradeAction`; unnamed values are kept, as proto3 enums are open.
    public struct DowngradeAction: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let validate = DowngradeAction(rawValue: 0)
        public static let enable = DowngradeAction(rawValue: 1)
        public static let cancel = DowngradeAction(rawValue: 2)
    }

    public var action = DowngradeRequest.DowngradeAction.validate
    public var version: String = ""

    public init() {}

    public init(
        action: DowngradeRequest.DowngradeAction = .validate,
        version: String = ""
    ) {
        self.action = action
        self.version = version
    }

    public var encodedSize: Int {
        var size = 0
        if self.action.rawValue != 0 { size += 1 + ProtoSize.int32(self.action.rawValue) }
        if !self.version.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.version.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.action.rawValue != 0 { writer.writeInt32Field(1, self.action.rawValue) }
        if !self.version.isEmpty { writer.writeStringField(2, self.version) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.action = DowngradeRequest.DowngradeAction(rawValue: try reader.readInt32())
            case 2 where tag.wireType == .lengthDelimited:
                self.version = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.DowngradeResponse`
public struct DowngradeResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var version: String = ""

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        version: String = ""
    ) {
        self.header = header
        self.version = version
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if !self.version.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.version.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if !self.version.isEmpty { writer.writeStringField(2, self.version) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.version = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.StatusRequest`
public struct StatusRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.StatusResponse`
public struct StatusResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var version: String = ""
    public var dbSize: Int64 = 0
    public var leader: UInt64 = 0
    public var raftIndex: UInt64 = 0
    public var raftTerm: UInt64 = 0
    public var raftAppliedIndex: UInt64 = 0
    public var errors: [String] = []
    public var dbSizeInUse: Int64 = 0
    public var isLearner: Bool = false
    public var storageVersion: String = ""
    public var dbSizeQuota: Int64 = 0
    public var downgradeInfo: DowngradeInfo?

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        version: String = "",
        dbSize: Int64 = 0,
        leader: UInt64 = 0,
        raftIndex: UInt64 = 0,
        raftTerm: UInt64 = 0,
        raftAppliedIndex: UInt64 = 0,
        errors: [String] = [],
        dbSizeInUse: Int64 = 0,
        isLearner: Bool = false,
        storageVersion: String = "",
        dbSizeQuota: Int64 = 0,
        downgradeInfo: DowngradeInfo? = nil
    ) {
        self.header = header
        self.version = version
        self.dbSize = dbSize
        self.leader = leader
        self.raftIndex = raftIndex
        self.raftTerm = raftTerm
        self.raftAppliedIndex = raftAppliedIndex
        self.errors = errors
        self.dbSizeInUse = dbSizeInUse
        self.isLearner = isLearner
        self.storageVersion = storageVersion
        self.dbSizeQuota = dbSizeQuota
        self.downgradeInfo = downgradeInfo
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if !self.version.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.version.utf8.count) }
        if self.dbSize != 0 { size += 1 + ProtoSize.int64(self.dbSize) }
        if self.leader != 0 { size += 1 + ProtoSize.varint(self.leader) }
        if self.raftIndex != 0 { size += 1 + ProtoSize.varint(self.raftIndex) }
        if self.raftTerm != 0 { size += 1 + ProtoSize.varint(self.raftTerm) }
        if self.raftAppliedIndex != 0 { size += 1 + ProtoSize.varint(self.raftAppliedIndex) }
        for item in self.errors { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        if self.dbSizeInUse != 0 { size += 1 + ProtoSize.int64(self.dbSizeInUse) }
        if self.isLearner { size += 1 + 1 }
        if !self.storageVersion.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.storageVersion.utf8.count) }
        if self.dbSizeQuota != 0 { size += 1 + ProtoSize.int64(self.dbSizeQuota) }
        if let value = self.downgradeInfo { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if !self.version.isEmpty { writer.writeStringField(2, self.version) }
        if self.dbSize != 0 { writer.writeInt64Field(3, self.dbSize) }
        if self.leader != 0 { writer.writeUInt64Field(4, self.leader) }
        if self.raftIndex != 0 { writer.writeUInt64Field(5, self.raftIndex) }
        if self.raftTerm != 0 { writer.writeUInt64Field(6, self.raftTerm) }
        if self.raftAppliedIndex != 0 { writer.writeUInt64Field(7, self.raftAppliedIndex) }
        for item in self.errors { writer.writeStringField(8, item) }
        if self.dbSizeInUse != 0 { writer.writeInt64Field(9, self.dbSizeInUse) }
        if self.isLearner { writer.writeBoolField(10, self.isLearner) }
        if !self.storageVersion.isEmpty { writer.writeStringField(11, self.storageVersion) }
        if self.dbSizeQuota != 0 { writer.writeInt64Field(12, self.dbSizeQuota) }
        if let value = self.downgradeInfo { writer.writeMessageField(13, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.version = try reader.readString()
            case 3 where tag.wireType == .varint:
                self.dbSize = try reader.readInt64()
            case 4 where tag.wireType == .varint:
                self.leader = try reader.readUInt64()
            case 5 where tag.wireType == .varint:
                self.raftIndex = try reader.readUInt64()
            case 6 where tag.wireType == .varint:
                self.raftTerm = try reader.readUInt64()
            case 7 where tag.wireType == .varint:
                self.raftAppliedIndex = try reader.readUInt64()
            case 8 where tag.wireType == .lengthDelimited:
                self.errors.append(try reader.readString())
            case 9 where tag.wireType == .varint:
                self.dbSizeInUse = try reader.readInt64()
            case 10 where tag.wireType == .varint:
                self.isLearner = try reader.readBool()
            case 11 where tag.wireType == .lengthDelimited:
                self.storageVersion = try reader.readString()
            case 12 where tag.wireType == .varint:
                self.dbSizeQuota = try reader.readInt64()
            case 13 where tag.wireType == .lengthDelimited:
                var value = self.downgradeInfo ?? DowngradeInfo()
                try reader.mergeMessage(into: &value)
                self.downgradeInfo = value
            case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.DowngradeInfo`
public struct DowngradeInfo: ProtoMessage, Hashable {
    public var enabled: Bool = false
    public var targetVersion: String = ""

    public init() {}

    public init(
        enabled: Bool = false,
        targetVersion: String = ""
    ) {
        self.enabled = enabled
        self.targetVersion = targetVersion
    }

    public var encodedSize: Int {
        var size = 0
        if self.enabled { size += 1 + 1 }
        if !self.targetVersion.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.targetVersion.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.enabled { writer.writeBoolField(1, self.enabled) }
        if !self.targetVersion.isEmpty { writer.writeStringField(2, self.targetVersion) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.enabled = try reader.readBool()
            case 2 where tag.wireType == .lengthDelimited:
                self.targetVersion = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AlarmType`; unnamed values are kept, as proto3 enums are open.
public struct AlarmType: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let none = AlarmType(rawValue: 0)
    public static let nospace = AlarmType(rawValue: 1)
    public static let corrupt = AlarmType(rawValue: 2)
}
