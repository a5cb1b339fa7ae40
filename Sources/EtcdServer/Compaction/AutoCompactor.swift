import EtcdProto
import Logging
import MVCC
import NIOConcurrencyHelpers
import NIOCore

/// What `--auto-compaction-mode` and `--auto-compaction-retention` ask for.
enum AutoCompactionPolicy: Sendable, Equatable {
    /// Keep `retention` worth of history.
    case periodic(retention: TimeAmount)
    /// Keep the newest `retention` revisions.
    case revision(retention: Int64)
}

/// etcd's periodic compactor (`v3compactor.Periodic`) as a value: it samples the current
/// revision every tick and, once `retention` has passed since the last success, compacts to
/// its oldest sample, the revision of about `retention` ago.
struct PeriodicCompactionSchedule: Sendable, Equatable {
    let retention: TimeAmount
    /// etcd's retry interval: a tenth of the compaction interval.
    let tickInterval: TimeAmount
    /// etcd waits `retention` for the first compaction, then compacts at most hourly.
    private let compactionInterval: TimeAmount
    private let sampleCapacity: Int
    private var samples: [Int64]
    private var lastSuccess: NIODeadline
    private var waitBeforeCompacting: TimeAmount

    init(retention: TimeAmount, now: NIODeadline, currentRevision: Int64) {
        self.retention = retention
        compactionInterval = min(retention, .hours(1))
        // At least a nanosecond: etcd divides by it (configured retentions are whole milliseconds).
        tickInterval = .nanoseconds(max(1, compactionInterval.nanoseconds / 10))
        sampleCapacity = Int(retention.nanoseconds / tickInterval.nanoseconds) + 1
        samples = [currentRevision]
        lastSuccess = now
        waitBeforeCompacting = retention
    }

    /// The revision to compact to now, if any. Decides on the samples so far, then takes this one,
    /// as etcd's loop samples at its top and decides after each wait.
    mutating func tick(now: NIODeadline, currentRevision: Int64) -> Int64? {
        defer {
            samples.append(currentRevision)
            if samples.count > sampleCapacity { samples.removeFirst() }
        }
        guard now - lastSuccess >= waitBeforeCompacting else { return nil }
        waitBeforeCompacting = compactionInterval
        return samples[0]
    }

    /// A compaction succeeded (or found its revision already compacted, which etcd counts too).
    mutating func compacted(now: NIODeadline) {
        lastSuccess = now
    }
}

/// etcd's revision compactor (`v3compactor.Revision`) as a value: every 5 minutes it compacts
/// to `retention` revisions below the current one, unless that is not positive or unchanged
/// since its last success.
struct RevisionCompactionSchedule: Sendable, Equatable {
    let retention: Int64
    let tickInterval = TimeAmount.minutes(5)
    private var lastCompacted: Int64 = 0

    init(retention: Int64) {
        self.retention = retention
    }

    mutating func tick(currentRevision: Int64) -> Int64? {
        let target = currentRevision - retention
        return target > 0 && target != lastCompacted ? target : nil
    }

    mutating func compacted(_ revision: Int64) {
        lastCompacted = revision
    }
}

/// Either compactor's decisions, driven by the clock and the current revision only.
enum AutoCompactionSchedule: Sendable, Equatable {
    case periodic(PeriodicCompactionSchedule)
    case revision(RevisionCompactionSchedule)

    init(policy: AutoCompactionPolicy, now: NIODeadline, currentRevision: Int64) {
        switch policy {
        case .periodic(let retention):
            self = .periodic(PeriodicCompactionSchedule(retention: retention, now: now, currentRevision: currentRevision))
        case .revision(let retention):
            self = .revision(RevisionCompactionSchedule(retention: retention))
        }
    }

    var tickInterval: TimeAmount {
        switch self {
        case .periodic(let schedule): schedule.tickInterval
        case .revision(let schedule): schedule.tickInterval
        }
    }

    /// How etcd's log lines state the retention: "1h0m0s", or "1000 revisions".
    var retentionDescription: String {
        switch self {
        case .periodic(let schedule): goDurationString(schedule.retention)
        case .revision(let schedule): "\(schedule.retention) revisions"
        }
    }

