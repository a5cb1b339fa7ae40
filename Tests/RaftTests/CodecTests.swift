import XCTest

@testable import Raft

/// raftpb as etcd 3.4 encodes it. The expected bytes were printed by etcd 3.4.23's own
/// raftpb (gogo) `Message.Marshal` for the same messages.
final class CodecTests: XCTestCase {
    private let appendMessage = Message(
        type: .append, to: 2, from: 1, term: 5, logTerm: 4, index: 10,
        entries: [Entry(term: 5, index: 11, type: .normal, data: Array("x".utf8))], commit: 9)
    private let appendBytes = "08031002180120052804300a3a0908001005180b22017840094a0a12080a0228001000180050005800"

    private let snapshotMessage = Message(
        type: .snapshot, to: 3, from: 1, term: 7,
        snapshot: Snapshot(
            data: Array("state".utf8),
            metadata: SnapshotMetadata(confState: ConfState(voters: [1, 2, 3], learners: [4]), index: 20, term: 6)),
        reject: true, rejectHint: 4, context: Array("c".utf8))
    private let snapshotBytes =
        "08071003180120072800300040004a190a05737461746512100a0a080108020803100428001014180650015804620163"

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    private func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map {
            UInt8(hex[hex.index(hex.startIndex, offsetBy: $0)..<hex.index(hex.startIndex, offsetBy: $0 + 2)], radix: 16)!
        }
    }

    func testEncodingMatchesEtcdsBytes() {
        XCTAssertEqual(hex(appendMessage.encoded()), appendBytes)
        XCTAssertEqual(hex(snapshotMessage.encoded()), snapshotBytes)
    }

    func testEtcdsBytesDecode() throws {
        XCTAssertEqual(try Message(decoding: bytes(appendBytes)), appendMessage)
        XCTAssertEqual(try Message(decoding: bytes(snapshotBytes)), snapshotMessage)
    }

    func testRandomMessagesRoundTripAndTruncationsThrow() throws {
        var random = SplitMix64(seed: 5)
        for _ in 0..<500 {
            let entries = (0..<Int(random.next() % 4)).map { position in
                Entry(term: random.next() % 100, index: UInt64(position) + 1,
                      type: random.next() % 2 == 0 ? .normal : .confChange,
                      data: (0..<Int(random.next() % 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            let message = Message(
                type: MessageType(rawValue: Int32(random.next() % 19))!, to: random.next(), from: random.next(),
                term: random.next() % 1000, logTerm: random.next() % 1000, index: random.next(), entries: entries,
                commit: random.next(), reject: random.next() % 2 == 0, rejectHint: random.next() % 50,
                context: random.next() % 2 == 0 ? [] : [UInt8(truncatingIfNeeded: random.next())])
            let encoded = message.encoded()
            XCTAssertEqual(try Message(decoding: encoded), message)
            XCTAssertThrowsError(try Message(decoding: Array(encoded.dropLast())))
        }
    }
}
