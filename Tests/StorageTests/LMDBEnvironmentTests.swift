import Foundation
import Storage
import Testing

/// An environment in a fresh temporary directory, removed afterwards.
final class TemporaryEnvironment {
    let directory = NSTemporaryDirectory() + "lmdb-test-" + UUID().uuidString
    let environment: LMDBEnvironment

    init() throws {
        var options = LMDBOptions()
        options.mapSize = 64 << 20
        self.environment = try LMDBEnvironment(directory: self.directory, options: options)
    }

    deinit { try? FileManager.default.removeItem(atPath: self.directory) }
}

/// The UTF-8 bytes of `string`, keeping the body's typed error (`withUnsafeBytes` only rethrows).
func withBytes<Result, Failure: Error>(
    _ string: String, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
) throws(Failure) -> Result {
    try withBytes(Array(string.utf8), body)
}

func withBytes<Result, Failure: Error>(
    _ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
) throws(Failure) -> Result {
    let outcome = array.withUnsafeBytes { bytes in Swift.Result { () throws(Failure) -> Result in try body(bytes) } }
    return try outcome.get()
}

func string(_ buffer: UnsafeRawBufferPointer?) -> String? {
    buffer.map { String(decoding: $0, as: UTF8.self) }
}

@Suite struct LMDBEnvironmentTests {
    @Test func putGetDeleteCommitAndAbort() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let database = try environment.openDatabase("plain")
        try environment.write { (transaction) throws(LMDBError) in
            try withBytes("k") { (key) throws(LMDBError) in
                try withBytes("v") { (value) throws(LMDBError) in try transaction.put(database, key: key, value: value) }
            }
        }
        #expect(try environment.read { (transaction) throws(LMDBError) in
            try withBytes("k") { (key) throws(LMDBError) in string(try transaction.get(database, key: key)) }
        } == "v")

        struct Rollback: Error {}
        #expect(throws: LMDBBlockFailure<Rollback>.self) {
            try environment.withWriteTransaction { (transaction) throws(Rollback) in
                _ = try? withBytes("k") { (key) throws(LMDBError) in try transaction.delete(database, key: key) }
                throw Rollback()
            }
        }
        // The aborted delete left the value in place.
        #expect(try environment.read { (transaction) throws(LMDBError) in
            try withBytes("k") { (key) throws(LMDBError) in string(try transaction.get(database, key: key)) }
        } == "v")
        #expect(try environment.write { (transaction) throws(LMDBError) in
            try withBytes("k") { (key) throws(LMDBError) in try transaction.delete(database, key: key) }
        })
        #expect(try environment.read { (transaction) throws(LMDBError) in
            try withBytes("k") { (key) throws(LMDBError) in try transaction.get(database, key: key) }
        } == nil)
        try environment.sync()
    }

    @Test func reserveAndCursorOrder() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let database = try environment.openDatabase("ordered")
        try environment.write { (transaction) throws(LMDBError) in
            for key in ["b", "a", "c"] {
                try withBytes(key) { (keyBytes) throws(LMDBError) in
                    try transaction.put(database, key: keyBytes, reserving: 2) { buffer in
                        buffer.copyBytes(from: Array((key + key).utf8))
                    }
                }
            }
        }
        let scanned = try environment.read { (transaction) throws(LMDBError) -> [String] in
            try transaction.cursor(database) { (cursor) throws(LMDBError) -> [String] in
                var seen: [String] = []
                var entry = try withBytes("b") { (key) throws(LMDBError) in try cursor.seek(atLeast: key) }
                while let current = entry {
                    seen.append(string(current.key)! + "=" + string(current.value)!)
                    entry = try cursor.next()
                }
                return seen
            }
        }
        #expect(scanned == ["b=bb", "c=cc"])
    }

    @Test func dupSortedValuesAndNestedTransactions() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let database = try environment.openDatabase("dups", duplicates: .sortedFixedSize)
        try environment.write { (transaction) throws(LMDBError) in
            for value in ["3", "1", "2"] {
                try withBytes("k") { (key) throws(LMDBError) in try withBytes(value) { (value) throws(LMDBError) in try transaction.put(database, key: key, value: value) } }
            }
            struct Abandon: Error {}
            _ = try? transaction.withNestedTransaction { (child) throws(Abandon) in
                _ = try? withBytes("k") { (key) throws(LMDBError) in try withBytes("9") { (value) throws(LMDBError) in try child.put(database, key: key, value: value) } }
                throw Abandon()
            }
        }
        let values = try environment.read { (transaction) throws(LMDBError) -> [String] in
            try transaction.cursor(database) { (cursor) throws(LMDBError) -> [String] in
                var seen: [String] = []
                guard let first = try withBytes("k", { (key) throws(LMDBError) in try cursor.seek(exactly: key) }) else { return [] }
                seen.append(string(first.value)!)
                let last = try cursor.lastDuplicate()
                seen.append(string(last?.value)!)
                let previous = try cursor.previousDuplicate()
                seen.append(string(previous?.value)!)
                let atLeast = try withBytes("k") { (key) throws(LMDBError) in try withBytes("2") { (value) throws(LMDBError) in try cursor.seek(key: key, duplicateAtLeast: value) } }
                seen.append(string(atLeast?.value)!)
                #expect(try cursor.nextKey() == nil)
                return seen
            }
        }
        #expect(values == ["1", "3", "2", "2"])
    }

    @Test func oversizedKeysAreErrorsNotCrashes() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let database = try environment.openDatabase("plain")
        let longKey = String(repeating: "x", count: environment.maxKeySize + 1)
        #expect(throws: LMDBError.self) {
            try environment.write { (transaction) throws(LMDBError) in
                try withBytes(longKey) { (key) throws(LMDBError) in try withBytes("v") { (value) throws(LMDBError) in try transaction.put(database, key: key, value: value) } }
            }
        }
    }

    @Test func readersRunConcurrentlyWithTheWriter() async throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let database = try environment.openDatabase("counter")
        func write(_ value: Int) throws {
            try environment.write { (transaction) throws(LMDBError) in
                try withBytes("n") { (key) throws(LMDBError) in
                    try withBytes(withUnsafeBytes(of: value) { Array($0) }) { (bytes) throws(LMDBError) in
                        try transaction.put(database, key: key, value: bytes)
                    }
                }
            }
        }
        try write(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var last = 0
                    for _ in 0..<500 {
                        let value = try environment.read { (transaction) throws(LMDBError) -> Int in
                            try withBytes("n") { (key) throws(LMDBError) in try transaction.get(database, key: key)!.loadUnaligned(as: Int.self) }
                        }
                        #expect(value >= last)
                        last = value
                    }
                }
            }
            for value in 1...300 { try write(value) }
            try await group.waitForAll()
        }
    }

    @Test func compactInPlaceShrinksTheFileKeepsTheDataAndHoldsCallersBack() async throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let kept = try environment.openDatabase("kept")
        let dropped = try environment.openDatabase("dropped")
        let duplicates = try environment.openDatabase("duplicates", duplicates: .sorted)
        func put(_ database: LMDBDatabase, _ key: String, _ value: [UInt8] = [UInt8](repeating: 7, count: 4000)) throws {
            try environment.write { (transaction) throws(LMDBError) in
                try withBytes(key) { (key) throws(LMDBError) in
                    try withBytes(value) { (bytes) throws(LMDBError) in try transaction.put(database, key: key, value: bytes) }
                }
            }
        }
        func count(_ database: LMDBDatabase) throws -> Int {
            try environment.read { (transaction) throws(LMDBError) in try transaction.entryCount(database) }
        }
        for index in 0..<10 { try put(kept, "k\(index)") }
        for index in 0..<2000 { try put(dropped, "d\(index)") }
        try environment.write { (transaction) throws(LMDBError) in
            for index in 0..<2000 {
                try withBytes("d\(index)") { (key) throws(LMDBError) in _ = try transaction.delete(dropped, key: key) }
            }
        }
        try environment.sync()
        let fileBefore = try fileSize(fixture.directory + "/data.mdb")
        let usedBefore = try environment.usage().usedBytes

        // Readers and a writer keep going while the file is replaced under them.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask { () throws in
                    for _ in 0..<300 { #expect(try count(kept) >= 10) }
                }
            }
            group.addTask { () throws in
                for index in 10..<60 { try put(kept, "k\(index)") }
            }
            try environment.compactInPlace()
            try await group.waitForAll()
        }

        #expect(try count(kept) == 60)
        #expect(try count(dropped) == 0)
        #expect(try fileSize(fixture.directory + "/data.mdb") < fileBefore / 4)
        #expect(try environment.usage().usedBytes < usedBefore / 4)
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/compacting.tmp"))
        // The reopened databases take writes under their old handles, with their old flags.
        try put(dropped, "again")
        #expect(try count(dropped) == 1)
        try put(duplicates, "key", [1])
        try put(duplicates, "key", [2])
        #expect(try count(duplicates) == 2)
    }

    @Test func openingRemovesACompactionCutShort() throws {
        let directory = NSTemporaryDirectory() + "lmdb-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/compacting.tmp", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/compacting.tmp/data.mdb", contents: Data([1, 2, 3]))
        _ = try LMDBEnvironment(directory: directory)
        #expect(!FileManager.default.fileExists(atPath: directory + "/compacting.tmp"))
    }
}

private func fileSize(_ path: String) throws -> Int {
    try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
}
