/// The outcome of a gRPC call, sent to the client as `grpc-status` / `grpc-message` trailers.
public struct GRPCStatus: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(code: Code, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = GRPCStatus(code: .ok)

    public var description: String {
        "GRPCStatus(code: \(code), message: \"\(message)\")"
    }

    /// The canonical gRPC status codes (0...16); other values pass through unchanged.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let ok = Code(rawValue: 0)
        public static let cancelled = Code(rawValue: 1)
        public static let unknown = Code(rawValue: 2)
        public static let invalidArgument = Code(rawValue: 3)
        public static let deadlineExceeded = Code(rawValue: 4)
        public static let notFound = Code(rawValue: 5)
        public static let alreadyExists = Code(rawValue: 6)
        public static let permissionDenied = Code(rawValue: 7)
        public static let resourceExhausted = Code(rawValue: 8)
        public static let failedPrecondition = Code(rawValue: 9)
        public static let aborted = Code(rawValue: 10)
        public static let outOfRange = Code(rawValue: 11)
        public static let unimplemented = Code(rawValue: 12)
        public static let `internal` = Code(rawValue: 13)
        public static let unavailable = Code(rawValue: 14)
        public static let dataLoss = Code(rawValue: 15)
        public static let unauthenticated = Code(rawValue: 16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
            "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
            "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED",
        ]

        public var description: String {
            Self.names.indices.contains(rawValue) ? Self.names[rawValue] : "CODE(\(rawValue))"
        }
    }
}

extension GRPCStatus {
    /// The status a failed handler future or thrown error becomes: itself if it is a `GRPCStatus`,
    /// otherwise UNKNOWN carrying the error's description (what grpc-go does with a plain error).
    public init(from error: any Error) {
        if let status = error as? GRPCStatus {
            self = status
        } else {
            self.init(code: .unknown, message: String(describing: error))
        }
    }

    static func unknownService(_ service: String) -> GRPCStatus {
        GRPCStatus(code: .unimplemented, message: "unknown service \(service)")
    }

    static func unknownMethod(_ method: String, service: String) -> GRPCStatus {
        GRPCStatus(code: .unimplemented, message: "unknown method \(method) for service \(service)")
    }

    static func malformedMethodName(_ path: String) -> GRPCStatus {
        GRPCStatus(code: .unimplemented, message: "malformed method name: \"\(path)\"")
    }

    static func messageTooLarge(received: Int, limit: Int) -> GRPCStatus {
        GRPCStatus(
            code: .resourceExhausted,
            message: "grpc: received message larger than max (\(received) vs. \(limit))"
        )
    }

    static let compressedWithoutEncoding = GRPCStatus(
        code: .internal, message: "grpc: compressed flag set with identity or empty encoding")

    static func unsupportedEncoding(_ encoding: String) -> GRPCStatus {
        GRPCStatus(
            code: .unimplemented,
            message: "grpc: Decompressor is not installed for grpc-encoding \"\(encoding)\"")
    }

    static func unexpectedPayloadFormat(_ flag: UInt8) -> GRPCStatus {
        GRPCStatus(code: .internal, message: "grpc: received unexpected payload format \(flag)")
    }

    static let missingRequestMessage = GRPCStatus(
        code: .internal, message: "grpc: request stream ended before the request message")

    /// The request stream ended inside a message (grpc-go reports io.ErrUnexpectedEOF).
    static let truncatedMessage = GRPCStatus(code: .internal, message: "unexpected EOF")

    static let deadlineExceeded = GRPCStatus(code: .deadlineExceeded, message: "context deadline exceeded")

    static func invalidContentType(_ contentType: String) -> GRPCStatus {
        GRPCStatus(code: .invalidArgument, message: "invalid gRPC request content-type \"\(contentType)\"")
    }

    static func invalidTimeout(_ value: String) -> GRPCStatus {
        GRPCStatus(code: .internal, message: "transport: malformed grpc-timeout: \(value)")
    }
}

enum PercentEncoding {
    /// gRPC's grpc-message encoding: bytes outside printable ASCII, and '%', become %XX.
    static func encode(_ message: String) -> [UInt8] {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(message.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in message.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hex[Int(byte >> 4)])
                encoded.append(hex[Int(byte & 0x0F)])
            }
        }
        return encoded
    }
}
