import EtcdProto
import Foundation
import GRPCTransport
import Logging
@testable import MVCC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProtoWire
import Raft
import XCTest

@testable import EtcdServer

/// One event loop for the promises of these tests (completed from any thread).
let testEventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

/// Entry data as `ServerCore.propose` builds it.
func internalEntry<M: ProtoMessage>(_ kind: InternalRequest.Kind, _ message: M, proposalID: UInt64) -> [UInt8] {
    message.responseBody(allocator: ByteBufferAllocator()).withUnsafeReadableBytes {
        InternalRequest.entryData(kind: kind, proposalID: proposalID, request: $0)
    }
}

/// A fresh directory under the temporary directory, removed by `cleanUp`.
func makeTemporaryDirectory(_ prefix: String) -> String {
    let path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

// MARK: - ProposalWaiters

final class ProposalWaitersTests: XCTestCase {
    private var loop: any EventLoop { testEventLoopGroup.next() }

    func testIDsCarryTheMembersLow16BitsAndDoNotCollideAcrossMembers() throws {
        let a = ProposalWaiters(memberID: 0xDEAD_BEEF_0000_1234, startMilliseconds: 1_700_000_000_000)
        let b = ProposalWaiters(memberID: 0x0000_0000_0000_5678, startMilliseconds: 1_700_000_000_000)
        var idsA: [UInt64] = []
        var idsB: [UInt64] = []
        var promises: [EventLoopPromise<MVCCWriteResult>] = []
        for _ in 0..<100 {
            let pa = loop.makePromise(of: MVCCWriteResult.self)
            let pb = loop.makePromise(of: MVCCWriteResult.self)
            idsA.append(a.register(pa, deadline: .distantFuture))
            idsB.append(b.register(pb, deadline: .distantFuture))
            promises += [pa, pb]
        }
        XCTAssertTrue(idsA.allSatisfy { $0 >> 48 == 0x1234 })
        XCTAssertTrue(idsB.allSatisfy { $0 >> 48 == 0x5678 })
        XCTAssertEqual(idsA, idsA.sorted())
        XCTAssertEqual(Set(idsA).count, 100)
        XCTAssertTrue(Set(idsA).isDisjoint(with: idsB))
        // The start time is in the ID: a restart (later start) does not reuse the IDs of before.
        let restarted = ProposalWaiters(memberID: 0x1234, startMilliseconds: 1_700_000_000_001)
        let p = loop.makePromise(of: MVCCWriteResult.self)
        let afterRestart = restarted.register(p, deadline: .distantFuture)
        XCTAssertGreaterThan(afterRestart, idsA.last!)
        promises.append(p)
        a.failAll(with: EtcdErrors.stopped)
        b.failAll(with: EtcdErrors.stopped)
        restarted.failAll(with: EtcdErrors.stopped)
        for promise in promises { XCTAssertThrowsError(try promise.futureResult.wait()) }
    }

    func testTakeReturnsTheReplyOnce() throws {
        let waiters = ProposalWaiters(memberID: 1, startMilliseconds: 0)
        let promise = loop.makePromise(of: MVCCWriteResult.self)
        let id = waiters.register(promise, deadline: .distantFuture)
        XCTAssertNil(waiters.take(id &+ 1))
        let taken = try XCTUnwrap(waiters.take(id))
        XCTAssertNil(waiters.take(id), "a reply is taken once")
        taken.succeed(MVCCWriteResult(response: .success(.leaseCheckpointed), events: [], revision: 7))
        XCTAssertEqual(try promise.futureResult.wait().revision, 7)
    }

    func testFailExpiredFailsOnlyRepliesPastTheirDeadline() throws {
        let waiters = ProposalWaiters(memberID: 1, startMilliseconds: 0)
        let now = NIODeadline.now()
        let early = loop.makePromise(of: MVCCWriteResult.self)
        let late = loop.makePromise(of: MVCCWriteResult.self)
        let earlyID = waiters.register(early, deadline: now + .seconds(1))
        let lateID = waiters.register(late, deadline: now + .seconds(10))
        waiters.failExpired(now: now)
        XCTAssertEqual(waiters.pendingCount, 2)
        waiters.failExpired(now: now + .seconds(1))
        XCTAssertThrowsError(try early.futureResult.wait()) { error in
            XCTAssertEqual(error as? GRPCStatus, EtcdErrors.timeout)
        }
        XCTAssertNil(waiters.take(earlyID), "an expired reply is gone")
        waiters.failExpired(now: now + .seconds(2))
        XCTAssertEqual(waiters.failedCount, 1, "expired once")
        let lateReply = try XCTUnwrap(waiters.take(lateID))
        lateReply.fail(EtcdErrors.stopped)
        XCTAssertThrowsError(try late.futureResult.wait())
    }

    /// A new leader that holds the entry still commits it: the reply waits, as etcd's does.
    func testAReplyWaitsOutTheLeaderLossAndTimesOutSayingSo() throws {
        let waiters = ProposalWaiters(memberID: 1, startMilliseconds: 0)
        let promises = (0..<3).map { _ in loop.makePromise(of: MVCCWriteResult.self) }
        let committedLater = waiters.register(promises[0], deadline: .distantFuture)
        _ = waiters.register(promises[1], deadline: .uptimeNanoseconds(0))
        waiters.leaderLost()
        _ = waiters.register(promises[2], deadline: .uptimeNanoseconds(0))
        XCTAssertEqual(waiters.pendingCount, 3, "losing the leader answers nobody yet")

        waiters.failExpired()
        XCTAssertThrowsError(try promises[1].futureResult.wait()) { error in
            XCTAssertEqual(error as? GRPCStatus, EtcdErrors.timeoutDueToLeaderFail)
        }
        XCTAssertThrowsError(try promises[2].futureResult.wait()) { error in
            XCTAssertEqual(error as? GRPCStatus, EtcdErrors.timeout, "proposed after the loss: a plain timeout")
        }
        let applied = try XCTUnwrap(waiters.take(committedLater), "a proposal a new leader commits still finds its reply")
        applied.succeed(MVCCWriteResult(response: .success(.leaseCheckpointed), events: [], revision: 3))
        XCTAssertEqual(try promises[0].futureResult.wait().revision, 3)
    }

    func testFailAllFailsEveryPendingReplyAndForgetsThem() throws {
        let waiters = ProposalWaiters(memberID: 9, startMilliseconds: 0)
        let promises = (0..<5).map { _ in loop.makePromise(of: MVCCWriteResult.self) }
        let ids = promises.map { waiters.register($0, deadline: .distantFuture) }
        waiters.failAll(with: EtcdErrors.stopped)
        for promise in promises {
            XCTAssertThrowsError(try promise.futureResult.wait()) { error in
                XCTAssertEqual(error as? GRPCStatus, EtcdErrors.stopped)
            }
        }
        for id in ids { XCTAssertNil(waiters.take(id)) }
        waiters.failAll(with: EtcdErrors.stopped)  // nothing left: no double completion
    }

    func testConcurrentRegisterAndTakeNeverLoseOrDuplicateAnID() throws {
        let waiters = ProposalWaiters(memberID: 3, startMilliseconds: 0)
        let collected = NIOLockedValueBox<[UInt64]>([])
        let loop = self.loop
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var mine: [UInt64] = []
            for _ in 0..<500 {
                let promise = loop.makePromise(of: MVCCWriteResult.self)
                let id = waiters.register(promise, deadline: .distantFuture)
                mine.append(id)
                waiters.take(id)?.fail(EtcdErrors.stopped)
            }
            collected.withLockedValue { $0 += mine }
        }
        let ids = collected.withLockedValue { $0 }
        XCTAssertEqual(ids.count, 4000)
        XCTAssertEqual(Set(ids).count, 4000)
    }
}

