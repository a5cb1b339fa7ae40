import EtcdProto
import GRPCTransport
import NIOCore
import ProtoWire

// The members query a joining member makes before it has an ID or knows the cluster's: etcd's
// `GET /members` on the peer port, here a path of the peer router.

extension PeerWire {
    /// `/raft/members`: a unary gRPC-framed POST whose request is an empty
    /// `etcdserverpb.MemberListRequest` and whose answer is a `MemberListResponse` (header:
    /// this cluster's and member's IDs). Like etcd's `/members`, it asks nothing of the caller:
    /// a member about to join knows neither its ID nor the cluster's.
    static let membersPath = "/raft/members"
}

/// The members this member knows, for a joining member (any thread).
typealias PeerMembersProvider = @Sendable () -> MemberListResponse

extension PeerReceiver {
    func registerMembers(in router: inout GRPCRouter, provider: @escaping PeerMembersProvider) {
        router.register(PeerWire.membersPath, .unary { _, context in
            context.eventLoop.makeSucceededFuture(provider().responseBody(allocator: ByteBufferAllocator()))
        })
    }
}

extension PeerUnaryClient {
    /// Asks the member at `endpoint` for the cluster's members.
    func members(endpoint: URLEndpoint, timeout: TimeAmount) -> EventLoopFuture<MemberListResponse> {
        call(path: PeerWire.membersPath, peerID: 0, endpoint: endpoint, request: [], timeout: timeout)
            .flatMapThrowing { bytes in
                do {
                    return try MemberListResponse(serializedBytes: bytes)
                } catch {
                    throw PeerCallError.failed("undecodable members answer: \(error)")
                }
            }
    }
}
