import EtcdProto
import Foundation
import GRPCTransport
import Logging
import MVCC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProtoWire
import Storage

/// One swift-etcd member: storage, the replicated log, the apply loop and the client API.
///
/// Reads run on the caller's event loop against an LMDB read transaction; writes are proposed
/// to the log and answered by the apply loop. Nothing here takes a global lock on the read path.
public final class EtcdServer: Sendable {
    public let configuration: ServerConfiguration
    public let identity: ClusterIdentity
    let core: ServerCore
    private let applyLoop: ApplyLoop
    private let watchHub: WatchHub
    private let lessor: Lessor
    private let leaseTimers: NIOLockedValueBox<[RepeatedTask]> = NIOLockedValueBox([])
    private let autoCompactor: AutoCompactor?
    private let group: MultiThreadedEventLoopGroup
    /// One per --listen-client-urls entry, then one per --listen-metrics-urls entry.
    private let clientListeners: [GRPCServer]
    private let peerTransport: PeerTransport
    private let removal: RemovalNotice
    private let logger: Logger

    /// Where the first client listener is bound (port 0 in the configuration picks a free one).
    public let clientAddress: SocketAddress

    /// Opens (or creates) the data directory, replays the WAL into the store, and starts serving.
    public static func start(configuration: ServerConfiguration, logger: Logger) throws -> EtcdServer {
        try configuration.validate()
        // As Go's runtime does for etcd: a file-size limit (ulimit -f) makes the write that crosses
        // it fail with EFBIG, which is reported naming the file, instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        if let faults = activeDiskFaults {
            logger.warning("injecting disk faults", metadata: ["\(DiskFaultPlan.environmentVariable)": "\(faults)"])
        }
        // An etcd member's directory (or etcdctl snapshot restore's output) becomes swift-etcd's first.
        try EtcdTakeover.convertIfNeeded(
            dataDirectory: configuration.dataDirectory, bcryptCost: configuration.bcryptCost, logger: logger)
        let layout = DataDirectory(root: configuration.dataDirectory)
        try layout.prepare()

        let wal: WAL
        let identity: ClusterIdentity
        let replay: WALReplay?
        if WAL.exists(directory: layout.walDirectory) {
            let (opened, replayed) = try WAL.open(directory: layout.walDirectory)
            wal = opened
            if let repair = replayed.repairedTail {
                logger.warning("repaired a torn WAL tail", metadata: ["repair": "\(repair)"])
            }
            identity = try ClusterIdentity(walMetadata: replayed.metadata, configuration: configuration)
            replay = replayed
            logger.info("restarting member", metadata: [
                "member-id": "\(identity.memberID.hex)", "cluster-id": "\(identity.clusterID.hex)",
                "entries": "\(replayed.entries.count)",
            ])
        } else {
            if configuration.initialClusterState == .existing {
                identity = try ClusterJoin.identity(
                    configuration: configuration, tls: try PeerTLS.resolve(configuration, logger: logger), logger: logger)
                logger.info("joining an existing cluster", metadata: [
                    "member-id": "\(identity.memberID.hex)", "cluster-id": "\(identity.clusterID.hex)",
                    "members": "\(identity.members.map(\.id.hex).joined(separator: ","))",
                ])
            } else {
                identity = ClusterIdentity.initial(for: configuration)
                logger.info("starting new member", metadata: [
                    "member-id": "\(identity.memberID.hex)", "cluster-id": "\(identity.clusterID.hex)",
                ])
            }
            wal = try WAL.create(directory: layout.walDirectory, metadata: identity.walMetadata)
            replay = nil
        }

