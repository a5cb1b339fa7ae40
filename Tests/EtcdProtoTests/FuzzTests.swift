import ProtoWire
import Testing

/// Whatever bytes arrive, decoding throws or yields a message that re-encodes to itself.
private func decodeArbitrary<M: RandomMessage>(_: M.Type, _ bytes: [UInt8]) -> Bool {
    guard let message = try? M(serializedBytes: bytes) else { return false }
    let reencoded = message.serializedBytes()
    #expect(reencoded.count == message.encodedSize, "\(M.protoName): encodedSize disagrees")
    #expect((try? M(serializedBytes: reencoded)) == message, "\(M.protoName): \(hexString(bytes)) is not stable")
    return true
}

private func fuzz<M: RandomMessage>(_ type: M.Type, source: inout RandomSource) -> (decoded: Int, rejected: Int) {
    var decoded = 0
    var rejected = 0
    func attempt(_ bytes: [UInt8]) {
        if decodeArbitrary(type, bytes) { decoded += 1 } else { rejected += 1 }
    }
    for _ in 0..<8 {
        let valid = M.random(using: &source, depth: 0).serializedBytes()
        // Truncations at every length (capped, spread evenly over longer encodings).
        let step = max(1, valid.count / 32)
        for length in stride(from: 0, to: valid.count, by: step) {
            attempt(Array(valid[..<length]))
        }
        // Single bit flips.
        if !valid.isEmpty {
            for _ in 0..<16 {
                var flipped = valid
                let bit = Int.random(in: 0..<(valid.count * 8), using: &source)
                flipped[bit / 8] ^= 1 << UInt8(bit % 8)
                attempt(flipped)
            }
        }
    }
    // Random bytes.
    for _ in 0..<32 {
        attempt((0..<Int.random(in: 0...48, using: &source)).map { _ in UInt8.random(in: 0...255, using: &source) })
    }
    return (decoded, rejected)
}

@Suite struct FuzzTests {
    @Test func decodingNeverCrashes() {
        var source = RandomSource(seed: 7)
        var rejected = 0
        for type in allMessageTypes {
            rejected += fuzz(type, source: &source).rejected
        }
        // The inputs include truncations and garbage, so a decoder accepting all of them is broken.
        #expect(rejected > allMessageTypes.count)
    }
}
