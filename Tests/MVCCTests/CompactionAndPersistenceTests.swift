import EtcdProto
import Foundation
import MVCC
import Testing

func compactRequest(_ revision: Int64, physical: Bool = false) -> CompactionRequest {
    var request = CompactionRequest()
    request.revision = revision
    request.physical = physical
    return request
}

@Suite struct CompactionTests {
    @Test func compactionErrorsAndReads() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")  // 2
        try fixture.put("a", "2")  // 3
        try fixture.put("b", "1")  // 4
        try fixture.delete("b")  // 5
        try fixture.put("a", "3")  // 6

        #expect(throws: MVCCError.futureRevision) { try fixture.apply(.compact(compactRequest(7))).response.get() }
        let compacted = try fixture.apply(.compact(compactRequest(5)))
        guard case .compact(let response) = try compacted.response.get() else { throw TestFailure("not compact") }
        #expect(response.header?.revision == 6)
        #expect(compacted.revision == 6)
        #expect(try fixture.store.compactedRevision() == 5)
        #expect(try fixture.store.currentRevision() == 6)
        #expect(throws: MVCCError.compacted) { try fixture.apply(.compact(compactRequest(5))).response.get() }
        #expect(throws: MVCCError.compacted) { try fixture.apply(.compact(compactRequest(3))).response.get() }

        #expect(throws: MVCCError.compacted) { try fixture.get("a", revision: 4) }
        // The compaction revision itself stays readable (etcd: rev < compactMainRev fails).
        #expect(values(try fixture.get("a", end: "\0", revision: 5)) == ["2"])
        #expect(values(try fixture.get("a", end: "\0", revision: 6)) == ["3"])
        #expect(try fixture.get("a").kvs[0].version == 3)
        #expect(try fixture.store.finishedCompactionRevision() == 5)
        let inTxn = try fixture.apply(.txn(txnRequest([], success: [op(rangeRequest("a", revision: 4))])))
        #expect(throws: MVCCError.compacted) { try inTxn.response.get() }
    }

    @Test func compactingAtZeroOnANewStoreIsAccepted() throws {
        let fixture = try TemporaryStore()
        #expect(throws: Never.self) { try fixture.apply(.compact(compactRequest(0))).response.get() }
        #expect(throws: Never.self) { try fixture.apply(.compact(compactRequest(1))).response.get() }
        #expect(throws: MVCCError.compacted) { try fixture.apply(.compact(compactRequest(1))).response.get() }
    }

    /// Deleting every key, then compacting at the deletion, empties the history: the last
    /// history entry is removed with the cursor on it (once crashed the apply loop with EINVAL).
    @Test func compactionThatEmptiesTheHistory() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")  // 2
        try fixture.put("b", "1")  // 3
        try fixture.delete("a")  // 4
        try fixture.delete("b")  // 5
        #expect(throws: Never.self) { try fixture.apply(.compact(compactRequest(3))).response.get() }
        #expect(throws: Never.self) { try fixture.apply(.compact(compactRequest(5))).response.get() }
        #expect(try fixture.store.finishedCompactionRevision() == 5)
        #expect(try fixture.get("a", end: "\0").kvs.isEmpty)
        try fixture.put("a", "2")  // 6
        #expect(values(try fixture.get("a")) == ["2"])
    }

    @Test func largeCompactionRunsInBoundedSteps() throws {
        var options = MVCCOptions()
        options.compactionBatchLimit = 10
        let fixture = try TemporaryStore(options: options)
        for round in 0..<10 {
            try fixture.store.applyExpectingSuccess((0..<10).map { .put(putRequest("k\($0)", "v\(round)")) }, lastIndex: UInt64(100 + round))
        }
        try fixture.store.applyExpectingSuccess([.deleteRange(deleteRequest("k0"))], lastIndex: 200)
        let current = try fixture.store.currentRevision()
        #expect(current == 102)
        let results = try fixture.store.apply([.compact(compactRequest(current))], lastIndex: 201)
        #expect(throws: Never.self) { try results[0].response.get() }
        // 10 of the 101 history entries were examined in that batch: not finished yet.
        #expect(try fixture.store.finishedCompactionRevision() == 0)
        var steps = 0
        while try !fixture.store.runCompaction(maxEntries: 10) { steps += 1 }
        #expect(steps >= 5)
        #expect(try fixture.store.finishedCompactionRevision() == current)
        let after = try fixture.get("k", end: "l")
        #expect(keys(after) == (1..<10).map { "k\($0)" })
        #expect(values(after).allSatisfy { $0 == "v9" })
        #expect(try fixture.get("k5").kvs[0].version == 10)
        #expect(try fixture.get("k", end: "l", revision: current).count == 9)
    }
}

@Suite struct PersistenceTests {
    @Test func reopenKeepsStateAndAppliedIndex() throws {
        let fixture = try TemporaryStore()
        try fixture.store.applyExpectingSuccess([.put(putRequest("a", "1")), .put(putRequest("b", "2"))], lastIndex: 7)
        try fixture.store.applyExpectingSuccess([.deleteRange(deleteRequest("a")), .compact(compactRequest(3))], lastIndex: 9)
        try fixture.store.sync()
        let before = try fixture.get("\0", end: "\0")
        try fixture.reopen()
        #expect(try fixture.store.appliedIndex() == 9)
        #expect(try fixture.store.currentRevision() == 4)
        #expect(try fixture.store.compactedRevision() == 3)
        #expect(try fixture.get("\0", end: "\0") == before)
        #expect(values(try fixture.get("\0", end: "\0", revision: 3)) == ["1", "2"])
    }