        let snapshotter = try Snapshotter(directory: layout.snapshotDirectory)
        let snapshotSettings = SnapshotSettings(count: UInt64(configuration.snapshotCount), directory: layout.snapshotDirectory)
        let snapshot = try replay?.snapshot.map { marker in try snapshotter.load(index: marker.index, term: marker.term) }
        let snapshotMembership = try snapshot.map { try MembershipSnapshot(serializedBytes: $0.membership) }
        if configuration.effectiveQuotaBytes > 8 << 30 {
            // etcd's warning for a quota past its MaxQuotaBytes.
            logger.warning("quota exceeds the maximum value", metadata: [
                "quota-size-bytes": "\(configuration.effectiveQuotaBytes)", "quota-maximum-size-bytes": "\(8 << 30)",
            ])
        }
        let store = try MVCCStore(directory: layout.storeDirectory, options: MVCCOptions(mapSize: configuration.storeMapBytes))
        if let snapshot, try store.appliedIndex() < snapshot.index {
            // A leader's snapshot whose install a crash interrupted: its store copy is complete.
            let received = snapshotSettings.receivedStoreFile(index: snapshot.index)
            guard FileManager.default.fileExists(atPath: received) else {
                throw ConfigurationError.invalid(
                    "the store in \(layout.storeDirectory) is at index \(try store.appliedIndex()), behind the snapshot at index \(snapshot.index), and \(received) is missing")
            }
            try store.installSnapshot(dataFile: received)
            logger.info("installed the snapshot's store after a restart", metadata: ["snapshot-index": "\(snapshot.index)"])
        }
        let startMilliseconds = UInt64(Date().timeIntervalSince1970 * 1000)
        let waiters = ProposalWaiters(memberID: identity.memberID, startMilliseconds: startMilliseconds)
        let log = try RaftReplicatedLog(
            wal: wal, snapshot: snapshot, entries: replay?.entries ?? [], hardState: replay?.hardState,
            memberID: identity.memberID, configuration: identity.raftConfiguration, snapshotter: snapshotter,
            snapshots: snapshotSettings, catchUpEntries: UInt64(configuration.snapshotCatchUpEntries),
            heartbeatMilliseconds: configuration.heartbeatIntervalMilliseconds,
            electionMilliseconds: configuration.electionTimeoutMilliseconds, logger: logger)
        if let snapshot {
            logger.info("recovered from snapshot", metadata: [
                "snapshot-index": "\(snapshot.index)", "snapshot-term": "\(snapshot.term)",
                "entries-after": "\(replay?.entries.count ?? 0)",
            ])
        }
        let watchHub = try WatchHub(store: store, encoder: WatchResponseEncoder(
            clusterID: identity.clusterID, memberID: identity.memberID, consensus: log.status,
            fragmentThreshold: configuration.maxRequestBytes + ServerConfiguration.grpcOverheadBytes))
        let lessor = Lessor(records: try store.leases(), minTTL: configuration.minimumLeaseTTL)
        let membership = Membership(
            bootstrap: snapshotMembership?.members ?? identity.members, removedIDs: snapshotMembership?.removedIDs ?? [],
            published: try store.publishedMembers(), localID: identity.memberID)
        // This member knows its own attributes before it has published them.
        membership.published(ownAttributes(configuration: configuration, identity: identity))
        let peerTransport = NIOLockedValueBox<PeerTransport?>(nil)
        let removal = RemovalNotice(logger: logger, dataDirectory: configuration.dataDirectory)
        // Two threads: a flood of Authenticate calls queues there instead of taking every core.
        let hashing = NIOThreadPool(numberOfThreads: 2)
        hashing.start()
        let auth: ServerAuth
        do {
            auth = try ServerAuth(state: try store.authState(), configuration: configuration, hashing: hashing)
        } catch {
            try? hashing.syncShutdownGracefully()
            throw error
        }
        let applyLoop = try ApplyLoop(
            store: store, waiters: waiters, watchHub: watchHub, lessor: lessor, membership: membership, auth: auth,
            logger: logger, snapshots: snapshotSettings,
            hooks: SnapshotHooks(
                taken: { [weak log] snapshot in log?.snapshotTaken(snapshot) },
                send: { message, directory in
                    if let transport = peerTransport.withLockedValue({ $0 }) {
                        transport.sendSnapshot(message, storeDirectory: directory)
                    } else {
                        try? FileManager.default.removeItem(atPath: directory)
                    }
                },
                installed: { snapshot in
                    if snapshot.removedIDs.contains(identity.memberID) { removal.removed() }
                    peerTransport.withLockedValue { $0 }?.follow(snapshot)
                }),
            lastSnapshotIndex: snapshot?.index ?? 0, appliedTerm: log.restoredTerm(at: try store.appliedIndex()),
            // Weak: the log's handlers hold the apply loop, and a cycle would keep the store's
            // LMDB environment open after shutdown.
            configurationChangeApplied: { [weak log] change, membershipChange in
                log?.configurationChangeApplied(change)
                let transport = peerTransport.withLockedValue { $0 }
                switch membershipChange {
                case .add(let member):
                    transport?.setPeer(member.id, endpoints: member.peerUrls.compactMap { try? URLEndpoint(parsing: $0) })
                case .updatePeerURLs(let id, let urls):
                    transport?.setPeer(id, endpoints: urls.compactMap { try? URLEndpoint(parsing: $0) })
                case .remove(let id) where id == identity.memberID:
                    removal.removed()
                case .remove(let id):
                    transport?.removePeer(id)
                }
            })
        // What the WAL holds as committed is applied before any client is served; Raft delivers
        // it again once it runs, and the apply loop skips what is applied.
        try applyLoop.replay(log.committedEntriesInWAL())
        let core = ServerCore(
            configuration: configuration, identity: identity, store: store, log: log, waiters: waiters,
            appliedIndex: applyLoop.appliedIndex, membership: membership, auth: auth, peerTransport: peerTransport)
        let server = try EtcdServer(
            core: core, log: log, applyLoop: applyLoop, watchHub: watchHub, lessor: lessor, logger: logger,
            restarted: replay != nil, removal: removal)
        peerTransport.withLockedValue { $0 = server.peerTransport }
        return server
    }

    /// Signalled once a committed configuration change removed this member: it should stop
    /// (etcd's member stops itself then).
    public func waitUntilRemovedFromCluster() {
        removal.wait()
    }

    private init(
        core: ServerCore, log: RaftReplicatedLog, applyLoop: ApplyLoop, watchHub: WatchHub, lessor: Lessor, logger: Logger,
        restarted: Bool, removal: RemovalNotice
    ) throws {
        self.removal = removal
        self.configuration = core.configuration
        self.identity = core.identity
        self.core = core
        self.applyLoop = applyLoop
        self.watchHub = watchHub
        self.lessor = lessor
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

        var peers: [UInt64: [URLEndpoint]] = [:]
        for member in core.membership.list where member.id != core.identity.memberID {
            peers[member.id] = try member.peerUrls.map { (url) throws(ConfigurationError) in try URLEndpoint(parsing: url) }
        }
        peerTransport = try PeerTransport(
            memberID: core.identity.memberID, clusterID: core.identity.clusterID, peers: peers,
            listen: core.configuration.listenPeerURLs, tls: try PeerTLS.resolve(core.configuration, logger: logger),
            group: group, logger: logger,
            handlers: PeerTransport.Handlers(
                // Weak: the log holds the transport as its sender.
                deliver: { [weak log] message in log?.receive(message) },
                reportUnreachable: { [weak log] member in log?.reportUnreachable(member) },
                reportSnapshot: { [weak log] member, succeeded in log?.reportSnapshot(to: member, succeeded: succeeded) },
                hashKV: { [store = core.store, identity = core.identity] request in
                    store.peerHashKV(revision: request.revision, clusterID: identity.clusterID, memberID: identity.memberID)
                },
                members: { [membership = core.membership, identity = core.identity] in
                    MemberListResponse(
                        header: ResponseHeader(clusterId: identity.clusterID, memberId: identity.memberID),
                        members: membership.list)
                },
                // Weak: the core holds the transport.
                promote: { [weak core] request, eventLoop in
                    core?.promoteMember(request.id, on: eventLoop) ?? eventLoop.makeFailedFuture(EtcdErrors.stopped)
                },
                removedFromCluster: { removal.removed() }),
            snapshots: SnapshotSettings(
                count: UInt64(core.configuration.snapshotCount),
                directory: DataDirectory(root: core.configuration.dataDirectory).snapshotDirectory))
        log.attach(sender: peerTransport)
        let peerAddresses = try peerTransport.start()
        logger.info("listening for peers", metadata: ["addresses": "\(peerAddresses.map(\.description).joined(separator: ","))"])

        applyLoop.start()
        // The handlers capture neither `core` nor `self`: the log holds them, and a cycle would
        // keep the store's LMDB environment open after shutdown.
        let leaderGrace = TimeAmount.milliseconds(Int64(core.configuration.electionTimeoutMilliseconds))
        let memberHex = core.identity.memberID.hex
        log.start(handlers: ReplicatedLogHandlers(
            deliver: { [applyLoop] entries in applyLoop.enqueue(entries) },
            proposalFailed: { [waiters = core.waiters] id, failure in waiters.fail(id, with: EtcdErrors.status(for: failure)) },
            leadershipChanged: { [lessor, logger] isLeader in
                if isLeader {
                    lessor.promote(grace: leaderGrace)
                    logger.info("became the leader", metadata: ["member-id": "\(memberHex)"])
                }
            },
            leaderLost: { [waiters = core.waiters] in waiters.leaderLost() },
            snapshotRequested: { [applyLoop] message in applyLoop.prepareSnapshot(for: message) }))
        // etcd checks only a member that has data already (not one starting a new cluster).
        if core.configuration.initialCorruptCheck && restarted {
            do throws(InitialCorruptCheckError) {
                try InitialCorruptCheck.run(
                    store: core.store, identity: core.identity, configuration: core.configuration, peers: peers,
                    transport: peerTransport, group: group, logger: logger)
            } catch {
                log.stop()
                peerTransport.stop()
                applyLoop.stop()
                try? group.syncShutdownGracefully()
                throw error
            }
        }

        var router = GRPCRouter()
        // clientv3's WithRequireLeader: a member without a leader refuses such calls at once.
        router.admission = { [status = core.log.status, membership = core.membership, auth = core.auth] context in
            // A learner serves Status and serializable Ranges only (KVService checks the latter).
            if membership.isLocalLearner, context.path != MaintenanceService.statusPath, context.path != KVService.rangePath {
                return EtcdErrors.notSupportedForLearner
            }
            if status.leader == 0, context.metadata("hasleader") == "true" { return EtcdErrors.noLeader }
            guard let wording = ServerAuth.rootOnlyMethods[context.path] else { return nil }
            do throws(GRPCStatus) {
                try auth.requester(context)?.checkAdmin()
                return nil
            } catch {
                return wording == .auth ? error.asAuthPackageError : error
            }
        }
        KVService(server: core).register(in: &router)
        var watchLimits = WatchLimits()
        watchLimits.progressNotifyInterval = .milliseconds(Int64(configuration.watchProgressNotifyIntervalMilliseconds))
        WatchService(hub: watchHub, limits: watchLimits, auth: core.auth).register(in: &router)
        let leaseIDs = LeaseIDGenerator(
            memberID: identity.memberID, startMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
        LeaseService(server: core, lessor: lessor, leaseIDs: leaseIDs).register(in: &router)
        let recipes = ConcurrencyRecipes(server: core, hub: watchHub, lessor: lessor, leaseIDs: leaseIDs)
        LockService(recipes: recipes).register(in: &router)
        ElectionService(recipes: recipes).register(in: &router)
        ClusterService(server: core).register(in: &router)
        AuthService(server: core).register(in: &router)
        MaintenanceService(server: core, logger: logger).register(in: &router)
        HealthService().register(in: &router)
        let clientTLS = try ClientTLS.resolve(configuration, logger: logger)
        let listenerConfiguration = { [configuration = core.configuration] (url: URLEndpoint) in
            Self.clientListenerConfiguration(url, configuration: configuration, tls: clientTLS)
        }
        // etcd's gateway dials its own gRPC server; this one calls the router in process.
        let gatewayChannel = GRPCLocalChannel(router: router, configuration: listenerConfiguration(configuration.listenClientURLs[0]))
        // Every --listen-client-urls entry is a listener of its own, as in etcd; all share one router.
        var listeners: [GRPCServer] = []
        for url in configuration.listenClientURLs {
            let listener = listenerConfiguration(url)
            let endpoints = ClientHTTPEndpoints(
                core: core, router: router, gatewayChannel: gatewayChannel, listenerIsSecure: listener.tls != nil)
            listeners.append(
                GRPCServer(configuration: listener, router: router, http1Handler: endpoints.handler, group: group, logger: logger))
        }
        // etcd's --listen-metrics-urls serve /metrics and /health alone, with the client TLS on https.
        let metricsOnly = MetricsListenerEndpoints(core: core, router: router)
        for url in configuration.listenMetricsURLs {
            listeners.append(
                GRPCServer(
                    configuration: listenerConfiguration(url), router: GRPCRouter(), http1Handler: metricsOnly.handler,
                    group: group, logger: logger))
        }
        clientListeners = listeners
        var addresses: [SocketAddress] = []
        for listener in listeners {
            addresses.append(try listener.start())
        }
        clientAddress = addresses[0]
        for (url, address) in zip(configuration.listenMetricsURLs, addresses.dropFirst(configuration.listenClientURLs.count)) {
            logger.info("serving metrics", metadata: ["url": "\(url)", "address": "\(address)"])
        }
        autoCompactor =
            if let policy = configuration.autoCompactionPolicy {
                AutoCompactor(policy: policy, core: core, on: group.next(), logger: logger)
            } else {
                nil
            }
        startLeaseTimers()
        startTimeoutSweeper()
        if configuration.corruptCheckIntervalMilliseconds > 0 {
            let check = PeriodicCorruptCheck(core: core, eventLoop: group.next(), logger: logger)
            let task = check.start(interval: .milliseconds(Int64(configuration.corruptCheckIntervalMilliseconds)))
            leaseTimers.withLockedValue { $0.append(task) }
        }
        for address in addresses.prefix(configuration.listenClientURLs.count) {
            logger.info("serving client requests", metadata: ["address": "\(address)"])
        }
        publish(attempt: 1)
    }

    private static func clientListenerConfiguration(
        _ url: URLEndpoint, configuration: ServerConfiguration, tls: GRPCTLSConfiguration?
    ) -> GRPCServerConfiguration {
        var listener = GRPCServerConfiguration(host: url.host, port: url.port)
        listener.maxReceiveMessageBytes = configuration.maxRequestBytes + ServerConfiguration.grpcOverheadBytes
        listener.maxConcurrentStreams = configuration.maxConcurrentStreams
        if url.scheme == .https { listener.tls = tls }
        return listener
    }

    private static func ownAttributes(configuration: ServerConfiguration, identity: ClusterIdentity) -> Member {
        Member(id: identity.memberID, name: configuration.name, clientUrls: configuration.advertiseClientURLs.map(\.description))
    }

    /// Publishes this member's name and client URLs through the log, retrying until it is
    /// applied (etcd's `publish`), then logs the lines etcd's tooling waits for.
    private func publish(attempt: Int) {
        let attributes = Self.ownAttributes(configuration: configuration, identity: identity)
        let loop = group.next()
        core.propose(kind: .memberAttributes, requestBody: attributes.responseBody(allocator: ByteBufferAllocator()), on: loop)
            .whenComplete { [self] outcome in
                switch outcome {
                case .success:
                    logger.info("published {Name:\(attributes.name) ClientURLs:[\(attributes.clientUrls.joined(separator: " "))]} to cluster \(identity.clusterID.hex)")
                    logger.info("ready to serve client requests")
                    logger.info("enabled capabilities for version 3.5")
                case .failure(let error):
                    if (error as? GRPCStatus) == EtcdErrors.stopped { return }
                    if attempt == 1 || attempt % 10 == 0 {
                        logger.warning("failed to publish local member to cluster through raft; retrying", metadata: ["error": "\(error)"])
                    }
                    loop.scheduleTask(in: .milliseconds(500)) { self.publish(attempt: attempt + 1) }
                }
            }
    }

    /// Fails the replies of proposals older than etcd's request timeout (a proposal forwarded
    /// to a leader that died, or cut off by a partition, is never applied here).
    private func startTimeoutSweeper() {
        let task = group.next().scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .milliseconds(500)) { [core] _ in
            core.waiters.failExpired()
            core.auth.tokens.removeExpired()
        }
        leaseTimers.withLockedValue { $0.append(task) }
    }

    /// Stops accepting, lets in-flight calls finish, makes every accepted write durable and
    /// applied, then closes storage.
    public func shutdown() {
        // Watch streams never end on their own: end them so the graceful shutdown need not wait.
        watchHub.close()
        let listenersClosed = clientListeners.map { $0.shutdownGracefully() }
        for closed in listenersClosed { try? closed.wait() }
        for timer in leaseTimers.withLockedValue({ $0 }) { timer.cancel() }
        autoCompactor?.stop()
        // Record where every lease stands, so the restart resumes them rather than renewing them.
        if core.log.status.isLeader { _ = try? proposeLeaseCheckpoints()?.wait() }
        core.log.stop()
        peerTransport.stop()
        applyLoop.stop()
        core.waiters.failAll(with: EtcdErrors.stopped)
        core.auth.shutdown()
        try? group.syncShutdownGracefully()
    }
}

