import EtcdProto
import Foundation
import GRPCTransport
import MVCC
import NIOConcurrencyHelpers
import NIOCore
import Raft
import Storage

/// What the services call: the store for reads, the log for writes, and the header every
/// response carries.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let identity: ClusterIdentity
    let store: MVCCStore
    let log: any ReplicatedLog
    let waiters: ProposalWaiters
    let appliedIndex: AppliedIndex
    let membership: Membership
    let auth: ServerAuth
    /// The peer transport, once it exists (it is made after the core): how long each peer's
    /// stream has worked, for etcd's reconfiguration checks.
    let peerTransport: NIOLockedValueBox<PeerTransport?>
    /// etcd's request timeout: 5 s plus two election timeouts.
    let requestTimeout: TimeAmount

    /// The size of the store's file on disk (etcd's `dbSize`).
    var storeFileSize: Int {
        let path = LMDBEnvironment.dataFile(in: DataDirectory(root: configuration.dataDirectory).storeDirectory)
        return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    init(
        configuration: ServerConfiguration, identity: ClusterIdentity, store: MVCCStore, log: any ReplicatedLog,
        waiters: ProposalWaiters, appliedIndex: AppliedIndex, membership: Membership, auth: ServerAuth,
        peerTransport: NIOLockedValueBox<PeerTransport?>
    ) {
        self.membership = membership
        self.auth = auth
        self.peerTransport = peerTransport
        self.configuration = configuration
        self.identity = identity
        self.store = store
        self.log = log
        self.waiters = waiters
        self.appliedIndex = appliedIndex
        self.requestTimeout = .milliseconds(Int64(configuration.requestTimeoutMilliseconds))
    }

    /// Whether other members share the log: then every lease renewal goes through it.
    var isClustered: Bool { membership.count > 1 }

    /// A linearizable read may run once this completes (nil: at once): it reflects every write
    /// acknowledged before it began (etcd's ReadIndex, then a wait until applied).
    func linearizableReadBarrier(on eventLoop: any EventLoop) -> EventLoopFuture<Void>? {
        let status = log.status
        if status.isSoleVoterLeader {
            // The only voter leads: its commit index is the read index. Every acknowledged
            // write is applied before its reply, so the common case waits for nothing.
            let index = status.commitIndex
            if appliedIndex.value >= index { return nil }
            let promise = eventLoop.makePromise(of: Void.self)
            appliedIndex.wait(for: index, promise)
            return promise.futureResult
        }
        let promise = eventLoop.makePromise(of: Void.self)
        let timeout = eventLoop.scheduleTask(in: requestTimeout) { promise.fail(EtcdErrors.timeout) }
        let appliedIndex = self.appliedIndex
        log.readIndex { result in
            switch result {
            case .success(let index): appliedIndex.wait(for: index, promise)
            case .failure(let failure): promise.fail(EtcdErrors.status(for: failure))
            }
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
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
    /// entry is durable and applied. With `authRevision`, the write is applied only if the auth
    /// store is still at that revision (its permissions were checked there).
    func propose(
        kind: InternalRequest.Kind, requestBody: ByteBuffer, authRevision: UInt64? = nil, on eventLoop: any EventLoop
    ) -> EventLoopFuture<MVCCWriteResult> {
        if let authRevision {
            var checked = ByteBuffer(bytes: InternalRequest.authCheckedPrefix(authRevision: authRevision, kind: kind))
            checked.writeImmutableBuffer(requestBody)
            return propose(kind: .authChecked, requestBody: checked, on: eventLoop)
        }
        // etcd refuses a proposal whose encoded entry exceeds --max-request-bytes.
        if requestBody.readableBytes + InternalRequest.headerSize > configuration.maxRequestBytes {
            return eventLoop.makeFailedFuture(EtcdErrors.requestTooLarge)
        }
        let promise = eventLoop.makePromise(of: MVCCWriteResult.self)
        let proposalID = waiters.register(promise, deadline: .now() + requestTimeout)
        let data = requestBody.withUnsafeReadableBytes {
            InternalRequest.entryData(kind: kind, proposalID: proposalID, request: $0)
        }
        log.propose(data, proposalID: proposalID)
        return promise.futureResult
    }

    /// etcd's `isConnectedSince` over `members` (this member counts as connected): how many
    /// peers' streams have worked for at least etcd's health interval, 5 s.
    func membersConnectedForHealthInterval(_ members: [Member]) -> Int {
        let transport = peerTransport.withLockedValue { $0 }
        let since = NIODeadline.now() - .seconds(5)
        return members.filter { member in
            if member.id == identity.memberID { return true }
            guard let connected = transport?.connectedSince(member.id) else { return false }
            return connected < since
        }.count
    }

    /// Proposes a membership change; the future completes once every member's log has it
    /// applied here (the member list then reflects it).
    func proposeMembershipChange(
        type: ConfChangeType, memberID: UInt64, member: Member?, on eventLoop: any EventLoop
    ) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: MVCCWriteResult.self)
        let proposalID = waiters.register(promise, deadline: .now() + requestTimeout)
        log.proposeConfigurationChange(ConfChange(
            id: proposalID, type: type, nodeID: memberID, context: member?.serializedBytes() ?? []))
        return promise.futureResult.map { _ in }
    }

    /// etcd's quota check before proposing a put, a txn or a lease grant: if the store plus
    /// the request's estimated cost would reach the quota, NOSPACE is raised (through the log)
    /// and the request refused. A request that adds nothing (cost 0) always passes.
    func checkQuota(cost: Int, on eventLoop: any EventLoop) throws(GRPCStatus) {
        guard cost > 0, let usage = try? store.usage() else { return }
        let countedBytes = usage.usedBytes - store.quotaExemptBytes(pageSize: usage.pageSize)
        if Int64(countedBytes + cost) < configuration.effectiveQuotaBytes { return }
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
        filled.raftTerm = log.status.term
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
        case .leaseGranted, .leaseRevoked, .leaseCheckpointed, .alarm, .downgradeInfoSet, .memberAttributesSet,
             .membershipChanged, .auth:
            throw EtcdErrors.unexpectedApplyResult
        }
    }
}
