import Dispatch
import EtcdProto
import GRPCTransport
import Logging
import MVCC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProtoWire

// The peer HashKV query: etcd's `/members/hashkv` on the peer port (JSON over HTTP/1.1 there),
// here a third path of the peer router, so it shares the peer listener, its headers and checks.

extension PeerWire {
    /// `/raft/hashkv`: a unary gRPC-framed POST whose request is one `etcdserverpb.HashKVRequest`
    /// and whose answer is one `etcdserverpb.HashKVResponse` (header.revision: the answering
    /// member's current revision; hash and compact_revision at the requested revision), or a
    /// status: OUT_OF_RANGE with etcd's "compacted" / "future revision" message, or the stream
    /// path's FAILED_PRECONDITION when the caller is not a member of this cluster.
    static let hashKVPath = "/raft/hashkv"
}

/// How this member answers a peer's HashKV request (any thread).
typealias PeerHashKVProvider = @Sendable (HashKVRequest) -> Result<HashKVResponse, GRPCStatus>

extension PeerReceiver {
    /// Adds the HashKV path to the peer router.
    func registerHashKV(in router: inout GRPCRouter, provider: @escaping PeerHashKVProvider) {
        router.register(PeerWire.hashKVPath, .unary { [self] body, context in
            switch checkCaller(context) {
            case .failure(let refusal):
                return context.eventLoop.makeFailedFuture(refusal)
            case .success:
                let request: HashKVRequest
                do throws(GRPCStatus) {
                    request = try HashKVRequest(requestBody: body)
                } catch {
                    return context.eventLoop.makeFailedFuture(error)
                }
                // Hashing a large store takes a while: not on the event loop the raft streams share.
                let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
                DispatchQueue.global().async {
                    switch provider(request) {
                    case .success(let response):
                        promise.succeed(response.responseBody(allocator: ByteBufferAllocator()))
                    case .failure(let status):
                        promise.fail(status)
                    }
                }
                return promise.futureResult
            }
        })
    }
}

extension MVCCStore {
    /// What a member answers to a HashKV at `revision` (0: current): etcd's `HashByRev`, with the
    /// compact revision -1 before the first compaction, as etcd reports it.
    func peerHashKV(revision: Int64, clusterID: UInt64, memberID: UInt64) -> Result<HashKVResponse, GRPCStatus> {
        do throws(MVCCError) {
            let hash = try hashKV(revision: revision)
            let compacted = try compactedRevision()
            let current = try currentRevision()
            var response = HashKVResponse()
            response.header = ResponseHeader(clusterId: clusterID, memberId: memberID, revision: current)
            response.hash = hash.hash
            response.compactRevision = compacted == 0 ? -1 : compacted
            response.hashRevision = hash.revision
            return .success(response)
        } catch {
            return .failure(EtcdErrors.status(for: error))
        }
    }
}

/// Why a peer's HashKV could not be had.
enum PeerHashKVError: Error, Equatable, CustomStringConvertible {
    /// The peer compacted the requested revision (etcd's rpctypes.ErrCompacted).
    case compacted
    /// The peer has not reached the requested revision (etcd's rpctypes.ErrFutureRev).
    case futureRevision
    case timedOut
    case refused(code: String, message: String)
    case failed(String)

    init(_ error: PeerCallError) {
        switch error {
        case .timedOut: self = .timedOut
        case .failed(let reason): self = .failed(reason)
        case .refused(_, let message) where message.contains("required revision has been compacted"): self = .compacted
        case .refused(_, let message) where message.contains("required revision is a future revision"): self = .futureRevision
        case .refused(let code, let message): self = .refused(code: code, message: message)
        }
    }

    var description: String {
        switch self {
        case .compacted: EtcdErrors.compacted.message
        case .futureRevision: EtcdErrors.futureRevision.message
        case .timedOut: PeerCallError.timedOut.description
        case .refused(let code, let message): PeerCallError.refused(code: code, message: message).description
        case .failed(let reason): reason
        }
    }
}

extension PeerUnaryClient {
    /// Asks one peer endpoint for its HashKV at `revision`.
    func hashKV(peerID: UInt64, endpoint: URLEndpoint, revision: Int64, timeout: TimeAmount)
        -> EventLoopFuture<HashKVResponse>
    {
        call(path: PeerWire.hashKVPath, peerID: peerID, endpoint: endpoint,
             request: HashKVRequest(revision: revision).serializedBytes(), timeout: timeout)
            .flatMapErrorThrowing { error in throw (error as? PeerCallError).map(PeerHashKVError.init) ?? error }
            .flatMapThrowing { bytes in
                do {
                    return try HashKVResponse(serializedBytes: bytes)
                } catch {
                    throw PeerHashKVError.failed("undecodable HashKV answer: \(error)")
                }
            }
    }
}