// MARK: - AppliedIndex

final class AppliedIndexTests: XCTestCase {
    private var loop: any EventLoop { testEventLoopGroup.next() }

    func testWaitBeforeAdvanceCompletesOnceTheIndexIsReached() throws {
        let applied = AppliedIndex(3)
        XCTAssertEqual(applied.value, 3)
        let promise = loop.makePromise(of: Void.self)
        let done = NIOLockedValueBox(false)
        promise.futureResult.whenSuccess { done.withLockedValue { $0 = true } }
        applied.wait(for: 6, promise)
        applied.advance(to: 5)
        Thread.sleep(forTimeInterval: 0.02)
        XCTAssertFalse(done.withLockedValue { $0 })
        applied.advance(to: 6)
        try promise.futureResult.wait()
        XCTAssertEqual(applied.value, 6)
    }

    func testWaitAtOrBelowTheAppliedIndexCompletesAtOnce() throws {
        let applied = AppliedIndex(10)
        for index: UInt64 in [0, 1, 10] {
            let promise = loop.makePromise(of: Void.self)
            applied.wait(for: index, promise)
            try promise.futureResult.wait()
        }
    }

    func testFailAllFailsWaiters() {
        let applied = AppliedIndex(0)
        let promise = loop.makePromise(of: Void.self)
        applied.wait(for: 1, promise)
        applied.failAll(with: EtcdErrors.stopped)
        XCTAssertThrowsError(try promise.futureResult.wait())
    }

