/// JSON text as Go's encoding/json reads and writes it, since etcd's gateway is Go: the same
/// syntax, the same error messages, and the same escaping on output. Only the codec lives here;
/// what a value means for a protobuf field is `ProtoJSONTranscoder`'s business.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The literal as written: Go parses it only once it knows the target type.
    case number(String)
    /// `raw` is the text between the quotes, unescaped: jsonpb matches enum names and reads
    /// quoted numbers on it.
    case string(String, raw: [UInt8])
    case array([JSONValue])
    /// Members in input order, duplicates kept; `JSONValue.members` resolves them as Go does.
    case object([JSONMember])

    /// The word Go's `UnmarshalTypeError` uses for a value of this kind.
    var goKind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

struct JSONMember: Equatable, Sendable {
    var key: String
    var value: JSONValue
}

/// A syntax error, worded as encoding/json words it.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }

    /// `json.Decoder` at the end of input inside a value (Go's io.ErrUnexpectedEOF).
    static let unexpectedEOF = JSONSyntaxError(message: "unexpected EOF")
    /// `json.Unmarshal` on input that ends inside a value, or is empty.
    static let unexpectedEndOfInput = JSONSyntaxError(message: "unexpected end of JSON input")

    static func invalidCharacter(_ byte: UInt8, _ context: String) -> JSONSyntaxError {
        JSONSyntaxError(message: "invalid character \(quoteChar(byte)) \(context)")
    }

    /// Go's `quoteChar`: the byte as a rune in single quotes, escaped as `strconv.Quote` would.
    static func quoteChar(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "'"): return #"'\''"#
        case UInt8(ascii: "\""): return #"'"'"#
        default: break
        }
        let escaped: String
        switch byte {
        case 0x07: escaped = #"\a"#
        case 0x08: escaped = #"\b"#
        case 0x0C: escaped = #"\f"#
        case 0x0A: escaped = #"\n"#
        case 0x0D: escaped = #"\r"#
        case 0x09: escaped = #"\t"#
        case 0x0B: escaped = #"\v"#
        case UInt8(ascii: "\\"): escaped = #"\\"#
        case 0..<0x20, 0x7F: escaped = #"\x"# + hex(byte, digits: 2)
        // U+0080...U+00A0 and the soft hyphen are not printable for strconv.
        case 0x80...0xA0, 0xAD: escaped = #"\u"# + hex(byte, digits: 4)
        default: escaped = String(Character(Unicode.Scalar(byte)))
        }
        return "'\(escaped)'"
    }

    private static func hex(_ byte: UInt8, digits: Int) -> String {
        let text = String(byte, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }
}

/// Go's encoding/json reader: `value(in:from:)` is `json.Decoder.Decode` (one value of a
/// stream), `wholeValue(_:)` is `json.Unmarshal`'s check of its entire input.
enum JSONReader {
    /// Go's decoder refuses deeper nesting than this.
    static let maxDepth = 10_000

    /// The next value of a stream, starting at `offset` and leaving it after the value; nil when
    /// only whitespace is left (Go's io.EOF).
    static func value(in bytes: [UInt8], from offset: inout Int) throws(JSONSyntaxError) -> JSONValue? {
        var parser = Parser(bytes: bytes, position: offset, endOfInput: .unexpectedEOF)
        parser.skipWhitespace()
        if parser.atEnd {
            offset = parser.position
            return nil
        }
        let value = try parser.parseValue()
        offset = parser.position
        return value
    }

