import EtcdProto
import GRPCTransport
import NIOCore
import ProtoWire

/// `v3electionpb.Election`: etcd's election recipe. A candidate's key is `name/<lease in hex>`
/// holding its value; the leader is the key with the lowest create revision. The errors are
/// etcd's, which reach clients as UNKNOWN (plain Go errors in etcd).
struct ElectionService: Sendable {
    let recipes: ConcurrencyRecipes

    static let notLeader = GRPCStatus(code: .unknown, message: "election: not leader")
    static let noLeader = GRPCStatus(code: .unknown, message: "election: no leader")
    static let missingLeaderKey = GRPCStatus(code: .unknown, message: "\"leader\" field must be provided")

    func register(in router: inout GRPCRouter) {
        router.register("/v3electionpb.Election/Campaign", .unary { body, context in
            decode(CampaignRequest.self, body, context, scope: { $0.name + Array("/".utf8) }) { request -> EventLoopFuture<CampaignResponse> in
                recipes.sessionLease(request.lease, on: context.eventLoop).flatMap { lease in
                    campaign(request, lease: lease, context: context)
                }
            }
        })
        router.register("/v3electionpb.Election/Proclaim", .unary { body, context in
            decode(ProclaimRequest.self, body, context, scope: { $0.leader?.key ?? [] }) { request -> EventLoopFuture<ProclaimResponse> in
                guard let leader = request.leader else { return context.eventLoop.makeFailedFuture(Self.missingLeaderKey) }
                return proclaim(leader, value: request.value, on: context.eventLoop).map { ProclaimResponse(header: $0) }
            }
        })
        router.register("/v3electionpb.Election/Resign", .unary { body, context in
            decode(ResignRequest.self, body, context, scope: { $0.leader?.key ?? [] }) { request -> EventLoopFuture<ResignResponse> in
                guard let leader = request.leader else { return context.eventLoop.makeFailedFuture(Self.missingLeaderKey) }
                var txn = TxnRequest()
                txn.compare = [.createRevision(of: leader.key, equals: leader.rev)]
                txn.success = [.delete(leader.key)]
                return recipes.txn(txn, on: context.eventLoop).map { ResignResponse(header: $0.header) }
            }
        })
        router.register("/v3electionpb.Election/Leader", .unary { body, context in
            decode(LeaderRequest.self, body, context, scope: { $0.name + Array("/".utf8) }) { request -> EventLoopFuture<LeaderResponse> in
                do {
                    guard let (header, kv) = try currentLeader(request.name) else { throw Self.noLeader }
                    return context.eventLoop.makeSucceededFuture(LeaderResponse(header: header, kv: kv))
                } catch {
                    return context.eventLoop.makeFailedFuture(error)
                }
            }
        })
        router.register("/v3electionpb.Election/Observe", .serverStreaming { body, context, writer in
            do throws(GRPCStatus) {
                let request = try LeaderRequest(requestBody: body)
                try recipes.server.auth.requester(context)?.check(
                    .read, key: request.name + Array("/".utf8), rangeEnd: prefixEnd(request.name + Array("/".utf8)))
                observe(prefix: request.name + Array("/".utf8), context: context, writer: writer)
            } catch {
                writer.finish(error)
            }
        })
    }

    private func decode<Request: ProtoMessage, Response: ResponseWithHeader>(
        _ type: Request.Type, _ body: ByteBuffer, _ context: GRPCCallContext, scope: (Request) -> [UInt8],
        _ handle: (Request) -> EventLoopFuture<Response>
    ) -> EventLoopFuture<ByteBuffer> {
        let request: Request
        do {
            request = try Request(requestBody: body)
            // `scope`: the keys the call touches, as a prefix (an election's, or its leader key).
            try recipes.server.auth.requester(context)?.checkRecipe(prefix: scope(request))
        } catch {
            return context.eventLoop.makeFailedFuture(error)
        }
        return handle(request).asRecipeFailure().map { recipes.server.encodeReply($0) }
    }