extension EtcdServer {
    /// Expired leases are revoked through the log (at most etcd's 1000 per second), and every
    /// lease's remaining TTL is checkpointed periodically.
    private func startLeaseTimers() {
        let loop = group.next()
        let revokeTick = TimeAmount.milliseconds(500)
        let expiry = loop.scheduleRepeatedTask(initialDelay: revokeTick, delay: revokeTick) { [core, lessor] _ in
            // Only the leader expires leases (etcd's lessor is demoted on followers).
            guard core.log.status.isLeader else { return }
            for id in lessor.leasesToRevoke(limit: 500) {
                _ = core.propose(
                    kind: .leaseRevoke, requestBody: LeaseRevokeRequest(id: id).responseBody(allocator: ByteBufferAllocator()),
                    on: loop)
            }
        }
        let interval = TimeAmount.milliseconds(Int64(configuration.leaseCheckpointIntervalMilliseconds))
        let checkpoint = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            guard core.log.status.isLeader else { return }
            _ = proposeLeaseCheckpoints()
        }
        leaseTimers.withLockedValue { $0 += [expiry, checkpoint] }
    }

    private func proposeLeaseCheckpoints() -> EventLoopFuture<MVCCWriteResult>? {
        let checkpoints = lessor.checkpoints()
        if checkpoints.isEmpty { return nil }
        let request = LeaseCheckpointRequest(checkpoints: checkpoints)
        return core.propose(
            kind: .leaseCheckpoint, requestBody: request.responseBody(allocator: ByteBufferAllocator()), on: group.next())
    }
}

/// Responses that carry etcd's `ResponseHeader`.
protocol ResponseWithHeader: ProtoMessage {
    var header: ResponseHeader? { get set }
}

extension RangeResponse: ResponseWithHeader {}
extension PutResponse: ResponseWithHeader {}
extension DeleteRangeResponse: ResponseWithHeader {}
extension TxnResponse: ResponseWithHeader {}
extension CompactionResponse: ResponseWithHeader {}

extension UInt64 {
    var hex: String { String(self, radix: 16) }
}

extension PeerTransport: RaftMessageSender {}
