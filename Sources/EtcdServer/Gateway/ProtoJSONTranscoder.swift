import ProtoWire

/// A request body jsonpb would refuse, with the text of Go's error.
struct JSONDecodingError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }

    static func unmarshalType(_ kind: String, into goType: String) -> JSONDecodingError {
        JSONDecodingError(message: "json: cannot unmarshal \(kind) into Go value of type \(goType)")
    }
}

/// Converts between JSON and protobuf as etcd's grpc-gateway does with golang/protobuf 1.3's
/// jsonpb (`OrigName: true`, no defaults emitted, unknown JSON fields ignored): requests are
/// read as jsonpb reads them, errors included, and responses written as jsonpb writes them.
/// Works on the protobuf wire form, so the gateway hands the services the same bytes a gRPC
/// client would.
enum ProtoJSONTranscoder {
    /// The protobuf encoding of `value` read as a `schema` message.
    static func protobuf(from value: JSONValue, as schema: ProtoMessageSchema) throws(JSONDecodingError) -> [UInt8] {
        var output: [UInt8] = []
        try encodeMessage(value, schema, into: &output, depth: 0)
        return output
    }

    /// jsonpb's rendering of the `schema` message in `bytes`.
    static func json(fromProtobuf bytes: UnsafeRawBufferPointer, as schema: ProtoMessageSchema) throws(ProtoDecodingError) -> [UInt8] {
        var writer = JSONWriter()
        try writeMessage(bytes, schema, to: &writer, depth: 0)
        return writer.bytes
    }

    /// Deeper messages are refused, as the services' protobuf decoder refuses them.
    private static let maxDepth = ProtoReader.maximumNestingDepth

    // MARK: JSON to protobuf

    private static func encodeMessage(
        _ value: JSONValue, _ schema: ProtoMessageSchema, into output: inout [UInt8], depth: Int
    ) throws(JSONDecodingError) {
        let members: [JSONMember]
        switch value {
        case .null: return
        case .object(let objectMembers): members = objectMembers
        default: throw .unmarshalType(value.goKind, into: "map[string]json.RawMessage")
        }
        guard depth < maxDepth else { throw JSONDecodingError(message: "exceeded max depth") }
        // Go reads the object into a map: the last of duplicate keys wins.
        var byKey: [String: JSONValue] = [:]
        for member in members { byKey[member.key] = member.value }
        /// jsonpb's `consumeField`: the JSON name wins over the proto name when both are given.
        func consume(_ name: String, _ jsonName: String) -> JSONValue? {
            let byName = byKey.removeValue(forKey: name)
            let byJSONName = byKey.removeValue(forKey: jsonName)
            return byJSONName ?? byName
        }
        // Go's struct order: plain fields, each oneof as one interface field where it starts,
        // which jsonpb matches by the oneof's own name; the oneofs' members come after all.
        var oneofsSeen: Set<String> = []
        for field in schema.fields {
            if let oneof = field.oneof {
                guard oneofsSeen.insert(oneof).inserted, let given = consume(oneof, oneof) else { continue }
                // A oneof's Go field is an interface: encoding/json can store only null in it.
                if given != .null { throw .unmarshalType(given.goKind, into: schema.oneofInterfaceName(oneof)) }
                continue
            }
            guard let given = consume(field.name, field.jsonName) else { continue }
            try encodeField(given, field, into: &output, depth: depth)
        }
        for field in schema.fields where field.oneof != nil {
            guard let given = consume(field.name, field.jsonName) else { continue }
            try encodeField(given, field, into: &output, depth: depth, presentEvenIfZero: true)
        }
    }

    private static func encodeField(
        _ value: JSONValue, _ field: ProtoFieldSchema, into output: inout [UInt8], depth: Int,
        presentEvenIfZero: Bool = false
    ) throws(JSONDecodingError) {
        guard field.repeated else {
            try encodeSingle(value, field, into: &output, depth: depth, presentEvenIfZero: presentEvenIfZero)
            return
        }
        switch value {
        case .null: return
        case .array(let elements):
            if case .enumeration = field.kind {
                var packed: [UInt8] = []
                for element in elements {
                    if let number = try enumNumber(element, field) { ProtoBytes.appendVarint(UInt64(bitPattern: Int64(number)), to: &packed) }
                }
                if !packed.isEmpty { ProtoBytes.appendLengthDelimited(field.number, packed, to: &output) }
                return
            }
            for element in elements {
                try encodeSingle(element, field, into: &output, depth: depth, presentEvenIfZero: true)
            }
        default:
            throw .unmarshalType(value.goKind, into: "[]json.RawMessage")
        }
    }

