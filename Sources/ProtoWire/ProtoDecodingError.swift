/// Why a protobuf encoding could not be decoded.
///
/// Every malformed input is reported with one of these; decoding never traps.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        case truncated
        case overlongVarint
        case invalidWireType
        case invalidFieldNumber
        case lengthPastEnd
        case unmatchedEndGroup
        case invalidUTF8
        case nestingTooDeep
        case wrongWireType
        /// A field holds a value its message does not define (for messages of this server's own).
        case unknownValue
    }

    public let code: Code
    public let reason: String

    public var description: String { "ProtoDecodingError.\(code): \(reason)" }

    public static func truncated(needed: Int, available: Int) -> ProtoDecodingError {
        ProtoDecodingError(code: .truncated, reason: "input ends early: needed \(needed) more bytes, \(available) available")
    }

    public static let overlongVarint = ProtoDecodingError(
        code: .overlongVarint, reason: "varint longer than 10 bytes or overflowing 64 bits")

    public static func invalidWireType(_ rawValue: UInt64) -> ProtoDecodingError {
        ProtoDecodingError(code: .invalidWireType, reason: "invalid wire type \(rawValue)")
    }

    /// A known field arrived with a wire type its declaration does not allow. etcd's (gogo)
    /// decoders refuse such input rather than skipping it, so ours do too.
    public static func wrongWireType(_ tag: FieldTag) -> ProtoDecodingError {
        ProtoDecodingError(
            code: .wrongWireType, reason: "wrong wireType = \(tag.wireType.rawValue) for field \(tag.fieldNumber)")
    }

    public static func invalidFieldNumber(_ number: UInt64) -> ProtoDecodingError {
        ProtoDecodingError(code: .invalidFieldNumber, reason: "field number \(number) outside 1...\(ProtoFieldNumber.max)")
    }

    public static func lengthPastEnd(length: UInt64, available: Int) -> ProtoDecodingError {
        ProtoDecodingError(code: .lengthPastEnd, reason: "length \(length) runs past the end (\(available) bytes left)")
    }

    public static func unmatchedEndGroup(fieldNumber: Int) -> ProtoDecodingError {
        ProtoDecodingError(code: .unmatchedEndGroup, reason: "end-group tag for field \(fieldNumber) without a matching start")
    }

    public static let invalidUTF8 = ProtoDecodingError(code: .invalidUTF8, reason: "string field is not valid UTF-8")

    public static func unknownValue(field: Int, value: Int64) -> ProtoDecodingError {
        ProtoDecodingError(code: .unknownValue, reason: "field \(field) holds unknown value \(value)")
    }

    public static func nestingTooDeep(limit: Int) -> ProtoDecodingError {
        ProtoDecodingError(code: .nestingTooDeep, reason: "messages or groups nested deeper than \(limit) levels")
    }
}

public enum ProtoFieldNumber {
    /// The largest field number protobuf allows (2^29 - 1).
    public static let max = (1 << 29) - 1
}
