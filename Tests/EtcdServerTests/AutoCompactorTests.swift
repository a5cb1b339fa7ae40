import NIOCore
import XCTest

@testable import EtcdServer

/// The compactors' decisions, driven by a fake clock: etcd 3.4's `v3compactor` timings.
final class AutoCompactorTests: XCTestCase {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func testPeriodicFirstCompactsAfterTheRetentionToTheRevisionSampledThen() {
        var schedule = PeriodicCompactionSchedule(retention: .seconds(1), now: start, currentRevision: 5)
        XCTAssertEqual(schedule.tickInterval, .milliseconds(100))
        // The revision grows by one per tick; tick k sees revision 5 + k.
        for tick in 1...9 {
            XCTAssertNil(schedule.tick(now: start + .milliseconds(Int64(tick) * 100), currentRevision: 5 + Int64(tick)))
        }
        XCTAssertEqual(schedule.tick(now: start + .milliseconds(1000), currentRevision: 15), 5)
        schedule.compacted(now: start + .milliseconds(1000))
        for tick in 11...19 {
            XCTAssertNil(schedule.tick(now: start + .milliseconds(Int64(tick) * 100), currentRevision: 5 + Int64(tick)))
        }
        // etcd keeps the last 11 samples: the oldest is from tick 9, a retention plus a tick ago.
        XCTAssertEqual(schedule.tick(now: start + .milliseconds(2000), currentRevision: 25), 14)
    }

    func testPeriodicRetriesEveryTickUntilACompactionSucceeds() {
        var schedule = PeriodicCompactionSchedule(retention: .seconds(1), now: start, currentRevision: 1)
        for tick in 1...9 {
            _ = schedule.tick(now: start + .milliseconds(Int64(tick) * 100), currentRevision: Int64(tick) + 1)
        }
        XCTAssertEqual(schedule.tick(now: start + .milliseconds(1000), currentRevision: 11), 1)
        // No success reported: the next tick tries again, with the sliding window's oldest sample.
        XCTAssertEqual(schedule.tick(now: start + .milliseconds(1100), currentRevision: 12), 1)
        XCTAssertEqual(schedule.tick(now: start + .milliseconds(1200), currentRevision: 13), 2)
        schedule.compacted(now: start + .milliseconds(1200))
        XCTAssertNil(schedule.tick(now: start + .milliseconds(1300), currentRevision: 14))
    }

    func testPeriodicCompactsAnUnchangedRevisionAgainAsEtcdDoes() {
        // etcd counts "already compacted" as a success, so an idle store is compacted every period.
        var schedule = PeriodicCompactionSchedule(retention: .seconds(1), now: start, currentRevision: 1)
        var compactions: [Int64] = []
        for tick in 1...30 {
            let now = start + .milliseconds(Int64(tick) * 100)
            if let revision = schedule.tick(now: now, currentRevision: 1) {
                compactions.append(revision)
                schedule.compacted(now: now)
            }
        }
        XCTAssertEqual(compactions, [1, 1, 1])
    }

    func testPeriodicLongerThanAnHourWaitsTheRetentionThenCompactsHourly() {
        var schedule = PeriodicCompactionSchedule(retention: .hours(24), now: start, currentRevision: 100)
        XCTAssertEqual(schedule.tickInterval, .minutes(6))
        var compactedAt: [(tick: Int, revision: Int64)] = []
        // Tick k sees revision 100 + k; 260 ticks of 6 minutes are 26 hours.
        for tick in 1...260 {
            let now = start + .minutes(Int64(tick) * 6)
            if let revision = schedule.tick(now: now, currentRevision: 100 + Int64(tick)) {
                compactedAt.append((tick, revision))
                schedule.compacted(now: now)
            }
        }
        XCTAssertEqual(compactedAt.map(\.tick), [240, 250, 260])
        // 241 samples of 6 minutes: the oldest is 24 hours (and one tick) old.
        XCTAssertEqual(compactedAt.map(\.revision), [100, 109, 119])
    }

