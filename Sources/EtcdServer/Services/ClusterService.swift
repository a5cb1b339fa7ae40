import EtcdProto
import Foundation
import GRPCTransport
import NIOCore

/// `etcdserverpb.Cluster`: the member list, and membership changes through the log, checked
/// as etcd checks them before proposing (`--strict-reconfig-check` guards the quorum).
struct ClusterService: Sendable {
    let server: ServerCore

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Cluster/MemberList", .immediate { body throws(GRPCStatus) in
            _ = try MemberListRequest(requestBody: body)
            return encode(MemberListResponse(members: server.membership.list))
        })
        router.register("/etcdserverpb.Cluster/MemberAdd", .unary { body, context in
            let member: Member
            do {
                member = try memberToAdd(try MemberAddRequest(requestBody: body))
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return server.proposeMembershipChange(
                type: member.isLearner ? .addLearnerNode : .addNode, memberID: member.id, member: member,
                on: context.eventLoop
            ).map {
                encode(MemberAddResponse(member: member, members: server.membership.list))
            }
        })
        router.register("/etcdserverpb.Cluster/MemberRemove", .unary { body, context in
            let id: UInt64
            do {
                id = try MemberRemoveRequest(requestBody: body).id
                try checkRemoval(of: id)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return server.proposeMembershipChange(type: .removeNode, memberID: id, member: nil, on: context.eventLoop).map {
                encode(MemberRemoveResponse(members: server.membership.list))
            }
        })
        router.register("/etcdserverpb.Cluster/MemberUpdate", .unary { body, context in
            var member: Member
            do {
                let request = try MemberUpdateRequest(requestBody: body)
                let urls = try checkPeerURLs(request.peerUrls)
                guard let existing = server.membership.member(request.id) else { throw EtcdErrors.memberNotFound }
                let others = Set(server.membership.list.filter { $0.id != request.id }.flatMap(\.peerUrls))
                if urls.contains(where: others.contains) { throw EtcdErrors.peerURLExists }
                member = existing
                member.peerUrls = urls
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return server.proposeMembershipChange(type: .updateNode, memberID: member.id, member: member, on: context.eventLoop).map {
                encode(MemberUpdateResponse(members: server.membership.list))
            }
        })
        router.register("/etcdserverpb.Cluster/MemberPromote", .unary { body, context in
            let request: MemberPromoteRequest
            do {
                request = try MemberPromoteRequest(requestBody: body)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            return server.promoteMember(request.id, on: context.eventLoop).map { members in
                encode(MemberPromoteResponse(members: members))
            }
        })
    }

    /// etcd's `mayRemoveMember`: a learner goes at once; a voter only if the started voters left
    /// make a quorum and, unless it is down already, the voters connected to this member do too.
    private func checkRemoval(of id: UInt64) throws(GRPCStatus) {
        guard let member = server.membership.member(id) else { throw EtcdErrors.memberNotFound }
        guard server.configuration.strictReconfigCheck, !member.isLearner else { return }
        if !server.membership.isReadyToRemoveVoter(id) { throw EtcdErrors.memberNotEnoughStarted }
        if id != server.identity.memberID, server.peerTransport.withLockedValue({ $0?.connectedSince(id) }) == nil { return }
        let voters = server.membership.list.filter { !$0.isLearner }
        if server.membersConnectedForHealthInterval(voters) - 1 < 1 + (voters.count - 1) / 2 {
            throw EtcdErrors.unhealthyCluster
        }
    }

    /// etcd's `NewMember` for MemberAdd, after its checks: the ID hashes the sorted peer URLs
    /// and the time in seconds, so a member re-added later gets a new one.
    private func memberToAdd(_ request: MemberAddRequest) throws(GRPCStatus) -> Member {
        let urls = try checkPeerURLs(request.peerUrls)
        let existing = server.membership.list
        if server.configuration.strictReconfigCheck {
            let voters = existing.filter { !$0.isLearner }
            if !request.isLearner && !server.membership.isReadyToAddVoter() { throw EtcdErrors.memberNotEnoughStarted }
            // etcd's isConnectedFullySince: every voter's stream has worked for the health interval.
            if server.membersConnectedForHealthInterval(voters) < voters.count { throw EtcdErrors.unhealthyCluster }
        }
        // etcd's ValidateConfigurationChange order: the ID, then the peer URLs (the same URLs
        // added twice within a second give the same ID).
        let seconds = Int64(Date().timeIntervalSince1970)
        let id = ClusterIdentity.memberID(peerURLs: urls, suffix: "\(seconds)")
        if server.membership.member(id) != nil || server.membership.isRemoved(id) { throw EtcdErrors.memberIDExists }
        if urls.contains(where: Set(existing.flatMap(\.peerUrls)).contains) { throw EtcdErrors.peerURLExists }
        return Member(id: id, name: "", peerUrls: urls, isLearner: request.isLearner)
    }

    /// The URLs as etcd keeps them (parsed and printed again), or etcd's refusal.
    private func checkPeerURLs(_ urls: [String]) throws(GRPCStatus) -> [String] {
        do {
            return try urls.map { (url) throws(ConfigurationError) in try URLEndpoint(parsing: url).description }
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
extension MemberAddResponse: ResponseWithHeader {}
extension MemberRemoveResponse: ResponseWithHeader {}
extension MemberUpdateResponse: ResponseWithHeader {}
extension MemberPromoteResponse: ResponseWithHeader {}