    /// etcd's `Election.Campaign`.
    private func campaign(_ request: CampaignRequest, lease: Int64, context: GRPCCallContext) -> EventLoopFuture<CampaignResponse> {
        let prefix = request.name + Array("/".utf8)
        let key = prefix + Array(lease.goHex.utf8)
        var txn = TxnRequest()
        txn.compare = [.createRevision(of: key, equals: 0)]
        txn.success = [.put(PutRequest(key: key, value: request.value, lease: lease))]
        txn.failure = [.range(RangeRequest(key: key))]
        return recipes.txn(txn, on: context.eventLoop).flatMap { response in
            var leader = LeaderKey(name: request.name, key: key, rev: response.header?.revision ?? 0, lease: lease)
            var ready = context.eventLoop.makeSucceededVoidFuture()
            if !response.succeeded, let existing = response.responses.first?.rangeKVs.first {
                leader.rev = existing.createRevision
                // Campaigning again with another value proclaims it.
                if existing.value != request.value {
                    ready = proclaim(leader, value: request.value, on: context.eventLoop).map { _ in }
                }
            }
            let candidate = leader
            return ready.flatMap {
                recipes.waitDeletes(prefix: prefix, maxCreateRevision: candidate.rev - 1, context: context)
            }.map { _ in
                CampaignResponse(header: response.header, leader: candidate)
            }.flatMapError { error in
                // The campaign was abandoned: withdraw the candidate key, as etcd resigns.
                var resign = TxnRequest()
                resign.compare = [.createRevision(of: key, equals: candidate.rev)]
                resign.success = [.delete(key)]
                return recipes.txn(resign, on: context.eventLoop).flatMapThrowing { _ in throw error }
            }
        }
    }

    /// etcd's `Election.Proclaim`: only while the key still has the leader's create revision.
    private func proclaim(_ leader: LeaderKey, value: [UInt8], on eventLoop: any EventLoop) -> EventLoopFuture<ResponseHeader?> {
        var txn = TxnRequest()
        txn.compare = [.createRevision(of: leader.key, equals: leader.rev)]
        txn.success = [.put(PutRequest(key: leader.key, value: value, ignoreLease: true))]
        return recipes.txn(txn, on: eventLoop).flatMapThrowing { response in
            guard response.succeeded else { throw Self.notLeader }
            return response.header
        }
    }

    private func currentLeader(_ name: [UInt8]) throws(GRPCStatus) -> (ResponseHeader?, KeyValue)? {
        let prefix = name + Array("/".utf8)
        var first = RangeRequest(key: prefix, rangeEnd: prefixEnd(prefix), limit: 1)
        first.sortOrder = .ascend
        first.sortTarget = .create
        let response = try recipes.range(first)
        guard let kv = response.kvs.first else { return nil }
        return (response.header, kv)
    }

    /// etcd's `Election.Observe`: the leader now (or, if none, the first candidate to appear),
    /// then each value it proclaims, and on its deletion the next leader, until the call ends.
    private func observe(prefix: [UInt8], context: GRPCCallContext, writer: GRPCResponseWriter) {
        let leader: (ResponseHeader?, KeyValue)?
        let revision: Int64
        do throws(GRPCStatus) {
            var first = RangeRequest(key: prefix, rangeEnd: prefixEnd(prefix), limit: 1)
            first.sortOrder = .ascend
            first.sortTarget = .create
            let response = try recipes.range(first)
            leader = response.kvs.first.map { (response.header, $0) }
            revision = response.header?.revision ?? 0
        } catch {
            writer.finish(error)
            return
        }
        let found: EventLoopFuture<KeyValue>
        if let (_, kv) = leader {
            found = context.eventLoop.makeSucceededFuture(kv)
        } else {
            found = recipes.nextEvent(
                on: WatchRange(key: prefix, rangeEnd: prefixEnd(prefix)), from: revision, context: context
            ) { $0.type == .put }.map { $0.kv ?? KeyValue() }
        }
        found.whenComplete { result in
            switch result {
            case .success(let kv):
                send(kv, to: writer)
                follow(kv, prefix: prefix, context: context, writer: writer)
            case .failure(let error):
                writer.finish(error as? GRPCStatus ?? GRPCStatus(code: .unknown, message: "\(error)"))
            }
        }
    }

    /// Sends each proclamation of the leader key `kv`; on its deletion, observes afresh.
    private func follow(_ kv: KeyValue, prefix: [UInt8], context: GRPCCallContext, writer: GRPCResponseWriter) {
        recipes.nextEvent(on: WatchRange(key: kv.key, rangeEnd: []), from: kv.modRevision + 1, context: context) { _ in true }
            .whenComplete { result in
                switch result {
                case .success(let event) where event.type == .delete:
                    observe(prefix: prefix, context: context, writer: writer)
                case .success(let event):
                    let updated = event.kv ?? kv
                    send(updated, to: writer)
                    follow(updated, prefix: prefix, context: context, writer: writer)
                case .failure(let error):
                    writer.finish(error as? GRPCStatus ?? GRPCStatus(code: .unknown, message: "\(error)"))
                }
            }
    }

    private func send(_ kv: KeyValue, to writer: GRPCResponseWriter) {
        var header = ResponseHeader?(ResponseHeader(revision: kv.modRevision))
        recipes.server.fillHeader(&header)
        writer.write(LeaderResponse(header: header, kv: kv).responseBody(allocator: ByteBufferAllocator()))
    }
}

extension CampaignResponse: ResponseWithHeader {}
extension ProclaimResponse: ResponseWithHeader {}
extension ResignResponse: ResponseWithHeader {}
extension LeaderResponse: ResponseWithHeader {}
