import Testing
@testable import Storage

/// Random sequences of appends, overwrites, snapshot markers, releases and reopens, checked against
/// a plain in-memory Raft log after every reopen.
@Suite struct WALModelTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func replayMatchesAnInMemoryLog(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var random = SplitMix64(seed: seed)
        let segmentSize = 4096
        var wal = try WAL.create(directory: directory.path, metadata: [UInt8(seed)], segmentSize: segmentSize)
        var log: [WALEntry] = []
        var snapshot: WALSnapshotMarker?
        var hardState: WALHardState?
        var term: UInt64 = 1

        for step in 0..<300 {
            let lastIndex = log.last?.index ?? snapshot?.index ?? 0
            let firstLive = (snapshot?.index ?? 0) + 1
            switch random.next() % 10 {
            case 0..<6:
                var start = lastIndex + 1
                if random.next() % 4 == 0 && lastIndex >= firstLive {
                    // Raft truncation: a new leader's entries replace an uncommitted suffix.
                    start = firstLive + random.next() % (lastIndex - firstLive + 1)
                    term += 1
                }
                let count = 1 + random.next() % 8
                let batch = (start..<start + count).map { index in
                    WALEntry(index: index, term: term, kind: UInt8(random.next() % 2), data: (0..<Int(random.next() % 400)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
                }
                log.removeAll { $0.index >= start }
                log.append(contentsOf: batch)
                let state = random.next() % 2 == 0 ? WALHardState(term: term, vote: random.next() % 3, commit: start - 1) : nil
                if let state { hardState = state }
                try wal.append(entries: batch, hardState: state)
                if random.next() % 3 == 0 { try wal.sync() }
            case 6:
                guard lastIndex >= firstLive else { continue }
                let index = firstLive + random.next() % (lastIndex - firstLive + 1)
                let marker = WALSnapshotMarker(index: index, term: term)
                try wal.saveSnapshotMarker(index: marker.index, term: marker.term)
                snapshot = marker
                log.removeAll { $0.index <= index }
            case 7:
                guard let snapshot else { continue }
                try wal.releaseSegments(before: snapshot.index)
            default:
                guard step % 3 == 0 else { continue }
                try wal.close()
                let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: segmentSize)
                wal = reopened
                #expect(replay.entries == log, "seed \(seed) step \(step)")
                #expect(replay.snapshot == snapshot)
                #expect(replay.hardState == hardState)
                #expect(replay.metadata == [UInt8(seed)])
                #expect(replay.repairedTail == nil)
            }
        }
        try wal.close()
        let (reopened, replay) = try WAL.open(directory: directory.path, segmentSize: segmentSize)
        let segments = reopened.segmentFileNames.compactMap { WALSegmentName(fileName: $0) }
        try reopened.close()
        // The run cut many segments and released some of them.
        #expect(segments.last!.sequence > 10)
        #expect(segments.first!.sequence > 0)
        #expect(replay.entries == log)
        #expect(replay.snapshot == snapshot)
    }
}
