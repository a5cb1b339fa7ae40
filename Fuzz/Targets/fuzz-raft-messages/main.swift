import FuzzSupport
import Raft

// raftpb bytes as a peer sends them: the first byte picks the decoder (a `Message` on the peer
// stream, or a `ConfChange` from a committed entry), the rest is the encoding. Whatever decodes
// must re-encode to bytes that decode to the same value.
fuzzMain { input in
    guard let selector = input.first else { return }
    let bytes = Array(input.dropFirst())
    if selector & 1 == 0 {
        guard let message = try? Message(decoding: bytes) else { return }
        guard let again = try? Message(decoding: message.encoded()), again == message else {
            fatalError("raft Message does not survive a round trip: \(message)")
        }
    } else {
        guard let change = try? ConfChange(decoding: bytes) else { return }
        guard let again = try? ConfChange(decoding: change.encoded()), again == change else {
            fatalError("ConfChange does not survive a round trip: \(change)")
        }
    }
}
