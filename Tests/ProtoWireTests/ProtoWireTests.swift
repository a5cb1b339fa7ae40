import Testing

@testable import ProtoWire

/// A message nesting itself in field 1 and carrying a string in field 2, for depth and merge tests.
private struct Node: ProtoMessage {
    var child: [Node] = []
    var label = ""
    var count: Int64 = 0

    var encodedSize: Int {
        var size = 0
        for child in child { size += 1 + ProtoSize.lengthDelimited(child.encodedSize) }
        if !label.isEmpty { size += 1 + ProtoSize.lengthDelimited(label.utf8.count) }
        if count != 0 { size += 1 + ProtoSize.int64(count) }
        return size
    }

    func encode(to writer: inout ProtoWriter) {
        for child in child { writer.writeMessageField(1, child) }
        if !label.isEmpty { writer.writeStringField(2, label) }
        if count != 0 { writer.writeInt64Field(3, count) }
    }

    mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {
        while let tag = try reader.nextTag() {
            switch tag.fieldNumber {
            case 1 where tag.wireType == .lengthDelimited: child.append(try reader.readMessage())
            case 2 where tag.wireType == .lengthDelimited: label = try reader.readString()
            case 3 where tag.wireType == .varint: count = try reader.readInt64()
            default: try reader.skipField(tag)
            }
        }
    }
}

private func decodeError(_ bytes: [UInt8]) -> ProtoDecodingError.Code? {
    do {
        _ = try Node(serializedBytes: bytes)
        return nil
    } catch {
        return error.code
    }
}

private func encodeVarint(_ value: UInt64) -> [UInt8] {
    let size = ProtoSize.varint(value)
    return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        var writer = ProtoWriter(UnsafeMutableRawBufferPointer(buffer))
        writer.writeVarint(value)
        count = writer.count
    }
}

private func readAll<T>(_ bytes: [UInt8], _ read: (inout ProtoReader) throws(ProtoDecodingError) -> T) throws(ProtoDecodingError) -> T {
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(ProtoDecodingError) -> T in
            var reader = ProtoReader(buffer)
            return try read(&reader)
        }
    }
    return try result.get()
}

@Suite struct VarintTests {
    @Test(arguments: [UInt64(0), 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64(Int64.max), UInt64.max])
    func roundTrip(_ value: UInt64) throws {
        let bytes = encodeVarint(value)
        #expect(bytes.count == ProtoSize.varint(value))
        #expect(try readAll(bytes) { (r) throws(ProtoDecodingError) in try r.readVarint() } == value)
    }

    @Test func knownEncodings() {
        #expect(encodeVarint(0) == [0])
        #expect(encodeVarint(300) == [0xAC, 0x02])
        #expect(encodeVarint(UInt64.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func overlongIsRejected() {
        // Eleven bytes.
        let eleven: [UInt8] = Array(repeating: 0x80, count: 10) + [0x00]
        #expect(throws: ProtoDecodingError.overlongVarint) { try readAll(eleven) { (r) throws(ProtoDecodingError) in try r.readVarint() } }
        // Ten bytes whose last one overflows 64 bits.
        let overflowing: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x02]
        #expect(throws: ProtoDecodingError.overlongVarint) { try readAll(overflowing) { (r) throws(ProtoDecodingError) in try r.readVarint() } }
    }

    @Test func truncatedIsRejected() {
        #expect(decodeError([0x18, 0x80]) == .truncated)
        #expect(decodeError([0x80]) == .truncated)
    }

    @Test func negativeInt32IsSignExtended() throws {
        var node = Node()
        node.count = -1
        let bytes = node.serializedBytes()
        #expect(bytes.count == 11)
        #expect(try Node(serializedBytes: bytes) == node)
    }

    @Test(arguments: [Int64(0), -1, 1, Int64.min, Int64.max, -64, 63])
    func zigZag64(_ value: Int64) throws {
        var buffer = [UInt8](repeating: 0, count: 11)
        let written = buffer.withUnsafeMutableBytes { raw in
            var writer = ProtoWriter(raw)
            writer.writeSInt64Field(1, value)
            return writer.count
        }
        let decoded = try readAll(Array(buffer[..<written])) { (r) throws(ProtoDecodingError) in
            _ = try r.readTag()
            return try r.readSInt64()
        }
        #expect(decoded == value)
    }

    @Test(arguments: [Int32(0), -1, 1, Int32.min, Int32.max])
    func zigZag32(_ value: Int32) throws {
        #expect(ProtoSize.zigZag(Int32(-1)) == 1)
        #expect(ProtoSize.zigZag(Int32(1)) == 2)
        let decoded = try readAll(encodeVarint(UInt64(ProtoSize.zigZag(value)))) { (r) throws(ProtoDecodingError) in try r.readSInt32() }
        #expect(decoded == value)
    }
}