    /// Waits registered from many threads while another advances one index at a time: every
    /// wait completes, and none before its index (the store-then-lock handover has no gap).
    func testManyThreadsWaitingWhileTheIndexAdvances() throws {
        let applied = AppliedIndex(0)
        let last: UInt64 = 2000
        let futures = NIOLockedValueBox<[(UInt64, EventLoopFuture<Void>)]>([])
        let early = ManagedAtomicCounter()
        let beyondLast = NIOLockedValueBox<[EventLoopFuture<Void>]>([])
        let loop = self.loop
        let advancer = Thread {
            for index in 1...last {
                applied.advance(to: index)
                if index % 64 == 0 { usleep(50) }
            }
        }
        advancer.start()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var generator = SplitMix64(seed: UInt64(worker))
            var mine: [(UInt64, EventLoopFuture<Void>)] = []
            for _ in 0..<10 {
                let promise = loop.makePromise(of: Void.self)
                applied.wait(for: last + 1, promise)
                beyondLast.withLockedValue { $0.append(promise.futureResult) }
            }
            for _ in 0..<1000 {
                let index = generator.next() % last + 1
                let promise = loop.makePromise(of: Void.self)
                promise.futureResult.whenSuccess {
                    // Completed before its index was stored: a bug.
                    if applied.value < index { early.increment() }
                }
                applied.wait(for: index, promise)
                mine.append((index, promise.futureResult))
            }
            futures.withLockedValue { $0 += mine }
        }
        let all = futures.withLockedValue { $0 }
        XCTAssertEqual(all.count, 8000)
        // wait() has no timeout: count completions so a lost wake-up fails instead of hanging.
        let completed = ManagedAtomicCounter()
        for (_, future) in all { future.whenComplete { _ in completed.increment() } }
        let deadline = Date(timeIntervalSinceNow: 10)
        while completed.value < all.count && Date() < deadline { usleep(1000) }
        advancer.cancel()
        let missing = all.filter { index, _ in index > 0 }.count - completed.value
        XCTAssertEqual(missing, 0, "waits never completed (applied \(applied.value))")
        XCTAssertEqual(early.value, 0)
        XCTAssertEqual(applied.value, last)
        // Waits past the last index, registered while it advanced, are still pending.
        let beyond = beyondLast.withLockedValue { $0 }
        let beyondCompleted = ManagedAtomicCounter()
        for future in beyond { future.whenComplete { _ in beyondCompleted.increment() } }
        usleep(20_000)
        XCTAssertEqual(beyondCompleted.value, 0, "a wait past the applied index completed")
        applied.failAll(with: EtcdErrors.stopped)
        for future in beyond { XCTAssertThrowsError(try future.wait()) }
    }
}

/// A counter for callbacks on other threads.
final class ManagedAtomicCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    func increment() { box.withLockedValue { $0 += 1 } }
    var value: Int { box.withLockedValue { $0 } }
}

/// A small seeded generator (the same on every platform, unlike `SystemRandomNumberGenerator`).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Lessor

