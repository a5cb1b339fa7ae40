import Foundation
import XCTest

@testable import Storage

/// Frames built by hand the way etcd's wal encoder writes them.
private struct EtcdSegmentBuilder {
    var bytes: [UInt8] = []
    var crc: UInt32

    init(startingCRC: UInt32) {
        crc = startingCRC
    }

    /// Offset of the frame appended.
    @discardableResult
    mutating func append(_ kind: EtcdWALRecord.Kind, _ data: [UInt8] = [], crcOverride: UInt32? = nil) -> Int {
        if kind != .crc { crc = data.withUnsafeBytes { CRC32C.update(crc, $0) } }
        var record: [UInt8] = []
        varint(1 << 3, into: &record)
        varint(kind.rawValue, into: &record)
        varint(2 << 3, into: &record)
        varint(UInt64(crcOverride ?? crc), into: &record)
        if !data.isEmpty {
            varint(3 << 3 | 2, into: &record)
            varint(UInt64(data.count), into: &record)
            record += data
        }
        let padding = (8 - record.count % 8) % 8
        var word = UInt64(record.count)
        if padding != 0 { word |= UInt64(0x80 | padding) << 56 }
        let offset = bytes.count
        withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
        bytes += record + [UInt8](repeating: 0, count: padding)
        return offset
    }

    /// etcd preallocates segments: zeros follow the last record.
    func preallocated(to size: Int = 4096) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: max(0, size - bytes.count))
    }

    private func varint(_ value: UInt64, into out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}

final class EtcdWALReaderTests: XCTestCase {
    private let metadata: [UInt8] = [0x08, 0x01, 0x10, 0x02]
    private let entry: [UInt8] = [0x08, 0x00, 0x10, 0x01, 0x18, 0x01, 0x22, 0x03, 0x61, 0x62, 0x63]

    private func firstSegment() -> EtcdSegmentBuilder {
        var segment = EtcdSegmentBuilder(startingCRC: 0)
        segment.append(.crc)
        segment.append(.metadata, metadata)
        segment.append(.snapshot)
        return segment
    }

    private func corruptError(_ body: () throws -> Void) -> WALError? {
        do {
            try body()
            return nil
        } catch let error as WALError {
            return error
        } catch {
            XCTFail("unexpected error \(error)")
            return nil
        }
    }

    func testRecordsOfAllKindsWithPaddingComeBackInOrder() throws {
        var segment = firstSegment()
        segment.append(.entry, entry)
        segment.append(.state, [0x08, 0x02, 0x10, 0x01, 0x18, 0x01])
        // 1 + 7 bytes: a record whose padding is 7 bytes, and one that needs none.
        segment.append(.entry, [UInt8](repeating: 0x2A, count: 1))
        segment.append(.snapshot, [0x08, 0x03, 0x10, 0x01])
        let bytes = segment.preallocated()
        XCTAssertEqual(segment.bytes.count % 8, 0)
        let contents = try EtcdWALReader.read(segments: [("0000000000000000-0000000000000000.wal", bytes)])
        XCTAssertNil(contents.tornTail)
        XCTAssertEqual(contents.records.map(\.kind), [.metadata, .snapshot, .entry, .state, .entry, .snapshot])
        XCTAssertEqual(contents.records[0].data, metadata)
        XCTAssertEqual(contents.records[2].data, entry)
        XCTAssertEqual(contents.records[4].data, [0x2A])
        XCTAssertEqual(contents.records.map(\.offset).first, 16)
    }

    func testTheCRCChainContinuesIntoTheNextSegment() throws {
        var first = firstSegment()
        first.append(.entry, entry)
        var second = EtcdSegmentBuilder(startingCRC: first.crc)
        second.append(.crc, crcOverride: first.crc)
        second.append(.entry, entry)
        let contents = try EtcdWALReader.read(segments: [
            ("0000000000000000-0000000000000000.wal", first.preallocated()),
            ("0000000000000001-0000000000000002.wal", second.preallocated()),
        ])
        XCTAssertEqual(contents.records.map(\.kind), [.metadata, .snapshot, .entry, .entry])
        XCTAssertEqual(contents.records[3].file, "0000000000000001-0000000000000002.wal")
    }