    /// The one value `bytes` holds; anything but whitespace after it is an error.
    static func wholeValue(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = Parser(bytes: bytes, position: 0, endOfInput: .unexpectedEndOfInput)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if !parser.atEnd { throw .invalidCharacter(bytes[parser.position], "after top-level value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var position: Int
        let endOfInput: JSONSyntaxError

        var atEnd: Bool { position >= bytes.count }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func next() throws(JSONSyntaxError) -> UInt8 {
            guard position < bytes.count else { throw endOfInput }
            defer { position += 1 }
            return bytes[position]
        }

        func peek() throws(JSONSyntaxError) -> UInt8 {
            guard position < bytes.count else { throw endOfInput }
            return bytes[position]
        }

        /// A partly built array or object, kept on an explicit stack so that deep nesting
        /// cannot exhaust the thread's stack.
        private enum Container {
            case array([JSONValue])
            case object([JSONMember], pendingKey: String)
        }

        mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
            var stack: [Container] = []
            while true {
                skipWhitespace()
                var value: JSONValue
                let byte = try next()
                switch byte {
                case UInt8(ascii: "{"):
                    guard stack.count < JSONReader.maxDepth else { throw .invalidCharacter(byte, "exceeded max depth") }
                    skipWhitespace()
                    if try peek() == UInt8(ascii: "}") {
                        position += 1
                        value = .object([])
                    } else {
                        stack.append(.object([], pendingKey: try parseKey()))
                        continue
                    }
                case UInt8(ascii: "["):
                    guard stack.count < JSONReader.maxDepth else { throw .invalidCharacter(byte, "exceeded max depth") }
                    skipWhitespace()
                    if try peek() == UInt8(ascii: "]") {
                        position += 1
                        value = .array([])
                    } else {
                        stack.append(.array([]))
                        continue
                    }
                case UInt8(ascii: "\""):
                    value = try parseString()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    value = try parseNumber(first: byte)
                case UInt8(ascii: "t"):
                    try expectLiteral("true")
                    value = .bool(true)
                case UInt8(ascii: "f"):
                    try expectLiteral("false")
                    value = .bool(false)
                case UInt8(ascii: "n"):
                    try expectLiteral("null")
                    value = .null
                default:
                    throw .invalidCharacter(byte, "looking for beginning of value")
                }
                // Close every container the value completes.
                while true {
                    guard let top = stack.popLast() else { return value }
                    skipWhitespace()
                    switch top {
                    case .array(var elements):
                        elements.append(value)
                        let separator = try next()
                        if separator == UInt8(ascii: ",") {
                            stack.append(.array(elements))
                        } else if separator == UInt8(ascii: "]") {
                            value = .array(elements)
                            continue
                        } else {
                            throw .invalidCharacter(separator, "after array element")
                        }
                    case .object(var members, let key):
                        members.append(JSONMember(key: key, value: value))
                        let separator = try next()
                        if separator == UInt8(ascii: ",") {
                            skipWhitespace()
                            stack.append(.object(members, pendingKey: try parseKey()))
                        } else if separator == UInt8(ascii: "}") {
                            value = .object(members)
                            continue
                        } else {
                            throw .invalidCharacter(separator, "after object key:value pair")
                        }
                    }
                    break
                }
            }
        }

        /// An object key and the colon after it.
        mutating func parseKey() throws(JSONSyntaxError) -> String {
            let quote = try next()
            guard quote == UInt8(ascii: "\"") else {
                throw .invalidCharacter(quote, "looking for beginning of object key string")
            }
            guard case .string(let key, _) = try parseString() else { preconditionFailure() }
            skipWhitespace()
            let colon = try next()
            guard colon == UInt8(ascii: ":") else { throw .invalidCharacter(colon, "after object key") }
            return key
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
            let expected = literal.withUTF8Buffer { Array($0) }
            for index in 1..<expected.count {
                let byte = try next()
                if byte != expected[index] {
                    let wanted = Character(Unicode.Scalar(expected[index]))
                    throw .invalidCharacter(byte, "in literal \(literal) (expecting '\(wanted)')")
                }
            }
        }

        mutating func parseNumber(first: UInt8) throws(JSONSyntaxError) -> JSONValue {
            let start = position - 1
            func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
            var leading = first
            if first == UInt8(ascii: "-") {
                leading = try next()
                guard isDigit(leading) else { throw .invalidCharacter(leading, "in numeric literal") }
            }
            if leading != UInt8(ascii: "0") {
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                let digit = try next()
                guard isDigit(digit) else { throw .invalidCharacter(digit, "after decimal point in numeric literal") }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                var digit = try next()
                if digit == UInt8(ascii: "+") || digit == UInt8(ascii: "-") { digit = try next() }
                guard isDigit(digit) else { throw .invalidCharacter(digit, "in exponent of numeric literal") }
                while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            }
            return .number(String(decoding: bytes[start..<position], as: UTF8.self))
        }

        /// After the opening quote: the string up to its closing quote, unescaped as Go does
        /// (lone surrogates and invalid UTF-8 become U+FFFD).
        mutating func parseString() throws(JSONSyntaxError) -> JSONValue {
            let start = position
            var decoded: [UInt8] = []
            var plainFrom = position
            while true {
                let byte = try next()
                if byte == UInt8(ascii: "\"") {
                    decoded.append(contentsOf: bytes[plainFrom..<(position - 1)])
                    return .string(GoUTF8.string(decoded), raw: Array(bytes[start..<(position - 1)]))
                }
                if byte < 0x20 { throw .invalidCharacter(byte, "in string literal") }
                guard byte == UInt8(ascii: "\\") else { continue }
                decoded.append(contentsOf: bytes[plainFrom..<(position - 1)])
                let escape = try next()
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar), position + 1 < bytes.count,
                        bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
                    {
                        // A surrogate pair; Go leaves an unpaired second escape for the next round.
                        let save = position
                        position += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                        }
                    }
                    let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    decoded.append(contentsOf: String(character).utf8)
                default:
                    throw .invalidCharacter(escape, "in string escape code")
                }
                plainFrom = position
            }
        }

        mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = try next()
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw .invalidCharacter(byte, #"in \u hexadecimal character escape"#)
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
    }
}

