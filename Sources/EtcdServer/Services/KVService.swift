import EtcdProto
import GRPCTransport
import MVCC
import NIOCore

/// `etcdserverpb.KV`: decode, validate as etcd does, then read locally, or propose the write
/// and reply once it is applied.
struct KVService: Sendable {
    let server: ServerCore
    static let rangePath = "/etcdserverpb.KV/Range"

    func register(in router: inout GRPCRouter) {
        router.register(Self.rangePath, .unary { body, context in
            handle(context) { () throws(GRPCStatus) in
                let request = try RangeRequest(requestBody: body)
                try RequestValidation.check(request)
                if !request.serializable, server.membership.isLocalLearner { throw EtcdErrors.notSupportedForLearner }
                try server.auth.requester(context)?.check(request)
                if !request.serializable, let barrier = server.linearizableReadBarrier(on: context.eventLoop) {
                    return .replyAfter(barrier, { () throws(GRPCStatus) in server.encodeReply(try server.range(request)) })
                }
                return .reply(server.encodeReply(try server.range(request)))
            }
        })
        router.register("/etcdserverpb.KV/Put", .unary { body, context in
            handle(context) { () throws(GRPCStatus) in
                let request = try PutRequest(requestBody: body)
                try RequestValidation.check(request)
                let requester = try server.auth.requester(context)
                if let requester {
                    try requester.check(request)
                    try server.checkLeaseKeysWritable(request.lease, by: requester)
                }
                try server.checkQuota(cost: request.quotaCost, on: context.eventLoop)
                return .propose(.put, body, authRevision: requester?.view.state.revision)
            }
        })
        router.register("/etcdserverpb.KV/DeleteRange", .unary { body, context in
            handle(context) { () throws(GRPCStatus) in
                let request = try DeleteRangeRequest(requestBody: body)
                try RequestValidation.check(request)
                let requester = try server.auth.requester(context)
                try requester?.check(request)
                return .propose(.deleteRange, body, authRevision: requester?.view.state.revision)
            }
        })
        router.register("/etcdserverpb.KV/Txn", .unary { body, context in
            handle(context) { () throws(GRPCStatus) in
                let request = try TxnRequest(requestBody: body)
                try RequestValidation.check(request, maxTxnOps: server.configuration.maxTxnOps)
                let requester = try server.auth.requester(context)
                try requester?.check(request)
                if request.isReadOnly {
                    if !request.isSerializable, let barrier = server.linearizableReadBarrier(on: context.eventLoop) {
                        return .replyAfter(barrier, { () throws(GRPCStatus) in server.encodeReply(try server.readOnlyTxn(request)) })
                    }
                    return .reply(server.encodeReply(try server.readOnlyTxn(request)))
                }
                try server.checkQuota(cost: request.quotaCost, on: context.eventLoop)
                return .propose(.txn, body, authRevision: requester?.view.state.revision)
            }
        })
        router.register("/etcdserverpb.KV/Compact", .unary { body, context in
            handle(context) { () throws(GRPCStatus) in
                _ = try CompactionRequest(requestBody: body)
                // etcd lets any user compact; only a bad token is refused.
                _ = try server.auth.requester(context)
                return .propose(.compact, body, authRevision: nil)
            }
        })
    }

    /// What a handler decided: an immediate reply, or a write to propose.
    private enum Outcome {
        case reply(ByteBuffer)
        /// A linearizable read: computed once the read barrier completes.
        case replyAfter(EventLoopFuture<Void>, @Sendable () throws(GRPCStatus) -> ByteBuffer)
        /// `authRevision`: where the permissions were checked (nil while auth is off).
        case propose(InternalRequest.Kind, ByteBuffer, authRevision: UInt64?)
    }

    private func handle(
        _ context: GRPCCallContext, _ decide: () throws(GRPCStatus) -> Outcome
    ) -> EventLoopFuture<ByteBuffer> {
        let outcome: Outcome
        do {
            outcome = try decide()
        } catch {
            return context.eventLoop.makeFailedFuture(error)
        }
        switch outcome {
        case .reply(let response):
            return context.eventLoop.makeSucceededFuture(response)
        case .replyAfter(let barrier, let reply):
            return barrier.flatMapThrowing { try reply() }
        case .propose(let kind, let body, let authRevision):
            return server.propose(kind: kind, requestBody: body, authRevision: authRevision, on: context.eventLoop).flatMapThrowing { result in
                switch result.response {
                case .success(let response): return try server.encodeReply(response)
                case .failure(let error): throw EtcdErrors.status(for: error)
                }
            }
        }
    }
}

extension PutRequest {
    /// etcd's `costPut`: key, value and 256 bytes of metadata.
    var quotaCost: Int { 256 + key.count + value.count }
}

extension TxnRequest {
    /// etcd's `costTxn`: the costlier branch's puts (nested txns count nothing, as in etcd).
    var quotaCost: Int {
        func cost(_ operations: [RequestOp]) -> Int {
            operations.reduce(0) { total, operation in
                if case .requestPut(let put) = operation.request { return total + put.quotaCost }
                return total
            }
        }
        return max(cost(success), cost(failure))
    }

    /// etcd's `isTxnSerializable`: every range, nested ones included, asks for a serializable read.
    var isSerializable: Bool {
        func serializable(_ operations: [RequestOp]) -> Bool {
            operations.allSatisfy { operation in
                switch operation.request {
                case .requestRange(let range): return range.serializable
                case .requestTxn(let nested): return nested.isSerializable
                default: return true
                }
            }
        }
        return serializable(success) && serializable(failure)
    }

    /// etcd's `isTxnReadonly`: only ranges, in this txn and every nested one.
    var isReadOnly: Bool {
        func readOnly(_ operations: [RequestOp]) -> Bool {
            operations.allSatisfy { operation in
                switch operation.request {
                case .requestRange: return true
                case .requestTxn(let nested): return nested.isReadOnly
                default: return false
                }
            }
        }
        return readOnly(success) && readOnly(failure)
    }
}
