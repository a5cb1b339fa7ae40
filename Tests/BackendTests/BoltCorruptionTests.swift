import Foundation
import Testing
@testable import Backend

/// Damaged files are refused with an error naming the damage, never read as data.
@Suite struct BoltCorruptionTests {
    /// A file with a branch level (page layout: 0,1 metas; leaves from 2; branch; root; freelist).
    static func multiPageFile() throws -> String {
        let keys = (0..<2_000).map { (BoltRoundTripTests.bigEndian($0), [UInt8](repeating: 1, count: 40)) }
        return try BoltRoundTripTests.write([("key", keys)])
    }

    static func patch(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }

    static func readAll(_ path: String) throws {
        let reader = try BoltReader(path: path)
        try reader.forEach(inBucket: Array("key".utf8)) { _, _ in }
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func badMetaChecksumsAreRefused() throws {
        let path = try Self.multiPageFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.patch(path, at: 16 + 40, [0xFF])
        // One meta left intact: bbolt falls back to it.
        try Self.readAll(path)
        try Self.patch(path, at: 4096 + 16 + 40, [0xFF])
        #expect(Self.message { try Self.readAll(path) }.contains("checksum"))
    }

    @Test func nonBoltAndTruncatedFilesAreRefused() throws {
        let path = try Self.multiPageFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = BoltRoundTripTests.scratchPath()
        defer { try? FileManager.default.removeItem(atPath: text) }
        try Data(repeating: 0x41, count: 10_000).write(to: URL(fileURLWithPath: text))
        #expect(Self.message { try Self.readAll(text) }.contains("not a bbolt file"))
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: 3 * 4096)
        try handle.close()
        #expect(Self.message { try Self.readAll(path) }.contains("truncated"))
    }

    @Test func pageIDsThatDoNotMatchAreRefused() throws {
        let path = try Self.multiPageFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.patch(path, at: 2 * 4096, BoltRoundTripTests.bigEndian(1).reversed())
        #expect(Self.message { try Self.readAll(path) }.contains("carries id"))
    }

    @Test func aCycleInThePageTreeIsRefused() throws {
        let path = try Self.multiPageFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try BoltReader(path: path)
        // The root leaf holds the bucket "key", whose tree has a branch page: point its first
        // child at the branch page itself.
        let bucketRoot = try Self.bucketRoot(path, reader: reader)
        try Self.patch(path, at: Int(bucketRoot) * 4096 + 16 + 8, withUnsafeBytes(of: bucketRoot.littleEndian) { Array($0) })
        #expect(Self.message { try Self.readAll(path) }.contains("cycle"))
        #expect(Self.message { try BoltReader(path: path).check() }.contains("twice"))
    }

    /// The root page id of bucket "key", read from its header in the root leaf.
    static func bucketRoot(_ path: String, reader: BoltReader) throws -> UInt64 {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let leaf = Int(reader.meta.root) * 4096
        let position = data.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: leaf + 16 + 4, as: UInt32.self)) }
        let valueOffset = leaf + 16 + position + 3
        return data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: valueOffset, as: UInt64.self) }
    }
}
