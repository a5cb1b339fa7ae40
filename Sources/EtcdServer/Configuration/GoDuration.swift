/// Go's `time.ParseDuration` as of Go 1.19, which etcd 3.4.23 is built with and parses its
/// duration flags with: an optional sign, then one or more of digits, an optional fraction and a
/// unit (ns, us, µs, μs, ms, s, m, h); Go's range (±2⁶³ ns) and Go's error messages.
public enum GoDuration {
    public struct ParseError: Error, Equatable, Sendable {
        public let message: String
    }

    public static func nanoseconds(_ text: String) -> Result<Int64, ParseError> {
        let bytes = Array(text.utf8)
        let limit: UInt64 = 1 << 63
        let invalid = Result<Int64, ParseError>.failure(ParseError(message: "time: invalid duration \(quote(text))"))
        var index = 0
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            index = 1
        }
        if bytes.count == index + 1 && bytes[index] == UInt8(ascii: "0") { return .success(0) }
        if index == bytes.count { return invalid }
        var total: UInt64 = 0
        while index < bytes.count {
            guard isDigit(bytes[index]) || bytes[index] == dot else { return invalid }
            let integerStart = index
            var value: UInt64 = 0
            while index < bytes.count, isDigit(bytes[index]) {
                if value > limit / 10 { return invalid }
                value = value * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
                if value > limit { return invalid }
                index += 1
            }
            let hasInteger = index > integerStart
            // Go keeps the fraction's digits while they fit and ignores the rest.
            var fraction: UInt64 = 0
            var scale = 1.0
            var hasFraction = false
            if index < bytes.count, bytes[index] == dot {
                index += 1
                let fractionStart = index
                var full = false
                while index < bytes.count, isDigit(bytes[index]) {
                    let digit = UInt64(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                    if full { continue }
                    if fraction > (limit - 1) / 10 || fraction * 10 + digit > limit {
                        full = true
                        continue
                    }
                    fraction = fraction * 10 + digit
                    scale *= 10
                }
                hasFraction = index > fractionStart
            }
            if !hasInteger && !hasFraction { return invalid }
            let unitStart = index
            while index < bytes.count, !isDigit(bytes[index]), bytes[index] != dot { index += 1 }
            if index == unitStart {
                return .failure(ParseError(message: "time: missing unit in duration \(quote(text))"))
            }
            // Digits and dots are ASCII, so the unit is whole characters.
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let perUnit = unitNanoseconds[unit] else {
                return .failure(ParseError(message: "time: unknown unit \(quote(unit)) in duration \(quote(text))"))
            }
            if value > limit / perUnit { return invalid }
            value *= perUnit
            if fraction > 0 {
                value += UInt64(Double(fraction) * (Double(perUnit) / scale))
                if value > limit { return invalid }
            }
            total += value
            if total > limit { return invalid }
        }
        if negative { return .success(total == limit ? .min : -Int64(total)) }
        if total == limit { return invalid }
        return .success(Int64(total))
    }

    /// The duration rounded to milliseconds, or nil where Go fails.
    public static func milliseconds(_ text: String) -> Int64? {
        guard case .success(let nanoseconds) = nanoseconds(text) else { return nil }
        return milliseconds(rounding: nanoseconds)
    }

    /// Halves round away from zero.
    public static func milliseconds(rounding nanoseconds: Int64) -> Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000)
        if remainder >= 500_000 { return quotient + 1 }
        if remainder <= -500_000 { return quotient - 1 }
        return quotient
    }

    private static let dot = UInt8(ascii: ".")
    private static let unitNanoseconds: [String: UInt64] = [
        "ns": 1, "us": 1_000, "\u{B5}s": 1_000, "\u{3BC}s": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Go's `time.quote`: double quotes, `"` and `\` escaped, and every byte of a non-ASCII or
    /// control character written as `\xNN`.
    private static func quote(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x80 || scalar.value < 0x20 {
                for byte in String(scalar).utf8 {
                    quoted += "\\x" + String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
                }
            } else {
                if scalar == "\"" || scalar == "\\" { quoted += "\\" }
                quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
