/// Writes protobuf wire format into a caller-provided buffer in one pass.
///
/// The caller sizes the buffer with the message's `encodedSize`; writing more than that is a
/// programming error (the sizes and the writes disagree) and traps rather than corrupting memory.
public struct ProtoWriter {
    @usableFromInline let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var position: Int

    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
        self.position = 0
    }

    /// Bytes written so far.
    @inlinable
    public var count: Int { position }

    @inlinable
    mutating func reserve(_ byteCount: Int) -> Int {
        let start = position
        precondition(buffer.count - start >= byteCount, "ProtoWriter: encodedSize was smaller than the encoding")
        position = start + byteCount
        return start
    }

    // MARK: Primitives

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var remaining = value
        let start = reserve(ProtoSize.varint(value))
        var index = start
        while remaining >= 0x80 {
            buffer[index] = UInt8(truncatingIfNeeded: remaining) | 0x80
            remaining >>= 7
            index += 1
        }
        buffer[index] = UInt8(truncatingIfNeeded: remaining)
    }

    @inlinable
    public mutating func writeTag(_ fieldNumber: Int, _ wireType: WireType) {
        writeVarint(UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue))
    }

    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        let start = reserve(4)
        buffer.storeBytes(of: value.littleEndian, toByteOffset: start, as: UInt32.self)
    }

    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        let start = reserve(8)
        buffer.storeBytes(of: value.littleEndian, toByteOffset: start, as: UInt64.self)
    }

    @inlinable
    public mutating func writeRawBytes(_ bytes: UnsafeRawBufferPointer) {
        let start = reserve(bytes.count)
        if let source = bytes.baseAddress, !bytes.isEmpty {
            (buffer.baseAddress! + start).copyMemory(from: source, byteCount: bytes.count)
        }
    }

    // MARK: Fields (tag + value); callers decide whether a default value is written at all

    @inlinable
    public mutating func writeUInt64Field(_ fieldNumber: Int, _ value: UInt64) {
        writeTag(fieldNumber, .varint)
        writeVarint(value)
    }

    @inlinable
    public mutating func writeInt64Field(_ fieldNumber: Int, _ value: Int64) {
        writeTag(fieldNumber, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    /// int32 and enums are sign-extended to 64 bits, so negative values take 10 bytes.
    @inlinable
    public mutating func writeInt32Field(_ fieldNumber: Int, _ value: Int32) {
        writeTag(fieldNumber, .varint)
        writeVarint(UInt64(bitPattern: Int64(value)))
    }

    @inlinable
    public mutating func writeUInt32Field(_ fieldNumber: Int, _ value: UInt32) {
        writeTag(fieldNumber, .varint)
        writeVarint(UInt64(value))
    }

    @inlinable
    public mutating func writeBoolField(_ fieldNumber: Int, _ value: Bool) {
        writeTag(fieldNumber, .varint)
        writeVarint(value ? 1 : 0)
    }

    @inlinable
    public mutating func writeSInt32Field(_ fieldNumber: Int, _ value: Int32) {
        writeTag(fieldNumber, .varint)
        writeVarint(UInt64(ProtoSize.zigZag(value)))
    }

    @inlinable
    public mutating func writeSInt64Field(_ fieldNumber: Int, _ value: Int64) {
        writeTag(fieldNumber, .varint)
        writeVarint(ProtoSize.zigZag(value))
    }

    @inlinable
    public mutating func writeFixed32Field(_ fieldNumber: Int, _ value: UInt32) {
        writeTag(fieldNumber, .fixed32)
        writeFixed32(value)
    }

    @inlinable
    public mutating func writeFixed64Field(_ fieldNumber: Int, _ value: UInt64) {
        writeTag(fieldNumber, .fixed64)
        writeFixed64(value)
    }

    @inlinable
    public mutating func writeDoubleField(_ fieldNumber: Int, _ value: Double) {
        writeFixed64Field(fieldNumber, value.bitPattern)
    }

    @inlinable
    public mutating func writeFloatField(_ fieldNumber: Int, _ value: Float) {
        writeFixed32Field(fieldNumber, value.bitPattern)
    }

    @inlinable
    public mutating func writeBytesField(_ fieldNumber: Int, _ value: [UInt8]) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(value.count))
        value.withUnsafeBytes { writeRawBytes($0) }
    }

    @inlinable
    public mutating func writeStringField(_ fieldNumber: Int, _ value: String) {
        writeTag(fieldNumber, .lengthDelimited)
        let utf8 = value.utf8
        writeVarint(UInt64(utf8.count))
        let written: Void? = utf8.withContiguousStorageIfAvailable { writeRawBytes(UnsafeRawBufferPointer($0)) }
        if written == nil {
            // Bridged or lazily-encoded strings: copy byte by byte.
            let start = reserve(utf8.count)
            var index = start
            for byte in utf8 {
                buffer[index] = byte
                index += 1
            }
        }
    }

    @inlinable
    public mutating func writeMessageField<Message: ProtoMessage>(_ fieldNumber: Int, _ message: Message) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(message.encodedSize))
        message.encode(to: &self)
    }

    /// A packed repeated enum field; `payloadSize` is `ProtoSize.packedEnumPayload(values)`.
    @inlinable
    public mutating func writePackedEnumField<Value: ProtoEnum>(_ fieldNumber: Int, _ values: [Value], payloadSize: Int) {
        writeTag(fieldNumber, .lengthDelimited)
        writeVarint(UInt64(payloadSize))
        for value in values {
            writeVarint(UInt64(bitPattern: Int64(value.rawValue)))
        }
    }
}

/// Encoded sizes, for computing `encodedSize` before writing.
public enum ProtoSize {
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 bits; zero still takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inlinable
    public static func tag(_ fieldNumber: Int) -> Int { varint(UInt64(fieldNumber) << 3) }

    @inlinable
    public static func int64(_ value: Int64) -> Int { varint(UInt64(bitPattern: value)) }

    @inlinable
    public static func int32(_ value: Int32) -> Int { varint(UInt64(bitPattern: Int64(value))) }

    @inlinable
    public static func zigZag(_ value: Int32) -> UInt32 { UInt32(bitPattern: (value << 1) ^ (value >> 31)) }

    @inlinable
    public static func zigZag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    /// Length prefix plus payload.
    @inlinable
    public static func lengthDelimited(_ payloadCount: Int) -> Int { varint(UInt64(payloadCount)) + payloadCount }

    @inlinable
    public static func packedEnumPayload<Value: ProtoEnum>(_ values: [Value]) -> Int {
        var size = 0
        for value in values { size += int32(value.rawValue) }
        return size
    }
}