final class LessorTests: XCTestCase {
    private let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func testGrantedLeaseExpiresAfterItsTTLAndIsRevokedOnceUntilTheRetry() {
        let lessor = Lessor(records: [], minTTL: 2, now: t0)
        XCTAssertEqual(lessor.minTTL, 2)
        lessor.granted(LeaseRecord(id: 1, ttl: 10), now: t0)
        XCTAssertEqual(lessor.leaseIDs, [1])
        XCTAssertEqual(lessor.timeToLive(1, now: t0 + .seconds(3))?.remaining, 7)
        XCTAssertEqual(lessor.timeToLive(1, now: t0 + .seconds(3))?.granted, 10)
        XCTAssertEqual(lessor.timeToLive(1, now: t0 + .seconds(30))?.remaining, 0)
        XCTAssertNil(lessor.timeToLive(2, now: t0))
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .milliseconds(9999), limit: 10), [])
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(10), limit: 10), [1])
        // A revocation is under way: not proposed again until `retryAfter` has passed.
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(12), limit: 10), [])
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(13), limit: 10), [1])
        lessor.revoked(1)
        XCTAssertEqual(lessor.leaseIDs, [])
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(100), limit: 10), [])
    }

    func testRevocationsAreLimited() {
        let lessor = Lessor(records: [], minTTL: 1, now: t0)
        for id in 1...10 { lessor.granted(LeaseRecord(id: Int64(id), ttl: 1), now: t0) }
        let first = lessor.leasesToRevoke(now: t0 + .seconds(2), limit: 4)
        XCTAssertEqual(first.count, 4)
        let second = lessor.leasesToRevoke(now: t0 + .seconds(2), limit: 100)
        XCTAssertEqual(second.count, 6)
        XCTAssertTrue(Set(first).isDisjoint(with: second))
    }

    func testRenewRestartsTheTTLAndRefusesExpiredOrUnknownLeases() {
        let lessor = Lessor(records: [], minTTL: 1, now: t0)
        lessor.granted(LeaseRecord(id: 5, ttl: 10), now: t0)
        let renewed = lessor.renew(5, now: t0 + .seconds(6))
        XCTAssertEqual(renewed?.ttl, 10)
        XCTAssertEqual(renewed?.clearCheckpoint, false)
        XCTAssertEqual(lessor.timeToLive(5, now: t0 + .seconds(6))?.remaining, 10)
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(15), limit: 10), [])
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(16), limit: 10), [5])
        XCTAssertNil(lessor.renew(5, now: t0 + .seconds(16)), "an expired lease is not renewed")
        XCTAssertNil(lessor.renew(6, now: t0))
    }

    func testCheckpointsReportRemainingTTLAndTheNextRenewalClearsThem() {
        let lessor = Lessor(records: [], minTTL: 1, now: t0)
        lessor.granted(LeaseRecord(id: 2, ttl: 10), now: t0)
        lessor.granted(LeaseRecord(id: 1, ttl: 20), now: t0)
        lessor.granted(LeaseRecord(id: 3, ttl: 1), now: t0)
        let checkpoints = lessor.checkpoints(now: t0 + .milliseconds(4500))
        // Sorted by ID; the expired lease 3 has none; truncated whole seconds.
        XCTAssertEqual(checkpoints, [LeaseCheckpoint(id: 1, remainingTtl: 15), LeaseCheckpoint(id: 2, remainingTtl: 5)])
        // Never 0 (0 means "no checkpoint").
        XCTAssertEqual(lessor.checkpoints(now: t0 + .milliseconds(9900)).first { $0.id == 2 }?.remainingTtl, 1)
        XCTAssertEqual(lessor.renew(2, now: t0 + .seconds(5))?.clearCheckpoint, true)
        XCTAssertEqual(lessor.renew(2, now: t0 + .seconds(6))?.clearCheckpoint, false)
    }

    func testStartingFromTheStoreResumesCheckpointedLeases() {
        let lessor = Lessor(
            records: [LeaseRecord(id: 1, ttl: 60, remainingTTL: 5), LeaseRecord(id: 2, ttl: 60)], minTTL: 1, now: t0)
        XCTAssertEqual(lessor.timeToLive(1, now: t0)?.remaining, 5)
        XCTAssertEqual(lessor.timeToLive(2, now: t0)?.remaining, 60)
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(5), limit: 10), [1])
        // A resumed checkpoint is stale after the next renewal.
        let other = Lessor(records: [LeaseRecord(id: 1, ttl: 60, remainingTTL: 5)], minTTL: 1, now: t0)
        XCTAssertEqual(other.renew(1, now: t0 + .seconds(1))?.clearCheckpoint, true)
    }

    func testPromoteExtendsLeasesToTheGraceAndForgetsProposedRevocations() {
        let lessor = Lessor(records: [], minTTL: 1, now: t0)
        lessor.granted(LeaseRecord(id: 1, ttl: 2), now: t0)
        lessor.granted(LeaseRecord(id: 2, ttl: 100), now: t0)
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(3), limit: 10), [1])
        // The leader changed before the revocation applied: the new leader gives lease 1 the grace.
        lessor.promote(grace: .seconds(5), now: t0 + .seconds(3))
        XCTAssertEqual(lessor.timeToLive(1, now: t0 + .seconds(3))?.remaining, 5)
        XCTAssertEqual(lessor.timeToLive(2, now: t0 + .seconds(3))?.remaining, 97, "a longer lease keeps its expiry")
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .milliseconds(7999), limit: 10), [])
        // Proposed again at once when the grace ends, though the last proposal was < 3 s before.
        XCTAssertEqual(lessor.leasesToRevoke(now: t0 + .seconds(8), limit: 10), [1])
    }
}

// MARK: - ApplyLoop and WatchHub

/// An apply loop over a real store in a temporary directory, wired as `EtcdServer.start` does.
final class ApplyFixture {
    let directory: String
    let store: MVCCStore
    let waiters: ProposalWaiters
    let watchHub: WatchHub
    let lessor: Lessor
    let membership: Membership
    let applyLoop: ApplyLoop
    let changes = NIOLockedValueBox<[ConfChange]>([])

    init(memberID: UInt64 = 1, compactionBatchLimit: Int = 10_000) throws {
        directory = makeTemporaryDirectory("apply-test")
        var options = MVCCOptions()
        options.mapSize = 64 << 20
        options.compactionBatchLimit = compactionBatchLimit
        store = try MVCCStore(directory: directory, options: options)
        waiters = ProposalWaiters(memberID: memberID, startMilliseconds: 0)
        watchHub = try WatchHub(store: store, encoder: WatchResponseEncoder(
            clusterID: 1, memberID: memberID, consensus: ConsensusStatus(memberID: memberID), fragmentThreshold: 1 << 20))
        lessor = Lessor(records: try store.leases(), minTTL: 1)
        membership = Membership(bootstrap: [Member(id: memberID, name: "m")], published: [])
        let changes = self.changes
        applyLoop = try ApplyLoop(
            store: store, waiters: waiters, watchHub: watchHub, lessor: lessor, membership: membership,
            auth: try ServerAuth(state: AuthState(), configuration: ServerConfiguration(), hashing: NIOThreadPool(numberOfThreads: 1)),
            logger: Logger(label: "apply-test"), configurationChangeApplied: { change, _ in changes.withLockedValue { $0.append(change) } })
        applyLoop.start()
    }

