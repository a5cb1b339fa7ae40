@testable import MVCC
import Testing

@Suite struct CRC32CTests {
    @Test func standardCheckValue() {
        var crc = CRC32C()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xE306_9283)
    }
}
