import Foundation
import GRPCTransport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Raft

/// Carries raft messages to and from the other members of the cluster.
///
/// Like etcd's rafthttp: one long-lived HTTP/2 stream per peer carries every message but
/// MsgSnap, in order, batched into as few writes as the event loop allows; each MsgSnap goes on a
/// connection of its own. The wire format is described on `PeerWire`. Messages that cannot be
/// sent at once (peer not connected, its queue of `PeerLink.queueCapacity` full) are dropped and
/// reported, as raft expects of an unreliable network. https peer URLs are served and dialled
/// with `PeerTLS`; http ones in the clear (h2c), even when certificates are configured, as etcd.
final class PeerTransport: Sendable {
    struct Handlers: Sendable {
        var deliver: @Sendable (Raft.Message) -> Void          // a message from a peer, already decoded and checked
        var reportUnreachable: @Sendable (NodeID) -> Void      // a message to this peer was dropped (queue full, connection down)
        var reportSnapshot: @Sendable (NodeID, Bool) -> Void   // a MsgSnap to this peer was delivered (true) or lost (false)
        var hashKV: PeerHashKVProvider? = nil                   // answers a peer's HashKV (PeerHashKV.swift)
        var members: PeerMembersProvider? = nil                 // answers a joining member's members query (PeerMembers.swift)
        var promote: PeerPromoteProvider? = nil                 // answers a promotion forwarded to the leader (LearnerPromotion.swift)
        var removedFromCluster: @Sendable () -> Void = {}      // a peer refused this member as removed
    }

    private let memberID: UInt64
    private let clusterID: UInt64
    private let peers: [UInt64: [URLEndpoint]]
    private let listen: [URLEndpoint]
    private let tls: PeerTLS
    private let group: any EventLoopGroup
    private let logger: Logger
    private let handlers: Handlers
    /// Changed by membership changes; `send` reads it once per batch.
    private let links: NIOLockedValueBox<(started: Bool, byPeer: [UInt64: PeerLink])>
    private let receiver: PeerReceiver
    private let servers = NIOLockedValueBox<[GRPCServer]>([])
    /// The client side of TLS, for every connection to a peer's https URL.
    private let clientTLS: TLSContext

    /// Throws when `tls` names certificate files OpenSSL cannot use.
    init(
        memberID: UInt64, clusterID: UInt64, peers: [UInt64: [URLEndpoint]], listen: [URLEndpoint], tls: PeerTLS = .none,
        group: any EventLoopGroup, logger: Logger, handlers: Handlers, snapshots: SnapshotSettings? = nil
    ) throws {
        self.memberID = memberID
        self.clusterID = clusterID
        self.peers = peers
        self.listen = listen
        self.tls = tls
        self.group = group
        self.logger = logger
        self.handlers = handlers
        // Made whatever the schemes, as etcd builds its peer round tripper: bad certificate
        // files stop the member even when every URL is http.
        let clientTLS = try TLSContext(client: tls.client)
        self.clientTLS = clientTLS
        var links: [UInt64: PeerLink] = [:]
        for (peerID, endpoints) in peers where peerID != memberID && !endpoints.isEmpty {
            links[peerID] = PeerLink(
                peerID: peerID, memberID: memberID, clusterID: clusterID, endpoints: endpoints, eventLoop: group.next(),
                tls: clientTLS, logger: logger, handlers: handlers)
        }
        self.links = NIOLockedValueBox((started: false, byPeer: links))
        self.receiver = PeerReceiver(
            memberID: memberID, clusterID: clusterID, peerIDs: Set(peers.keys), logger: logger, deliver: handlers.deliver,
            hashKV: handlers.hashKV, members: handlers.members, promote: handlers.promote, snapshots: snapshots)
    }

    /// Binds the peer listeners (--listen-peer-urls; port 0 picks a free one) and returns the bound addresses.
    /// Blocks until bound: call it from outside the event loops.
    func start() throws -> [SocketAddress] {
        for url in listen + peers.values.joined() where url.scheme == .unix || url.scheme == .unixs {
            throw PeerTransportError.unsupportedScheme(url)
        }
        for url in listen where url.scheme == .https && tls.server == nil {
            throw PeerTransportError.noCertificateForTLS(url)
        }
        for url in listen where url.scheme == .http && tls.server != nil {
            logger.warning(
                "scheme is HTTP while key and cert files are present; ignoring key and cert files",
                metadata: ["peer-url": "\(url)"])
        }
        let router = receiver.router
        var addresses: [SocketAddress] = []
        for url in listen {
            var configuration = GRPCServerConfiguration(
                host: url.host, port: url.port, maxReceiveMessageBytes: PeerWire.maxStreamMessageBytes,
                // Peer streams never end on their own: closing the listener ends them at once.
                shutdownGracePeriod: .zero)
            configuration.tls = url.scheme == .https ? tls.server : nil
            let server = GRPCServer(configuration: configuration, router: router, group: group, logger: logger)
            servers.withLockedValue { $0.append(server) }
            addresses.append(try server.start())
        }
        let links = self.links.withLockedValue { links in
            links.started = true
            return links.byPeer.values
        }
        for link in links { link.start() }
        return addresses
    }

    /// A connection to a peer's `endpoint` for HTTP/2 streams of its own (TLS on an https URL),
    /// as the links open theirs.
    func connect(to endpoint: URLEndpoint, on eventLoop: any EventLoop, timeout: TimeAmount) -> EventLoopFuture<any Channel> {
        PeerLink.makeChannel(to: endpoint, tls: clientTLS, on: eventLoop, timeout: timeout, logger: logger)
    }

