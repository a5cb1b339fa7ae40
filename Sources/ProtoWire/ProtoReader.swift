/// The six protobuf wire types.
public enum WireType: UInt8, Sendable, Hashable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A field key: field number and wire type.
public struct FieldTag: Hashable, Sendable {
    public var fieldNumber: Int
    public var wireType: WireType

    @inlinable
    public init(fieldNumber: Int, wireType: WireType) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
    }
}

/// Reads protobuf wire format from borrowed memory without copying or allocating
/// (except where a field's value is itself an owned `[UInt8]` or `String`).
///
/// The reader borrows its buffer: it must not outlive the `withUnsafeBytes` scope it was made in.
/// Every read checks bounds, so any input either decodes or throws a `ProtoDecodingError`.
public struct ProtoReader {
    /// protobuf implementations agree on 100 levels; deeper input is refused rather than
    /// risking the stack.
    public static let maximumNestingDepth = 100

    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var position: Int
    @usableFromInline var end: Int
    /// How many enclosing messages or groups surround the current position.
    @usableFromInline var depth: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.depth = 0
    }

    @inlinable
    public var isAtEnd: Bool { position >= end }

    @inlinable
    public var remainingCount: Int { end - position }

    // MARK: Tags

    /// The next field's tag, or nil at the end of the current message.
    @inlinable
    public mutating func nextTag() throws(ProtoDecodingError) -> FieldTag? {
        if position >= end { return nil }
        return try readTag()
    }

    @inlinable
    public mutating func readTag() throws(ProtoDecodingError) -> FieldTag {
        let key = try readVarint()
        guard let wireType = WireType(rawValue: UInt8(truncatingIfNeeded: key & 7)) else {
            throw .invalidWireType(key & 7)
        }
        let number = key >> 3
        guard number >= 1, number <= UInt64(ProtoFieldNumber.max) else {
            throw .invalidFieldNumber(number)
        }
        return FieldTag(fieldNumber: Int(number), wireType: wireType)
    }

    // MARK: Scalars

    @inlinable
    public mutating func readVarint() throws(ProtoDecodingError) -> UInt64 {
        // Fast path: one byte.
        if position < end {
            let first = bytes[position]
            if first < 0x80 {
                position += 1
                return UInt64(first)
            }
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = position
        while true {
            guard index < end else { throw .truncated(needed: 1, available: 0) }
            let byte = bytes[index]
            index += 1
            if shift == 63 && byte > 1 {
                // The tenth byte may only contribute the top bit.
                throw .overlongVarint
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        position = index
        return result
    }

    @inlinable
    public mutating func readUInt64() throws(ProtoDecodingError) -> UInt64 { try readVarint() }

    @inlinable
    public mutating func readInt64() throws(ProtoDecodingError) -> Int64 { Int64(bitPattern: try readVarint()) }

    /// int32 and enums: encoders sign-extend to 64 bits, decoders keep the low 32.
    @inlinable
    public mutating func readInt32() throws(ProtoDecodingError) -> Int32 { Int32(truncatingIfNeeded: try readVarint()) }

    @inlinable
    public mutating func readUInt32() throws(ProtoDecodingError) -> UInt32 { UInt32(truncatingIfNeeded: try readVarint()) }

    @inlinable
    public mutating func readBool() throws(ProtoDecodingError) -> Bool { try readVarint() != 0 }

    @inlinable
    public mutating func readSInt32() throws(ProtoDecodingError) -> Int32 {
        let raw = UInt32(truncatingIfNeeded: try readVarint())
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func readSInt64() throws(ProtoDecodingError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inlinable
    public mutating func readFixed32() throws(ProtoDecodingError) -> UInt32 {
        guard end - position >= 4 else { throw .truncated(needed: 4, available: end - position) }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)
        position += 4
        return UInt32(littleEndian: value)
    }

    @inlinable
    public mutating func readFixed64() throws(ProtoDecodingError) -> UInt64 {
        guard end - position >= 8 else { throw .truncated(needed: 8, available: end - position) }
        let value = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    @inlinable
    public mutating func readSFixed32() throws(ProtoDecodingError) -> Int32 { Int32(bitPattern: try readFixed32()) }

    @inlinable
    public mutating func readSFixed64() throws(ProtoDecodingError) -> Int64 { Int64(bitPattern: try readFixed64()) }

    @inlinable
    public mutating func readFloat() throws(ProtoDecodingError) -> Float { Float(bitPattern: try readFixed32()) }

    @inlinable
    public mutating func readDouble() throws(ProtoDecodingError) -> Double { Double(bitPattern: try readFixed64()) }

    // MARK: Length-delimited

    /// The payload of a length-delimited field, borrowed from the input.
    @inlinable
    public mutating func readLengthDelimited() throws(ProtoDecodingError) -> UnsafeRawBufferPointer {
        let length = try readVarint()
        let available = end - position
        guard length <= UInt64(available) else { throw .lengthPastEnd(length: length, available: available) }
        let start = position
        position += Int(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<position])
    }

    @inlinable
    public mutating func readBytes() throws(ProtoDecodingError) -> [UInt8] {
        Array(try readLengthDelimited())
    }

    @inlinable
    public mutating func readString() throws(ProtoDecodingError) -> String {
        let payload = try readLengthDelimited()
        // Typed as UInt8 code units so validation takes the contiguous fast path.
        let validated = payload.withMemoryRebound(to: UInt8.self) { String(validating: $0, as: UTF8.self) }
        guard let string = validated else { throw .invalidUTF8 }
        return string
    }

    /// Decodes a length-delimited submessage into `message`, merging like protobuf does when a
    /// singular message field occurs more than once.
    @inlinable
    public mutating func mergeMessage<Message: ProtoMessage>(into message: inout Message) throws(ProtoDecodingError) {
        let length = try readVarint()
        let available = end - position
        guard length <= UInt64(available) else { throw .lengthPastEnd(length: length, available: available) }
        guard depth < Self.maximumNestingDepth else { throw .nestingTooDeep(limit: Self.maximumNestingDepth) }
        let outerEnd = end
        end = position + Int(length)
        depth += 1
        try message.merge(from: &self)
        depth -= 1
        // merge(from:) consumes exactly up to `end`.
        position = end
        end = outerEnd
    }

    @inlinable
    public mutating func readMessage<Message: ProtoMessage>(_: Message.Type = Message.self) throws(ProtoDecodingError) -> Message {
        var message = Message()
        try mergeMessage(into: &message)
        return message
    }

    /// Reads one element (unpacked) or a packed run of enum values, as proto3 parsers must
    /// accept both encodings for repeated scalar fields.
    @inlinable
    public mutating func readRepeatedEnum<Value: ProtoEnum>(wireType: WireType, into values: inout [Value]) throws(ProtoDecodingError) {
        if wireType == .varint {
            values.append(Value(rawValue: try readInt32()))
            return
        }
        let length = try readVarint()
        let available = end - position
        guard length <= UInt64(available) else { throw .lengthPastEnd(length: length, available: available) }
        let outerEnd = end
        end = position + Int(length)
        while position < end {
            values.append(Value(rawValue: try readInt32()))
        }
        end = outerEnd
    }

    // MARK: Unknown fields

    /// Skips the value of a field this decoder does not know. Groups (deprecated) are skipped
    /// whole, checking that their end tag matches.
    @inlinable
    public mutating func skipField(_ tag: FieldTag) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            guard end - position >= 8 else { throw .truncated(needed: 8, available: end - position) }
            position += 8
        case .fixed32:
            guard end - position >= 4 else { throw .truncated(needed: 4, available: end - position) }
            position += 4
        case .lengthDelimited:
            _ = try readLengthDelimited()
        case .startGroup:
            try skipGroup(fieldNumber: tag.fieldNumber)
        case .endGroup:
            throw .unmatchedEndGroup(fieldNumber: tag.fieldNumber)
        }
    }

    @usableFromInline
    mutating func skipGroup(fieldNumber: Int) throws(ProtoDecodingError) {
        guard depth < Self.maximumNestingDepth else { throw .nestingTooDeep(limit: Self.maximumNestingDepth) }
        depth += 1
        while true {
            guard position < end else { throw .truncated(needed: 1, available: 0) }
            let inner = try readTag()
            if inner.wireType == .endGroup {
                guard inner.fieldNumber == fieldNumber else { throw .unmatchedEndGroup(fieldNumber: inner.fieldNumber) }
                break
            }
            try skipField(inner)
        }
        depth -= 1
    }
}
