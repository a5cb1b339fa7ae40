// Published member attributes in the store: `members` maps a member ID (8 bytes, big-endian) to
// the `etcdserverpb.Member` the member published about itself (name and client URLs), as
// etcd's `members` bucket holds them. Publishing is a write of the apply loop, so every member
// learns every other's client URLs and keeps them across restarts.

import EtcdProto
import Storage

extension StoreView {
    func applyMemberAttributes(_ member: Member) throws(LMDBError) {
        let key = Self.leaseBytes(Int64(bitPattern: member.id))
        let value = member.serializedBytes()
        try key.withBytes { (keyBytes) throws(LMDBError) in
            try value.withBytes { (valueBytes) throws(LMDBError) in
                try self.transaction.put(self.tables.members, key: keyBytes, value: valueBytes)
            }
        }
    }

    func publishedMembers() throws(LMDBError) -> [Member] {
        var members: [Member] = []
        try self.transaction.cursor(self.tables.members) { (cursor) throws(LMDBError) in
            var entry = try cursor.first()
            while let current = entry {
                // Written only by `applyMemberAttributes`; a record that does not decode is skipped
                // rather than stopping the member (it only names a member and its client URLs).
                if let member = try? Member(serializedBytes: current.value) { members.append(member) }
                entry = try cursor.next()
            }
        }
        return members
    }
}

extension MVCCStore {
    /// The attributes every member published, by member ID order (any thread).
    public func publishedMembers() throws(MVCCError) -> [Member] {
        try self.read { (view) throws(MVCCError) -> [Member] in
            do throws(LMDBError) { return try view.publishedMembers() } catch { throw .storage(error) }
        }
    }
}
