import MVCC
import NIOCore
import XCTest

@testable import EtcdServer

/// The counters behind `/metrics` that the server keeps for it: leader changes and failed proposals.
final class MetricsCountersTests: XCTestCase {
    /// etcd compares each leader with the last one known, none included.
    func testEachNewLeaderCountsOnceAndLosingTheLeaderIsNoChange() {
        let status = ConsensusStatus(memberID: 1)
        let publish = { (leader: UInt64) in
            status.publish(term: 1, leader: leader, lastIndex: 0, commitIndex: 0, soleVoterLeader: false)
        }
        publish(0)
        XCTAssertEqual(status.leaderChangesSeen, 0)
        publish(2)
        publish(2)
        XCTAssertEqual(status.leaderChangesSeen, 1)
        publish(0)
        XCTAssertEqual(status.leaderChangesSeen, 1)
        publish(2)
        XCTAssertEqual(status.leaderChangesSeen, 2, "a leader found again after none is a change")
        publish(3)
        XCTAssertEqual(status.leaderChangesSeen, 3)
    }

    func testFailedExpiredAndAbandonedProposalsAreCountedAndAnsweredOnesAreNot() throws {
        let loop = testEventLoopGroup.next()
        let waiters = ProposalWaiters(memberID: 1, startMilliseconds: 0)
        let register = { (deadline: NIODeadline) in
            waiters.register(loop.makePromise(of: MVCCWriteResult.self), deadline: deadline)
        }
        let answered = register(.distantFuture)
        let refused = register(.distantFuture)
        _ = register(.uptimeNanoseconds(0))
        _ = register(.distantFuture)
        XCTAssertEqual(waiters.pendingCount, 4)
        waiters.take(answered)?.fail(EtcdErrors.stopped)
        waiters.fail(refused, with: EtcdErrors.timeout)
        waiters.fail(refused, with: EtcdErrors.timeout)
        XCTAssertEqual(waiters.failedCount, 1, "a proposal no longer pending is not counted again")
        waiters.failExpired()
        XCTAssertEqual(waiters.failedCount, 2)
        waiters.failAll(with: EtcdErrors.stopped)
        XCTAssertEqual(waiters.failedCount, 3)
        XCTAssertEqual(waiters.pendingCount, 0)
    }
}
