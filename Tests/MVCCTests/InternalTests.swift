@testable import MVCC
import Storage
import Testing

@Suite struct InternalTests {
    @Test func crc32cStandardCheckValue() {
        var crc = CRC32C()
        Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
        #expect(crc.value == 0xE306_9283)
    }

    func entryCounts(_ store: MVCCStore) throws -> (history: Int, keyRevisions: Int) {
        func count(_ database: LMDBDatabase) throws -> Int {
            try store.environment.read { (transaction) throws(LMDBError) -> Int in
                try transaction.cursor(database) { (cursor) throws(LMDBError) -> Int in
                    var count = 0
                    var entry = try cursor.first()
                    while entry != nil {
                        count += 1
                        entry = try cursor.next()
                    }
                    return count
                }
            }
        }
        return (try count(store.tables.history), try count(store.tables.keyRevs))
    }

    @Test func compactionPhysicallyRemovesWhatNoReadNeeds() throws {
        var options = MVCCOptions()
        options.compactionBatchLimit = 3
        let fixture = try TemporaryStore(options: options)
        let store = fixture.store
        for round in 0..<4 {
            try store.applyExpectingSuccess((0..<3).map { .put(putRequest("k\($0)", "v\(round)")) }, lastIndex: UInt64(1 + round))
        }  // revisions 2...13, three keys
        try store.applyExpectingSuccess([.deleteRange(deleteRequest("k0"))], lastIndex: 10)  // 14
        try store.applyExpectingSuccess([.put(putRequest("k1", "late"))], lastIndex: 11)  // 15
        #expect(try self.entryCounts(store) == (14, 14))
        try store.applyExpectingSuccess([.compact(compactRequest(14))], lastIndex: 12)
        while try !store.runCompaction(maxEntries: 2) {}
        // Kept: k1@12 (still readable at 14), k2@13, and k1@15 above the compaction; k0's
        // generation ends in a tombstone at 14 and goes entirely.
        #expect(try self.entryCounts(store) == (3, 3))
        #expect(values(try store.range(rangeRequest("k", end: "l", revision: 14))) == ["v3", "v3"])
        #expect(values(try store.range(rangeRequest("k", end: "l"))) == ["late", "v3"])
    }
}
