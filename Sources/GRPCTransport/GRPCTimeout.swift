import NIOCore

/// Transport-level failures (not call statuses).
public enum GRPCTransportError: Error, Sendable, Equatable {
    case sessionSetup(String)
    case alreadyStarted
    case notStarted
}

enum GRPCTimeout {
    /// Parses a grpc-timeout value: 1 to 8 ASCII digits and a unit (H M S m u n).
    static func parse(_ text: String) -> TimeAmount? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.count <= 9, let unit = bytes.last else { return nil }
        var value: Int64 = 0
        for digit in bytes.dropLast() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return .hours(value)
        case UInt8(ascii: "M"): return .minutes(value)
        case UInt8(ascii: "S"): return .seconds(value)
        case UInt8(ascii: "m"): return .milliseconds(value)
        case UInt8(ascii: "u"): return .microseconds(value)
        case UInt8(ascii: "n"): return .nanoseconds(value)
        default: return nil
        }
    }
}
