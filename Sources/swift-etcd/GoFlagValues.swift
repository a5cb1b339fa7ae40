import ArgumentParser

/// Flag values parsed as etcd's Go flag types parse them, with their errors.
enum GoFlagValues {
    /// etcd's `flags.Uint32Value`: `strconv.ParseUint(s, 0, 32)`, so 0x, 0o, 0b and a leading 0
    /// select the base.
    static func uint32(_ text: String, flag: String) throws -> UInt32 {
        var digits = Substring(text)
        var radix = 10
        let lowered = text.lowercased()
        if lowered.hasPrefix("0x") {
            (radix, digits) = (16, digits.dropFirst(2))
        } else if lowered.hasPrefix("0o") {
            (radix, digits) = (8, digits.dropFirst(2))
        } else if lowered.hasPrefix("0b") {
            (radix, digits) = (2, digits.dropFirst(2))
        } else if text.count > 1, text.hasPrefix("0") {
            (radix, digits) = (8, digits.dropFirst())
        }
        let reason: String
        if !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }), let wide = UInt64(digits, radix: radix) {
            if let value = UInt32(exactly: wide) { return value }
            reason = "value out of range"
        } else if !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit && Int(String($0), radix: radix) != nil }) {
            reason = "value out of range"
        } else {
            reason = "invalid syntax"
        }
        throw ValidationError(
            "invalid value \"\(text)\" for flag -\(flag): strconv.ParseUint: parsing \"\(text)\": \(reason)")
    }
}
