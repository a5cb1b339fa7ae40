import Foundation
import Storage
import Synchronization
import Testing

/// Counters shared by the threads of a test.
private final class Shared: Sendable {
    let stop = Atomic<Bool>(false)
    let reads = Atomic<Int>(0)
    let readsInWindows = Atomic<Int>(0)
    let inWindow = Atomic<Bool>(false)
    let failures = Atomic<Int>(0)
    let maxReadNanoseconds = Atomic<Int>(0)
    let done = Atomic<Bool>(false)
}

/// Starts `body` on a new OS thread (not the cooperative pool: these threads block and spin);
/// the semaphore is signalled when it returns.
private func spawn(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let finished = DispatchSemaphore(value: 0)
    let thread = Thread {
        body()
        finished.signal()
    }
    thread.start()
    return finished
}

private let groupKeys = (0..<10).map { "a\($0)" }

/// Writes `value` under every key of the group in one transaction.
private func writeGroup(_ environment: LMDBEnvironment, _ database: LMDBDatabase, _ value: Int) throws {
    try environment.write { (transaction) throws(LMDBError) in
        for key in groupKeys {
            try withBytes(key) { (key) throws(LMDBError) in
                try withBytes(withUnsafeBytes(of: value) { Array($0) }) { (bytes) throws(LMDBError) in
                    try transaction.put(database, key: key, value: bytes)
                }
            }
        }
    }
}

/// The group's values in one read transaction, or nil if they differ (a torn snapshot).
private func readGroup(_ transaction: LMDBTransaction, _ database: LMDBDatabase) throws(LMDBError) -> Int? {
    var seen: Int?
    for key in groupKeys {
        let value = try withBytes(key) { (key) throws(LMDBError) in try transaction.get(database, key: key)?.loadUnaligned(as: Int.self) }
        guard let value, seen == nil || seen == value else { return nil }
        seen = value
    }
    return seen
}

/// Fills `database` with `count` values of 4 KB and deletes every other one, so compaction has
/// free pages to drop and a file worth copying.
private func fill(_ environment: LMDBEnvironment, _ database: LMDBDatabase, count: Int) throws {
    let value = [UInt8](repeating: 9, count: 4000)
    try environment.write { (transaction) throws(LMDBError) in
        for index in 0..<count {
            try withBytes("f\(index)") { (key) throws(LMDBError) in
                try withBytes(value) { (bytes) throws(LMDBError) in try transaction.put(database, key: key, value: bytes) }
            }
        }
    }
    try environment.write { (transaction) throws(LMDBError) in
        for index in stride(from: 0, to: count, by: 2) {
            try withBytes("f\(index)") { (key) throws(LMDBError) in _ = try transaction.delete(database, key: key) }
        }
    }
}

private func inode(_ path: String) -> UInt64 {
    var info = stat()
    return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
}

@Suite struct LMDBReplacementTests {
    /// Readers on several threads keep reading consistent snapshots, with monotonic values,
    /// while a writer writes and `compactInPlace` replaces the file again and again; reads
    /// complete during the replacements.
    @Test func readersKeepReadingWhileTheFileIsReplacedRepeatedly() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let group = try environment.openDatabase("group")
        let filler = try environment.openDatabase("filler")
        try fill(environment, filler, count: 1000)
        try writeGroup(environment, group, 0)
        let shared = Shared()

