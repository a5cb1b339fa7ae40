import Foundation
import Testing
@testable import Backend

/// Files written by `BoltWriter` read back through `BoltReader` with every entry, pass the
/// bbolt-style page check, and corrupt files are refused.
@Suite struct BoltRoundTripTests {
    static func scratchPath() -> String {
        NSTemporaryDirectory() + "bolt-test-\(UUID().uuidString).db"
    }

    /// Writes buckets (name → sorted entries) and returns the path.
    static func write(_ buckets: [(String, [([UInt8], [UInt8])])]) throws -> String {
        let path = scratchPath()
        let writer = try BoltWriter(path: path)
        for (name, entries) in buckets {
            try writer.beginBucket(Array(name.utf8))
            for (key, value) in entries { try writer.put(key: key, value: value) }
            try writer.endBucket()
        }
        try writer.finish()
        return path
    }

    static func read(_ path: String, bucket: String) throws -> [([UInt8], [UInt8])] {
        var entries: [([UInt8], [UInt8])] = []
        try BoltReader(path: path).forEach(inBucket: Array(bucket.utf8)) { key, value in entries.append((key, value)) }
        return entries
    }

    static func bigEndian(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt64(value).bigEndian) { Array($0) }
    }

    @Test func smallBucketsStayInlineAndReadBack() throws {
        let small = [(Array("a".utf8), Array("1".utf8)), (Array("b".utf8), [UInt8]())]
        let path = try Self.write([("meta", small), ("empty", [])])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try BoltReader(path: path)
        try reader.check()
        #expect(try reader.bucketNames() == [Array("empty".utf8), Array("meta".utf8)])
        // Meta pages, root leaf and freelist only: both buckets live inside the root leaf.
        #expect(reader.meta.highWaterMark == 4)
        let entries = try Self.read(path, bucket: "meta")
        #expect(entries.map(\.0) == small.map(\.0) && entries.map(\.1) == small.map(\.1))
        #expect(try Self.read(path, bucket: "empty").isEmpty)
        #expect(try reader.forEach(inBucket: Array("missing".utf8)) { _, _ in } == false)
    }

    @Test func manyKeysBuildBranchLevelsAndLargeValuesOverflow() throws {
        let keys = (0..<20_000).map { (Self.bigEndian($0), Array("value-\($0)".utf8)) }
        let large = [(Array("big".utf8), [UInt8](repeating: 7, count: 3 * 4096 + 5)), (Array("small".utf8), [1])]
        let path = try Self.write([("key", keys), ("large", large)])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try BoltReader(path: path)
        try reader.check()
        let back = try Self.read(path, bucket: "key")
        #expect(back.count == keys.count)
        #expect(zip(back, keys).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 })
        let largeBack = try Self.read(path, bucket: "large")
        #expect(largeBack.map(\.1) == large.map(\.1))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == reader.size)
    }

    @Test func keysOutOfOrderAreRefused() throws {
        let path = Self.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try BoltWriter(path: path)
        try writer.beginBucket(Array("key".utf8))
        try writer.put(key: [2], value: [])
        #expect(throws: BoltError.self) { try writer.put(key: [1], value: []) }
    }
}