/// Go's view of bytes as text: each byte of an invalid UTF-8 sequence is one U+FFFD.
enum GoUTF8 {
    static func string(_ bytes: [UInt8]) -> String {
        if let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let (scalar, width) = decode(bytes, at: index)
            scalars.append(scalar)
            index += width
        }
        return String(scalars)
    }

    /// One rune as Go's `utf8.DecodeRune` reads it: (U+FFFD, 1) for anything invalid.
    private static func decode(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int) {
        let first = bytes[index]
        if first < 0x80 { return (Unicode.Scalar(first), 1) }
        let width: Int
        let minimum: UInt32
        switch first {
        case 0xC2...0xDF: (width, minimum) = (2, 0x80)
        case 0xE0...0xEF: (width, minimum) = (3, 0x800)
        case 0xF0...0xF4: (width, minimum) = (4, 0x10000)
        default: return ("\u{FFFD}", 1)
        }
        guard index + width <= bytes.count else { return ("\u{FFFD}", 1) }
        var value = UInt32(first) & (0xFF >> (width + 1))
        for offset in 1..<width {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(continuation & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return ("\u{FFFD}", 1) }
        return (scalar, width)
    }
}

/// Writes JSON as Go's `json.Marshal` does, HTML-safe escaping included.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func raw(_ other: JSONWriter) {
        bytes.append(contentsOf: other.bytes)
    }

    /// A string literal: `<`, `>`, `&`, U+2028 and U+2029 escaped as Go does, and control
    /// characters other than \n, \r, \t as \u00XX (Go 1.19, which etcd 3.4.23 is built with).
    mutating func string(_ text: String) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: raw(#"\""#)
            case 0x5C: raw(#"\\"#)
            case 0x0A: raw(#"\n"#)
            case 0x0D: raw(#"\r"#)
            case 0x09: raw(#"\t"#)
            case 0..<0x20, 0x3C, 0x3E, 0x26:
                raw(#"\u00"#)
                bytes.append(hex[Int(scalar.value >> 4)])
                bytes.append(hex[Int(scalar.value & 0xF)])
            case 0x2028: raw(#"\u2028"#)
            case 0x2029: raw(#"\u2029"#)
            default: bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
