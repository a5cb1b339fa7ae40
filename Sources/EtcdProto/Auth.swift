// Hand-encoded protobuf codec for Auth; see proto/auth.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `authpb.UserAddOptions`
public struct UserAddOptions: ProtoMessage, Hashable {
    public var noPassword: Bool = false

    public init() {}

    public init(
        noPassword: Bool = false
    ) {
        self.noPassword = noPassword
    }

    public var encodedSize: Int {
        var size = 0
        if self.noPassword { size += 1 + 1 }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.noPassword { writer.writeBoolField(1, self.noPassword) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.noPassword = try reader.readBool()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `authpb.User`
public struct User: ProtoMessage, Hashable {
    public var name: [UInt8] = []
    public var password: [UInt8] = []
    public var roles: [String] = []
    public var options: UserAddOptions?

    public init() {}

    public init(
        name: [UInt8] = [],
        password: [UInt8] = [],
        roles: [String] = [],
        options: UserAddOptions? = nil
    ) {
        self.name = name
        self.password = password
        self.roles = roles
        self.options = options
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.count) }
        if !self.password.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.password.count) }
        for item in self.roles { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        if let value = self.options { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeBytesField(1, self.name) }
        if !self.password.isEmpty { writer.writeBytesField(2, self.password) }
        for item in self.roles { writer.writeStringField(3, item) }
        if let value = self.options { writer.writeMessageField(4, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.password = try reader.readBytes()
            case 3 where tag.wireType == .lengthDelimited:
                self.roles.append(try reader.readString())
            case 4 where tag.wireType == .lengthDelimited:
                var value = self.options ?? UserAddOptions()
                try reader.mergeMessage(into: &value)
                self.options = value
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `authpb.Permission`
public struct Permission: ProtoMessage, Hashable {
    /// `authpb.Permission.Type`; unnamed values are kept, as proto3 enums are open.
    public struct PermissionType: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let read = PermissionType(rawValue: 0)
        public static let write = PermissionType(rawValue: 1)
        public static let readwrite = PermissionType(rawValue: 2)
    }

    public var permType = Permission.PermissionType.read
    public var key: [UInt8] = []
    public var rangeEnd: [UInt8] = []

    public init() {}

    public init(
        permType: Permission.PermissionType = .read,
        key: [UInt8] = [],
        rangeEnd: [UInt8] = []
    ) {
        self.permType = permType
        self.key = key
        self.rangeEnd = rangeEnd
    }

    public var encodedSize: Int {
        var size = 0
        if self.permType.rawValue != 0 { size += 1 + ProtoSize.int32(self.permType.rawValue) }
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.rangeEnd.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.rangeEnd.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.permType.rawValue != 0 { writer.writeInt32Field(1, self.permType.rawValue) }
        if !self.key.isEmpty { writer.writeBytesField(2, self.key) }
        if !self.rangeEnd.isEmpty { writer.writeBytesField(3, self.rangeEnd) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.permType = Permission.PermissionType(rawValue: try reader.readInt32())
            case 2 where tag.wireType == .lengthDelimited:
                self.key = try reader.readBytes()
            case 3 where tag.wireType == .lengthDelimited:
                self.rangeEnd = try reader.readBytes()
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `authpb.Role`
public struct Role: ProtoMessage, Hashable {
    public var name: [UInt8] = []
    public var keyPermission: [Permission] = []

    public init() {}

    public init(
        name: [UInt8] = [],
        keyPermission: [Permission] = []
    ) {
        self.name = name
        self.keyPermission = keyPermission
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.count) }
        for item in self.keyPermission { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeBytesField(1, self.name) }
        for item in self.keyPermission { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readBytes()
            case 2 where tag.wireType == .lengthDelimited:
                self.keyPermission.append(try reader.readMessage(Permission.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