    /// One value of a field; proto3 leaves zero values off the wire, except in oneofs and
    /// repeated fields, where presence is the value.
    private static func encodeSingle(
        _ value: JSONValue, _ field: ProtoFieldSchema, into output: inout [UInt8], depth: Int, presentEvenIfZero: Bool
    ) throws(JSONDecodingError) {
        func varint(_ raw: UInt64) {
            guard raw != 0 || presentEvenIfZero else { return }
            ProtoBytes.appendTag(field.number, wireType: 0, to: &output)
            ProtoBytes.appendVarint(raw, to: &output)
        }
        func lengthDelimited(_ bytes: [UInt8]) {
            guard !bytes.isEmpty || presentEvenIfZero else { return }
            ProtoBytes.appendLengthDelimited(field.number, bytes, to: &output)
        }
        switch field.kind {
        case .int64:
            if let number = try integer(value, goType: "int64", Int64.self) { varint(UInt64(bitPattern: number)) }
        case .int32:
            if let number = try integer(value, goType: "int32", Int32.self) { varint(UInt64(bitPattern: Int64(number))) }
        case .uint64:
            if let number = try integer(value, goType: "uint64", UInt64.self) { varint(number) }
        case .uint32:
            if let number = try integer(value, goType: "uint32", UInt32.self) { varint(UInt64(number)) }
        case .enumeration:
            if let number = try enumNumber(value, field) { varint(UInt64(bitPattern: Int64(number))) }
        case .bool:
            switch value {
            case .null: return
            case .bool(let flag): varint(flag ? 1 : 0)
            default: throw .unmarshalType(value.goKind, into: "bool")
            }
        case .string:
            switch value {
            case .null: return
            case .string(let text, _): lengthDelimited(Array(text.utf8))
            default: throw .unmarshalType(value.goKind, into: "string")
            }
        case .bytes:
            if let bytes = try byteSlice(value) { lengthDelimited(bytes) }
        case .message(let schema):
            if value == .null, !presentEvenIfZero { return }
            var nested: [UInt8] = []
            try encodeMessage(value, schema(), into: &nested, depth: depth + 1)
            ProtoBytes.appendLengthDelimited(field.number, nested, to: &output)
        }
    }

    /// jsonpb reads an enum from its name in quotes, or as a number.
    private static func enumNumber(_ value: JSONValue, _ field: ProtoFieldSchema) throws(JSONDecodingError) -> Int32? {
        guard case .enumeration(let schema) = field.kind else { preconditionFailure("not an enum field") }
        if case .string(_, let raw) = value {
            // jsonpb looks the name up unescaped, and quotes it with Go's %q.
            let name = String(decoding: raw, as: UTF8.self)
            guard let number = schema.number(named: name) else {
                throw JSONDecodingError(message: "unknown value \(GoQuote.quote(raw)) for enum \(schema.goTypeName)")
            }
            return number
        }
        return try integer(value, goType: schema.goTypeName, Int32.self)
    }

    /// jsonpb's integers: a number, or a number in quotes, which it reads again without them
    /// (so `"abc"` fails as the JSON text `abc` does).
    private static func integer<Integer: FixedWidthInteger>(
        _ value: JSONValue, goType: String, _: Integer.Type
    ) throws(JSONDecodingError) -> Integer? {
        var value = value
        if case .string(_, let raw) = value {
            do {
                value = try JSONReader.wholeValue(raw)
            } catch {
                throw JSONDecodingError(message: error.message)
            }
        }
        switch value {
        case .null: return nil
        case .number(let literal):
            guard let number = Integer(literal, radix: 10), !literal.hasPrefix("+") else {
                throw .unmarshalType("number \(literal)", into: goType)
            }
            return number
        default:
            throw .unmarshalType(value.goKind, into: goType)
        }
    }

    /// encoding/json's `[]byte`: a base64 string, or an array of numbers that fit a byte.
    private static func byteSlice(_ value: JSONValue) throws(JSONDecodingError) -> [UInt8]? {
        switch value {
        case .null: return nil
        case .string(let text, _):
            switch GoBase64.decode(Array(text.utf8)) {
            case .success(let bytes): return bytes
            case .failure(let error): throw JSONDecodingError(message: "illegal base64 data at input byte \(error.offset)")
            }
        case .array(let elements):
            var bytes: [UInt8] = []
            // Go goes on after a bad element and reports the first.
            var firstError: JSONDecodingError?
            for element in elements {
                switch element {
                case .number(let literal):
                    if let byte = UInt8(literal, radix: 10) {
                        bytes.append(byte)
                    } else {
                        firstError = firstError ?? .unmarshalType("number \(literal)", into: "uint8")
                        bytes.append(0)
                    }
                case .null:
                    bytes.append(0)
                default:
                    firstError = firstError ?? .unmarshalType(element.goKind, into: "uint8")
                    bytes.append(0)
                }
            }
            if let firstError { throw firstError }
            return bytes
        default:
            throw .unmarshalType(value.goKind, into: "[]uint8")
        }
    }

