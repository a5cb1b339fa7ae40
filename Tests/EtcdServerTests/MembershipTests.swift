import EtcdProto
import ProtoWire
import Raft
import XCTest

@testable import EtcdServer

final class MembershipTests: XCTestCase {
    private func started(_ id: UInt64) -> Member {
        Member(id: id, name: "m\(id)", peerUrls: ["http://127.0.0.1:\(20000 + id)"], clientUrls: ["http://127.0.0.1:\(30000 + id)"])
    }

    func testChangesDecodeFromTheirConfChangeAndApplyOnceEvenWhenReplayed() throws {
        let membership = Membership(bootstrap: [started(1)], published: [])
        let learner = Member(peerUrls: ["http://127.0.0.1:9"])
        let add = try MembershipChange(ConfChange(type: .addLearnerNode, nodeID: 7, context: learner.serializedBytes()))
        XCTAssertEqual(add, .add(Member(id: 7, peerUrls: ["http://127.0.0.1:9"], isLearner: true)))
        membership.apply(add)
        membership.apply(add)
        XCTAssertEqual(membership.list.map(\.id), [1, 7])

        let update = try MembershipChange(ConfChange(
            type: .updateNode, nodeID: 7, context: Member(peerUrls: ["http://127.0.0.1:10"]).serializedBytes()))
        membership.apply(update)
        XCTAssertEqual(membership.member(7)?.peerUrls, ["http://127.0.0.1:10"])

        // Promotion is an add of the learner as a voter.
        membership.apply(try MembershipChange(ConfChange(type: .addNode, nodeID: 7, context: learner.serializedBytes())))
        XCTAssertEqual(membership.member(7)?.isLearner, false)
        XCTAssertEqual(membership.member(7)?.peerUrls, ["http://127.0.0.1:10"], "a promotion keeps the member's URLs")

        membership.apply(try MembershipChange(ConfChange(type: .removeNode, nodeID: 7)))
        XCTAssertNil(membership.member(7))
        XCTAssertTrue(membership.isRemoved(7))
        // A removed ID never comes back, even if its add is replayed after the removal.
        membership.apply(add)
        XCTAssertNil(membership.member(7))
    }

    func testAContextThatIsNotAMemberIsRefused() {
        XCTAssertThrowsError(try MembershipChange(ConfChange(type: .addNode, nodeID: 3, context: [0x00, 0x01])))
    }

    func testStrictReconfigurationChecksCountStartedVoters() {
        // One started member may get a second (etcd's exception for restoring a cluster).
        XCTAssertTrue(Membership(bootstrap: [started(1)], published: []).isReadyToAddVoter())
        // Two started of two: a third makes quorum 2, still met.
        let two = Membership(bootstrap: [started(1), started(2)], published: [])
        XCTAssertTrue(two.isReadyToAddVoter())
        // Two started of three (one never started): a fourth needs 3 started.
        let three = Membership(bootstrap: [started(1), started(2), Member(id: 3, peerUrls: ["http://127.0.0.1:3"])], published: [])
        XCTAssertFalse(three.isReadyToAddVoter())
        // Removing a started one leaves 1 started of 2: no quorum; removing the unstarted one is fine.
        XCTAssertFalse(three.isReadyToRemoveVoter(1))
        XCTAssertTrue(three.isReadyToRemoveVoter(3))
        // Learners count for neither.
        three.apply(.add(Member(id: 4, peerUrls: ["http://127.0.0.1:4"], isLearner: true)))
        XCTAssertFalse(three.isReadyToAddVoter())
        XCTAssertTrue(three.isReadyToRemoveVoter(4))
    }
}
