import EtcdProto
import FuzzSupport
import NIOCore
import Raft

@testable import EtcdServer

// What a member applies or installs from bytes its peers sent: the first byte picks the decoder.
// Entry data (the leader's log: every kind of internal request, auth-checked writes among them),
// the membership a Raft snapshot carries, and the store header of a snapshot transfer.
fuzzMain { input in
    guard let selector = input.first else { return }
    let bytes = Array(input.dropFirst())
    switch selector % 3 {
    case 0:
        _ = try? InternalRequest.decode(bytes)
    case 1:
        guard let membership = try? MembershipSnapshot(serializedBytes: bytes) else { return }
        guard (try? MembershipSnapshot(serializedBytes: membership.serializedBytes())) == membership else {
            fatalError("MembershipSnapshot does not survive a round trip: \(membership)")
        }
        _ = membership.configuration
    default:
        let buffer = ByteBuffer(bytes: bytes)
        _ = PeerWire.parseSnapshotStoreHeader(buffer.readableBytesView)
    }
}
