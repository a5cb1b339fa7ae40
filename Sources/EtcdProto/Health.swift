// Hand-encoded protobuf codec for Health; see proto/health.proto.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import ProtoWire

/// `grpc.health.v1.HealthCheckRequest`
public struct HealthCheckRequest: ProtoMessage, Hashable {
    public var service: String = ""

    public init() {}

    public init(
        service: String = ""
    ) {
        self.service = service
    }

    public var encodedSize: Int {
        var size = 0
        if !self.service.isEmpty { size += 1 + ProtoSize.lengthDelimited(self.service.utf8.count) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if !self.service.isEmpty { writer.writeStringField(1, self.service) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited:
                self.service = try reader.readString()
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}

/// `grpc.health.v1.HealthCheckResponse`
public struct HealthCheckResponse: ProtoMessage, Hashable {
    /// `grpc.health.v1.HealthCheckResponse.ServingStatus`; unnamed values are kept, as proto3 enums are open.
    public struct ServingStatus: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let unknown = ServingStatus(rawValue: 0)
        public static let serving = ServingStatus(rawValue: 1)
        public static let notServing = ServingStatus(rawValue: 2)
        public static let serviceUnknown = ServingStatus(rawValue: 3)
    }

    public var status = HealthCheckResponse.ServingStatus.unknown

    public init() {}

    public init(
        status: HealthCheckResponse.ServingStatus = .unknown
    ) {
        self.status = status
    }

    public var encodedSize: Int {
        var size = 0
        if self.status.rawValue != 0 { size += 1 + ProtoSize.int32(self.status.rawValue) }
        return size
    }

    public func encode(to writer: inout ProtoWriter) {
        if self.status.rawValue != 0 { writer.writeInt32Field(1, self.status.rawValue) }
    }

    public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .varint:
                self.status = HealthCheckResponse.ServingStatus(rawValue: try reader.readInt32())
            case 1:
                throw ProtoDecodingError.wrongWireType(tag)
            default:
                try reader.skipField(tag)
            }
        }
    }
}