    @Test func compactCopyOpensAsTheSameStore() throws {
        let fixture = try TemporaryStore()
        try fixture.store.applyExpectingSuccess((0..<50).map { .put(putRequest("k\($0 % 7)", "v\($0)")) }, lastIndex: 3)
        let copyDirectory = fixture.directory + "-copy"
        try FileManager.default.createDirectory(atPath: copyDirectory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: copyDirectory) }
        try fixture.store.copy(toDirectory: copyDirectory)
        let copy = try MVCCStore(directory: copyDirectory)
        #expect(try copy.appliedIndex() == 3)
        #expect(try copy.currentRevision() == 51)
        #expect(try copy.range(rangeRequest("\0", end: "\0")) == fixture.get("\0", end: "\0"))
        #expect(try copy.range(rangeRequest("\0", end: "\0", revision: 20)) == fixture.get("\0", end: "\0", revision: 20))
        #expect(try fixture.store.usage().usedBytes > 0)
    }

    @Test func replayedBatchesAreSkipped() throws {
        let fixture = try TemporaryStore()
        let batch: [MVCCWrite] = [.put(putRequest("a", "1"))]
        #expect(try fixture.store.apply(batch, lastIndex: 5).count == 1)
        #expect(try fixture.store.apply(batch, lastIndex: 5).isEmpty)
        #expect(try fixture.store.apply(batch, lastIndex: 3).isEmpty)
        #expect(try fixture.store.currentRevision() == 2)
        #expect(try fixture.store.apply(batch, lastIndex: 6).count == 1)
        #expect(try fixture.get("a").kvs[0].version == 2)
        #expect(try fixture.store.appliedIndex() == 6)
    }

    @Test func concurrentReadersDuringWrites() async throws {
        let fixture = try TemporaryStore()
        let store = fixture.store
        try fixture.put("a", "0")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var lastRevision: Int64 = 0
                    for _ in 0..<200 {
                        let response = try store.range(rangeRequest("a"))
                        let revision = response.header?.revision ?? 0
                        // Each read is a snapshot: the value always matches its revision.
                        #expect(response.kvs.first?.modRevision == revision)
                        #expect(revision >= lastRevision)
                        lastRevision = revision
                    }
                }
            }
            for index in 0..<200 {
                _ = try store.apply([.put(putRequest("a", "\(index)"))], lastIndex: UInt64(10 + index))
            }
            try await group.waitForAll()
        }
    }
}

@Suite struct HashKVTests {
    func history(compactionBatchLimit: Int) throws -> TemporaryStore {
        var options = MVCCOptions()
        options.compactionBatchLimit = compactionBatchLimit
        let fixture = try TemporaryStore(options: options)
        for round in 0..<6 {
            try fixture.store.applyExpectingSuccess((0..<5).map { .put(putRequest("k\($0)", "v\(round)")) }, lastIndex: UInt64(1 + round))
        }
        try fixture.store.applyExpectingSuccess([.deleteRange(deleteRequest("k1")), .compact(compactRequest(20))], lastIndex: 10)
        return fixture
    }

    @Test func hashIsIndependentOfPhysicalCompactionProgress() throws {
        let finished = try self.history(compactionBatchLimit: 1000)
        let pending = try self.history(compactionBatchLimit: 1)
        #expect(try finished.store.finishedCompactionRevision() == 20)
        #expect(try pending.store.finishedCompactionRevision() == 0)
        #expect(try finished.store.hashKV(revision: 0) == pending.store.hashKV(revision: 0))
        #expect(try finished.store.hashKV(revision: 25) == pending.store.hashKV(revision: 25))
        #expect(try finished.store.hashKV(revision: 25) != finished.store.hashKV(revision: 0))
        #expect(try finished.store.hashKV(revision: 0).revision == 32)
    }

    @Test func hashErrors() throws {
        let fixture = try self.history(compactionBatchLimit: 10)
        #expect(throws: MVCCError.compacted) { try fixture.store.hashKV(revision: 20) }
        #expect(throws: MVCCError.futureRevision) { try fixture.store.hashKV(revision: 33) }
    }

    /// etcd hashes its bucket's name first: an empty etcd 3.4.23 answers 1084519789 (CRC-32C of "key").
    @Test func emptyStoreHashesTheBucketNameOnly() throws {
        let fixture = try TemporaryStore()
        #expect(try fixture.store.hashKV(revision: 0) == MVCCHash(hash: 1_084_519_789, revision: 1, compactRevision: 0))
    }
}

@Suite struct DatabaseFullTests {
    @Test func aFullMapFailsTheWholeBatchAndKeepsTheStoreUsable() throws {
        var options = MVCCOptions()
        options.mapSize = 1 << 20
        let fixture = try TemporaryStore(options: options, keepMapSize: true)
        let value = String(repeating: "x", count: 16 << 10)
        var index: UInt64 = 0
        var failure: MVCCError?
        while failure == nil && index < 200 {
            index += 1
            do {
                try fixture.store.applyExpectingSuccess([.put(putRequest("k\(index)", value))], lastIndex: index)
            } catch let error as MVCCError {
                failure = error
            }
        }
        #expect(failure?.code == .databaseFull)
        #expect(failure?.message == "etcdserver: mvcc: database space exceeded")
        // The failed batch left nothing: not its key, not its index.
        #expect(try fixture.store.appliedIndex() == index - 1)
        #expect(try fixture.get("k\(index)").kvs.isEmpty)
        #expect(try fixture.get("k1").kvs.count == 1)
        #expect(try fixture.store.currentRevision() == Int64(index))
    }
}