    // MARK: Protobuf to JSON

    /// What a message's wire form holds, as Go's decoder would leave it in the struct.
    private enum FieldValue {
        case scalar(UInt64)
        case bytes([UInt8])
        case repeated([FieldValue])
    }

    private static func writeMessage(
        _ bytes: UnsafeRawBufferPointer, _ schema: ProtoMessageSchema, to writer: inout JSONWriter, depth: Int
    ) throws(ProtoDecodingError) {
        guard depth < maxDepth else { throw .nestingTooDeep(limit: maxDepth) }
        var values: [Int: FieldValue] = [:]
        /// Per oneof, the member seen last: setting one member clears the others.
        var oneofMembers: [String: Int] = [:]
        var reader = ProtoReader(bytes)
        while let tag = try reader.nextTag() {
            guard let field = schema.fields.first(where: { $0.number == tag.fieldNumber }) else {
                try reader.skipField(tag)
                continue
            }
            let value = try readValue(&reader, tag, field)
            if let oneof = field.oneof {
                if let previous = oneofMembers[oneof], previous != field.number { values[previous] = nil }
                oneofMembers[oneof] = field.number
            }
            switch (field.repeated, value, values[field.number]) {
            case (true, .repeated(let more), .repeated(let earlier)?): values[field.number] = .repeated(earlier + more)
            case (true, .repeated, _): values[field.number] = value
            case (true, _, .repeated(let earlier)?): values[field.number] = .repeated(earlier + [value])
            case (true, _, _): values[field.number] = .repeated([value])
            // A message given twice is merged, which for protobuf is its bytes concatenated.
            case (false, .bytes(let more), .bytes(let earlier)?) where isMessage(field): values[field.number] = .bytes(earlier + more)
            case (false, _, _): values[field.number] = value
            }
        }
        writer.raw("{")
        var first = true
        for field in schema.fields {
            guard let value = values[field.number], !isOmitted(value, field) else { continue }
            if !first { writer.raw(",") }
            first = false
            writer.string(field.name)
            writer.raw(":")
            if field.repeated, case .repeated(let elements) = value {
                writer.raw("[")
                for (index, element) in elements.enumerated() {
                    if index > 0 { writer.raw(",") }
                    try writeValue(element, field, to: &writer, depth: depth)
                }
                writer.raw("]")
            } else {
                try writeValue(value, field, to: &writer, depth: depth)
            }
        }
        writer.raw("}")
    }

    private static func isMessage(_ field: ProtoFieldSchema) -> Bool {
        if case .message = field.kind { return true }
        return false
    }

    /// jsonpb leaves out zero values; a message that is present is written even when empty,
    /// and so is a oneof member. Empty bytes are left out as well: etcd never sends them.
    private static func isOmitted(_ value: FieldValue, _ field: ProtoFieldSchema) -> Bool {
        if field.oneof != nil { return false }
        switch value {
        case .scalar(let raw): return raw == 0
        case .bytes(let bytes): return bytes.isEmpty && !isMessage(field)
        case .repeated(let elements): return elements.isEmpty
        }
    }

    private static func readValue(
        _ reader: inout ProtoReader, _ tag: FieldTag, _ field: ProtoFieldSchema
    ) throws(ProtoDecodingError) -> FieldValue {
        switch field.kind {
        case .string, .bytes, .message:
            guard tag.wireType == .lengthDelimited else { throw .wrongWireType(tag) }
            return .bytes(try reader.readBytes())
        case .int64, .uint64, .int32, .uint32, .bool, .enumeration:
            if field.repeated, tag.wireType == .lengthDelimited {
                let packed = try reader.readLengthDelimited()
                var inner = ProtoReader(packed)
                var elements: [FieldValue] = []
                while !inner.isAtEnd { elements.append(.scalar(try inner.readVarint())) }
                return .repeated(elements)
            }
            guard tag.wireType == .varint else { throw .wrongWireType(tag) }
            return .scalar(try reader.readVarint())
        }
    }

