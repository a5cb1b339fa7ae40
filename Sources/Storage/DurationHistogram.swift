import Synchronization

/// Durations of one disk operation in Prometheus' histogram form, with etcd's buckets for its
/// disk histograms (`prometheus.ExponentialBuckets(0.001, 2, 14)`: 1 ms to 8.192 s).
///
/// Observed by one thread at a time (the raft thread's fsyncs, the apply loop's commits) and
/// read by `/metrics`; each observation is two relaxed adds and a bucket's.
public final class DurationHistogram: Sendable {
    /// Upper bounds in seconds, `+Inf` not included.
    public static let etcdDiskBuckets: [Double] = (0..<14).map { 0.001 * Double(1 << $0) }

    public let upperBounds: [Double]
    private let boundsNanoseconds: [UInt64]
    /// Observations per bucket (not cumulative); the last is above every bound.
    private let buckets: [Counter]
    private let sumNanoseconds = Atomic<UInt64>(0)
    private let count = Atomic<UInt64>(0)

    private final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
    }

    public init(upperBounds: [Double] = DurationHistogram.etcdDiskBuckets) {
        self.upperBounds = upperBounds
        boundsNanoseconds = upperBounds.map { UInt64(($0 * 1e9).rounded()) }
        buckets = (0...upperBounds.count).map { _ in Counter() }
    }

    public func observe(nanoseconds: UInt64) {
        let bucket = boundsNanoseconds.firstIndex { nanoseconds <= $0 } ?? boundsNanoseconds.count
        buckets[bucket].value.add(1, ordering: .relaxed)
        sumNanoseconds.add(nanoseconds, ordering: .relaxed)
        count.add(1, ordering: .relaxed)
    }

    /// Runs `body` and observes how long it took, whether it threw or not.
    public func time<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            let (seconds, attoseconds) = elapsed.components
            observe(nanoseconds: UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000))
        }
        return try body()
    }

    /// Cumulative counts per upper bound (the last for `+Inf`, equal to the total count), the
    /// sum in seconds and the count, as Prometheus exposes them.
    public var snapshot: (cumulative: [UInt64], sumSeconds: Double, count: UInt64) {
        var running: UInt64 = 0
        let cumulative = buckets.map { counter -> UInt64 in
            running += counter.value.load(ordering: .relaxed)
            return running
        }
        return (cumulative, Double(sumNanoseconds.load(ordering: .relaxed)) / 1e9, cumulative.last ?? 0)
    }
}