    /// A client for unary calls on other members' peer routers, dialled as the links dial.
    func unaryClient(group: any EventLoopGroup) -> PeerUnaryClient {
        PeerUnaryClient(
            memberID: memberID, clusterID: clusterID, group: group, logger: logger,
            connect: { [self] endpoint, eventLoop in connect(to: endpoint, on: eventLoop, timeout: PeerLink.connectTimeout) })
    }

    /// Called from the raft thread after persisting; never blocks, never grows without bound.
    func send(_ messages: [Raft.Message]) {
        let links = self.links.withLockedValue { $0.byPeer }
        var streamed: [UInt64: [Raft.Message]] = [:]
        for message in messages {
            guard links[message.to] != nil else {
                if message.to != memberID { handlers.reportUnreachable(message.to) }
                continue
            }
            if message.type == .snapshot {
                // A MsgSnap travels with a store copy (`sendSnapshot`): without one it means nothing.
                logger.error("dropped a MsgSnap sent without its store copy", metadata: ["to": "\(PeerWire.hex(message.to))"])
                handlers.reportSnapshot(message.to, false)
            } else {
                streamed[message.to, default: []].append(message)
            }
        }
        for (peerID, batch) in streamed {
            links[peerID]!.enqueue(batch)
        }
    }

    /// Sends a MsgSnap with the store copy the apply loop made in `storeDirectory` (removed once
    /// sent; "" when the copy failed). Any thread; checksumming the copy runs on a thread of its own.
    func sendSnapshot(_ message: Raft.Message, storeDirectory: String) {
        guard !storeDirectory.isEmpty, let link = links.withLockedValue({ $0.byPeer[message.to] }) else {
            if !storeDirectory.isEmpty { try? FileManager.default.removeItem(atPath: storeDirectory) }
            handlers.reportSnapshot(message.to, false)
            return
        }
        let handlers = handlers
        let logger = logger
        Thread.detachNewThread {
            do {
                link.sendSnapshot(message, file: try PeerSnapshotFile(directory: storeDirectory))
            } catch {
                logger.warning("reading the store copy for a snapshot failed", metadata: ["error": "\(error)"])
                try? FileManager.default.removeItem(atPath: storeDirectory)
                handlers.reportSnapshot(message.to, false)
            }
        }
    }

    /// Talks to exactly the members of a snapshot installed from the leader (the apply loop).
    func follow(_ snapshot: MembershipSnapshot) {
        for id in snapshot.removedIDs where id != memberID { removePeer(id) }
        for member in snapshot.members where member.id != memberID {
            setPeer(member.id, endpoints: member.peerUrls.compactMap { try? URLEndpoint(parsing: $0) })
        }
        let members = Set(snapshot.members.map(\.id))
        let gone = links.withLockedValue { links in
            let ids = links.byPeer.keys.filter { !members.contains($0) }
            return ids.compactMap { links.byPeer.removeValue(forKey: $0) }
        }
        for link in gone { link.stop() }
    }

    /// Starts talking to a member a configuration change added, or to the new peer URLs of one
    /// it updated (the apply loop). A link to the same URLs is kept: a joining member applies
    /// the additions of members it already talks to.
    func setPeer(_ peerID: UInt64, endpoints: [URLEndpoint]) {
        guard peerID != memberID else { return }
        receiver.allow(peerID)
        if links.withLockedValue({ $0.byPeer[peerID]?.endpoints }) == endpoints { return }
        let link = PeerLink(
            peerID: peerID, memberID: memberID, clusterID: clusterID, endpoints: endpoints, eventLoop: group.next(),
            tls: clientTLS, logger: logger, handlers: handlers)
        let (replaced, started) = links.withLockedValue { links in
            defer { links.byPeer[peerID] = link }
            return (links.byPeer[peerID], links.started)
        }
        replaced?.stop()
        if started { link.start() }
    }

    /// Stops talking to a member a configuration change removed; its messages are refused from now on.
    func removePeer(_ peerID: UInt64) {
        receiver.refuseRemoved(peerID)
        links.withLockedValue { $0.byPeer.removeValue(forKey: peerID) }?.stop()
    }

    /// Stops sending and receiving, closes the listeners and connections. Blocks until the
    /// listeners are closed: call it from outside the event loops.
    func stop() {
        receiver.stop()
        for link in links.withLockedValue({ $0.byPeer.values }) { link.stop() }
        let servers = servers.withLockedValue { servers in
            defer { servers = [] }
            return servers
        }
        for server in servers {
            try? server.shutdownGracefully().wait()
        }
    }

    /// Messages queued for `peer` and not yet written to its stream.
    func queuedMessages(to peer: NodeID) -> Int {
        links.withLockedValue { $0.byPeer[peer] }?.queuedMessages ?? 0
    }

    /// Since when `peer`'s message stream has worked without failing; nil while it does not.
    func connectedSince(_ peer: NodeID) -> NIODeadline? {
        links.withLockedValue { $0.byPeer[peer] }?.connectedSince
    }

    /// Whether `peer` accepted this member's message stream and it has not failed since.
    func isConnected(to peer: NodeID) -> Bool {
        links.withLockedValue { $0.byPeer[peer] }?.isConnected ?? false
    }
}
