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

    func testTheLocalLearnerFlagFollowsTheAppliedChanges() {
        let membership = Membership(
            bootstrap: [started(1), Member(id: 2, peerUrls: ["http://127.0.0.1:2"], isLearner: true)], published: [], localID: 2)
        XCTAssertTrue(membership.isLocalLearner)
        membership.apply(.add(Member(id: 2, peerUrls: ["http://127.0.0.1:2"], isLearner: false)))
        XCTAssertFalse(membership.isLocalLearner)
        XCTAssertFalse(Membership(bootstrap: [started(1)], published: [], localID: 1).isLocalLearner)
    }

    // MARK: Joining (etcd's ValidateClusterAndAssignIDs)

    private let flags = [
        ClusterJoin.LocalMember(name: "m0", urls: ["http://127.0.0.1:20001"]),
        ClusterJoin.LocalMember(name: "m1", urls: ["http://127.0.0.1:20002", "http://127.0.0.1:20012"]),
        ClusterJoin.LocalMember(name: "new", urls: ["http://127.0.0.1:20003"]),
    ]
    private let running = [
        Member(id: 0xa1, name: "m0", peerUrls: ["http://127.0.0.1:20001"], clientUrls: ["http://127.0.0.1:30001"]),
        // Peer URLs match as sets, in any order.
        Member(id: 0xb2, name: "m1", peerUrls: ["http://127.0.0.1:20012", "http://127.0.0.1:20002"]),
        Member(id: 0xc3, peerUrls: ["http://127.0.0.1:20003"], isLearner: true),
    ]

    func testAJoiningMemberTakesTheIDTheClusterGaveItsPeerURLs() throws {
        XCTAssertEqual(try ClusterJoin.assignIDs(local: flags, existing: running, ownName: "new", clusterID: 9), 0xc3)
        XCTAssertEqual(try ClusterJoin.assignIDs(local: flags, existing: running, ownName: "m1", clusterID: 9), 0xb2)
        let identity = ClusterIdentity(clusterID: 9, memberID: 0xc3, members: running)
        XCTAssertEqual(identity.raftConfiguration, ConfState(voters: [0xa1, 0xb2], learners: [0xc3]))
    }

    func testAJoinWhoseFlagsDoNotDescribeTheClusterIsRefusedWithEtcdsReason() {
        XCTAssertThrowsError(try ClusterJoin.assignIDs(local: Array(flags.prefix(2)), existing: running, ownName: "m1", clusterID: 9)) {
            XCTAssertTrue("\($0)".hasSuffix(": member count is unequal"), "\($0)")
            XCTAssertTrue("\($0)".contains("error validating peerURLs {ClusterID:9 Members:[&{ID:a1 RaftAttributes:{PeerURLs:[http://127.0.0.1:20001] IsLearner:false} Attributes:{Name:m0 ClientURLs:[http://127.0.0.1:30001]}}"), "\($0)")
        }
        var moved = flags
        moved[2].urls = ["http://127.0.0.1:20004"]
        XCTAssertThrowsError(try ClusterJoin.assignIDs(local: moved, existing: running, ownName: "new", clusterID: 9)) {
            XCTAssertTrue("\($0)".contains("PeerURLs: no match found for existing member (c3, [http://127.0.0.1:20003])"), "\($0)")
        }
    }
}
