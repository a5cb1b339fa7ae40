import EtcdProto
import NIOConcurrencyHelpers

/// The members of the cluster as `MemberList` reports them: the bootstrap members (ID, name,
/// peer URLs) with the name and client URLs each published through the log once it served.
final class Membership: Sendable {
    private let members: NIOLockedValueBox<[UInt64: Member]>

    init(bootstrap: [Member], published: [Member]) {
        var byID: [UInt64: Member] = [:]
        for member in bootstrap { byID[member.id] = member }
        members = NIOLockedValueBox(byID)
        for member in published { self.published(member) }
    }

    /// Every member, by ID.
    var list: [Member] {
        members.withLockedValue { $0.values.sorted { $0.id < $1.id } }
    }

    var memberIDs: [UInt64] { list.map(\.id) }

    func member(_ id: UInt64) -> Member? {
        members.withLockedValue { $0[id] }
    }

    /// A member's published attributes (the apply loop): its name and client URLs.
    func published(_ attributes: Member) {
        members.withLockedValue { members in
            guard var member = members[attributes.id] else { return }
            member.name = attributes.name
            member.clientUrls = attributes.clientUrls
            members[attributes.id] = member
        }
    }
}
