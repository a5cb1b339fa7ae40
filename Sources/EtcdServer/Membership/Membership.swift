import EtcdProto
import NIOConcurrencyHelpers
import ProtoWire
import Raft
import Synchronization

/// The members of the cluster as `MemberList` reports them: the bootstrap members (ID, name,
/// peer URLs), changed by every configuration change the log commits, with the name and client
/// URLs each published through the log once it served.
final class Membership: Sendable {
    private struct State {
        var members: [UInt64: Member] = [:]
        /// Removed members never come back under the same ID (etcd's `members_removed`).
        var removed: Set<UInt64> = []
    }

    private let state: NIOLockedValueBox<State>
    private let localID: UInt64
    /// Whether this member is a learner: read by every client call, so not behind the lock.
    private let localIsLearner = Atomic(false)

    /// `bootstrap` is the membership the log starts from: the `--initial-cluster` one, or that
    /// of the Raft snapshot the log resumes after (with the members it had removed).
    init(bootstrap: [Member], removedIDs: [UInt64] = [], published: [Member], localID: UInt64 = 0) {
        var initial = State()
        for member in bootstrap { initial.members[member.id] = member }
        initial.removed = Set(removedIDs)
        state = NIOLockedValueBox(initial)
        self.localID = localID
        localIsLearner.store(initial.members[localID]?.isLearner ?? false, ordering: .relaxed)
        for member in published { self.published(member) }
    }

    /// etcd refuses a learner's clients all but Status and serializable reads.
    var isLocalLearner: Bool { localIsLearner.load(ordering: .relaxed) }

    /// Every member, by ID.
    var list: [Member] {
        state.withLockedValue { $0.members.values.sorted { $0.id < $1.id } }
    }

    var memberIDs: [UInt64] { list.map(\.id) }

    var count: Int { state.withLockedValue { $0.members.count } }

    func member(_ id: UInt64) -> Member? {
        state.withLockedValue { $0.members[id] }
    }

    /// The whole membership, for a Raft snapshot (the apply loop, between batches).
    var snapshot: MembershipSnapshot {
        state.withLockedValue { state in
            MembershipSnapshot(members: state.members.values.sorted { $0.id < $1.id }, removedIDs: state.removed.sorted())
        }
    }

    /// Replaces the whole membership with a Raft snapshot's, installed from the leader; the
    /// published attributes come with the store the snapshot installed.
    func restore(_ snapshot: MembershipSnapshot, published: [Member]) {
        state.withLockedValue { state in
            state.members = [:]
            for member in snapshot.members { state.members[member.id] = member }
            state.removed = Set(snapshot.removedIDs)
            localIsLearner.store(state.members[localID]?.isLearner ?? false, ordering: .relaxed)
        }
        for member in published { self.published(member) }
    }

    /// The IDs of removed members, in order.
    var removedIDs: [UInt64] { state.withLockedValue { $0.removed.sorted() } }

    func isRemoved(_ id: UInt64) -> Bool {
        state.withLockedValue { $0.removed.contains(id) }
    }

    /// A member's published attributes (the apply loop): its name and client URLs.
    func published(_ attributes: Member) {
        state.withLockedValue { state in
            guard var member = state.members[attributes.id] else { return }
            member.name = attributes.name
            member.clientUrls = attributes.clientUrls
            state.members[attributes.id] = member
        }
    }

    /// Applies a committed configuration change (the apply loop, and the replay at start-up).
    /// Applying one twice changes nothing more, as a restart's replay may.
    func apply(_ change: MembershipChange) {
        state.withLockedValue { state in
            switch change {
            case .add(let member):
                guard !state.removed.contains(member.id) else { return }
                if var existing = state.members[member.id] {
                    // etcd's promotion is an add of a member that is already a learner.
                    existing.isLearner = member.isLearner && existing.isLearner
                    state.members[member.id] = existing
                } else {
                    state.members[member.id] = member
                }
            case .remove(let id):
                state.members[id] = nil
                state.removed.insert(id)
            case .updatePeerURLs(let id, let urls):
                state.members[id]?.peerUrls = urls
            }
            localIsLearner.store(state.members[localID]?.isLearner ?? false, ordering: .relaxed)
        }
    }

    /// etcd's `IsReadyToAddVotingMember`: after adding one more voter, the started voters (those
    /// that published a name) still make a quorum; a second member for a lone one is allowed.
    func isReadyToAddVoter() -> Bool {
        let voters = list.filter { !$0.isLearner }
        let started = voters.filter { !$0.name.isEmpty }.count
        let members = voters.count + 1
        if started == 1 && members == 2 { return true }
        return started >= members / 2 + 1
    }

    /// etcd's `IsReadyToRemoveVotingMember`: the started voters left make a quorum of those left.
    func isReadyToRemoveVoter(_ id: UInt64) -> Bool {
        let voters = list.filter { !$0.isLearner }
        guard voters.contains(where: { $0.id == id }) else { return true }
        let remaining = voters.filter { $0.id != id }
        let started = remaining.filter { !$0.name.isEmpty }.count
        return started >= remaining.count / 2 + 1
    }
}

/// A membership change as the log carries it: a raft `ConfChange` whose context is the member
/// (an `etcdserverpb.Member`), so every member applies the same change.
enum MembershipChange: Sendable, Equatable {
    case add(Member)
    case remove(UInt64)
    case updatePeerURLs(UInt64, [String])

    init(_ change: ConfChange) throws {
        switch change.type {
        case .addNode, .addLearnerNode:
            var member = try Member(serializedBytes: change.context)
            member.id = change.nodeID
            member.isLearner = change.type == .addLearnerNode
            self = .add(member)
        case .removeNode:
            self = .remove(change.nodeID)
        case .updateNode:
            self = .updatePeerURLs(change.nodeID, try Member(serializedBytes: change.context).peerUrls)
        }
    }
}
