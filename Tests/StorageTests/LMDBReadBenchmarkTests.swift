import Foundation
import Storage
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
}
