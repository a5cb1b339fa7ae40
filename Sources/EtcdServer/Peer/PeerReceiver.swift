import GRPCTransport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Raft

/// The receiving side of the peer transport: the two routes of the peer listener. Checks who
/// is calling, decodes each frame, checks each message's addressing, and delivers.
final class PeerReceiver: Sendable {
    private let memberID: UInt64
    private let clusterID: UInt64
    /// The members allowed to send, changed by membership changes.
    private let peerIDs: NIOLockedValueBox<Set<UInt64>>
    private let removedIDs = NIOLockedValueBox<Set<UInt64>>([])
    /// The open message streams, by sender: a removed member's are ended with the refusal, so
    /// it learns of its removal even when it never got the entry (its stream would otherwise
    /// stay open, and it would never dial again).
    private let openStreams = NIOLockedValueBox<[UInt64: [ObjectIdentifier: GRPCResponseWriter]]>([:])
    private let logger: Logger
    private let deliver: @Sendable (Raft.Message) -> Void
    private let hashKV: PeerHashKVProvider?
    private let members: PeerMembersProvider?
    private let promote: PeerPromoteProvider?
    /// Where received store copies go; without it the snapshot path refuses every MsgSnap.
    private let snapshots: SnapshotSettings?
    private let running = NIOLockedValueBox(true)

    init(
        memberID: UInt64, clusterID: UInt64, peerIDs: Set<UInt64>, logger: Logger,
        deliver: @escaping @Sendable (Raft.Message) -> Void, hashKV: PeerHashKVProvider? = nil,
        members: PeerMembersProvider? = nil, promote: PeerPromoteProvider? = nil, snapshots: SnapshotSettings? = nil
    ) {
        self.snapshots = snapshots
        self.memberID = memberID
        self.clusterID = clusterID
        self.peerIDs = NIOLockedValueBox(peerIDs)
        self.logger = logger
        self.deliver = deliver
        self.hashKV = hashKV
        self.members = members
        self.promote = promote
    }

    /// After this nothing more is delivered, even from streams still open.
    func allow(_ peerID: UInt64) {
        _ = peerIDs.withLockedValue { $0.insert(peerID) }
    }

    /// A removed member: its requests get `PeerWire.removedMemberRefusal` from now on.
    func refuseRemoved(_ peerID: UInt64) {
        _ = peerIDs.withLockedValue { $0.remove(peerID) }
        _ = removedIDs.withLockedValue { $0.insert(peerID) }
        let streams = openStreams.withLockedValue { $0.removeValue(forKey: peerID) } ?? [:]
        for writer in streams.values { writer.finish(PeerWire.removedMemberRefusal) }
    }

    func stop() {
        running.withLockedValue { $0 = false }
    }

    var router: GRPCRouter {
        var router = GRPCRouter()
        router.register(PeerWire.streamPath, .bidirectionalStreaming { [self] context, writer in
            acceptStream(context, writer)
        })
        router.register(
            PeerWire.snapshotPath, maxReceiveMessageBytes: PeerWire.maxSnapshotFrameBytes,
            .bidirectionalStreaming { [self] context, writer in receiveSnapshot(context, writer) })
        if let hashKV { registerHashKV(in: &router, provider: hashKV) }
        if let members { registerMembers(in: &router, provider: members) }
        if let promote { registerPromote(in: &router, provider: promote) }
        return router
    }

    // MARK: Stream path

    private func acceptStream(_ context: GRPCCallContext, _ writer: GRPCResponseWriter) -> GRPCRequestObserver {
        let sender: UInt64
        switch checkCaller(context) {
        case .failure(let refusal):
            writer.finish(refusal)
            return GRPCRequestObserver(onMessage: { _ in })
        case .success(let id):
            sender = id
        }
        // One empty message tells the sender its stream was accepted.
        writer.write(ByteBuffer())
        logger.debug("peer stream accepted", metadata: ["from": "\(PeerWire.hex(sender))"])
        let streamID = ObjectIdentifier(writer)
        openStreams.withLockedValue { $0[sender, default: [:]][streamID] = writer }
        let forget = { @Sendable [openStreams] in _ = openStreams.withLockedValue { $0[sender]?.removeValue(forKey: streamID) } }
        return GRPCRequestObserver(
            onMessage: { [self] frame in
                if let message = decode(frame, from: sender, path: PeerWire.streamPath, writer: writer) {
                    deliverIfRunning(message)
                }
            },
            onEnd: {
                forget()
                writer.finish()
            },
            onCancel: { [self] in
                forget()
                // The transport cancels a stream whose input broke: a frame cut short by the
                // end of the stream or connection, or a frame over the size limit. Like etcd, a
                // lost peer stream is worth a warning.
                logger.warning(
                    "peer stream closed: connection lost, truncated or oversized frame",
                    metadata: ["from": "\(PeerWire.hex(sender))", "to": "\(PeerWire.hex(memberID))"])
            })
    }

