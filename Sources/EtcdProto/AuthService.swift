// Hand-encoded protobuf codec for AuthService; see proto/rpc.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `etcdserverpb.AuthEnableRequest`
public struct AuthEnableRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthDisableRequest`
public struct AuthDisableRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthStatusRequest`
public struct AuthStatusRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthenticateRequest`
public struct AuthenticateRequest: ProtoMessage, Hashable {
    public var name: String = ""
    public var password: String = ""

    public init() {}

    public init(
        name: String = "",
        password: String = ""
    ) {
        self.name = name
        self.password = password
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        if !self.password.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.password.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
        if !self.password.isEmpty { writer.writeStringField(2, self.password) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 2 where tag.wireType == .lengthDelimited:
                self.password = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserAddRequest`
public struct AuthUserAddRequest: ProtoMessage, Hashable {
    public var name: String = ""
    public var password: String = ""
    public var options: UserAddOptions?
    public var hashedPassword: String = ""

    public init() {}

    public init(
        name: String = "",
        password: String = "",
        options: UserAddOptions? = nil,
        hashedPassword: String = ""
    ) {
        self.name = name
        self.password = password
        self.options = options
        self.hashedPassword = hashedPassword
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        if !self.password.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.password.utf8.count) }
        if let value = self.options { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if !self.hashedPassword.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.hashedPassword.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
        if !self.password.isEmpty { writer.writeStringField(2, self.password) }
        if let value = self.options { writer.writeMessageField(3, value) }
        if !self.hashedPassword.isEmpty { writer.writeStringField(4, self.hashedPassword) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 2 where tag.wireType == .lengthDelimited:
                self.password = try reader.readString()
            case 3 where tag.wireType == .lengthDelimited:
                var value = self.options ?? UserAddOptions()
                try reader.mergeMessage(into: &value)
                self.options = value
            case 4 where tag.wireType == .lengthDelimited:
                self.hashedPassword = try reader.readString()
            case 1, 2, 3, 4:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserGetRequest`
public struct AuthUserGetRequest: ProtoMessage, Hashable {
    public var name: String = ""

    public init() {}

    public init(
        name: String = ""
    ) {
        self.name = name
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserDeleteRequest`
public struct AuthUserDeleteRequest: ProtoMessage, Hashable {
    public var name: String = ""

    public init() {}

    public init(
        name: String = ""
    ) {
        self.name = name
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserChangePasswordRequest`
public struct AuthUserChangePasswordRequest: ProtoMessage, Hashable {
    public var name: String = ""
    public var password: String = ""
    public var hashedPassword: String = ""

    public init() {}

    public init(
        name: String = "",
        password: String = "",
        hashedPassword: String = ""
    ) {
        self.name = name
        self.password = password
        self.hashedPassword = hashedPassword
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        if !self.password.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.password.utf8.count) }
        if !self.hashedPassword.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.hashedPassword.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
        if !self.password.isEmpty { writer.writeStringField(2, self.password) }
        if !self.hashedPassword.isEmpty { writer.writeStringField(3, self.hashedPassword) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 2 where tag.wireType == .lengthDelimited:
                self.password = try reader.readString()
            case 3 where tag.wireType == .lengthDelimited:
                self.hashedPassword = try reader.readString()
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserGrantRoleRequest`
public struct AuthUserGrantRoleRequest: ProtoMessage, Hashable {
    public var user: String = ""
    public var role: String = ""

    public init() {}

    public init(
        user: String = "",
        role: String = ""
    ) {
        self.user = user
        self.role = role
    }

    public var encodedSize: Int {
        var size = 0
        if !self.user.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.user.utf8.count) }
        if !self.role.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.role.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.user.isEmpty { writer.writeStringField(1, self.user) }
        if !self.role.isEmpty { writer.writeStringField(2, self.role) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.user = try reader.readString()
            case 2 where tag.wireType == .lengthDelimited:
                self.role = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserRevokeRoleRequest`
public struct AuthUserRevokeRoleRequest: ProtoMessage, Hashable {
    public var name: String = ""
    public var role: String = ""

    public init() {}

    public init(
        name: String = "",
        role: String = ""
    ) {
        self.name = name
        self.role = role
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        if !self.role.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.role.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
        if !self.role.isEmpty { writer.writeStringField(2, self.role) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 2 where tag.wireType == .lengthDelimited:
                self.role = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthRoleAddRequest`
public struct AuthRoleAddRequest: ProtoMessage, Hashable {
    public var name: String = ""

    public init() {}

    public init(
        name: String = ""
    ) {
        self.name = name
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthRoleGetRequest`
public struct AuthRoleGetRequest: ProtoMessage, Hashable {
    public var role: String = ""

    public init() {}

    public init(
        role: String = ""
    ) {
        self.role = role
    }

    public var encodedSize: Int {
        var size = 0
        if !self.role.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.role.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.role.isEmpty { writer.writeStringField(1, self.role) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.role = try reader.readString()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserListRequest`
public struct AuthUserListRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthRoleListRequest`
public struct AuthRoleListRequest: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthRoleDeleteRequest`
public struct AuthRoleDeleteRequest: ProtoMessage, Hashable {
    public var role: String = ""

    public init() {}

    public init(
        role: String = ""
    ) {
        self.role = role
    }

    public var encodedSize: Int {
        var size = 0
        if !self.role.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.role.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.role.isEmpty { writer.writeStringField(1, self.role) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.role = try reader.readString()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthRoleGrantPermissionRequest`
public struct AuthRoleGrantPermissionRequest: ProtoMessage, Hashable {
    public var name: String = ""
    public var perm: Permission?

    public init() {}

    public init(
        name: String = "",
        perm: Permission? = nil
    ) {
        self.name = name
        self.perm = perm
    }

    public var encodedSize: Int {
        var size = 0
        if !self.name.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.name.utf8.count) }
        if let value = self.perm { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.name.isEmpty { writer.writeStringField(1, self.name) }
        if let value = self.perm { writer.writeMessageField(2, value) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.name = try reader.readString()
            case 2 where tag.wireType == .lengthDelimited:
                var value = self.perm ?? Permission()
                try reader.mergeMessage(into: &value)
                self.perm = value
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthRoleRevokePermissionRequest`
public struct AuthRoleRevokePermissionRequest: ProtoMessage, Hashable {
    public var role: String = ""
    public var key: [UInt8] = []
    public var rangeEnd: [UInt8] = []

    public init() {}

    public init(
        role: String = "",
        key: [UInt8] = [],
        rangeEnd: [UInt8] = []
    ) {
        self.role = role
        self.key = key
        self.rangeEnd = rangeEnd
    }

    public var encodedSize: Int {
        var size = 0
        if !self.role.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.role.utf8.count) }
        if !self.key.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.key.count) }
        if !self.rangeEnd.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.rangeEnd.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.role.isEmpty { writer.writeStringField(1, self.role) }
        if !self.key.isEmpty { writer.writeBytesField(2, self.key) }
        if !self.rangeEnd.isEmpty { writer.writeBytesField(3, self.rangeEnd) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.role = try reader.readString()
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

/// `etcdserverpb.AuthEnableResponse`
public struct AuthEnableResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthDisableResponse`
public struct AuthDisableResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthStatusResponse`
public struct AuthStatusResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var enabled: Bool = false
    public var authRevision: UInt64 = 0

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        enabled: Bool = false,
        authRevision: UInt64 = 0
    ) {
        self.header = header
        self.enabled = enabled
        self.authRevision = authRevision
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if self.enabled { size += 1 + 1 }
        if self.authRevision != 0 { size += 1 + ProtoSize.varint(self.authRevision) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if self.enabled { writer.writeBoolField(2, self.enabled) }
        if self.authRevision != 0 { writer.writeUInt64Field(3, self.authRevision) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .varint:
                self.enabled = try reader.readBool()
            case 3 where tag.wireType == .varint:
                self.authRevision = try reader.readUInt64()
            case 1, 2, 3:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthenticateResponse`
public struct AuthenticateResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var token: String = ""

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        token: String = ""
    ) {
        self.header = header
        self.token = token
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        if !self.token.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.token.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        if !self.token.isEmpty { writer.writeStringField(2, self.token) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.token = try reader.readString()
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserAddResponse`
public struct AuthUserAddResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthUserGetResponse`
public struct AuthUserGetResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var roles: [String] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        roles: [String] = []
    ) {
        self.header = header
        self.roles = roles
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.roles { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.roles { writer.writeStringField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.roles.append(try reader.readString())
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserDeleteResponse`
public struct AuthUserDeleteResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthUserChangePasswordResponse`
public struct AuthUserChangePasswordResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthUserGrantRoleResponse`
public struct AuthUserGrantRoleResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthUserRevokeRoleResponse`
public struct AuthUserRevokeRoleResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthRoleAddResponse`
public struct AuthRoleAddResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthRoleGetResponse`
public struct AuthRoleGetResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var perm: [Permission] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        perm: [Permission] = []
    ) {
        self.header = header
        self.perm = perm
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.perm { size += 1 + ProtoSize.lengthDelimited(item.encodedSize) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.perm { writer.writeMessageField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.perm.append(try reader.readMessage(Permission.self))
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthRoleListResponse`
public struct AuthRoleListResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var roles: [String] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        roles: [String] = []
    ) {
        self.header = header
        self.roles = roles
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.roles { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.roles { writer.writeStringField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.roles.append(try reader.readString())
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthUserListResponse`
public struct AuthUserListResponse: ProtoMessage, Hashable {
    public var header: ResponseHeader?
    public var users: [String] = []

    public init() {}

    public init(
        header: ResponseHeader? = nil,
        users: [String] = []
    ) {
        self.header = header
        self.users = users
    }

    public var encodedSize: Int {
        var size = 0
        if let value = self.header { size += 1 + ProtoSize.lengthDelimited(value.encodedSize) }
        for item in self.users { size += 1 + ProtoSize.lengthDelimited(item.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if let value = self.header { writer.writeMessageField(1, value) }
        for item in self.users { writer.writeStringField(2, item) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                var value = self.header ?? ResponseHeader()
                try reader.mergeMessage(into: &value)
                self.header = value
            case 2 where tag.wireType == .lengthDelimited:
                self.users.append(try reader.readString())
            case 1, 2:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `etcdserverpb.AuthRoleDeleteResponse`
public struct AuthRoleDeleteResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthRoleGrantPermissionResponse`
public struct AuthRoleGrantPermissionResponse: ProtoMessage, Hashable {
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

/// `etcdserverpb.AuthRoleRevokePermissionResponse`
public struct AuthRoleRevokePermissionResponse: ProtoMessage, Hashable {
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
