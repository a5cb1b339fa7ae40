import EtcdProto
import GRPCTransport
import NIOCore

/// `etcdserverpb.Cluster`: the member list, and etcd's answers to membership changes as far as
/// they can be decided without changing the membership (adding and removing members is not
/// built yet: such a change is refused as "not capable").
struct ClusterService: Sendable {
    let server: ServerCore

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Cluster/MemberList", .immediate { body throws(GRPCStatus) in
            _ = try MemberListRequest(requestBody: body)
            return encode(MemberListResponse(members: server.membership.list))
        })
        router.register("/etcdserverpb.Cluster/MemberAdd", .immediate { body throws(GRPCStatus) in
            let request = try MemberAddRequest(requestBody: body)
            try checkPeerURLs(request.peerUrls)
            let peerURLs = Set(server.membership.list.flatMap(\.peerUrls))
            if request.peerUrls.contains(where: peerURLs.contains) {
                throw EtcdErrors.peerURLExists
            }
            throw EtcdErrors.notCapable
        })
        router.register("/etcdserverpb.Cluster/MemberRemove", .immediate { body throws(GRPCStatus) in
            let request = try MemberRemoveRequest(requestBody: body)
            guard server.membership.member(request.id) != nil else { throw EtcdErrors.memberNotFound }
            // Removing the only member leaves no quorum (etcd's strict reconfiguration check).
            if server.membership.list.count == 1 { throw EtcdErrors.memberNotEnoughStarted }
            throw EtcdErrors.notCapable
        })
        router.register("/etcdserverpb.Cluster/MemberUpdate", .immediate { body throws(GRPCStatus) in
            let request = try MemberUpdateRequest(requestBody: body)
            try checkPeerURLs(request.peerUrls)
            guard let member = server.membership.member(request.id) else { throw EtcdErrors.memberNotFound }
            guard Set(request.peerUrls) == Set(member.peerUrls) else { throw EtcdErrors.notCapable }
            return encode(MemberUpdateResponse(members: server.membership.list))
        })
        router.register("/etcdserverpb.Cluster/MemberPromote", .immediate { body throws(GRPCStatus) in
            let request = try MemberPromoteRequest(requestBody: body)
            guard server.membership.member(request.id) != nil else { throw EtcdErrors.memberNotFound }
            throw EtcdErrors.memberNotLearner
        })
    }

    private func checkPeerURLs(_ urls: [String]) throws(GRPCStatus) {
        do {
            for url in urls { _ = try URLEndpoint(parsing: url) }
        } catch {
            throw EtcdErrors.memberBadURLs
        }
    }

    /// Membership responses carry a header without a revision, as etcd's do.
    private func encode<Response: ResponseWithHeader>(_ response: Response) -> ByteBuffer {
        var response = response
        var header = ResponseHeader()
        header.clusterId = server.identity.clusterID
        header.memberId = server.identity.memberID
        header.raftTerm = server.log.status.term
        response.header = header
        return response.responseBody(allocator: ByteBufferAllocator())
    }
}

extension MemberListResponse: ResponseWithHeader {}
extension MemberUpdateResponse: ResponseWithHeader {}
