import EtcdProto
import GRPCTransport
import MVCC
import NIOCore

/// etcd's `clientv3/concurrency` recipes (mutex, election) run inside the server, as etcd's
/// v3lock and v3election services run them: every step is an ordinary txn, range or watch,
/// so they keep exactly the guarantees of the KV API.
struct ConcurrencyRecipes: Sendable {
    let server: ServerCore
    let hub: WatchHub
    let lessor: Lessor
    let leaseIDs: LeaseIDGenerator

    /// The TTL etcd's `concurrency.NewSession` grants when no lease is given.
    static let defaultSessionTTL: Int64 = 60

    // MARK: Requests through the server's own paths

    func txn(_ request: TxnRequest, on eventLoop: any EventLoop) -> EventLoopFuture<TxnResponse> {
        server.propose(kind: .txn, requestBody: request.responseBody(allocator: ByteBufferAllocator()), on: eventLoop)
            .flatMapThrowing { result in
                switch result.response {
                case .success(.txn(var response)):
                    server.fillHeader(&response.header)
                    return response
                case .success: throw EtcdErrors.unexpectedApplyResult
                case .failure(let error): throw EtcdErrors.status(for: error)
                }
            }
    }

    func range(_ request: RangeRequest) throws(GRPCStatus) -> RangeResponse {
        var response = try server.range(request)
        server.fillHeader(&response.header)
        return response
    }

    /// The given lease, or (for 0) a new one of etcd's default session TTL.
    func sessionLease(_ lease: Int64, on eventLoop: any EventLoop) -> EventLoopFuture<Int64> {
        if lease != 0 { return eventLoop.makeSucceededFuture(lease) }
        let grant = LeaseGrantRequest(ttl: max(Self.defaultSessionTTL, lessor.minTTL), id: leaseIDs.next())
        return server.propose(kind: .leaseGrant, requestBody: grant.responseBody(allocator: ByteBufferAllocator()), on: eventLoop)
            .flatMapThrowing { result in
                switch result.response {
                case .success(.leaseGranted(let record, _)): return record.id
                case .success: throw EtcdErrors.unexpectedApplyResult
                case .failure(let error): throw EtcdErrors.status(for: error)
                }
            }
    }

    // MARK: Waiting

    /// etcd's `waitDeletes`: until no key under `prefix` created at or before
    /// `maxCreateRevision` remains, waiting each time for the newest such key to go. Returns
    /// the header of the final (empty) range.
    func waitDeletes(
        prefix: [UInt8], maxCreateRevision: Int64, context: GRPCCallContext
    ) -> EventLoopFuture<ResponseHeader> {
        let eventLoop = context.eventLoop
        var newest = RangeRequest(key: prefix, rangeEnd: prefixEnd(prefix), limit: 1)
        newest.sortOrder = .descend
        newest.sortTarget = .create
        newest.maxCreateRevision = maxCreateRevision
        let response: RangeResponse
        do {
            response = try range(newest)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        guard let kv = response.kvs.first else {
            return eventLoop.makeSucceededFuture(response.header ?? ResponseHeader())
        }
        return waitDeleted(key: kv.key, from: response.header?.revision ?? 0, context: context).flatMap {
            waitDeletes(prefix: prefix, maxCreateRevision: maxCreateRevision, context: context)
        }
    }

    /// Until `key` is deleted at a revision ≥ `revision`.
    func waitDeleted(key: [UInt8], from revision: Int64, context: GRPCCallContext) -> EventLoopFuture<Void> {
        nextEvent(on: WatchRange(key: key, rangeEnd: []), from: revision, context: context) { $0.type == .delete }
            .map { _ in }
    }

    /// The next matching event, given up when the call is cancelled.
    func nextEvent(
        on range: WatchRange, from revision: Int64, context: GRPCCallContext,
        where matches: @escaping @Sendable (Event) -> Bool
    ) -> EventLoopFuture<Event> {
        let (event, cancel) = hub.nextEvent(in: range, from: revision, on: context.eventLoop, where: matches)
        context.onCancel(cancel)
        return event
    }
}

extension EventLoopFuture where Value: Sendable {
    /// How etcd's recipes fail: they run as a client inside the server, so the server errors
    /// they meet reach the caller as plain errors (UNKNOWN, same message), except the caller's
    /// own cancellation.
    func asRecipeFailure() -> EventLoopFuture<Value> {
        flatMapErrorThrowing { error in
            guard let status = error as? GRPCStatus, status.code != .cancelled, status.code != .deadlineExceeded else {
                throw error
            }
            throw GRPCStatus(code: .unknown, message: status.message)
        }
    }
}

/// The end of the range holding every key with `prefix` (etcd's `clientv3.GetPrefixRangeEnd`).
func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
    var end = prefix
    while let last = end.last {
        if last < 0xFF {
            end[end.count - 1] = last + 1
            return end
        }
        end.removeLast()
    }
    return [0]
}

extension Compare {
    /// `create_revision(key) = revision`.
    static func createRevision(of key: [UInt8], equals revision: Int64) -> Compare {
        var compare = Compare()
        compare.key = key
        compare.target = .create
        compare.result = .equal
        compare.targetUnion = .createRevision(revision)
        return compare
    }
}

extension RequestOp {
    static func put(_ request: PutRequest) -> RequestOp {
        var op = RequestOp()
        op.request = .requestPut(request)
        return op
    }

    static func range(_ request: RangeRequest) -> RequestOp {
        var op = RequestOp()
        op.request = .requestRange(request)
        return op
    }

    static func delete(_ key: [UInt8]) -> RequestOp {
        var op = RequestOp()
        op.request = .requestDeleteRange(DeleteRangeRequest(key: key))
        return op
    }
}

extension ResponseOp {
    var rangeKVs: [KeyValue] {
        if case .responseRange(let range)? = response { return range.kvs }
        return []
    }
}

extension Int64 {
    /// `fmt.Sprintf("%x", leaseID)`, how the recipes name their keys.
    var goHex: String { self < 0 ? "-" + String(-self, radix: 16) : String(self, radix: 16) }
}
