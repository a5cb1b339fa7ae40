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
    private let grpcServer: GRPCServer
    private let logger: Logger

    /// Where the client listener is bound (port 0 in the configuration picks a free one).
    public let clientAddress: SocketAddress

    /// Opens (or creates) the data directory, replays the WAL into the store, and starts serving.
    public static func start(configuration: ServerConfiguration, logger: Logger) throws -> EtcdServer {
        try configuration.validate()
        let layout = DataDirectory(root: configuration.dataDirectory)
        try layout.prepare()

        let wal: WAL
        let identity: ClusterIdentity
        let replayed: [CommittedEntry]
        let previousTerm: UInt64
        if WAL.exists(directory: layout.walDirectory) {
            let (opened, replay) = try WAL.open(directory: layout.walDirectory)
            wal = opened
            if let repair = replay.repairedTail {
                logger.warning("repaired a torn WAL tail", metadata: ["repair": "\(repair)"])
            }
            identity = try ClusterIdentity(walMetadata: replay.metadata)
            replayed = replay.entries.map { CommittedEntry(index: $0.index, term: $0.term, data: $0.data) }
            previousTerm = replay.hardState?.term ?? 1
            logger.info("restarting member", metadata: [
                "member-id": "\(identity.memberID.hex)", "cluster-id": "\(identity.clusterID.hex)",
                "entries": "\(replayed.count)",
            ])
        } else {
            identity = ClusterIdentity.initial(for: configuration)
            wal = try WAL.create(directory: layout.walDirectory, metadata: identity.walMetadata)
            replayed = []
            previousTerm = 1
            logger.info("starting new member", metadata: [
                "member-id": "\(identity.memberID.hex)", "cluster-id": "\(identity.clusterID.hex)",
            ])
        }

        let store = try MVCCStore(directory: layout.storeDirectory)
        let waiters = ProposalWaiters(seed: UInt64(Date().timeIntervalSince1970 * 1000) << 20)
        let log = try SingleNodeLog(
            wal: wal, lastIndex: replayed.last?.index ?? 0, previousTerm: previousTerm,
            memberID: identity.memberID, logger: logger)
        let watchHub = try WatchHub(store: store, encoder: WatchResponseEncoder(
            clusterID: identity.clusterID, memberID: identity.memberID, raftTerm: log.currentTerm,
            fragmentThreshold: configuration.maxRequestBytes + ServerConfiguration.grpcOverheadBytes))
        let lessor = Lessor(records: try store.leases(), minTTL: configuration.minimumLeaseTTL)
        let applyLoop = ApplyLoop(store: store, waiters: waiters, watchHub: watchHub, lessor: lessor, logger: logger)
        try applyLoop.replay(replayed)
        let core = ServerCore(
            configuration: configuration, identity: identity, store: store, log: log, waiters: waiters)
        return try EtcdServer(core: core, applyLoop: applyLoop, watchHub: watchHub, lessor: lessor, logger: logger)
    }

    private init(core: ServerCore, applyLoop: ApplyLoop, watchHub: WatchHub, lessor: Lessor, logger: Logger) throws {
        self.configuration = core.configuration
        self.identity = core.identity
        self.core = core
        self.applyLoop = applyLoop
        self.watchHub = watchHub
        self.lessor = lessor
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

        applyLoop.start()
        core.log.start(deliver: { [applyLoop] entries in applyLoop.enqueue(entries) })

        var router = GRPCRouter()
        KVService(server: core).register(in: &router)
        var watchLimits = WatchLimits()
        watchLimits.progressNotifyInterval = .milliseconds(Int64(configuration.watchProgressNotifyIntervalMilliseconds))
        WatchService(hub: watchHub, limits: watchLimits).register(in: &router)
        let leaseIDs = LeaseIDGenerator(
            memberID: identity.memberID, startMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
        LeaseService(server: core, lessor: lessor, leaseIDs: leaseIDs).register(in: &router)
        let recipes = ConcurrencyRecipes(server: core, hub: watchHub, lessor: lessor, leaseIDs: leaseIDs)
        LockService(recipes: recipes).register(in: &router)
        ElectionService(recipes: recipes).register(in: &router)
        ClusterService(server: core).register(in: &router)
        MaintenanceService(server: core, logger: logger).register(in: &router)
        HealthService().register(in: &router)
        let listen = configuration.listenClientURLs[0]
        var grpcConfiguration = GRPCServerConfiguration(host: listen.host, port: listen.port)
        grpcConfiguration.maxReceiveMessageBytes = configuration.maxRequestBytes + ServerConfiguration.grpcOverheadBytes
        grpcServer = GRPCServer(
            configuration: grpcConfiguration, router: router, http1Handler: nil, group: group, logger: logger)
        clientAddress = try grpcServer.start()
        autoCompactor =
            if let policy = configuration.autoCompactionPolicy {
                AutoCompactor(policy: policy, core: core, on: group.next(), logger: logger)
            } else {
                nil
            }
        startLeaseTimers()
        logger.info("serving client requests", metadata: ["address": "\(clientAddress)"])
    }

    /// Stops accepting, lets in-flight calls finish, makes every accepted write durable and
    /// applied, then closes storage.
    public func shutdown() {
        // Watch streams never end on their own: end them so the graceful shutdown need not wait.
        watchHub.close()
        try? grpcServer.shutdownGracefully().wait()
        for timer in leaseTimers.withLockedValue({ $0 }) { timer.cancel() }
        autoCompactor?.stop()
        // Record where every lease stands, so the restart resumes them rather than renewing them.
        _ = try? proposeLeaseCheckpoints()?.wait()
        core.log.stop()
        applyLoop.stop()
        core.waiters.failAll(with: EtcdErrors.stopped)
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
            for id in lessor.leasesToRevoke(limit: 500) {
                _ = core.propose(
                    kind: .leaseRevoke, requestBody: LeaseRevokeRequest(id: id).responseBody(allocator: ByteBufferAllocator()),
                    on: loop)
            }
        }
        let interval = TimeAmount.milliseconds(Int64(configuration.leaseCheckpointIntervalMilliseconds))
        let checkpoint = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            _ = proposeLeaseCheckpoints()
        }
        leaseTimers.withLockedValue { $0 = [expiry, checkpoint] }
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
