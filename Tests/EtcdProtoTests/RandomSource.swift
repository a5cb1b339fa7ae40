import EtcdProto
import ProtoWire

/// Every EtcdProto message, able to make random instances of itself for differential testing.
protocol RandomMessage: ProtoMessage {
    /// The message's full protobuf name, as the reference implementation knows it.
    static var protoName: String { get }
    static func random(using source: inout RandomSource, depth: Int) -> Self
}

/// A seeded SplitMix64 generator with the value shapes protobuf edge cases need
/// (extremes, negatives, multi-byte UTF-8, unknown enum values), so runs are reproducible.
struct RandomSource: RandomNumberGenerator {
    /// Submessages stop here, which bounds the size of the recursive types (TxnRequest, RequestOp).
    static let maximumDepth = 4

    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Whether an optional field is set; submessages become rarer with depth and stop at the limit.
    mutating func present(depth: Int) -> Bool {
        depth < Self.maximumDepth && Bool.random(using: &self)
    }

    mutating func repeatCount(depth: Int) -> Int {
        depth < Self.maximumDepth ? Int.random(in: 0...3, using: &self) : 0
    }

    /// Which member of a oneof to set; `count - 1` means none, and at the depth limit none is set.
    mutating func choice(count: Int, depth: Int) -> Int {
        depth < Self.maximumDepth ? Int.random(in: 0..<count, using: &self) : count - 1
    }

    mutating func bool() -> Bool { Bool.random(using: &self) }

    mutating func int64() -> Int64 {
        switch Int.random(in: 0..<6, using: &self) {
        case 0: return 0
        case 1: return -1
        case 2: return .max
        case 3: return .min
        case 4: return Int64.random(in: -1000...1000, using: &self)
        default: return Int64(bitPattern: next())
        }
    }

    mutating func uint64() -> UInt64 {
        switch Int.random(in: 0..<4, using: &self) {
        case 0: return 0
        case 1: return .max
        case 2: return UInt64.random(in: 0...300, using: &self)
        default: return next()
        }
    }

    mutating func int32() -> Int32 {
        switch Int.random(in: 0..<4, using: &self) {
        case 0: return -1
        case 1: return .min
        case 2: return .max
        default: return Int32(truncatingIfNeeded: next())
        }
    }

    mutating func uint32() -> UInt32 { UInt32(truncatingIfNeeded: next()) }

    mutating func enumValue(known: [Int32]) -> Int32 {
        Int.random(in: 0..<5, using: &self) == 0 ? int32() : known.randomElement(using: &self)!
    }

    mutating func bytes() -> [UInt8] {
        (0..<Int.random(in: 0...16, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &self) {
            let value: UInt32
            switch Int.random(in: 0..<10, using: &self) {
            case 0..<5: value = UInt32.random(in: 0x20...0x7E, using: &self)
            case 5..<8: value = UInt32.random(in: 0xA0...0xD7FF, using: &self)
            default: value = UInt32.random(in: 0x10000...0x10FFFF, using: &self)
            }
            // Every range above excludes surrogates, so the scalar always exists.
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }
}
