#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Storage

/// A fresh directory under /tmp, removed (with its files) by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/swift-etcd-wal-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func sub(_ name: String) -> String { FileIO.join(path, name) }

    func remove() {
        removeTree(path)
    }

    private func removeTree(_ directory: String) {
        for name in (try? FileIO.listDirectory(directory)) ?? [] {
            let child = FileIO.join(directory, name)
            if unlink(child) != 0 { removeTree(child) }
        }
        rmdir(directory)
    }
}

func entries(_ range: ClosedRange<UInt64>, term: UInt64 = 1, size: Int = 20) -> [WALEntry] {
    range.map { index in
        WALEntry(index: index, term: term, kind: UInt8(index % 2), data: (0..<size).map { UInt8(truncatingIfNeeded: Int(index) &+ $0) })
    }
}

func readFile(_ path: String) throws -> [UInt8] { try FileIO.readWholeFile(path) }

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    let descriptor = try FileIO.openFile(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
    defer { _ = close(descriptor) }
    try FileIO.write(descriptor, bytes, at: 0, path: path)
}

func walFiles(_ directory: String) throws -> [String] {
    try FileIO.listDirectory(directory).filter { $0.hasSuffix(".wal") }.sorted()
}

func expectCorrupt(file: String, offset: Int? = nil, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a corruption error")
    } catch let error as WALError {
        #expect(error.code == .corrupt, "\(error)")
        #expect(error.file == file, "\(error)")
        if let offset { #expect(error.offset == offset, "\(error)") }
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Suite struct WALTests {
    let metadata: [UInt8] = Array("node=1 cluster=7".utf8)
    let smallSegment = 4096

    @Test func roundTripOfEveryRecordType() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let walPath = directory.sub("member/wal")
        let wal = try WAL.create(directory: walPath, metadata: metadata)
        try wal.append(entries: entries(1...3), hardState: WALHardState(term: 1, vote: 2, commit: 1))
        try wal.append(entries: [WALEntry(index: 4, term: 2, kind: 1, data: [])], hardState: nil)
        try wal.saveSnapshotMarker(index: 2, term: 1)
        try wal.append(entries: entries(5...6, term: 2, size: 1000), hardState: WALHardState(term: 2, vote: 3, commit: 5))
        try wal.sync()
        try wal.close()
        #expect(throws: WALError.closed) { try wal.sync() }

        let (reopened, replay) = try WAL.open(directory: walPath)
        defer { try? reopened.close() }
        #expect(replay.metadata == metadata)
        #expect(replay.hardState == WALHardState(term: 2, vote: 3, commit: 5))
        #expect(replay.snapshot == WALSnapshotMarker(index: 2, term: 1))
        #expect(replay.entries == Array(entries(1...3)[2...]) + [WALEntry(index: 4, term: 2, kind: 1, data: [])] + entries(5...6, term: 2, size: 1000))
        #expect(replay.repairedTail == nil)
        #expect(try walFiles(walPath) == ["0000000000000000-0000000000000000.wal"])
    }

    @Test func emptyWALReplaysMetadataOnly() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try WAL.create(directory: directory.path, metadata: metadata, segmentSize: smallSegment).close()
        let (wal, replay) = try WAL.open(directory: directory.path, segmentSize: smallSegment)
        try wal.close()
        #expect(replay == WALReplay(metadata: metadata, hardState: nil, snapshot: nil, entries: [], repairedTail: nil))
    }

    @Test func segmentsAreCutAndReplayedAcrossReopens() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: smallSegment)
        for index in UInt64(1)...40 {
            try wal.append(entries: entries(index...index, size: 300), hardState: WALHardState(term: 1, vote: 1, commit: index - 1))
            try wal.sync()
        }
        // A record larger than a whole segment gets a segment of its own size.
        try wal.append(entries: entries(41...41, size: 3 * smallSegment), hardState: nil)
        try wal.close()

        let files = try walFiles(directory.path)
        #expect(files.count > 3)
        let names = files.compactMap { WALSegmentName(fileName: $0) }
        #expect(names.map(\.sequence) == (0..<UInt64(files.count)).map { $0 })
        #expect(names.map(\.firstIndex) == names.map(\.firstIndex).sorted())

        let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: smallSegment)
        #expect(replay.entries == entries(1...40, size: 300) + entries(41...41, size: 3 * smallSegment))
        #expect(replay.hardState == WALHardState(term: 1, vote: 1, commit: 39))
        try reopened.append(entries: entries(42...60, size: 300), hardState: WALHardState(term: 1, vote: 1, commit: 59))
        try reopened.close()

        let (again, replayAgain) = try WAL.open(directory: directory.path, segmentSize: smallSegment)
        try again.close()
        #expect(replayAgain.entries.map(\.index) == Array(1...60))
        #expect(replayAgain.hardState == WALHardState(term: 1, vote: 1, commit: 59))
        #expect(try walFiles(directory.path).count > files.count)
    }

    @Test func laterEntriesOverwriteTheConflictingSuffix() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: smallSegment)
        try wal.append(entries: entries(1...10, size: 200), hardState: nil)
        try wal.append(entries: entries(6...8, term: 2, size: 200), hardState: nil)
        // Crosses several segment cuts before the next overwrite.
        try wal.append(entries: entries(9...30, term: 2, size: 200), hardState: nil)
        try wal.append(entries: entries(25...26, term: 3), hardState: WALHardState(term: 3, vote: 1, commit: 20))
        try wal.close()

        let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: smallSegment)
        try reopened.close()
        #expect(replay.entries == entries(1...5, size: 200) + entries(6...24, term: 2, size: 200) + entries(25...26, term: 3))
        #expect(try walFiles(directory.path).count > 1)
    }

    @Test func invalidBatchesAreRefusedWithoutWriting() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata)
        try wal.append(entries: entries(1...3), hardState: nil)
        #expect(throws: WALError.self) { try wal.append(entries: entries(4...4) + entries(6...6), hardState: nil) }
        #expect(throws: WALError.self) { try wal.append(entries: [WALEntry(index: 0, term: 1, data: [])], hardState: nil) }
        try wal.append(entries: entries(4...4), hardState: nil)
        try wal.close()
        let (reopened, replay) = try WAL.open(directory: directory.path)
        try reopened.close()
        #expect(replay.entries == entries(1...4))
    }

    @Test func createRefusesAnExistingWALAndOpenRefusesAnEmptyDirectory() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        #expect(throws: WALError.noSegments(directory: directory.path)) { try WAL.open(directory: directory.path) }
        #expect(!WAL.exists(directory: directory.path))
        #expect(!WAL.exists(directory: directory.sub("missing")))
        try WAL.create(directory: directory.path, metadata: metadata).close()
        #expect(WAL.exists(directory: directory.path))
        #expect(throws: WALError.alreadyExists(directory: directory.path)) {
            try WAL.create(directory: directory.path, metadata: metadata)
        }
    }

    @Test func aSecondOpenOfTheSameDirectoryIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata)
        #expect(throws: FileIOError.locked(path: directory.path)) { try WAL.open(directory: directory.path) }
        try wal.close()
        let (reopened, _) = try WAL.open(directory: directory.path)
        try reopened.close()
    }

    @Test func aMissingMiddleSegmentIsRefused() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let wal = try WAL.create(directory: directory.path, metadata: metadata, segmentSize: smallSegment)
        try wal.append(entries: entries(1...60, size: 200), hardState: nil)
        try wal.close()
        let files = try walFiles(directory.path)
        #expect(files.count >= 3)
        try FileIO.remove(directory.sub(files[1]))
        #expect(throws: WALError.missingSegment(after: files[0], expectedSequence: 1)) {
            try WAL.open(directory: directory.path, segmentSize: smallSegment)
        }
    }

    @Test func leftoverTemporarySegmentsAreRemoved() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try WAL.create(directory: directory.path, metadata: metadata).close()
        let stray = directory.sub("0000000000000001-0000000000000005.wal.tmp")
        try writeFile(stray, [1, 2, 3])
        let (wal, replay) = try WAL.open(directory: directory.path)
        try wal.close()
        #expect(replay.metadata == metadata)
        #expect(!FileIO.fileExists(stray))
    }

    @Test func fileErrorsNameThePathAndErrno() {
        let missing = "/tmp/swift-etcd-wal-missing-directory/file"
        #expect(throws: FileIOError.system(.open, path: missing, errno: ENOENT)) {
            try FileIO.openFile(missing, flags: O_RDONLY)
        }
        #expect(FileIOError.system(.open, path: missing, errno: ENOENT).description.hasPrefix("open \(missing): No such file"))
        #expect(FileIO.parentDirectory(of: "/a/b/") == "/a")
        #expect(FileIO.parentDirectory(of: "/a") == "/")
        #expect(FileIO.parentDirectory(of: "a") == ".")
    }
}
