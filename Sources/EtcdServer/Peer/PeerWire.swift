import GRPCTransport
import NIOCore
import Raft

/// The peer protocol on the wire, shared by the sending and receiving sides.
///
/// Both paths are HTTP/2 (h2c, prior knowledge) POSTs with `content-type: application/grpc`, so
/// the peer listener is a `GRPCServer` serving only these two paths:
///
/// - `/raft/stream`: one long-lived request stream per (sender, receiver) pair. Its body is a
///   sequence of messages, each a gRPC length-prefixed frame: one byte 0 (not compressed), a
///   4-byte big-endian length, then that many bytes of a raftpb `Message` encoding. The receiver
///   accepts the stream by answering response headers and one empty frame; it refuses it with a
///   trailers-only FAILED_PRECONDITION (gRPC's 412) and a reset.
/// - `/raft/snapshot`: one request per MsgSnap, on its own connection. Its body is such frames:
///   the MsgSnap, then the store header (the store copy's size and CRC-32C, each big-endian:
///   8 and 4 bytes), then the copy itself in chunks of at most `snapshotChunkBytes`. The answer
///   is one empty frame with grpc-status 0 once the copy is complete, checked, synced, and the
///   message delivered; anything else is a refusal.
///
/// Every request carries `x-etcd-cluster-id`, `x-server-from` and `x-raft-to`: IDs in lowercase
/// hexadecimal, as etcd prints them.
enum PeerWire {
    static let streamPath = "/raft/stream"
    /// The refusal a removed member's streams get (etcd answers 410 Gone with these words): the
    /// member learns from it that it was removed, even when it missed the entry removing it.
    static let removedMemberRefusal = GRPCStatus(
        code: .permissionDenied, message: "the member has been permanently removed from the cluster")
    static let snapshotPath = "/raft/snapshot"
    static let clusterIDHeader = "x-etcd-cluster-id"
    static let fromHeader = "x-server-from"
    static let toHeader = "x-raft-to"

    /// Largest message on the stream path: etcd's 1.5 MiB default request limit leaves appends
    /// far below this; a larger frame is an error that closes the stream.
    static let maxStreamMessageBytes = 10 << 20
    /// Largest frame on the snapshot path (the MsgSnap carries only the membership).
    static let maxSnapshotFrameBytes = 4 << 20
    /// The store copy travels in frames of this many bytes.
    static let snapshotChunkBytes = 1 << 20
    static let snapshotStoreHeaderBytes = 12
    static let frameHeaderBytes = 5

    static func hex(_ id: UInt64) -> String {
        String(id, radix: 16)
    }

    /// Appends `message` to `buffer` as one length-prefixed frame.
    static func appendFrame(_ encoded: [UInt8], to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(encoded.count))
        buffer.writeBytes(encoded)
    }

    static func snapshotStoreHeader(size: Int, checksum: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(snapshotStoreHeaderBytes)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: UInt64(size) >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        return bytes
    }

    static func parseSnapshotStoreHeader(_ bytes: ByteBufferView) -> (size: Int, checksum: UInt32)? {
        guard bytes.count == snapshotStoreHeaderBytes else { return nil }
        let values = Array(bytes)
        let size = values[0..<8].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        let checksum = values[8..<12].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        guard size <= UInt64(Int.max) else { return nil }
        return (Int(size), checksum)
    }

    static func requestHeaders(
        path: String, endpoint: URLEndpoint, clusterID: UInt64, from: UInt64, to: UInt64
    ) -> [(name: String, value: String)] {
        [
            (":method", "POST"), (":scheme", endpoint.scheme == .https ? "https" : "http"), (":path", path),
            (":authority", "\(endpoint.host):\(endpoint.port)"),
            ("content-type", "application/grpc"), ("te", "trailers"),
            (clusterIDHeader, hex(clusterID)), (fromHeader, hex(from)), (toHeader, hex(to)),
        ]
    }
}

public enum PeerTransportError: Error, CustomStringConvertible, Equatable {
    /// A peer or listen URL uses a scheme the transport does not serve yet.
    case unsupportedScheme(URLEndpoint)
    /// An https listen URL without a certificate and key (neither files nor --peer-auto-tls).
    case noCertificateForTLS(URLEndpoint)

    public var description: String {
        switch self {
        case .unsupportedScheme(let url):
            "peer URL \(url): unix socket peer URLs are not supported yet (use http or https)"
        case .noCertificateForTLS(let url):
            // etcd's words (transport.newTLSListener).
            "cannot listen on TLS for \(url.host):\(url.port): KeyFile and CertFile are not presented"
        }
    }
}