    mutating func tick(now: NIODeadline, currentRevision: Int64) -> Int64? {
        switch self {
        case .periodic(var schedule):
            defer { self = .periodic(schedule) }
            return schedule.tick(now: now, currentRevision: currentRevision)
        case .revision(var schedule):
            defer { self = .revision(schedule) }
            return schedule.tick(currentRevision: currentRevision)
        }
    }

    mutating func compacted(_ revision: Int64, now: NIODeadline) {
        switch self {
        case .periodic(var schedule):
            schedule.compacted(now: now)
            self = .periodic(schedule)
        case .revision(var schedule):
            schedule.compacted(revision)
            self = .revision(schedule)
        }
    }
}

/// Runs an `AutoCompactionSchedule` on an event loop, proposing each compaction through the log
/// exactly as a client's `Compact` is. The next tick is counted from the end of a compaction, as
/// etcd's loop waits for it.
final class AutoCompactor: Sendable {
    private let task: RepeatedTask

    init(policy: AutoCompactionPolicy, core: ServerCore, on loop: any EventLoop, logger: Logger) {
        let schedule = NIOLockedValueBox(
            AutoCompactionSchedule(policy: policy, now: .now(), currentRevision: (try? core.store.currentRevision()) ?? 0))
        let (interval, retention) = schedule.withLockedValue { ($0.tickInterval, $0.retentionDescription) }
        task = loop.scheduleRepeatedAsyncTask(initialDelay: interval, delay: interval) { _ in
            // Compaction is the leader's duty (etcd pauses the compactor on followers).
            guard core.log.status.isLeader else { return loop.makeSucceededVoidFuture() }
            guard let current = try? core.store.currentRevision(),
                let revision = schedule.withLockedValue({ $0.tick(now: .now(), currentRevision: current) })
            else { return loop.makeSucceededVoidFuture() }
            logger.info("Starting auto-compaction at revision \(revision) (retention: \(retention))")
            let request = CompactionRequest(revision: revision).responseBody(allocator: ByteBufferAllocator())
            return core.propose(kind: .compact, requestBody: request, on: loop).always { outcome in
                let failure: (any Error)?
                switch outcome {
                case .success(let result):
                    if case .failure(let error) = result.response, error.code != .compacted {
                        failure = error
                    } else {
                        failure = nil
                    }
                case .failure(let error):
                    failure = error
                }
                if let failure {
                    logger.warning(
                        "Failed auto-compaction at revision \(revision) (\(failure)); retry after \(goDurationString(interval))")
                } else {
                    schedule.withLockedValue { $0.compacted(revision, now: .now()) }
                    logger.info("Finished auto-compaction at revision \(revision)")
                }
            }.map { _ in }
        }
    }

    func stop() {
        task.cancel()
    }
}

/// Go's `time.Duration.String()` for a non-negative duration, for log lines that read like etcd's: "1h0m0s", "1.5s", "500ms".
func goDurationString(_ duration: TimeAmount) -> String {
    let nanoseconds = duration.nanoseconds
    /// `value` with its last `digits` digits as a fraction, trailing zeros dropped.
    func decimal(_ value: Int64, fractionDigits digits: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        var fraction = String(value % scale)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(value / scale)" + (fraction.isEmpty ? "" : "." + fraction)
    }
    switch nanoseconds {
    case 0: return "0s"
    case ..<1_000: return "\(nanoseconds)ns"
    case ..<1_000_000: return decimal(nanoseconds, fractionDigits: 3) + "µs"
    case ..<1_000_000_000: return decimal(nanoseconds, fractionDigits: 6) + "ms"
    default:
        let seconds = decimal(nanoseconds % 60_000_000_000, fractionDigits: 9) + "s"
        let minutes = nanoseconds / 60_000_000_000
        if minutes == 0 { return seconds }
        if minutes < 60 { return "\(minutes)m" + seconds }
        return "\(minutes / 60)h\(minutes % 60)m" + seconds
    }
}
