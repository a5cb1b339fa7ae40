import EtcdProto
import GRPCTransport
import NIOCore

/// `v3lockpb.Lock`: etcd's mutex recipe. The lock key is `name/<lease in hex>`, attached to the
/// lease; the holder is the key with the lowest create revision, and a waiter waits for every
/// older key under the name to be deleted.
struct LockService: Sendable {
    let recipes: ConcurrencyRecipes

    func register(in router: inout GRPCRouter) {
        router.register("/v3lockpb.Lock/Lock", .unary { body, context in
            let request: LockRequest
            do {
                request = try LockRequest(requestBody: body)
                try recipes.server.auth.requester(context)?.checkRecipe(prefix: request.name + Array("/".utf8))
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return recipes.sessionLease(request.lease, on: context.eventLoop).flatMap { lease in
                lock(name: request.name, lease: lease, context: context)
            }.asRecipeFailure().map { response in
                response.responseBody(allocator: ByteBufferAllocator())
            }
        })
        router.register("/v3lockpb.Lock/Unlock", .unary { body, context in
            let request: UnlockRequest
            do {
                request = try UnlockRequest(requestBody: body)
                try recipes.server.auth.requester(context)?.check(.write, key: request.key)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return recipes.server.propose(
                kind: .deleteRange, requestBody: DeleteRangeRequest(key: request.key).responseBody(allocator: ByteBufferAllocator()),
                on: context.eventLoop
            ).flatMapThrowing { result in
                guard case .success(.deleteRange(let deleted)) = result.response else { throw EtcdErrors.unexpectedApplyResult }
                return recipes.server.encodeReply(UnlockResponse(header: deleted.header))
            }.asRecipeFailure()
        })
    }

    /// etcd's `Mutex.Lock`.
    private func lock(name: [UInt8], lease: Int64, context: GRPCCallContext) -> EventLoopFuture<LockResponse> {
        let prefix = name + Array("/".utf8)
        let key = prefix + Array(lease.goHex.utf8)
        var owner = RangeRequest(key: prefix, rangeEnd: prefixEnd(prefix), limit: 1)
        owner.sortOrder = .ascend
        owner.sortTarget = .create
        var txn = TxnRequest()
        txn.compare = [.createRevision(of: key, equals: 0)]
        txn.success = [.put(PutRequest(key: key, lease: lease)), .range(owner)]
        txn.failure = [.range(RangeRequest(key: key)), .range(owner)]
        return recipes.txn(txn, on: context.eventLoop).flatMap { response in
            var myRevision = response.header?.revision ?? 0
            if !response.succeeded, let existing = response.responses.first?.rangeKVs.first {
                myRevision = existing.createRevision
            }
            let holder = response.responses.dropFirst().first?.rangeKVs.first
            if holder == nil || holder?.createRevision == myRevision {
                return context.eventLoop.makeSucceededFuture(LockResponse(header: response.header, key: key))
            }
            return recipes.waitDeletes(prefix: prefix, maxCreateRevision: myRevision - 1, context: context)
                .map { LockResponse(header: $0, key: key) }
                .flatMapError { error in
                    // Waiting failed (the caller went away): give the place in line up, as etcd does.
                    recipes.server.propose(
                        kind: .deleteRange, requestBody: DeleteRangeRequest(key: key).responseBody(allocator: ByteBufferAllocator()),
                        on: context.eventLoop
                    ).flatMapThrowing { _ in throw error }
                }
        }.map { response in
            var response = response
            recipes.server.fillHeader(&response.header)
            return response
        }
    }
}

extension LockResponse: ResponseWithHeader {}
extension UnlockResponse: ResponseWithHeader {}
