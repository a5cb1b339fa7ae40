import EtcdProto
import Raft
import XCTest

@testable import EtcdServer

/// The membership a Raft snapshot carries: it round-trips, gives Raft's configuration, and a
/// restored membership is exactly the snapshot's (members it lacks are gone, removed IDs stay
/// refused).
final class MembershipSnapshotTests: XCTestCase {
    private let members = [
        Member(id: 3, name: "c", peerUrls: ["http://127.0.0.1:3"], clientUrls: ["http://127.0.0.1:30"]),
        Member(id: 1, name: "a", peerUrls: ["http://127.0.0.1:1"]),
        Member(id: 9, peerUrls: ["http://127.0.0.1:9"], isLearner: true),
    ]

    func testRoundTripAndConfiguration() throws {
        let snapshot = MembershipSnapshot(members: members, removedIDs: [5, 0xffff_ffff_ffff_ffff])
        let decoded = try MembershipSnapshot(serializedBytes: snapshot.serializedBytes())
        XCTAssertEqual(decoded, snapshot)
        XCTAssertEqual(decoded.configuration, ConfState(voters: [1, 3], learners: [9]))
        XCTAssertEqual(try MembershipSnapshot(serializedBytes: []), MembershipSnapshot())
        XCTAssertThrowsError(try MembershipSnapshot(serializedBytes: [0x0a, 0x05, 0x08]), "a truncated member")
    }

    func testRestoreReplacesTheMembership() {
        let membership = Membership(bootstrap: [Member(id: 1, name: "a"), Member(id: 2, name: "b")], published: [], localID: 9)
        XCTAssertFalse(membership.isLocalLearner)
        membership.restore(MembershipSnapshot(members: members, removedIDs: [2]), published: [Member(id: 1, name: "a2", clientUrls: ["x"])])
        XCTAssertEqual(membership.memberIDs, [1, 3, 9])
        XCTAssertTrue(membership.isRemoved(2))
        XCTAssertTrue(membership.isLocalLearner)
        XCTAssertEqual(membership.member(1)?.name, "a2")
        XCTAssertEqual(membership.snapshot.members.map(\.id), [1, 3, 9])
        XCTAssertEqual(membership.snapshot.removedIDs, [2])
    }
}