    func testRevisionModeCompactsToRetentionBelowTheCurrentRevisionWhenItMoved() {
        var schedule = RevisionCompactionSchedule(retention: 10)
        XCTAssertEqual(schedule.tickInterval, .minutes(5))
        XCTAssertNil(schedule.tick(currentRevision: 5), "a target below 1 is skipped")
        XCTAssertNil(schedule.tick(currentRevision: 10), "a target of 0 is skipped")
        XCTAssertEqual(schedule.tick(currentRevision: 25), 15)
        XCTAssertEqual(schedule.tick(currentRevision: 25), 15, "a failed compaction is retried")
        schedule.compacted(15)
        XCTAssertNil(schedule.tick(currentRevision: 25), "unchanged since the last success")
        XCTAssertEqual(schedule.tick(currentRevision: 26), 16)
    }

    func testScheduleFollowsThePolicy() {
        var periodic = AutoCompactionSchedule(policy: .periodic(retention: .minutes(90)), now: start, currentRevision: 7)
        XCTAssertEqual(periodic.tickInterval, .minutes(6))
        XCTAssertEqual(periodic.retentionDescription, "1h30m0s")
        XCTAssertNil(periodic.tick(now: start + .minutes(84), currentRevision: 8))
        XCTAssertEqual(periodic.tick(now: start + .minutes(90), currentRevision: 9), 7)

        var revision = AutoCompactionSchedule(policy: .revision(retention: 1000), now: start, currentRevision: 1)
        XCTAssertEqual(revision.tickInterval, .minutes(5))
        XCTAssertEqual(revision.retentionDescription, "1000 revisions")
        XCTAssertEqual(revision.tick(now: start, currentRevision: 1500), 500)
        revision.compacted(500, now: start)
        XCTAssertNil(revision.tick(now: start + .minutes(5), currentRevision: 1500))
    }

    func testConfigurationTurnsItOnOnlyForAPositiveRetention() throws {
        var configuration = ServerConfiguration()
        XCTAssertEqual(configuration.autoCompactionMode, "periodic")
        XCTAssertNil(configuration.autoCompactionPolicy, "retention 0 disables it")
        configuration.autoCompactionRetention = 3_600_000
        XCTAssertEqual(configuration.autoCompactionPolicy, .periodic(retention: .hours(1)))
        configuration.autoCompactionMode = "revision"
        XCTAssertEqual(configuration.autoCompactionPolicy, .revision(retention: 3_600_000))
        configuration.autoCompactionRetention = 0
        XCTAssertNil(configuration.autoCompactionPolicy)
        XCTAssertNoThrow(try configuration.validate())
    }

    func testConfigurationRejectsWhatEtcdRejects() {
        func message(mode: String, retention: Int64) -> String? {
            var configuration = ServerConfiguration()
            configuration.autoCompactionMode = mode
            configuration.autoCompactionRetention = retention
            do {
                try configuration.validate()
                return nil
            } catch {
                return error.message
            }
        }
        XCTAssertEqual(message(mode: "foo", retention: 0), "unknown auto-compaction-mode \"foo\"")
        XCTAssertEqual(message(mode: "", retention: 5), "unsupported compaction mode ")
        XCTAssertNil(message(mode: "", retention: 0))
        XCTAssertEqual(message(mode: "periodic", retention: -1), "--auto-compaction-retention must not be negative")
    }

    func testDurationsAreLoggedAsGoPrintsThem() {
        XCTAssertEqual(goDurationString(.seconds(1)), "1s")
        XCTAssertEqual(goDurationString(.milliseconds(1500)), "1.5s")
        XCTAssertEqual(goDurationString(.milliseconds(500)), "500ms")
        XCTAssertEqual(goDurationString(.microseconds(1500)), "1.5ms")
        XCTAssertEqual(goDurationString(.nanoseconds(1500)), "1.5µs")
        XCTAssertEqual(goDurationString(.minutes(5)), "5m0s")
        XCTAssertEqual(goDurationString(.seconds(90)), "1m30s")
        XCTAssertEqual(goDurationString(.hours(1)), "1h0m0s")
        XCTAssertEqual(goDurationString(.hours(24) + .milliseconds(10)), "24h0m0.01s")
    }
}