@Suite struct FixedTests {
    @Test func fixedRoundTrip() throws {
        var buffer = [UInt8](repeating: 0, count: 32)
        let written = buffer.withUnsafeMutableBytes { raw in
            var writer = ProtoWriter(raw)
            writer.writeFixed32(0x0102_0304)
            writer.writeFixed64(0x0102_0304_0506_0708)
            writer.writeDoubleField(1, -2.5)
            return writer.count
        }
        #expect(Array(buffer[0..<4]) == [4, 3, 2, 1])
        let values = try readAll(Array(buffer[..<written])) { (r) throws(ProtoDecodingError) in
            let a = try r.readFixed32()
            let b = try r.readFixed64()
            _ = try r.readTag()
            return (a, b, try r.readDouble())
        }
        #expect(values.0 == 0x0102_0304 && values.1 == 0x0102_0304_0506_0708 && values.2 == -2.5)
    }

    @Test func remainingFieldWritersRoundTrip() throws {
        var buffer = [UInt8](repeating: 0, count: 64)
        let written = buffer.withUnsafeMutableBytes { raw in
            var writer = ProtoWriter(raw)
            writer.writeSInt32Field(1, -3)
            writer.writeFloatField(2, 1.5)
            writer.writeFixed32Field(3, 7)
            writer.writeFixed64Field(4, 9)
            writer.writeUInt32Field(5, .max)
            return writer.count
        }
        #expect(Array(buffer[..<2]) == [0x08, 0x05])
        let values = try readAll(Array(buffer[..<written])) { (r) throws(ProtoDecodingError) in
            var tags: [FieldTag] = []
            tags.append(try r.readTag())
            let a = try r.readSInt32()
            tags.append(try r.readTag())
            let b = try r.readFloat()
            tags.append(try r.readTag())
            let c = try r.readSFixed32()
            tags.append(try r.readTag())
            let d = try r.readSFixed64()
            tags.append(try r.readTag())
            let e = try r.readUInt32()
            #expect(r.isAtEnd)
            return (tags.map(\.wireType), a, b, c, d, e)
        }
        #expect(values.0 == [.varint, .fixed32, .fixed32, .fixed64, .varint])
        #expect(values.1 == -3 && values.2 == 1.5 && values.3 == 7 && values.4 == 9 && values.5 == .max)
    }

    @Test func truncatedFixed() {
        #expect(throws: ProtoDecodingError.truncated(needed: 4, available: 3)) {
            try readAll([1, 2, 3]) { (r) throws(ProtoDecodingError) in try r.readFixed32() }
        }
        #expect(throws: ProtoDecodingError.truncated(needed: 8, available: 7)) {
            try readAll([1, 2, 3, 4, 5, 6, 7]) { (r) throws(ProtoDecodingError) in try r.readFixed64() }
        }
    }
}

@Suite struct TagTests {
    @Test func invalidWireTypes() {
        #expect(decodeError([0x0E, 0]) == .invalidWireType)  // field 1, wire type 6
        #expect(decodeError([0x0F, 0]) == .invalidWireType)  // field 1, wire type 7
    }

    @Test func fieldNumberZero() {
        #expect(decodeError([0x00, 0x00]) == .invalidFieldNumber)
        #expect(decodeError([0x02, 0x00]) == .invalidFieldNumber)
    }

    @Test func fieldNumberTooLarge() {
        // 2^29 << 3 | 0 as a varint.
        #expect(decodeError(encodeVarint(UInt64(1) << 32) + [0]) == .invalidFieldNumber)
        #expect(decodeError(encodeVarint(UInt64(ProtoFieldNumber.max) << 3) + [0]) == nil)
    }

    @Test func lengthPastEnd() {
        #expect(decodeError([0x12, 0x05, 0x61]) == .lengthPastEnd)
        #expect(decodeError([0x12] + encodeVarint(UInt64.max)) == .lengthPastEnd)
    }

    @Test func invalidUTF8() {
        #expect(decodeError([0x12, 0x02, 0xC3, 0x28]) == .invalidUTF8)
    }
}

@Suite struct UnknownFieldTests {
    @Test func everyWireTypeIsSkipped() throws {
        let unknown: [UInt8] = [
            0x50, 0x96, 0x01,  // field 10 varint 150
            0x59, 1, 2, 3, 4, 5, 6, 7, 8,  // field 11 fixed64
            0x62, 0x02, 0xAA, 0xBB,  // field 12 bytes
            0x6B, 0x08, 0x01, 0x6C,  // field 13 group holding field 1 varint 1
            0x75, 1, 2, 3, 4,  // field 14 fixed32
        ]
        let known: [UInt8] = [0x12, 0x02, 0x68, 0x69, 0x18, 0x07]
        let node = try Node(serializedBytes: unknown + known + unknown)
        #expect(node.label == "hi")
        #expect(node.count == 7)
    }