    func stop() {
        applyLoop.stop()
        watchHub.close()
        waiters.failAll(with: EtcdErrors.stopped)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Registers a reply and returns its ID and future.
    func register() -> (UInt64, EventLoopFuture<MVCCWriteResult>) {
        let promise = testEventLoopGroup.next().makePromise(of: MVCCWriteResult.self)
        return (waiters.register(promise, deadline: .distantFuture), promise.futureResult)
    }

    /// Waits (bounded) until `index` is applied.
    func waitApplied(_ index: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let promise = testEventLoopGroup.next().makePromise(of: Void.self)
        applyLoop.appliedIndex.wait(for: index, promise)
        let timeout = testEventLoopGroup.next().scheduleTask(in: .seconds(10)) {
            promise.fail(EtcdErrors.timeout)
        }
        defer { timeout.cancel() }
        try promise.futureResult.wait()
    }

    func get(_ key: String) throws -> KeyValue? {
        try store.range(RangeRequest(key: Array(key.utf8))).kvs.first
    }
}

final class ApplyLoopTests: XCTestCase {
    private func put(_ key: String, _ value: String, lease: Int64 = 0) -> PutRequest {
        PutRequest(key: Array(key.utf8), value: Array(value.utf8), lease: lease)
    }

    func testEveryEntryKindIsAppliedAndItsReplyCompleted() throws {
        let fixture = try ApplyFixture()
        defer { fixture.stop() }
        let loop = testEventLoopGroup.next()
        // A watch on "a" from revision 2, through the hub as the server's own recipes watch.
        let (watched, cancelWatch) = fixture.watchHub.nextEvent(
            in: WatchRange(key: Array("a".utf8), rangeEnd: []), from: 2, on: loop) { _ in true }
        defer { cancelWatch() }

        // Index 1: a new leader's empty entry moves only the applied index.
        fixture.applyLoop.enqueue([CommittedEntry(index: 1, term: 2, kind: .empty, data: [])])
        try fixture.waitApplied(1)
        XCTAssertEqual(try fixture.store.appliedIndex(), 1)
        XCTAssertEqual(try fixture.store.currentRevision(), 1)

        let (putID, putReply) = fixture.register()
        let (grantID, grantReply) = fixture.register()
        let (leasedID, leasedReply) = fixture.register()
        let (txnID, txnReply) = fixture.register()
        let (deleteID, deleteReply) = fixture.register()
        let (renewID, renewReply) = fixture.register()
        let (checkpointID, checkpointReply) = fixture.register()
        let (alarmID, alarmReply) = fixture.register()
        let (memberID, memberReply) = fixture.register()
        let (revokeID, revokeReply) = fixture.register()
        let (compactID, compactReply) = fixture.register()
        let (downgradeID, downgradeReply) = fixture.register()
        let (changeID, changeReply) = fixture.register()
        let change = ConfChange(
            id: changeID, type: .addLearnerNode, nodeID: 42,
            context: Member(peerUrls: ["http://127.0.0.1:9"]).serializedBytes())
        var txn = TxnRequest()
        txn.success = [RequestOp(request: .requestPut(put("t", "x")))]
        var alarm = AlarmRequest()
        alarm.action = .get
        let entries: [CommittedEntry] = [
            CommittedEntry(index: 2, term: 2, data: internalEntry(.put, put("a", "1"), proposalID: putID)),
            CommittedEntry(index: 3, term: 2, kind: .configurationChange(change), data: []),
            CommittedEntry(index: 4, term: 2, data: internalEntry(.leaseGrant, LeaseGrantRequest(ttl: 30, id: 7), proposalID: grantID)),
            CommittedEntry(index: 5, term: 2, data: internalEntry(.put, put("b", "2", lease: 7), proposalID: leasedID)),
            CommittedEntry(index: 6, term: 2, data: internalEntry(.txn, txn, proposalID: txnID)),
            CommittedEntry(index: 7, term: 2, data: internalEntry(.deleteRange, DeleteRangeRequest(key: Array("t".utf8)), proposalID: deleteID)),
            CommittedEntry(index: 8, term: 2, kind: .empty, data: []),
            CommittedEntry(index: 9, term: 2, data: internalEntry(.leaseRenew, LeaseKeepAliveRequest(id: 7), proposalID: renewID)),
            CommittedEntry(index: 10, term: 2, data: internalEntry(
                .leaseCheckpoint, LeaseCheckpointRequest(checkpoints: [LeaseCheckpoint(id: 7, remainingTtl: 12)]), proposalID: checkpointID)),
            CommittedEntry(index: 11, term: 2, data: internalEntry(.alarm, alarm, proposalID: alarmID)),
            CommittedEntry(index: 12, term: 2, data: internalEntry(
                .memberAttributes, Member(id: 1, name: "renamed", clientUrls: ["http://x:2379"]), proposalID: memberID)),
            CommittedEntry(index: 13, term: 2, data: internalEntry(.leaseRevoke, LeaseRevokeRequest(id: 7), proposalID: revokeID)),
            CommittedEntry(index: 14, term: 2, data: internalEntry(.compact, CompactionRequest(revision: 3), proposalID: compactID)),
            CommittedEntry(index: 15, term: 2, data: internalEntry(
                .downgradeInfoSet, DowngradeInfoSetRequest(enabled: false), proposalID: downgradeID)),
        ]
        // Split over two deliveries, as Raft hands over several batches.
        fixture.applyLoop.enqueue(Array(entries[..<4]))
        fixture.applyLoop.enqueue(Array(entries[4...]))
        try fixture.waitApplied(15)
        XCTAssertEqual(try fixture.store.appliedIndex(), 15)

        let putResult = try putReply.wait()
        XCTAssertEqual(putResult.revision, 2)
        guard case .success(.put) = putResult.response else { return XCTFail("\(putResult.response)") }
        XCTAssertEqual(putResult.events.map(\.kv?.key), [Array("a".utf8)])
        guard case .success(.leaseGranted(let record, _)) = try grantReply.wait().response else { return XCTFail() }
        XCTAssertEqual(record.id, 7)
        XCTAssertEqual(try leasedReply.wait().revision, 3)
        guard case .success(.txn(let txnResponse)) = try txnReply.wait().response else { return XCTFail() }
        XCTAssertTrue(txnResponse.succeeded)
        XCTAssertEqual(try txnReply.wait().revision, 4)
        guard case .success(.deleteRange(let deleted)) = try deleteReply.wait().response else { return XCTFail() }
        XCTAssertEqual(deleted.deleted, 1)
        XCTAssertEqual(try deleteReply.wait().revision, 5)
        _ = try renewReply.wait()
        guard case .success(.leaseCheckpointed) = try checkpointReply.wait().response else { return XCTFail() }
        guard case .success(.alarm) = try alarmReply.wait().response else { return XCTFail() }
        guard case .success(.memberAttributesSet) = try memberReply.wait().response else { return XCTFail() }
        guard case .success(.leaseRevoked(let keysDeleted, _)) = try revokeReply.wait().response else { return XCTFail() }
        XCTAssertEqual(keysDeleted, 1)
        XCTAssertEqual(try revokeReply.wait().revision, 6)
        guard case .success(.compact) = try compactReply.wait().response else {
            return XCTFail("\(try compactReply.wait().response)")
        }
        guard case .success(.downgradeInfoSet) = try downgradeReply.wait().response else { return XCTFail() }

        // Side effects outside the store.
        XCTAssertEqual(fixture.changes.withLockedValue { $0 }, [change], "the configuration change reaches the callback")
        XCTAssertEqual(fixture.lessor.leaseIDs, [], "granted, then revoked")
        XCTAssertEqual(fixture.membership.member(1)?.name, "renamed")
        guard case .success(.membershipChanged) = try changeReply.wait().response else { return XCTFail() }
        XCTAssertEqual(fixture.membership.member(42), Member(id: 42, peerUrls: ["http://127.0.0.1:9"], isLearner: true))
        XCTAssertEqual(try fixture.store.publishedMembers().map(\.name), ["renamed"])
        XCTAssertEqual(try fixture.get("a")?.value, Array("1".utf8))
        XCTAssertNil(try fixture.get("b"), "deleted with its lease")
        XCTAssertNil(try fixture.get("t"))
        XCTAssertEqual(try fixture.store.currentRevision(), 6)
        XCTAssertEqual(try fixture.store.compactedRevision(), 3)

        // The watch hub saw the put of "a" at revision 2.
        let event = try watched.wait()
        XCTAssertEqual(event.kv?.key, Array("a".utf8))
        XCTAssertEqual(event.kv?.modRevision, 2)
    }

