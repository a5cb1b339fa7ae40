import EtcdProto
import Foundation
import MVCC
import Testing

/// A tiny in-memory model of etcd's MVCC semantics: the full key space at every revision.
struct ReferenceModel {
    var states: [[[UInt8]: KeyValue]] = [[:], [:]]  // index = revision; revision 1 is the empty start
    var compacted: Int64 = -1
    var current: Int64 { Int64(self.states.count - 1) }

    /// Applies the changes of one write txn: puts (key, value) and deletes of existing keys.
    mutating func commit(_ changes: [(key: [UInt8], value: [UInt8]?)]) {
        guard !changes.isEmpty else { return }
        var state = self.states[self.states.count - 1]
        let revision = self.current + 1
        for change in changes {
            if let value = change.value {
                var kv = KeyValue()
                kv.key = change.key
                kv.value = value
                kv.modRevision = revision
                kv.createRevision = state[change.key]?.createRevision ?? revision
                kv.version = (state[change.key]?.version ?? 0) + 1
                state[change.key] = kv
            } else {
                state[change.key] = nil
            }
        }
        self.states.append(state)
    }

    func range(_ start: [UInt8], _ end: [UInt8], at revision: Int64) -> [KeyValue] {
        let state = self.states[Int(revision)]
        return state.values
            .filter { kv in
                if end.isEmpty { return kv.key == start }
                if end == [0] { return !kv.key.lexicographicallyPrecedes(start) }
                return !kv.key.lexicographicallyPrecedes(start) && kv.key.lexicographicallyPrecedes(end)
            }
            .sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }
}

/// A seeded generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ModelTests {
    /// Random put/delete/txn/compact sequences, checking reads at random revisions against the model.
    /// `MVCC_MODEL_OPS` raises the operation count (default 400), `MVCC_MODEL_SEED` picks the seed.
    @Test func randomOperationsMatchTheModel() throws {
        let environment = ProcessInfo.processInfo.environment
        let operations = Int(environment["MVCC_MODEL_OPS"] ?? "") ?? 400
        let seed = UInt64(environment["MVCC_MODEL_SEED"] ?? "") ?? 0x5EED
        var random = SeededGenerator(state: seed)
        var options = MVCCOptions()
        options.compactionBatchLimit = 7  // keep compactions spanning many batches
        let fixture = try TemporaryStore(options: options)
        var model = ReferenceModel()
        let keySpace = (0..<8).map { bytes("key\($0)") }
        func randomKey() -> [UInt8] { keySpace.randomElement(using: &random)! }
        func randomEnd(after start: [UInt8]) -> [UInt8] {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: return []
            case 1: return [0]
            default: return randomKey()
            }
        }
        var index: UInt64 = 0

        for step in 0..<operations {
            index += 1
            let choice = Int.random(in: 0..<100, using: &random)
            if choice < 40 {
                let key = randomKey()
                let value = bytes("v\(step)")
                var request = PutRequest()
                request.key = key
                request.value = value
                let result = try fixture.store.apply([.put(request)], lastIndex: index)[0]
                #expect(throws: Never.self) { try result.response.get() }
                model.commit([(key, value)])
                #expect(result.revision == model.current)
            } else if choice < 55 {
                let start = randomKey()
                let end = randomEnd(after: start)
                var request = DeleteRangeRequest()
                request.key = start
                request.rangeEnd = end
                let existing = model.range(start, end, at: model.current)
                let result = try fixture.store.apply([.deleteRange(request)], lastIndex: index)[0]
                model.commit(existing.map { ($0.key, nil) })
                #expect(result.revision == model.current)
                #expect(result.events.count == existing.count)
            } else if choice < 75 {
                // Txn: compare a key's version, then put two distinct keys or delete one.
                let key = randomKey()
                let version = Int64.random(in: 0..<3, using: &random)
                let holds = (model.states[Int(model.current)][key]?.version ?? 0) == version
                let first = randomKey()
                var second = randomKey()
                while second == first { second = randomKey() }
                var put1 = PutRequest()
                put1.key = first
                put1.value = bytes("t\(step)")
                var put2 = PutRequest()
                put2.key = second
                put2.value = bytes("u\(step)")
                var compareVersion = Compare()
                compareVersion.key = key
                compareVersion.target = .version
                compareVersion.targetUnion = .version(version)
                var delete = DeleteRangeRequest()
                delete.key = first
                let request = txnRequest([compareVersion], success: [op(put1), op(put2)], failure: [op(delete)])
                let result = try fixture.store.apply([.txn(request)], lastIndex: index)[0]
                let response = try result.response.get()
                guard case .txn(let txn) = response else { throw TestFailure("not a txn") }
                #expect(txn.succeeded == holds)
                if holds {
                    model.commit([(first, put1.value), (second, put2.value)])
                } else if model.states[Int(model.current)][first] != nil {
                    model.commit([(first, nil)])
                }
                #expect(txn.header?.revision == model.current)
            } else if choice < 80 {
                let revision = Int64.random(in: 0...model.current, using: &random)
                let result = try fixture.store.apply([.compact(compactRequest(revision))], lastIndex: index)[0]
                if revision <= model.compacted {
                    #expect(throws: MVCCError.compacted) { try result.response.get() }
                } else {
                    #expect(throws: Never.self) { try result.response.get() }
                    model.compacted = revision
                }
            } else {
                let start = randomKey()
                let end = randomEnd(after: start)
                let revision = Int64.random(in: 0...model.current, using: &random)
                var request = RangeRequest()
                request.key = start
                request.rangeEnd = end
                request.revision = revision
                request.limit = Int64.random(in: 0..<3, using: &random)
                if revision != 0 && revision < model.compacted {
                    #expect(throws: MVCCError.compacted) { try fixture.store.range(request) }
                } else {
                    let expected = model.range(start, end, at: revision == 0 ? model.current : revision)
                    let response = try fixture.store.range(request)
                    let limited = request.limit > 0 ? Array(expected.prefix(Int(request.limit))) : expected
                    #expect(response.kvs == limited, "step \(step) seed \(seed)")
                    #expect(response.count == Int64(expected.count))
                    #expect(response.more == (request.limit > 0 && expected.count > Int(request.limit)))
                    #expect(response.header?.revision == model.current)
                }
            }
        }
        // Drain the compaction, then every readable revision must still match.
        while try !fixture.store.runCompaction(maxEntries: 5) {}
        for revision in max(1, model.compacted)...model.current {
            let response = try fixture.store.range(rangeRequest("\0", end: "\0", revision: revision))
            #expect(response.kvs == model.range([0], [0], at: revision), "revision \(revision)")
        }
    }
}
