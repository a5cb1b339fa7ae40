import EtcdProto
import GRPCTransport
import NIOCore

/// `etcdserverpb.Cluster` for a one-member cluster: the member list, and etcd's answers to
/// membership changes as far as they can be decided without a second member.
struct ClusterService: Sendable {
    let server: ServerCore

    /// This member as etcd publishes it: its ID, name, peer and client URLs.
    var member: Member {
        let configuration = server.configuration
        return Member(
            id: server.identity.memberID, name: configuration.name,
            peerUrls: configuration.initialAdvertisePeerURLs.map(\.description),
            clientUrls: configuration.advertiseClientURLs.map(\.description))
    }

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Cluster/MemberList", .immediate { body throws(GRPCStatus) in
            _ = try MemberListRequest(requestBody: body)
            return encode(MemberListResponse(members: [member]))
        })
        router.register("/etcdserverpb.Cluster/MemberAdd", .immediate { body throws(GRPCStatus) in
            let request = try MemberAddRequest(requestBody: body)
            try checkPeerURLs(request.peerUrls)
            if request.peerUrls.contains(where: member.peerUrls.contains) {
                throw EtcdErrors.peerURLExists
            }
            throw EtcdErrors.notCapable
        })
        router.register("/etcdserverpb.Cluster/MemberRemove", .immediate { body throws(GRPCStatus) in
            let request = try MemberRemoveRequest(requestBody: body)
            guard request.id == member.id else { throw EtcdErrors.memberNotFound }
            // Removing the only member leaves no quorum (etcd's strict reconfiguration check).
            throw EtcdErrors.memberNotEnoughStarted
        })
        router.register("/etcdserverpb.Cluster/MemberUpdate", .immediate { body throws(GRPCStatus) in
            let request = try MemberUpdateRequest(requestBody: body)
            try checkPeerURLs(request.peerUrls)
            guard request.id == member.id else { throw EtcdErrors.memberNotFound }
            guard Set(request.peerUrls) == Set(member.peerUrls) else { throw EtcdErrors.notCapable }
            return encode(MemberUpdateResponse(members: [member]))
        })
        router.register("/etcdserverpb.Cluster/MemberPromote", .immediate { body throws(GRPCStatus) in
            let request = try MemberPromoteRequest(requestBody: body)
            guard request.id == member.id else { throw EtcdErrors.memberNotFound }
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
        header.raftTerm = server.log.currentTerm
        response.header = header
        return response.responseBody(allocator: ByteBufferAllocator())
    }
}

extension MemberListResponse: ResponseWithHeader {}
extension MemberUpdateResponse: ResponseWithHeader {}
