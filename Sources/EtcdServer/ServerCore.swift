import EtcdProto
import Foundation
import GRPCTransport
import MVCC
import NIOCore
import Storage

/// What the services call: the store for reads, the log for writes, and the header every
/// response carries.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let identity: ClusterIdentity
    let store: MVCCStore
    let log: SingleNodeLog
    let waiters: ProposalWaiters

    /// The size of the store's file on disk (etcd's `dbSize`).
    var storeFileSize: Int {
        let path = LMDBEnvironment.dataFile(in: DataDirectory(root: configuration.dataDirectory).storeDirectory)
        return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    init(
        configuration: ServerConfiguration, identity: ClusterIdentity, store: MVCCStore, log: SingleNodeLog,
        waiters: ProposalWaiters
    ) {
        self.configuration = configuration
        self.identity = identity
        self.store = store
        self.log = log
        self.waiters = waiters
    }

    func range(_ request: RangeRequest) throws(GRPCStatus) -> RangeResponse {
        do {
            return try store.range(request)
        } catch {
            throw EtcdErrors.status(for: error)
        }
    }

    func readOnlyTxn(_ request: TxnRequest) throws(GRPCStatus) -> TxnResponse {
        do {
            return try store.readOnlyTxn(request)
        } catch {
            throw EtcdErrors.status(for: error)
        }
    }

    /// Proposes a write whose request bytes are `requestBody`; the future completes once the
    /// entry is durable and applied.
    func propose(
        kind: InternalRequest.Kind, requestBody: ByteBuffer, on eventLoop: any EventLoop
    ) -> EventLoopFuture<MVCCWriteResult> {
        // etcd refuses a proposal whose encoded entry exceeds --max-request-bytes.
        if requestBody.readableBytes + InternalRequest.headerSize > configuration.maxRequestBytes {
            return eventLoop.makeFailedFuture(EtcdErrors.requestTooLarge)
        }
        let promise = eventLoop.makePromise(of: MVCCWriteResult.self)
        let proposalID = waiters.register(promise)
        let data = requestBody.withUnsafeReadableBytes {
            InternalRequest.entryData(kind: kind, proposalID: proposalID, request: $0)
        }
        if !log.propose(data) {
            waiters.take(proposalID)?.fail(EtcdErrors.stopped)
        }
        return promise.futureResult
    }

    /// etcd's quota check before proposing a put, a txn or a lease grant: if the store plus
    /// the request's estimated cost would reach the quota, NOSPACE is raised (through the log)
    /// and the request refused. A request that adds nothing (cost 0) always passes.
    func checkQuota(cost: Int, on eventLoop: any EventLoop) throws(GRPCStatus) {
        guard cost > 0, let usedBytes = try? store.usage().usedBytes else { return }
        if Int64(usedBytes + cost) < configuration.effectiveQuotaBytes { return }
        var alarm = AlarmRequest()
        alarm.action = .activate
        alarm.memberId = identity.memberID
        alarm.alarm = .nospace
        _ = propose(kind: .alarm, requestBody: alarm.responseBody(allocator: ByteBufferAllocator()), on: eventLoop)
        throw EtcdErrors.noSpace
    }

    func fillHeader(_ header: inout ResponseHeader?) {
        var filled = header ?? ResponseHeader()
        filled.clusterId = identity.clusterID
        filled.memberId = identity.memberID
        filled.raftTerm = log.currentTerm
        if filled.revision == 0, let revision = try? store.currentRevision() {
            filled.revision = revision
        }
        header = filled
    }

    func encodeReply<Response: ResponseWithHeader>(_ response: Response) -> ByteBuffer {
        var response = response
        fillHeader(&response.header)
        return response.responseBody(allocator: ByteBufferAllocator())
    }

    /// The reply to a KV write.
    func encodeReply(_ response: MVCCResponse) throws(GRPCStatus) -> ByteBuffer {
        switch response {
        case .put(let put): return encodeReply(put)
        case .deleteRange(let delete): return encodeReply(delete)
        case .txn(let txn): return encodeReply(txn)
        case .compact(let compact): return encodeReply(compact)
        case .leaseGranted, .leaseRevoked, .leaseCheckpointed, .alarm, .downgradeInfoSet:
            throw EtcdErrors.unexpectedApplyResult
        }
    }
}
