import EtcdProto
import GRPCTransport
import MVCC
import NIOCore
import ProtoWire

/// `etcdserverpb.Lease`: grants and revocations go through the log; renewals, time-to-live and
/// listing are answered by the lessor, as etcd's leader answers them.
struct LeaseService: Sendable {
    let server: ServerCore
    let lessor: Lessor
    let leaseIDs: LeaseIDGenerator

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Lease/LeaseGrant", .unary { body, context in
            var request: LeaseGrantRequest
            do {
                request = try LeaseGrantRequest(requestBody: body)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            // etcd refuses an over-long TTL and raises a short one to the minimum; doing both
            // before proposing keeps the log entry the exact grant every member applies.
            if request.ttl > Lessor.maxTTL { return context.eventLoop.makeFailedFuture(EtcdErrors.leaseTTLTooLarge) }
            do throws(GRPCStatus) {
                // etcd's `leaseOverhead`.
                try server.checkQuota(cost: 64, on: context.eventLoop)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            request.ttl = max(request.ttl, lessor.minTTL)
            if request.id == 0 { request.id = leaseIDs.next() }
            return propose(.leaseGrant, request, on: context.eventLoop) { response throws(GRPCStatus) in
                guard case .leaseGranted(let record, let revision) = response else { throw EtcdErrors.unexpectedApplyResult }
                var reply = LeaseGrantResponse(id: record.id, ttl: record.ttl)
                var header = ResponseHeader()
                header.revision = revision
                reply.header = header
                return server.encodeReply(reply)
            }
        })
        router.register("/etcdserverpb.Lease/LeaseRevoke", .unary { body, context in
            let request: LeaseRevokeRequest
            do {
                request = try LeaseRevokeRequest(requestBody: body)
                if let requester = try server.auth.requester(context) {
                    try server.checkLeaseKeysWritable(request.id, by: requester)
                }
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return propose(.leaseRevoke, request, on: context.eventLoop) { response throws(GRPCStatus) in
                // etcd's header is made as the revocation is applied, not when the reply is sent.
                guard case .leaseRevoked(_, let revision) = response else { throw EtcdErrors.unexpectedApplyResult }
                var reply = LeaseRevokeResponse()
                var header = ResponseHeader()
                header.revision = revision
                reply.header = header
                return server.encodeReply(reply)
            }
        })
        router.register("/etcdserverpb.Lease/LeaseTimeToLive", .immediate { body, context throws(GRPCStatus) in
            let request = try LeaseTimeToLiveRequest(requestBody: body)
            let requester = try server.auth.requester(context)
            var response = LeaseTimeToLiveResponse()
            response.id = request.id
            // etcd answers an unknown lease with TTL -1, not an error.
            guard let (remaining, granted) = lessor.timeToLive(request.id) else {
                response.ttl = -1
                return server.encodeReply(response)
            }
            response.ttl = remaining
            response.grantedTtl = granted
            if request.keys {
                do throws(MVCCError) {
                    response.keys = try server.store.keys(attachedTo: request.id)
                } catch {
                    throw EtcdErrors.status(for: error)
                }
                // etcd 3.5: listing a lease's keys needs read permission on each.
                for key in response.keys { try requester?.check(.read, key: key) }
            }
            return server.encodeReply(response)
        })
        router.register("/etcdserverpb.Lease/LeaseLeases", .immediate { body throws(GRPCStatus) in
            _ = try LeaseLeasesRequest(requestBody: body)
            var response = LeaseLeasesResponse()
            response.leases = lessor.leaseIDs.map { LeaseStatus(id: $0) }
            return server.encodeReply(response)
        })
        router.register("/etcdserverpb.Lease/LeaseKeepAlive", .bidirectionalStreaming { context, writer in
            let renewals = NIOLoopBound(PendingRenewals(), eventLoop: context.eventLoop)
            return GRPCRequestObserver(onMessage: { body in
                let request: LeaseKeepAliveRequest
                do throws(GRPCStatus) {
                    request = try LeaseKeepAliveRequest(streamMessage: body)
                } catch {
                    writer.finish(error)
                    return
                }
                // The header is taken before the renewal, as etcd does, so a revocation at a later
                // revision cannot look older than a keep-alive that succeeded.
                var header: ResponseHeader?
                server.fillHeader(&header)
                var response = LeaseKeepAliveResponse()
                response.header = header
                response.id = request.id
                if server.isClustered {
                    renewals.value.inFlight += 1
                    renewThroughLog(response, on: context.eventLoop, writer: writer) {
                        renewals.value.inFlight -= 1
                        if renewals.value.clientEnded, renewals.value.inFlight == 0 { writer.finish(.ok) }
                    }
                    return
                }
                if let renewed = lessor.renew(request.id) {
                    response.ttl = renewed.ttl
                    if renewed.clearCheckpoint {
                        _ = propose(
                            .leaseCheckpoint, LeaseCheckpointRequest(checkpoints: [LeaseCheckpoint(id: request.id)]),
                            on: context.eventLoop) { _ throws(GRPCStatus) in ByteBuffer() }
                    }
                }
                writer.write(response.responseBody(allocator: ByteBufferAllocator()))
            }, onEnd: {
                // etcd ends the keep-alive call once the client has closed its side and the
                // renewals it sent are answered (the JSON gateway closes right after its one).
                renewals.value.clientEnded = true
                if renewals.value.inFlight == 0 { writer.finish(.ok) }
            })
        })
    }

    /// A keep-alive call's renewals still going through the log, on the call's event loop.
    private final class PendingRenewals {
        var inFlight = 0
        var clientEnded = false
    }

    /// With several members a renewal is a log entry: applied on every member, it renews each
    /// one's lessor, so a new leader extends no lease beyond its last renewal. The reply carries
    /// the lease's TTL once applied here, or 0 if the lease is gone or expired.
    private func renewThroughLog(
        _ response: LeaseKeepAliveResponse, on eventLoop: any EventLoop, writer: GRPCResponseWriter,
        answered: @escaping @Sendable () -> Void
    ) {
        let body = LeaseKeepAliveRequest(id: response.id).responseBody(allocator: ByteBufferAllocator())
        server.propose(kind: .leaseRenew, requestBody: body, on: eventLoop).hop(to: eventLoop).whenComplete { [lessor] outcome in
            defer { answered() }
            switch outcome {
            case .success:
                var renewed = response
                if let (remaining, granted) = lessor.timeToLive(response.id), remaining > 0 { renewed.ttl = granted }
                writer.write(renewed.responseBody(allocator: ByteBufferAllocator()))
            case .failure(let error):
                writer.finish(GRPCStatus(from: error))
            }
        }
    }

    private func propose<Request: ProtoMessage>(
        _ kind: InternalRequest.Kind, _ request: Request, on eventLoop: any EventLoop,
        reply: @escaping @Sendable (MVCCResponse) throws(GRPCStatus) -> ByteBuffer
    ) -> EventLoopFuture<ByteBuffer> {
        let body = request.responseBody(allocator: ByteBufferAllocator())
        return server.propose(kind: kind, requestBody: body, on: eventLoop).flatMapThrowing { result in
            switch result.response {
            case .success(let response): return try reply(response)
            case .failure(let error): throw EtcdErrors.status(for: error)
            }
        }
    }
}

extension LeaseGrantResponse: ResponseWithHeader {}
extension LeaseRevokeResponse: ResponseWithHeader {}
extension LeaseTimeToLiveResponse: ResponseWithHeader {}
extension LeaseLeasesResponse: ResponseWithHeader {}