        var finished: [DispatchSemaphore] = []
        let readerThreads = Int(ProcessInfo.processInfo.environment["LMDB_STRESS_READERS"] ?? "") ?? 4
        for _ in 0..<readerThreads {
            finished.append(spawn {
                var last = 0
                while !shared.stop.load(ordering: .relaxed) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let value = try? environment.read { (transaction) throws(LMDBError) in try readGroup(transaction, group) }
                    let elapsed = Int(DispatchTime.now().uptimeNanoseconds - start)
                    shared.maxReadNanoseconds.max(elapsed, ordering: .relaxed)
                    guard let value = value ?? nil, value >= last else {
                        shared.failures.add(1, ordering: .relaxed)
                        continue
                    }
                    last = value
                    shared.reads.add(1, ordering: .relaxed)
                    if shared.inWindow.load(ordering: .relaxed) { shared.readsInWindows.add(1, ordering: .relaxed) }
                }
            })
        }
        let writer = spawn {
            var value = 0
            while !shared.stop.load(ordering: .relaxed) {
                value += 1
                do { try writeGroup(environment, group, value) } catch { shared.failures.add(1, ordering: .relaxed) }
            }
        }
        let rounds = 12
        for _ in 0..<rounds {
            shared.inWindow.store(true, ordering: .relaxed)
            try environment.compactInPlace()
            shared.inWindow.store(false, ordering: .relaxed)
            usleep(2000)
        }
        shared.stop.store(true, ordering: .relaxed)
        for semaphore in finished + [writer] { semaphore.wait() }

        let failures = shared.failures.load(ordering: .relaxed)
        let reads = shared.reads.load(ordering: .relaxed)
        let readsInWindows = shared.readsInWindows.load(ordering: .relaxed)
        let maxRead = shared.maxReadNanoseconds.load(ordering: .relaxed)
        #expect(failures == 0)
        #expect(reads > 0)
        // Before, readers slept for the whole replacement (38 reads in 12 windows, all before the
        // replacement took the gate); now they read through it (tens of thousands).
        #expect(readsInWindows > 50 * rounds)
        // Generous: a shared machine may deschedule a thread, but no read waits for a replacement.
        #expect(maxRead < 2_000_000_000)
        print("replacement stress: \(reads) reads, \(readsInWindows) during \(rounds) replacements, max read \(maxRead / 1000) µs")

        let final = try environment.read { (transaction) throws(LMDBError) in try readGroup(transaction, group) }
        #expect(final != nil)
        #expect(try environment.read { (transaction) throws(LMDBError) in try transaction.entryCount(filler) } == 500)
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/data.mdb-lock"))
    }

    /// A reader inside its transaction when the file is replaced finishes on the old file, with
    /// its snapshot intact; meanwhile the replacement completes its swap (a held-back write gets
    /// through and new readers see it on the new file) and waits only to close the old file.
    @Test func aReaderStartedBeforeTheSwapFinishesOnTheOldFile() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let group = try environment.openDatabase("group")
        let filler = try environment.openDatabase("filler")
        try fill(environment, filler, count: 1000)
        try writeGroup(environment, group, 1)
        try environment.sync()
        let dataFile = fixture.directory + "/data.mdb"
        let inodeBefore = inode(dataFile)
        let shared = Shared()

        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let oldReader = spawn {
            do {
                try environment.read { (transaction) throws(LMDBError) in
                    guard try readGroup(transaction, group) == 1 else { shared.failures.add(1, ordering: .relaxed); return }
                    inside.signal()
                    release.wait()
                    // After the swap and a write on the new file: the same snapshot, and the
                    // whole old file (now unlinked) still readable.
                    guard try readGroup(transaction, group) == 1,
                        try transaction.entryCount(filler) == 500,
                        try transaction.cursor(filler, { (cursor) throws(LMDBError) -> Int in
                            var count = 0
                            var entry = try cursor.first()
                            while let current = entry {
                                if current.value.count != 4000 || current.value.contains(where: { $0 != 9 }) { return -1 }
                                count += 1
                                entry = try cursor.next()
                            }
                            return count
                        }) == 500
                    else {
                        shared.failures.add(1, ordering: .relaxed)
                        return
                    }
                }
            } catch {
                shared.failures.add(1, ordering: .relaxed)
            }
        }
        inside.wait()
        let compactor = spawn {
            do { try environment.compactInPlace() } catch { shared.failures.add(1, ordering: .relaxed) }
            shared.done.store(true, ordering: .sequentiallyConsistent)
        }
        // Once the copy is renamed over the data file, a write is held back until the rewritten
        // file is open, then written to it.
        let deadline = DispatchTime.now().uptimeNanoseconds + 30_000_000_000
        while inode(dataFile) == inodeBefore && DispatchTime.now().uptimeNanoseconds < deadline { usleep(200) }
        #expect(inode(dataFile) != inodeBefore)
        try writeGroup(environment, group, 2)
        // New readers see the new file, without waiting for the old reader.
        #expect(try environment.read { (transaction) throws(LMDBError) in try readGroup(transaction, group) } == 2)
        #expect(try environment.read { (transaction) throws(LMDBError) in try transaction.entryCount(filler) } == 500)
        _ = try environment.usage()
        // The replacement is still waiting for the old reader to leave the old file.
        usleep(20_000)
        let doneEarly = shared.done.load(ordering: .sequentiallyConsistent)
        #expect(!doneEarly)
        release.signal()
        oldReader.wait()
        compactor.wait()
        let done = shared.done.load(ordering: .sequentiallyConsistent)
        let failures = shared.failures.load(ordering: .relaxed)
        #expect(done)
        #expect(failures == 0)
    }

    /// After the swap (and after a second one, back to the first lock file), new readers and
    /// writers use the new file, which is smaller, and a fresh open of the directory finds
    /// everything.
    @Test func afterTheSwapNewReadersSeeTheNewFile() throws {
        let directory = NSTemporaryDirectory() + "lmdb-test-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = LMDBOptions()
        options.mapSize = 64 << 20
        do {
            let environment = try LMDBEnvironment(directory: directory, options: options)
            let group = try environment.openDatabase("group")
            let filler = try environment.openDatabase("filler")
            try fill(environment, filler, count: 1000)
            try writeGroup(environment, group, 7)
            try environment.sync()
            let dataFile = directory + "/data.mdb"
            let sizeBefore = try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as! Int

            for round in 1...3 {
                let inodeBefore = inode(dataFile)
                try environment.compactInPlace()
                #expect(inode(dataFile) != inodeBefore)
                // Odd rounds leave the environment on the data file's own lock file, even rounds on lock.mdb.
                #expect(FileManager.default.fileExists(atPath: directory + "/data.mdb-lock") == (round % 2 == 1))
                #expect(try environment.read { (transaction) throws(LMDBError) in try readGroup(transaction, group) } == 6 + round)
                try writeGroup(environment, group, 7 + round)
                #expect(try environment.read { (transaction) throws(LMDBError) in try readGroup(transaction, group) } == 7 + round)
                #expect(try environment.read { (transaction) throws(LMDBError) in try transaction.entryCount(filler) } == 500)
                #expect(try environment.usage().readersInUse >= 1)
            }
            try environment.sync()
            let sizeAfter = try FileManager.default.attributesOfItem(atPath: dataFile)[.size] as! Int
            #expect(sizeAfter < sizeBefore * 3 / 4)
        }
        // Closed on the alternate lock file, which it removed; a fresh open finds every write.
        #expect(!FileManager.default.fileExists(atPath: directory + "/data.mdb-lock"))
        let reopened = try LMDBEnvironment(directory: directory, options: options)
        let group = try reopened.openDatabase("group")
        let filler = try reopened.openDatabase("filler")
        #expect(try reopened.read { (transaction) throws(LMDBError) in try readGroup(transaction, group) } == 10)
        #expect(try reopened.read { (transaction) throws(LMDBError) in try transaction.entryCount(filler) } == 500)
    }
}
