import Testing
@testable import Storage

@Suite struct SnapshotterTests {
    private func snapshot(index: UInt64, term: UInt64) -> RaftSnapshot {
        RaftSnapshot(index: index, term: term, membership: Array("members \(index)".utf8), data: (0..<500).map { UInt8(truncatingIfNeeded: $0 &* Int(index)) })
    }

    @Test func saveThenLoadTheNewest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshotter = try Snapshotter(directory: directory.sub("member/snap"))
        #expect(try snapshotter.loadNewest() == SnapshotLoadResult(snapshot: nil, skipped: []))
        try snapshotter.save(snapshot(index: 10, term: 2))
        try snapshotter.save(snapshot(index: 30, term: 3))
        try snapshotter.save(snapshot(index: 20, term: 3))
        try snapshotter.save(RaftSnapshot(index: 5, term: 1, membership: [], data: []))
        #expect(try snapshotter.loadNewest() == SnapshotLoadResult(snapshot: snapshot(index: 30, term: 3), skipped: []))
        #expect(try snapshotter.load(fileName: "0000000000000001-0000000000000005.snap") == RaftSnapshot(index: 5, term: 1, membership: [], data: []))
        #expect(try FileIO.listDirectory(snapshotter.directory).allSatisfy { $0.hasSuffix(".snap") })

        let stray = FileIO.join(snapshotter.directory, "0000000000000009-0000000000000063.snap.tmp")
        try writeFile(stray, [1, 2, 3])
        let reopened = try Snapshotter(directory: snapshotter.directory)
        #expect(!FileIO.fileExists(stray))
        #expect(try reopened.loadNewest().snapshot == snapshot(index: 30, term: 3))
    }

    @Test func damagedSnapshotsAreSkippedAndReported() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshotter = try Snapshotter(directory: directory.path)
        try snapshotter.save(snapshot(index: 10, term: 2))
        try snapshotter.save(snapshot(index: 20, term: 2))
        try snapshotter.save(snapshot(index: 30, term: 2))
        let newest = directory.sub("0000000000000002-000000000000001e.snap")
        var bytes = try readFile(newest)
        bytes[100] ^= 0x40
        try writeFile(newest, bytes)
        let truncated = directory.sub("0000000000000002-0000000000000014.snap")
        try writeFile(truncated, Array(try readFile(truncated)[..<20]))

        let result = try snapshotter.loadNewest()
        #expect(result.snapshot == snapshot(index: 10, term: 2))
        #expect(result.skipped.map(\.file) == ["0000000000000002-000000000000001e.snap", "0000000000000002-0000000000000014.snap"])
        #expect(result.skipped[0].reason == "checksum mismatch")
    }

    @Test func aFileWhoseContentsDisagreeWithItsNameIsSkipped() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshotter = try Snapshotter(directory: directory.path)
        try snapshotter.save(snapshot(index: 10, term: 2))
        try writeFile(directory.sub("0000000000000002-0000000000000063.snap"), Snapshotter.encode(snapshot(index: 11, term: 2)))
        let result = try snapshotter.loadNewest()
        #expect(result.snapshot == snapshot(index: 10, term: 2))
        #expect(result.skipped.count == 1)
    }

    @Test func removeKeepsTheNewest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshotter = try Snapshotter(directory: directory.path)
        for index in UInt64(1)...5 { try snapshotter.save(snapshot(index: index * 10, term: 1)) }
        try snapshotter.removeAll(keepingNewest: 2)
        #expect(try FileIO.listDirectory(directory.path).sorted() == ["0000000000000001-0000000000000028.snap", "0000000000000001-0000000000000032.snap"])
    }
}
