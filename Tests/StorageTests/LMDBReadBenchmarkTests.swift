import Foundation
import Storage
import Synchronization
import Testing

/// A micro-benchmark of the read path: threads doing point gets through `withReadTransaction`.
/// Prints ns/read; runs only with `LMDB_BENCH=1` (never asserted: the machine is shared).
@Suite struct LMDBReadBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LMDB_BENCH"] == "1"))
    func readPathNanosecondsPerRead() throws {
        let fixture = try TemporaryEnvironment()
        let environment = fixture.environment
        let database = try environment.openDatabase("bench")
        try environment.write { (transaction) throws(LMDBError) in
            for index in 0..<1000 {
                try withBytes("key\(index)") { (key) throws(LMDBError) in
                    try withBytes("value\(index)") { (value) throws(LMDBError) in try transaction.put(database, key: key, value: value) }
                }
            }
        }
        let readsPerThread = Int(ProcessInfo.processInfo.environment["LMDB_BENCH_READS"] ?? "") ?? 1_000_000
        for threads in [1, 2] {
            let key = Array("key500".utf8)
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                var found = 0
                key.withUnsafeBytes { key in
                    for _ in 0..<readsPerThread {
                        let size = try? environment.read { (transaction) throws(LMDBError) -> Int in
                            try transaction.get(database, key: key)?.count ?? 0
                        }
                        found &+= size ?? 0
                    }
                }
                precondition(found == readsPerThread * 8)
            }
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            let perRead = Double(elapsed) / Double(readsPerThread)
            print("LMDB_BENCH threads=\(threads) reads/thread=\(readsPerThread) wall ns/read/thread=\(String(format: "%.1f", perRead)) aggregate ns/read=\(String(format: "%.1f", perRead / Double(threads)))")
        }
    }

    /// One reader thread timing every read while `compactInPlace` rewrites an ~80 MB file three
    /// times: how many reads complete during the replacements and the longest read of the run.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LMDB_BENCH"] == "1"))
    func readLatencyDuringCompactInPlace() throws {
        let directory = NSTemporaryDirectory() + "lmdb-bench-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = LMDBOptions()
        options.mapSize = 512 << 20
        let environment = try LMDBEnvironment(directory: directory, options: options)
        let database = try environment.openDatabase("bench")
        let value = [UInt8](repeating: 7, count: 4000)
        for batch in 0..<20 {
            try environment.write { (transaction) throws(LMDBError) in
                for index in 0..<1000 {
                    try withBytes("key\(batch * 1000 + index)") { (key) throws(LMDBError) in
                        try withBytes(value) { (bytes) throws(LMDBError) in try transaction.put(database, key: key, value: bytes) }
                    }
                }
            }
        }
        final class Flags: Sendable {
            let stop = Atomic<Bool>(false)
            let inWindow = Atomic<Bool>(false)
            let readsInWindows = Atomic<Int>(0)
            let maxRead = Atomic<Int>(0)
        }
        let flags = Flags()
        let done = DispatchSemaphore(value: 0)
        Thread {
            let key = Array("key500".utf8)
            key.withUnsafeBytes { key in
                while !flags.stop.load(ordering: .relaxed) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = try? environment.read { (transaction) throws(LMDBError) -> Int in try transaction.get(database, key: key)?.count ?? 0 }
                    flags.maxRead.max(Int(DispatchTime.now().uptimeNanoseconds - start), ordering: .relaxed)
                    if flags.inWindow.load(ordering: .relaxed) { flags.readsInWindows.add(1, ordering: .relaxed) }
                }
            }
            done.signal()
        }.start()
        usleep(100_000)
        var windows: [Int] = []
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            flags.inWindow.store(true, ordering: .relaxed)
            try environment.compactInPlace()
            flags.inWindow.store(false, ordering: .relaxed)
            windows.append(Int(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            usleep(50_000)
        }
        flags.stop.store(true, ordering: .relaxed)
        done.wait()
        print("LMDB_BENCH compactInPlace ~80 MB x3: windows µs=\(windows) reads during windows=\(flags.readsInWindows.load(ordering: .relaxed)) longest read µs=\(flags.maxRead.load(ordering: .relaxed) / 1000)")
    }
}