    /// The lessor hears of an entry after the applied index moves (the store commits first), and
    /// before the entry's reply: these wait for the reply of each batch's last entry.
    /// A physical compaction's reply waits until the store has removed what it compacted, which
    /// takes the apply loop several idle rounds of 20 history entries each here.
    func testPhysicalCompactionRepliesOnceTheCompactionFinished() throws {
        let fixture = try ApplyFixture(compactionBatchLimit: 20)
        defer { fixture.stop() }
        var entries: [CommittedEntry] = []
        for index in 1...300 {
            entries.append(CommittedEntry(index: UInt64(index), term: 1, data: internalEntry(
                .put, put("c\(index % 3)", "\(index)"), proposalID: 0)))
        }
        fixture.applyLoop.enqueue(entries)
        let (id, reply) = fixture.register()
        fixture.applyLoop.enqueue([CommittedEntry(index: 301, term: 1, data: internalEntry(
            .compact, CompactionRequest(revision: 250, physical: true), proposalID: id))])
        let result = try reply.wait()
        guard case .success(.compact) = result.response else { return XCTFail("\(result.response)") }
        XCTAssertGreaterThanOrEqual(try fixture.store.finishedCompactionRevision(), 250)
        XCTAssertEqual(try fixture.store.compactedRevision(), 250)
    }

