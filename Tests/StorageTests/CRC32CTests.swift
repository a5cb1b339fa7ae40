import Testing
@testable import Storage

@Suite struct CRC32CTests {
    /// Bit-at-a-time reference implementation to check the sliced tables against.
    private func referenceCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func knownCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        // RFC 3720 B.4: 32 bytes of zeros, and 32 bytes of 0xFF.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func matchesReferenceForEveryLengthAndAlignment() {
        var generator = SplitMix64(seed: 7)
        let data = (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for start in 0..<9 {
            for end in start...data.count where (end - start) % 7 == 0 || end - start < 20 {
                let slice = Array(data[start..<end])
                #expect(CRC32C.checksum(slice) == referenceCRC(slice))
            }
        }
    }

    @Test func updateContinuesAcrossChunks() {
        let data = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in 0...data.count {
            let first = data[..<split].withUnsafeBytes { CRC32C.update(0, $0) }
            let whole = data[split...].withUnsafeBytes { CRC32C.update(first, $0) }
            #expect(whole == CRC32C.checksum(data))
        }
    }
}

/// Deterministic pseudo-random numbers for test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
