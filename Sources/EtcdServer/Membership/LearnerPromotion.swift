import EtcdProto
import GRPCTransport
import NIOCore
import ProtoWire

// MemberPromote as etcd does it: only the leader knows how far a learner has caught up, so it
// checks and proposes; any other member forwards the request to the leader's peer URLs.

extension PeerWire {
    /// `/raft/promote`: a unary gRPC-framed POST of one `etcdserverpb.MemberPromoteRequest`,
    /// answered by the leader with a `MemberPromoteResponse` once the promotion is applied, or
    /// with etcd's refusal. The caller must be a member of this cluster.
    static let promotePath = "/raft/promote"
}

/// How the leader answers a forwarded promotion (any thread).
typealias PeerPromoteProvider = @Sendable (MemberPromoteRequest, any EventLoop) -> EventLoopFuture<[Member]>

extension PeerReceiver {
    func registerPromote(in router: inout GRPCRouter, provider: @escaping PeerPromoteProvider) {
        router.register(PeerWire.promotePath, .unary { [self] body, context in
            switch checkCaller(context) {
            case .failure(let refusal):
                return context.eventLoop.makeFailedFuture(refusal)
            case .success:
                let request: MemberPromoteRequest
                do throws(GRPCStatus) {
                    request = try MemberPromoteRequest(requestBody: body)
                } catch {
                    return context.eventLoop.makeFailedFuture(error)
                }
                return provider(request, context.eventLoop).map {
                    MemberPromoteResponse(members: $0).responseBody(allocator: ByteBufferAllocator())
                }
            }
        })
    }
}

extension ServerCore {
    /// etcd's learner readiness: its log matches at least this share of the leader's.
    static let learnerReadyShare = 0.9

    /// Promotes learner `id`, here if this member leads, else through the leader; answers the
    /// members after the promotion.
    func promoteMember(_ id: UInt64, on eventLoop: any EventLoop) -> EventLoopFuture<[Member]> {
        let promise = eventLoop.makePromise(of: [Member].self)
        log.replicationProgress { [self] progress in
            guard let progress else {
                promise.completeWith(forwardPromotion(id, on: eventLoop))
                return
            }
            do throws(GRPCStatus) {
                var learner = try checkPromotion(of: id, progress: progress)
                learner.isLearner = false
                promise.completeWith(
                    proposeMembershipChange(type: .addNode, memberID: id, member: learner, on: eventLoop).map { [membership] in
                        membership.list
                    })
            } catch {
                promise.fail(error)
            }
        }
        return promise.futureResult
    }

    /// etcd's order: readiness (`isLearnerReady`), the strict quorum check
    /// (`IsReadyToPromoteMember`), then the configuration change's own validation.
    private func checkPromotion(of id: UInt64, progress: [UInt64: UInt64]) throws(GRPCStatus) -> Member {
        if let learnerMatch = progress[id], let leaderMatch = progress[identity.memberID],
            Double(learnerMatch) < Double(leaderMatch) * Self.learnerReadyShare
        {
            throw EtcdErrors.learnerNotReady
        }
        if configuration.strictReconfigCheck {
            // The learner counts as a started voter of the quorum to be.
            let voters = membership.list.filter { !$0.isLearner }
            let started = voters.filter { !$0.name.isEmpty }.count + 1
            if started < (voters.count + 1) / 2 + 1 { throw EtcdErrors.memberNotEnoughStarted }
        }
        guard let member = membership.member(id) else { throw EtcdErrors.memberNotFound }
        guard member.isLearner else { throw EtcdErrors.memberNotLearner }
        return member
    }

    /// etcd's `promoteMemberHTTP` loop: to the leader's peer URLs until one answers, the
    /// request times out, or the leader refuses for a reason retrying cannot change.
    private func forwardPromotion(_ id: UInt64, on eventLoop: any EventLoop, deadline: NIODeadline? = nil)
        -> EventLoopFuture<[Member]>
    {
        let deadline = deadline ?? .now() + requestTimeout
        let retry = { @Sendable [self] (failure: GRPCStatus) -> EventLoopFuture<[Member]> in
            guard NIODeadline.now() + .milliseconds(100) < deadline else { return eventLoop.makeFailedFuture(failure) }
            return eventLoop.flatScheduleTask(in: .milliseconds(100)) {
                self.forwardPromotion(id, on: eventLoop, deadline: deadline)
            }.futureResult
        }
        let leader = log.status.leader
        guard let transport = peerTransport.withLockedValue({ $0 }), leader != 0, leader != identity.memberID,
            let endpoint = membership.member(leader)?.peerUrls.compactMap({ try? URLEndpoint(parsing: $0) }).first
        else {
            return retry(EtcdErrors.noLeader)
        }
        var request = MemberPromoteRequest()
        request.id = id
        return transport.unaryClient(group: eventLoop).call(
            path: PeerWire.promotePath, peerID: leader, endpoint: endpoint, request: request.serializedBytes(),
            timeout: max(.milliseconds(100), deadline - .now())
        ).flatMapThrowing { bytes in
            try MemberPromoteResponse(serializedBytes: bytes).members
        }.flatMapError { error in
            if case .refused(let code, let message) = error as? PeerCallError {
                let status = GRPCStatus(code: GRPCStatus.Code(rawValue: Int(code) ?? 2), message: message)
                if [EtcdErrors.learnerNotReady, EtcdErrors.memberNotFound, EtcdErrors.memberNotLearner].contains(status) {
                    return eventLoop.makeFailedFuture(status)
                }
            }
            return retry(EtcdErrors.timeout)
        }
    }
}