    func testLeaseEntriesReachTheLessor() throws {
        let fixture = try ApplyFixture()
        defer { fixture.stop() }
        var (id, reply) = fixture.register()
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 1, term: 1, data: internalEntry(.leaseGrant, LeaseGrantRequest(ttl: 100, id: 1), proposalID: 0)),
            CommittedEntry(index: 2, term: 1, data: internalEntry(.leaseGrant, LeaseGrantRequest(ttl: 100, id: 2), proposalID: id)),
        ])
        _ = try reply.wait()
        XCTAssertEqual(fixture.lessor.leaseIDs, [1, 2])
        XCTAssertEqual(try fixture.store.leases().map(\.id).sorted(), [1, 2])
        // A checkpoint, then a renewal applied through the log clears the stored remaining TTL.
        (id, reply) = fixture.register()
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 3, term: 1, data: internalEntry(
                .leaseCheckpoint, LeaseCheckpointRequest(checkpoints: [LeaseCheckpoint(id: 1, remainingTtl: 40)]), proposalID: id)),
        ])
        _ = try reply.wait()
        XCTAssertEqual(try fixture.store.leases().first { $0.id == 1 }?.remainingTTL, 40)
        (id, reply) = fixture.register()
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 4, term: 1, data: internalEntry(.leaseRenew, LeaseKeepAliveRequest(id: 1), proposalID: 0)),
            CommittedEntry(index: 5, term: 1, data: internalEntry(.leaseRevoke, LeaseRevokeRequest(id: 2), proposalID: id)),
        ])
        _ = try reply.wait()
        XCTAssertEqual(try fixture.store.leases().first { $0.id == 1 }?.remainingTTL, 0)
        XCTAssertEqual(fixture.lessor.leaseIDs, [1])
        XCTAssertEqual(Double(fixture.lessor.timeToLive(1)?.remaining ?? 0), 99, accuracy: 1)
    }

    func testRedeliveredEntriesAtOrBelowTheAppliedIndexAreSkipped() throws {
        let fixture = try ApplyFixture()
        defer { fixture.stop() }
        let (firstID, firstReply) = fixture.register()
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 1, term: 2, kind: .empty, data: []),
            CommittedEntry(index: 2, term: 2, data: internalEntry(.put, put("k", "v1"), proposalID: firstID)),
            CommittedEntry(index: 3, term: 2, data: internalEntry(.put, put("k", "v2"), proposalID: 0)),
        ])
        try fixture.waitApplied(3)
        XCTAssertEqual(try firstReply.wait().revision, 2)
        let revision = try fixture.store.currentRevision()
        let hash = try fixture.store.hashKV(revision: 0)

        // Raft redelivers 2...3 (a restart replayed them) together with the new entry 4; a reply
        // registered for a redelivered proposal ID is not completed by the skipped entry.
        let (staleID, staleReply) = fixture.register()
        let (newID, newReply) = fixture.register()
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 2, term: 2, data: internalEntry(.put, put("k", "replayed"), proposalID: staleID)),
            CommittedEntry(index: 3, term: 2, data: internalEntry(.put, put("other", "replayed"), proposalID: staleID)),
        ])
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 3, term: 2, data: internalEntry(.put, put("k", "replayed"), proposalID: staleID)),
            CommittedEntry(index: 4, term: 2, data: internalEntry(.put, put("k", "v3"), proposalID: newID)),
        ])
        try fixture.waitApplied(4)
        XCTAssertEqual(try newReply.wait().revision, revision + 1)
        XCTAssertEqual(try fixture.get("k")?.value, Array("v3".utf8))
        XCTAssertNil(try fixture.get("other"))
        XCTAssertNotEqual(try fixture.store.hashKV(revision: 0), hash)
        XCTAssertEqual(try fixture.store.hashKV(revision: revision), hash, "history up to the old revision is untouched")
        let stale = fixture.waiters.take(staleID)
        XCTAssertNotNil(stale, "skipped entries complete no reply")
        stale?.fail(EtcdErrors.stopped)
        XCTAssertThrowsError(try staleReply.wait())

        // A whole batch at or below the applied index changes nothing, not even through replay().
        try fixture.applyLoop.replay([
            CommittedEntry(index: 1, term: 2, data: internalEntry(.put, put("k", "again"), proposalID: 0)),
            CommittedEntry(index: 4, term: 2, data: internalEntry(.put, put("k", "again"), proposalID: 0)),
        ])
        XCTAssertEqual(try fixture.get("k")?.value, Array("v3".utf8))
        XCTAssertEqual(try fixture.store.appliedIndex(), 4)
    }

    func testReplayAppliesOnlyWhatIsNewOnTheCallingThread() throws {
        let directory = makeTemporaryDirectory("apply-replay")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try MVCCStore(directory: directory)
        let status = ConsensusStatus(memberID: 1)
        let hub = try WatchHub(store: store, encoder: WatchResponseEncoder(clusterID: 1, memberID: 1, consensus: status, fragmentThreshold: 1 << 20))
        let loop = try ApplyLoop(
            store: store, waiters: ProposalWaiters(memberID: 1, startMilliseconds: 0), watchHub: hub,
            lessor: Lessor(records: [], minTTL: 1), membership: Membership(bootstrap: [], published: []),
            auth: try ServerAuth(state: AuthState(), configuration: ServerConfiguration(), hashing: NIOThreadPool(numberOfThreads: 1)),
            logger: Logger(label: "t"), configurationChangeApplied: { _, _ in })
        try loop.replay([
            CommittedEntry(index: 1, term: 1, kind: .empty, data: []),
            CommittedEntry(index: 2, term: 1, data: internalEntry(.put, put("r", "1"), proposalID: 0)),
        ])
        XCTAssertEqual(loop.appliedIndex.value, 2)
        XCTAssertEqual(try store.range(RangeRequest(key: Array("r".utf8))).kvs.first?.value, Array("1".utf8))
        try loop.replay([
            CommittedEntry(index: 2, term: 1, data: internalEntry(.put, put("r", "again"), proposalID: 0)),
            CommittedEntry(index: 3, term: 1, data: internalEntry(.put, put("r", "2"), proposalID: 0)),
        ])
        XCTAssertEqual(loop.appliedIndex.value, 3)
        XCTAssertEqual(try store.currentRevision(), 3)
        XCTAssertEqual(try store.range(RangeRequest(key: Array("r".utf8))).kvs.first?.value, Array("2".utf8))
        hub.close()
    }

    func testWatchHubWaitsSeeEventsFromHistoryAndLive() throws {
        let fixture = try ApplyFixture()
        defer { fixture.stop() }
        let loop = testEventLoopGroup.next()
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 1, term: 1, data: internalEntry(.put, put("p/1", "a"), proposalID: 0)),
            CommittedEntry(index: 2, term: 1, data: internalEntry(.put, put("q", "a"), proposalID: 0)),
        ])
        try fixture.waitApplied(2)
        // From history: the put of p/1 at revision 2.
        let prefix = WatchRange(key: Array("p/".utf8), rangeEnd: Array("p0".utf8))
        let (historic, cancelHistoric) = fixture.watchHub.nextEvent(in: prefix, from: 1, on: loop) { _ in true }
        defer { cancelHistoric() }
        XCTAssertEqual(try historic.wait().kv?.modRevision, 2)
        // Live: only a delete under the prefix matches, published later by the apply loop.
        let (live, cancelLive) = fixture.watchHub.nextEvent(in: prefix, from: 4, on: loop) { $0.type == .delete }
        defer { cancelLive() }
        let (cancelled, cancelIt) = fixture.watchHub.nextEvent(in: WatchRange(key: Array("never".utf8), rangeEnd: []), from: 1, on: loop) { _ in true }
        fixture.applyLoop.enqueue([
            CommittedEntry(index: 3, term: 1, data: internalEntry(.put, put("p/2", "b"), proposalID: 0)),
            CommittedEntry(index: 4, term: 1, data: internalEntry(.put, put("p/3", "b"), proposalID: 0)),
            CommittedEntry(index: 5, term: 1, data: internalEntry(.deleteRange, DeleteRangeRequest(key: Array("p/1".utf8)), proposalID: 0)),
        ])
        let event = try live.wait()
        XCTAssertEqual(event.type, .delete)
        XCTAssertEqual(event.kv?.key, Array("p/1".utf8))
        XCTAssertEqual(event.kv?.modRevision, 6)
        cancelIt()
        XCTAssertThrowsError(try cancelled.wait()) { XCTAssertEqual($0 as? GRPCStatus, EtcdErrors.cancelled) }
        // Closing the hub fails what still waits.
        let (pending, _) = fixture.watchHub.nextEvent(in: WatchRange(key: Array("z".utf8), rangeEnd: []), from: 100, on: loop) { _ in true }
        fixture.watchHub.close()
        XCTAssertThrowsError(try pending.wait()) { XCTAssertEqual($0 as? GRPCStatus, EtcdErrors.stopped) }
    }
}