    private static func writeValue(
        _ value: FieldValue, _ field: ProtoFieldSchema, to writer: inout JSONWriter, depth: Int
    ) throws(ProtoDecodingError) {
        switch (field.kind, value) {
        case (.int64, .scalar(let raw)): writer.raw("\"\(Int64(bitPattern: raw))\"")
        case (.uint64, .scalar(let raw)): writer.raw("\"\(raw)\"")
        case (.int32, .scalar(let raw)): writer.raw("\(Int32(truncatingIfNeeded: raw))")
        case (.uint32, .scalar(let raw)): writer.raw("\(UInt32(truncatingIfNeeded: raw))")
        case (.bool, .scalar(let raw)): writer.raw(raw != 0 ? "true" : "false")
        case (.enumeration(let schema), .scalar(let raw)):
            let number = Int32(truncatingIfNeeded: raw)
            // jsonpb writes an unknown value as a bare number.
            if let name = schema.name(of: number) { writer.string(name) } else { writer.raw("\(number)") }
        case (.string, .bytes(let bytes)): writer.string(GoUTF8.string(bytes))
        case (.bytes, .bytes(let bytes)): writer.string(GoBase64.encode(bytes))
        case (.message(let schema), .bytes(let bytes)):
            var nestedWriter = JSONWriter()
            let written = bytes.withUnsafeBytes { nested in
                Result { () throws(ProtoDecodingError) in
                    try writeMessage(nested, schema(), to: &nestedWriter, depth: depth + 1)
                }
            }
            try written.get()
            writer.raw(nestedWriter)
        default:
            throw .wrongWireType(FieldTag(fieldNumber: field.number, wireType: .varint))
        }
    }
}

/// Appends protobuf wire elements to a byte array.
enum ProtoBytes {
    static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }

    static func appendTag(_ number: Int, wireType: UInt64, to output: inout [UInt8]) {
        appendVarint(UInt64(number) << 3 | wireType, to: &output)
    }

    static func appendLengthDelimited(_ number: Int, _ bytes: [UInt8], to output: inout [UInt8]) {
        appendTag(number, wireType: 2, to: &output)
        appendVarint(UInt64(bytes.count), to: &output)
        output.append(contentsOf: bytes)
    }
}

/// Go's `base64.StdEncoding`, which encoding/json uses for `[]byte`: padding required, line
/// breaks skipped, errors at the offset Go reports.
enum GoBase64 {
    struct CorruptInput: Error, Equatable {
        var offset: Int
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let decodeMap: [UInt8] = {
        var map = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { map[Int(byte)] = UInt8(index) }
        return map
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = UInt32(0)
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<4 {
                if position <= chunk.count {
                    output.append(alphabet[Int((value >> (18 - 6 * position)) & 0x3F)])
                } else {
                    output.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Go's `Encoding.Decode`, quantum by quantum.
    static func decode(_ source: [UInt8]) -> Result<[UInt8], CorruptInput> {
        var output: [UInt8] = []
        var position = 0
        while position < source.count {
            switch decodeQuantum(source, &position) {
            case .success(let bytes): output.append(contentsOf: bytes)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(output)
    }

    private static func isLineBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    private static func decodeQuantum(_ source: [UInt8], _ position: inout Int) -> Result<[UInt8], CorruptInput> {
        var digits = [UInt8](repeating: 0, count: 4)
        var length = 4
        var trailingGarbageAt: Int?
        var index = 0
        quantum: while index < 4 {
            if position == source.count {
                if index == 0 { return .success([]) }
                return .failure(CorruptInput(offset: position - index))
            }
            let byte = source[position]
            position += 1
            let digit = decodeMap[Int(byte)]
            if digit != 0xFF {
                digits[index] = digit
                index += 1
                continue
            }
            if isLineBreak(byte) { continue }
            guard byte == UInt8(ascii: "=") else { return .failure(CorruptInput(offset: position - 1)) }
            switch index {
            case 0, 1:
                return .failure(CorruptInput(offset: position - 1))
            case 2:
                while position < source.count, isLineBreak(source[position]) { position += 1 }
                if position == source.count { return .failure(CorruptInput(offset: source.count)) }
                guard source[position] == UInt8(ascii: "=") else { return .failure(CorruptInput(offset: position - 1)) }
                position += 1
            default:
                break
            }
            while position < source.count, isLineBreak(source[position]) { position += 1 }
            if position < source.count { trailingGarbageAt = position }
            length = index
            break quantum
        }
        let value = UInt32(digits[0]) << 18 | UInt32(digits[1]) << 12 | UInt32(digits[2]) << 6 | UInt32(digits[3])
        let decoded = [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        if let trailingGarbageAt { return .failure(CorruptInput(offset: trailingGarbageAt)) }
        return .success(Array(decoded.prefix(length - 1)))
    }
}

/// Go's `%q` of a byte slice: a double-quoted string with Go escapes.
enum GoQuote {
    static func quote(_ bytes: [UInt8]) -> String {
        var result = "\""
        let text = GoUTF8.string(bytes)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += #"\""#
            case "\\": result += #"\\"#
            case "\u{07}": result += #"\a"#
            case "\u{08}": result += #"\b"#
            case "\u{0C}": result += #"\f"#
            case "\n": result += #"\n"#
            case "\r": result += #"\r"#
            case "\t": result += #"\t"#
            case "\u{0B}": result += #"\v"#
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += #"\x"# + String(format2: scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate init(format2 value: UInt32) {
        let text = String(value, radix: 16)
        self = text.count < 2 ? "0" + text : text
    }
}