    // MARK: Snapshot path

    private func receiveSnapshot(_ context: GRPCCallContext, _ writer: GRPCResponseWriter) -> GRPCRequestObserver {
        let sender: UInt64
        switch checkCaller(context) {
        case .failure(let refusal):
            writer.finish(refusal)
            return GRPCRequestObserver(onMessage: { _ in })
        case .success(let id):
            sender = id
        }
        guard let snapshots else {
            writer.finish(GRPCStatus(code: .unimplemented, message: "this member takes no snapshots"))
            return GRPCRequestObserver(onMessage: { _ in })
        }
        let reception = NIOLoopBound(
            PeerSnapshotReception(sender: sender, settings: snapshots, logger: logger) { [self] frame in
                decode(frame, from: sender, path: PeerWire.snapshotPath, writer: nil)
            },
            eventLoop: writer.eventLoop)
        return GRPCRequestObserver(
            onMessage: { frame in
                if let refusal = reception.value.receive(frame) { writer.finish(refusal) }
            },
            onEnd: { [self] in
                switch reception.value.finish() {
                case .failure(let refusal):
                    writer.finish(refusal)
                case .success(let message):
                    deliverIfRunning(message)
                    writer.write(ByteBuffer())
                    writer.finish()
                }
            },
            onCancel: { reception.value.cancel() })
    }

    // MARK: Checks

    /// The sending member, if the request comes from a member of this cluster and is for this
    /// member; otherwise a FAILED_PRECONDITION refusal, logged once.
    func checkCaller(_ context: GRPCCallContext) -> Result<UInt64, GRPCStatus> {
        let clusterText = context.metadata(PeerWire.clusterIDHeader) ?? ""
        let fromText = context.metadata(PeerWire.fromHeader) ?? ""
        let toText = context.metadata(PeerWire.toHeader) ?? ""
        let from = UInt64(fromText, radix: 16)
        let reason: String
        if let from, removedIDs.withLockedValue({ $0.contains(from) }) {
            return .failure(PeerWire.removedMemberRefusal)
        }
        if UInt64(clusterText, radix: 16) != clusterID {
            reason = "cluster ID mismatch"
        } else if from == nil || !peerIDs.withLockedValue({ $0.contains(from!) }) {
            reason = "unknown member"
        } else if UInt64(toText, radix: 16) != memberID {
            reason = "addressed to another member"
        } else {
            return .success(from!)
        }
        logger.warning(
            "refused a peer request: \(reason)",
            metadata: [
                "remote-cluster-id": "\(clusterText)", "local-cluster-id": "\(PeerWire.hex(clusterID))",
                "remote-member-id": "\(fromText)", "local-member-id": "\(PeerWire.hex(memberID))",
                "to": "\(toText)", "remote-address": "\(context.remoteAddress.map { "\($0)" } ?? "?")",
            ])
        let message = "\(reason) (local member \(PeerWire.hex(memberID)), cluster \(PeerWire.hex(clusterID)))"
        return .failure(GRPCStatus(code: .failedPrecondition, message: message))
    }

    /// Decodes one frame's message and checks that `sender` sent it to this member. A frame
    /// that does not decode ends the stream (through `writer`); a misaddressed message is dropped.
    private func decode(_ frame: ByteBuffer, from sender: UInt64, path: String, writer: GRPCResponseWriter?) -> Raft.Message? {
        let message: Raft.Message
        do {
            message = try Raft.Message(decoding: Array(frame.readableBytesView))
        } catch {
            logger.warning(
                "closing a peer stream: undecodable raft message",
                metadata: ["from": "\(PeerWire.hex(sender))", "path": "\(path)", "error": "\(error)"])
            writer?.finish(GRPCStatus(code: .invalidArgument, message: "undecodable raft message"))
            return nil
        }
        guard message.from == sender, message.to == memberID else {
            logger.warning(
                "dropped a misaddressed raft message",
                metadata: [
                    "stream-from": "\(PeerWire.hex(sender))", "message-from": "\(PeerWire.hex(message.from))",
                    "message-to": "\(PeerWire.hex(message.to))", "local-member-id": "\(PeerWire.hex(memberID))",
                    "type": "\(message.type)",
                ])
            return nil
        }
        return message
    }

    private func deliverIfRunning(_ message: Raft.Message) {
        if running.withLockedValue({ $0 }) {
            deliver(message)
        }
    }
}