    @Test func nestedGroupsAreSkipped() throws {
        // Field 13 group containing field 14 group containing field 1 varint.
        let bytes: [UInt8] = [0x6B, 0x73, 0x08, 0x01, 0x74, 0x6C, 0x18, 0x02]
        #expect(try Node(serializedBytes: bytes).count == 2)
    }

    @Test func groupErrors() {
        #expect(decodeError([0x6C]) == .unmatchedEndGroup)  // end without start
        #expect(decodeError([0x6B, 0x08, 0x01, 0x74]) == .unmatchedEndGroup)  // end for field 14
        #expect(decodeError([0x6B, 0x08, 0x01]) == .truncated)  // never ended
    }

    @Test func wrongWireTypeForKnownFieldIsSkipped() throws {
        // Field 3 (int64) sent as fixed32: treated as unknown, like protobuf does.
        #expect(try Node(serializedBytes: [0x1D, 1, 2, 3, 4]).count == 0)
    }

    @Test func deepGroupNestingIsRefused() {
        let depth = ProtoReader.maximumNestingDepth + 1
        let bytes = Array(repeating: UInt8(0x6B), count: depth) + Array(repeating: UInt8(0x6C), count: depth)
        #expect(decodeError(bytes) == .nestingTooDeep)
    }
}

@Suite struct MessageTests {
    @Test func nestedRoundTrip() throws {
        var leaf = Node()
        leaf.label = "héllo ✓"
        leaf.count = Int64.min
        var root = Node()
        root.child = [leaf, Node(), leaf]
        root.count = 42
        let bytes = root.serializedBytes()
        #expect(bytes.count == root.encodedSize)
        #expect(try Node(serializedBytes: bytes) == root)
        let fromBuffer = try bytes.withUnsafeBytes { try Node(serializedBytes: $0) }
        #expect(fromBuffer == root)
    }

    @Test func emptyInputIsDefault() throws {
        #expect(try Node(serializedBytes: []) == Node())
        #expect(Node().serializedBytes().isEmpty)
    }

    @Test func lastScalarWins() throws {
        #expect(try Node(serializedBytes: [0x18, 0x01, 0x18, 0x02]).count == 2)
    }

    @Test func deepMessageNestingIsRefused() {
        var node = Node()
        for _ in 0..<ProtoReader.maximumNestingDepth {
            var parent = Node()
            parent.child = [node]
            node = parent
        }
        let bytes = node.serializedBytes()
        #expect(decodeError(bytes) == nil)
        var deeper = Node()
        deeper.child = [node]
        #expect(decodeError(deeper.serializedBytes()) == .nestingTooDeep)
    }

    @Test func submessageLengthPastEnd() {
        // Child claims 3 bytes, holds only 1.
        #expect(decodeError([0x0A, 0x03, 0x18]) == .lengthPastEnd)
        // Child's own content is truncated within its declared length.
        #expect(decodeError([0x0A, 0x01, 0x18]) == .truncated)
    }

    @Test func packedAndUnpackedEnums() throws {
        let packed: [UInt8] = [0x0A, 0x0D, 0x01, 0x96, 0x01] + Array(repeating: 0xFF, count: 9) + [0x01]
        var values: [Color] = []
        try readAll(packed) { (r) throws(ProtoDecodingError) in
            let tag = try r.readTag()
            try r.readRepeatedEnum(wireType: tag.wireType, into: &values)
        }
        #expect(values == [Color(rawValue: 1), Color(rawValue: 150), Color(rawValue: -1)])
        try readAll([0x08, 0x05]) { (r) throws(ProtoDecodingError) in
            let tag = try r.readTag()
            try r.readRepeatedEnum(wireType: tag.wireType, into: &values)
        }
        #expect(values.last == Color(rawValue: 5))
        let payload = ProtoSize.packedEnumPayload(values)
        #expect(payload == 1 + 2 + 10 + 1)
        var buffer = [UInt8](repeating: 0, count: 2 + payload)
        let written = buffer.withUnsafeMutableBytes { raw in
            var writer = ProtoWriter(raw)
            writer.writePackedEnumField(1, values, payloadSize: payload)
            return writer.count
        }
        #expect(written == buffer.count)
        #expect(Array(buffer[..<14]) == [0x0A, 0x0E] + Array(packed[2...13]))
    }
}

private struct Color: ProtoEnum {
    var rawValue: Int32
}
