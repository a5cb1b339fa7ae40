import Testing
@testable import Storage

/// Offsets of the records of a segment's bytes, up to the first that is not valid.
func recordOffsets(_ bytes: [UInt8]) -> [Int] {
    bytes.withUnsafeBytes { raw in
        var offsets: [Int] = []
        var offset = 0
        while offset < raw.count, case .valid(_, let size) = WALRecord.frame(in: raw, at: offset) {
            offsets.append(offset)
            offset += size
        }
        return offsets
    }
}

@Suite struct WALRepairTests {
    let metadata: [UInt8] = Array("node=1 cluster=7".utf8)
    let segmentSize = 8192
    let hardState = WALHardState(term: 1, vote: 1, commit: 2)
    let lastEntry = WALEntry(index: 4, term: 1, kind: 0, data: (0..<100).map { UInt8($0 * 3 % 256) })

    /// A single-segment WAL: metadata, entries 1...3, a hard state, then entry 4 as the last record.
    private func makeSegment(in directory: TemporaryDirectory) throws -> (name: String, bytes: [UInt8]) {
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: segmentSize)
        try wal.append(entries: entries(1...3), hardState: hardState)
        try wal.append(entries: [lastEntry], hardState: nil)
        try wal.close()
        let name = try walFiles(directory.path)[0]
        return (name, try readFile(directory.sub(name)))
    }

    @Test func tornTailAtEveryByteOfTheLastRecordIsRepaired() throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (name, bytes) = try makeSegment(in: source)
        let offsets = recordOffsets(bytes)
        #expect(offsets.count == 6)
        let lastStart = offsets[5]
        let lastEnd = lastStart + WALRecord.headerSize + WALRecord.bodySize(ofEntryData: lastEntry.data.count)

        for cut in lastStart..<lastEnd {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            try writeFile(directory.sub(name), Array(bytes[..<cut]))

            let (wal, replay) = try WAL.open(directory: directory.path, segmentSize: segmentSize)
            #expect(replay.entries == entries(1...3), "cut at \(cut)")
            #expect(replay.hardState == hardState)
            if cut == lastStart {
                #expect(replay.repairedTail == nil)
            } else {
                #expect(replay.repairedTail?.file == name)
                #expect(replay.repairedTail?.offset == lastStart)
            }
            // The repair is durable and the log continues after it.
            try wal.append(entries: [lastEntry], hardState: nil)
            try wal.close()
            let (again, replayAgain) = try WAL.open(directory: directory.path, segmentSize: segmentSize)
            try again.close()
            #expect(replayAgain.entries == entries(1...3) + [lastEntry], "cut at \(cut)")
            #expect(replayAgain.repairedTail == nil)
        }
    }

    @Test func aCutInsideTheLastRecordsPaddingKeepsIt() throws {
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (name, bytes) = try makeSegment(in: source)
        let lastStart = recordOffsets(bytes)[5]
        let unpaddedEnd = lastStart + WALRecord.headerSize + WALRecord.bodySize(ofEntryData: lastEntry.data.count)
        #expect(WALRecord.paddedSize(bodySize: WALRecord.bodySize(ofEntryData: lastEntry.data.count)) > unpaddedEnd - lastStart)
        try writeFile(source.sub(name), Array(bytes[..<unpaddedEnd]))
        let (wal, replay) = try WAL.open(directory: source.path, segmentSize: segmentSize)
        try wal.append(entries: entries(5...5), hardState: nil)
        try wal.close()
        #expect(replay.entries == entries(1...3) + [lastEntry])
        #expect(replay.repairedTail == nil)
        let (again, replayAgain) = try WAL.open(directory: source.path, segmentSize: segmentSize)
        try again.close()
        #expect(replayAgain.entries == entries(1...3) + [lastEntry] + entries(5...5))
        #expect(replayAgain.repairedTail == nil)
    }

    @Test func zeroedTailIsTheEndOfTheLog() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (name, bytes) = try makeSegment(in: directory)
        let lastStart = recordOffsets(bytes)[5]

        var headerZeroed = bytes
        for offset in lastStart..<lastStart + WALRecord.headerSize { headerZeroed[offset] = 0 }
        try writeFile(directory.sub(name), headerZeroed)
        let (wal, replay) = try WAL.open(directory: directory.path, segmentSize: segmentSize)
        try wal.close()
        #expect(replay.entries == entries(1...3))
        #expect(replay.repairedTail?.offset == lastStart)

        let clean = TemporaryDirectory()
        defer { clean.remove() }
        var recordZeroed = bytes
        for offset in lastStart..<recordZeroed.count { recordZeroed[offset] = 0 }
        try writeFile(clean.sub(name), recordZeroed)
        let (cleanWAL, cleanReplay) = try WAL.open(directory: clean.path, segmentSize: segmentSize)
        try cleanWAL.close()
        #expect(cleanReplay.entries == entries(1...3))
        #expect(cleanReplay.repairedTail == nil)
    }

    @Test func bitFlipInAnEarlierRecordIsCorruption() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (name, bytes) = try makeSegment(in: directory)
        let secondEntry = recordOffsets(bytes)[2]
        for flipped in [secondEntry + WALRecord.headerSize + 10, secondEntry + 1, secondEntry + 5] {
            var damaged = bytes
            damaged[flipped] ^= 0x10
            try writeFile(directory.sub(name), damaged)
            expectCorrupt(file: name, offset: secondEntry) {
                _ = try WAL.open(directory: directory.path, segmentSize: segmentSize)
            }
        }
        // Refusing is not repairing: the damaged file is left as it was.
        #expect(try readFile(directory.sub(name)).count == bytes.count)
    }

    @Test func bitFlipInANonLastSegmentIsCorruption() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: 4096)
        for index in UInt64(1)...40 { try wal.append(entries: entries(index...index, size: 300), hardState: nil) }
        try wal.close()
        let files = try walFiles(directory.path)
        #expect(files.count >= 3)
        let firstBytes = try readFile(directory.sub(files[0]))
        let lastRecord = recordOffsets(firstBytes).last!
        var damaged = firstBytes
        damaged[lastRecord + WALRecord.headerSize + 3] ^= 0x01
        try writeFile(directory.sub(files[0]), damaged)
        expectCorrupt(file: files[0], offset: lastRecord) {
            _ = try WAL.open(directory: directory.path, segmentSize: 4096)
        }

        // Truncating a non-last segment is corruption too, never a repair.
        try writeFile(directory.sub(files[0]), Array(firstBytes[..<(lastRecord + 20)]))
        expectCorrupt(file: files[0], offset: lastRecord) {
            _ = try WAL.open(directory: directory.path, segmentSize: 4096)
        }
    }

    @Test func releaseDeletesOnlySegmentsBeforeTheSnapshot() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: 4096)
        for index in UInt64(1)...100 {
            try wal.append(entries: entries(index...index, size: 200), hardState: WALHardState(term: 1, vote: 1, commit: index))
        }
        #expect(throws: WALError.self) { try wal.releaseSegments(before: 10) }
        try wal.saveSnapshotMarker(index: 50, term: 1)
        #expect(throws: WALError.self) { try wal.releaseSegments(before: 60) }
        let before = try walFiles(directory.path)
        try wal.releaseSegments(before: 50)
        let after = try walFiles(directory.path)
        #expect(after.count < before.count)
        #expect(after == wal.segmentFileNames)
        #expect(Array(before.suffix(after.count)) == after)
        let remaining = after.compactMap { WALSegmentName(fileName: $0) }
        #expect(remaining[0].firstIndex <= 50)
        #expect(remaining.count < 2 || remaining[1].firstIndex > 50)
        try wal.append(entries: entries(101...101, size: 200), hardState: WALHardState(term: 1, vote: 1, commit: 101))
        try wal.close()

        let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: 4096)
        #expect(replay.snapshot == WALSnapshotMarker(index: 50, term: 1))
        #expect(replay.entries == entries(51...101, size: 200))
        #expect(replay.hardState == WALHardState(term: 1, vote: 1, commit: 101))
        #expect(replay.metadata == metadata)
        try reopened.append(entries: entries(102...102, size: 200), hardState: nil)
        try reopened.close()
    }

    @Test func aSnapshotMarkerAheadOfTheLogStartsItAfresh() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: 4096)
        try wal.append(entries: entries(1...5), hardState: nil)
        // A follower that received a leader's snapshot at 200 continues its log from 201.
        try wal.saveSnapshotMarker(index: 200, term: 4)
        try wal.append(entries: entries(201...203, term: 4), hardState: WALHardState(term: 4, vote: 2, commit: 203))
        try wal.close()
        let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: 4096)
        try reopened.close()
        #expect(replay.snapshot == WALSnapshotMarker(index: 200, term: 4))
        #expect(replay.entries == entries(201...203, term: 4))
    }

    @Test func aSegmentTornInItsHeaderIsRestatedSoReleaseKeepsTheState() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: 4096)
        var segmentsHoldingTheMarker = 0
        for index in UInt64(1)...40 {
            try wal.append(entries: entries(index...index, size: 300), hardState: WALHardState(term: 2, vote: 1, commit: index))
            if index == 20 {
                try wal.saveSnapshotMarker(index: 20, term: 2)
                segmentsHoldingTheMarker = wal.segmentFileNames.count
            }
        }
        try wal.close()
        let files = try walFiles(directory.path)
        let lastFile = directory.sub(files[files.count - 1])
        let lastBytes = try readFile(lastFile)
        #expect(files.count > segmentsHoldingTheMarker)
        #expect(recordOffsets(lastBytes).count > 1)
        // A crash right after the last segment was created: only part of its metadata record reached the disk.
        try writeFile(lastFile, Array(lastBytes[..<5]))
        let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: 4096)
        #expect(replay.repairedTail?.offset == 0)
        #expect(replay.metadata == metadata)
        let survivors = replay.entries
        #expect(survivors.map(\.index) == Array(21...survivors.last!.index))
        // The emptied segment now starts with metadata, the snapshot marker and the hard state again.
        #expect(recordOffsets(try readFile(lastFile)).count == 3)
        try reopened.releaseSegments(before: 20)
        try reopened.close()

        let (again, replayAgain) = try WAL.open(directory: directory.path, segmentSize: 4096)
        try again.close()
        #expect(replayAgain.snapshot == WALSnapshotMarker(index: 20, term: 2))
        #expect(replayAgain.hardState == replay.hardState)
        #expect(replayAgain.entries == survivors)
    }

    @Test func aWALWhoseMetadataNeverReachedTheDiskIsRefusedUntouched() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (name, bytes) = try makeSegment(in: directory)
        try writeFile(directory.sub(name), Array(bytes[..<6]))
        expectCorrupt(file: name, offset: 0) {
            _ = try WAL.open(directory: directory.path, segmentSize: segmentSize)
        }
        #expect(try readFile(directory.sub(name)) == Array(bytes[..<6]))
    }
}
