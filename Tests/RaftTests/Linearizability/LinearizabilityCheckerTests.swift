import XCTest

import Linearizability
@testable import Raft

/// The checker must accept exactly the linearizable histories: these show it rejects the
/// classic anomalies and accepts legal concurrency.
final class LinearizabilityCheckerTests: XCTestCase {
    private func history(_ steps: [(client: Int, input: KVHistory.Input, call: Int, ret: Int?, output: KVHistory.Output?)]) -> KVHistory {
        var history = KVHistory()
        for step in steps {
            let id = history.invoke(client: step.client, step.input, at: step.call)
            if let ret = step.ret, let output = step.output { history.complete(id, output, at: ret) }
        }
        return history
    }

    func testSequentialHistoryIsLinearizable() {
        let h = history([
            (1, .put(key: "x", value: "1"), 0, 1, .ok),
            (1, .get(key: "x"), 2, 3, .value("1")),
            (2, .put(key: "x", value: "2"), 4, 5, .ok),
            (2, .get(key: "x"), 6, 7, .value("2")),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(h), .linearizable)
    }

    func testStaleReadAfterACompletedWriteIsRejected() {
        let h = history([
            (1, .put(key: "x", value: "1"), 0, 1, .ok),
            (1, .put(key: "x", value: "2"), 2, 3, .ok),
            (2, .get(key: "x"), 4, 5, .value("1")),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(h), .notLinearizable(key: "x", operations: [0, 1, 2]))
    }

    func testReadOverlappingAWriteMaySeeEitherValue() {
        for seen in ["1", "2"] {
            let h = history([
                (1, .put(key: "x", value: "1"), 0, 1, .ok),
                (1, .put(key: "x", value: "2"), 2, 6, .ok),
                (2, .get(key: "x"), 3, 4, .value(seen)),
            ])
            XCTAssertEqual(LinearizabilityChecker.check(h), .linearizable, "read of \(seen)")
        }
    }

    func testReadOfAValueNeverWrittenIsRejected() {
        let h = history([
            (1, .put(key: "x", value: "1"), 0, 1, .ok),
            (2, .get(key: "x"), 2, 3, .value("7")),
        ])
        XCTAssertNotEqual(LinearizabilityChecker.check(h), .linearizable)
    }

    func testReadsMustAgreeOnTheOrderOfConcurrentWrites() {
        // Two writes overlap each other; one reader sees a then b, the other b then a.
        let h = history([
            (1, .put(key: "x", value: "a"), 0, 10, .ok),
            (2, .put(key: "x", value: "b"), 0, 10, .ok),
            (3, .get(key: "x"), 1, 2, .value("a")),
            (3, .get(key: "x"), 3, 4, .value("b")),
            (4, .get(key: "x"), 5, 6, .value("a")),
        ])
        XCTAssertNotEqual(LinearizabilityChecker.check(h), .linearizable)
    }

    func testAReadCannotUnseeAWrite() {
        let h = history([
            (1, .put(key: "x", value: "1"), 0, 10, .ok),
            (2, .get(key: "x"), 1, 2, .value("1")),
            (3, .get(key: "x"), 3, 4, .value(nil)),
        ])
        XCTAssertNotEqual(LinearizabilityChecker.check(h), .linearizable)
    }

    func testPendingWriteMayOrMayNotHaveTakenEffect() {
        let tookEffect = history([
            (1, .put(key: "x", value: "1"), 0, nil, nil),
            (2, .get(key: "x"), 5, 6, .value("1")),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(tookEffect), .linearizable)
        let didNot = history([
            (1, .put(key: "x", value: "1"), 0, nil, nil),
            (2, .get(key: "x"), 5, 6, .value(nil)),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(didNot), .linearizable)
    }

    func testKeysAreCheckedIndependently() {
        let h = history([
            (1, .put(key: "x", value: "1"), 0, 1, .ok),
            (1, .put(key: "y", value: "1"), 2, 3, .ok),
            (2, .get(key: "y"), 4, 5, .value(nil)),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(h), .notLinearizable(key: "y", operations: [1, 2]))
    }

    /// Random histories produced by a real sequential register with random overlapping
    /// intervals around each linearization point are accepted; corrupting one read is caught.
    func testRandomHistoriesFromARealRegister() {
        var random = SplitMix64(seed: 99)
        for _ in 0..<50 {
            var value: String?
            var operations: [(client: Int, input: KVHistory.Input, call: Int, ret: Int?, output: KVHistory.Output?)] = []
            for point in 0..<30 {
                let time = point * 10 + 5
                let call = time - Int(random.next() % 12)
                let ret = time + Int(random.next() % 12)
                if random.next() % 2 == 0 {
                    let written = "v\(point)"
                    value = written
                    operations.append((point, .put(key: "k", value: written), call, ret, .ok))
                } else {
                    operations.append((point, .get(key: "k"), call, ret, .value(value)))
                }
            }
            XCTAssertEqual(LinearizabilityChecker.check(history(operations)), .linearizable)
            if let read = operations.lastIndex(where: { if case .get = $0.input { return true } else { return false } }) {
                operations[read].output = .value("never-written")
                XCTAssertNotEqual(LinearizabilityChecker.check(history(operations)), .linearizable)
            }
        }
    }
}
