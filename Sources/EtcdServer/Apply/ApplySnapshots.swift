import Foundation
import Raft
import Storage

/// When the apply loop records a Raft snapshot, and where its store copies live.
struct SnapshotSettings: Sendable {
    /// Applied entries between two snapshots (`--snapshot-count`).
    var count: UInt64
    /// `member/snap`: snapshot files, store copies being sent, store files received.
    var directory: String

    /// A store copy received from the leader for the snapshot at `index`, once complete and
    /// synced (etcd names it `%016x.snap.db` in the same directory).
    func receivedStoreFile(index: UInt64) -> String {
        directory + "/" + hex16(index) + ".snap.db"
    }

    /// Where a store copy for a MsgSnap to `peer` is made; removed once sent.
    func outgoingStoreDirectory(to peer: UInt64) -> String {
        directory + "/send-" + hex16(peer) + ".tmp"
    }
}

/// A snapshot of the applied state the apply loop made durable: the store is synced through
/// `index`, so the log may record a snapshot there and let go of what precedes it.
struct AppliedSnapshot: Sendable {
    var index: UInt64
    var term: UInt64
    var membership: MembershipSnapshot
}

/// What the apply loop tells the rest of the member about snapshots.
struct SnapshotHooks: Sendable {
    /// A snapshot of the applied state was made durable.
    var taken: @Sendable (AppliedSnapshot) -> Void
    /// A store copy for a MsgSnap is ready in `directory`: send `message` with its data file.
    var send: @Sendable (_ message: Raft.Message, _ directory: String) -> Void
    /// A leader's snapshot was installed: the membership is now the snapshot's.
    var installed: @Sendable (MembershipSnapshot) -> Void
}