    func testABrokenCRCChainIsCorruption() {
        var first = firstSegment()
        first.append(.entry, entry)
        var second = EtcdSegmentBuilder(startingCRC: first.crc)
        second.append(.crc, crcOverride: first.crc ^ 1)
        second.append(.entry, entry)
        let error = corruptError {
            _ = try EtcdWALReader.read(segments: [
                ("0000000000000000-0000000000000000.wal", first.preallocated()),
                ("0000000000000001-0000000000000002.wal", second.preallocated()),
            ])
        }
        XCTAssertEqual(error?.code, .corrupt)
        XCTAssertEqual(error?.file, "0000000000000001-0000000000000002.wal")
        XCTAssertEqual(error?.offset, 0)
    }

    func testAFlippedByteIsCorruptionAtItsRecord() {
        var segment = firstSegment()
        let offset = segment.append(.entry, entry)
        segment.append(.entry, entry)
        var bytes = segment.preallocated()
        bytes[offset + 8 + 10] ^= 0xFF
        let error = corruptError { _ = try EtcdWALReader.read(segments: [("0000000000000000-0000000000000000.wal", bytes)]) }
        XCTAssertEqual(error?.code, .corrupt)
        XCTAssertEqual(error?.offset, offset)
        XCTAssertTrue(error?.reason.contains("checksum") ?? false)
    }

    func testATornLastRecordIsDroppedAndReported() throws {
        var segment = firstSegment()
        segment.append(.entry, entry)
        let tornOffset = segment.append(.entry, [UInt8](repeating: 0x55, count: 1500))
        var bytes = segment.preallocated()
        // The record's second sector never reached the disk.
        let sectorStart = (tornOffset + 8) / 512 * 512 + 512
        for position in sectorStart..<(sectorStart + 512) { bytes[position] = 0 }
        let contents = try EtcdWALReader.read(segments: [("0000000000000000-0000000000000000.wal", bytes)])
        XCTAssertEqual(contents.records.map(\.kind), [.metadata, .snapshot, .entry])
        XCTAssertEqual(contents.tornTail?.offset, tornOffset)
        XCTAssertEqual(contents.tornTail?.file, "0000000000000000-0000000000000000.wal")
    }

    func testATornRecordBeforeTheLastSegmentIsCorruption() {
        var first = firstSegment()
        let tornOffset = first.append(.entry, [UInt8](repeating: 0x55, count: 1500))
        var bytes = first.preallocated()
        let sectorStart = (tornOffset + 8) / 512 * 512 + 512
        for position in sectorStart..<(sectorStart + 512) { bytes[position] = 0 }
        var second = EtcdSegmentBuilder(startingCRC: first.crc)
        second.append(.crc, crcOverride: first.crc)
        let error = corruptError {
            _ = try EtcdWALReader.read(segments: [
                ("0000000000000000-0000000000000000.wal", bytes),
                ("0000000000000001-0000000000000002.wal", second.preallocated()),
            ])
        }
        XCTAssertEqual(error?.offset, tornOffset)
        XCTAssertEqual(error?.file, "0000000000000000-0000000000000000.wal")
    }

    func testAFileCutInsideARecordIsCorruptionNotATornTail() {
        var segment = firstSegment()
        let offset = segment.append(.entry, entry)
        let cut = Array(segment.bytes.prefix(offset + 12))
        let error = corruptError { _ = try EtcdWALReader.read(segments: [("0000000000000000-0000000000000000.wal", cut)]) }
        XCTAssertEqual(error?.code, .corrupt)
        XCTAssertEqual(error?.offset, offset)
        XCTAssertTrue(error?.reason.contains("truncated") ?? false)
    }

    func testOnlyEtcdSegmentsAreTakenForEtcdsWAL() throws {
        let root = NSTemporaryDirectory() + "etcd-wal-reader-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ours = root + "/ours"
        let theirs = root + "/theirs"
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        try WAL.create(directory: ours, metadata: Array("swift-etcd".utf8), segmentSize: 8192).close()
        try Data(firstSegment().preallocated()).write(to: URL(fileURLWithPath: theirs + "/0000000000000000-0000000000000000.wal"))
        XCTAssertFalse(EtcdWALReader.holdsEtcdWAL(directory: ours))
        XCTAssertTrue(EtcdWALReader.holdsEtcdWAL(directory: theirs))
        XCTAssertEqual(try EtcdWALReader.read(directory: theirs).records.map(\.kind), [.metadata, .snapshot])
    }
}
