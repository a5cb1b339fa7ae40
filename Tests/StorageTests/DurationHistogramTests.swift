import Storage
import XCTest

final class DurationHistogramTests: XCTestCase {
    func testEtcdsDiskBucketsDoubleFromOneMillisecondToEightSeconds() {
        XCTAssertEqual(DurationHistogram.etcdDiskBuckets.count, 14)
        XCTAssertEqual(DurationHistogram.etcdDiskBuckets.first, 0.001)
        XCTAssertEqual(DurationHistogram.etcdDiskBuckets.last, 8.192)
        XCTAssertEqual(DurationHistogram.etcdDiskBuckets.map { "\($0)" }[3], "0.008")
    }

    func testObservationsFallIntoTheFirstBucketAtOrAboveThemAndAccumulate() {
        let histogram = DurationHistogram(upperBounds: [0.001, 0.01])
        histogram.observe(nanoseconds: 1_000_000)  // on the bound: counted in it
        histogram.observe(nanoseconds: 1_000_001)
        histogram.observe(nanoseconds: 20_000_000)
        let snapshot = histogram.snapshot
        XCTAssertEqual(snapshot.cumulative, [1, 2, 3], "cumulative, the last for +Inf")
        XCTAssertEqual(snapshot.count, 3)
        XCTAssertEqual(snapshot.sumSeconds, 0.022000001, accuracy: 1e-12)
    }

    func testTimingObservesAThrowingBodyToo() {
        struct Refused: Error {}
        let histogram = DurationHistogram()
        XCTAssertEqual(histogram.time { 7 }, 7)
        XCTAssertThrowsError(try histogram.time { () throws(Refused) in throw Refused() })
        XCTAssertEqual(histogram.snapshot.count, 2)
    }
}
