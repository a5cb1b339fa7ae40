import EtcdProto
import Foundation
import Logging
import GRPCTransport
import MVCC
import NIOCore

/// The etcd release whose API this server reports (`Maintenance.Status.version`). Clients gate
/// features on it, so it is raised only as the matching API is implemented in full: etcd 3.5's
/// API is, `Downgrade` included, and progress requests are answered with 3.5.13's semantics
/// (only once every watcher of the stream is synced), which is what kube-apiserver gates on.
public let reportedEtcdVersion = "3.5.13"

/// The cluster version: with one member, the major.minor of the release it reports.
let clusterVersion = ClusterVersion(semanticVersion: reportedEtcdVersion)!

/// `etcdserverpb.Maintenance`: status, hashes and leadership of this member.
struct MaintenanceService: Sendable {
    let server: ServerCore
    let logger: Logger
    static let statusPath = "/etcdserverpb.Maintenance/Status"

    func register(in router: inout GRPCRouter) {
        router.register(Self.statusPath, .immediate { body throws(GRPCStatus) in
            _ = try StatusRequest(requestBody: body)
            return server.encodeReply(try status())
        })
        router.register("/etcdserverpb.Maintenance/HashKV", .immediate { body throws(GRPCStatus) in
            let request = try HashKVRequest(requestBody: body)
            do throws(MVCCError) {
                let hash = try server.store.hashKV(revision: request.revision)
                let compacted = try server.store.compactedRevision()
                var response = HashKVResponse()
                response.hash = hash.hash
                // etcd reports -1 until the first compaction.
                response.compactRevision = compacted == 0 ? -1 : compacted
                response.hashRevision = hash.revision
                return server.encodeReply(response)
            } catch {
                throw EtcdErrors.status(for: error)
            }
        })
        router.register("/etcdserverpb.Maintenance/Snapshot", .serverStreaming { body, context, writer in
            do throws(GRPCStatus) {
                _ = try SnapshotRequest(requestBody: body)
            } catch {
                writer.finish(error)
                return
            }
            let cluster = EtcdBackendCluster(
                members: server.membership.list, removedMemberIDs: server.membership.removedIDs,
                clusterVersion: "\(clusterVersion)")
            SnapshotSender(
                store: server.store, cluster: cluster, scratchDirectory: DataDirectory(root: server.configuration.dataDirectory).memberDirectory,
                writer: writer, context: context, logger: logger
            ).start()
        })
        router.register("/etcdserverpb.Maintenance/Alarm", .unary { body, context in
            do {
                _ = try AlarmRequest(requestBody: body)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            // Like etcd, every alarm request (GET too) goes through the log.
            return server.propose(kind: .alarm, requestBody: body, on: context.eventLoop).flatMapThrowing { result in
                guard case .success(.alarm(let alarms)) = result.response else { throw EtcdErrors.unexpectedApplyResult }
                return server.encodeReply(AlarmResponse(alarms: alarms))
            }
        })
        router.register("/etcdserverpb.Maintenance/Hash", .immediate { body throws(GRPCStatus) in
            _ = try HashRequest(requestBody: body)
            // etcd hashes its whole backend file; ours is the HashKV of the whole history, which
            // is equally stable across members holding the same history.
            do throws(MVCCError) {
                let hash = try server.store.hashKV(revision: 0)
                var response = HashResponse()
                response.hash = hash.hash
                response.header = ResponseHeader(revision: hash.revision)
                return server.encodeReply(response)
            } catch {
                throw EtcdErrors.status(for: error)
            }
        })
        router.register("/etcdserverpb.Maintenance/Defragment", .unary { body, context in
            do {
                _ = try DefragmentRequest(requestBody: body)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            // Rewriting the file takes a while and holds every reader and writer back, as etcd's
            // does: it runs on its own thread, never on an event loop.
            let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
            Thread { [server, logger] in
                let before = server.storeFileSize
                do throws(MVCCError) {
                    try server.store.defragment()
                    logger.info("defragmented", metadata: ["size-before": "\(before)", "size-after": "\(server.storeFileSize)"])
                    promise.succeed(server.encodeReply(DefragmentResponse()))
                } catch {
                    logger.error("defragmentation failed", metadata: ["error": "\(error)"])
                    promise.fail(EtcdErrors.status(for: error))
                }
            }.start()
            return promise.futureResult
        })
        router.register("/etcdserverpb.Maintenance/Downgrade", .unary { body, context in
            do throws(GRPCStatus) {
                let request = try DowngradeRequest(requestBody: body)
                let reply = DowngradeResponse(version: clusterVersion.description)
                let jobAfterwards: ClusterVersion?
                switch request.action {
                case .validate:
                    try validateDowngrade(to: request.version)
                    return context.eventLoop.makeSucceededFuture(server.encodeReply(reply))
                case .enable:
                    jobAfterwards = try validateDowngrade(to: request.version)
                case .cancel:
                    guard try downgradeJob() != nil else { throw EtcdErrors.noInflightDowngrade }
                    jobAfterwards = nil
                default:
                    throw EtcdErrors.unknownMethod
                }
                // Like etcd, enabling and cancelling go through the log; the checks above are
                // made before proposing, as etcd's are.
                let change = DowngradeInfoSetRequest(enabled: jobAfterwards != nil, ver: jobAfterwards?.description ?? "")
                let proposal = change.responseBody(allocator: ByteBufferAllocator())
                let applied = server.propose(kind: .downgradeInfoSet, requestBody: proposal, on: context.eventLoop)
                return applied.flatMapThrowing { result in
                    guard case .success(.downgradeInfoSet) = result.response else { throw EtcdErrors.unexpectedApplyResult }
                    return server.encodeReply(reply)
                }
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
        })
        router.register("/etcdserverpb.Maintenance/MoveLeader", .unary { body, context in
            let request: MoveLeaderRequest
            do {
                request = try MoveLeaderRequest(requestBody: body)
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
            // etcd's checks, in its order: only the leader moves leadership, and only to a voter.
            guard server.log.status.isLeader else { return context.eventLoop.makeFailedFuture(EtcdErrors.notLeader) }
            guard let target = server.membership.member(request.targetId), !target.isLearner else {
                return context.eventLoop.makeFailedFuture(EtcdErrors.badLeaderTransferee)
            }
            let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
            server.log.transferLeadership(to: target.id) { result in
                switch result {
                case .success: promise.succeed(server.encodeReply(MoveLeaderResponse()))
                case .failure(.timedOut): promise.fail(EtcdErrors.leaderTransferTimeout)
                case .failure(let failure): promise.fail(EtcdErrors.status(for: failure))
                }
            }
            return promise.futureResult
        })
    }

    /// etcd 3.5's `downgradeValidate`, in its order: the target's format, then that it is the one
    /// allowed target, then that no job is enabled yet. Answers the target.
    @discardableResult
    private func validateDowngrade(to version: String) throws(GRPCStatus) -> ClusterVersion {
        guard let target = ClusterVersion(downgradeTarget: version) else { throw EtcdErrors.wrongDowngradeVersionFormat }
        guard target == clusterVersion.allowedDowngradeTarget else { throw EtcdErrors.invalidDowngradeTargetVersion }
        guard try downgradeJob() == nil else { throw EtcdErrors.downgradeInProcess }
        return target
    }

    /// The enabled downgrade job's target. Every acknowledged write is applied before its reply,
    /// so reading the store is the linearizable read etcd makes first.
    private func downgradeJob() throws(GRPCStatus) -> ClusterVersion? {
        do throws(MVCCError) { return try server.store.downgradeTarget() } catch { throw EtcdErrors.status(for: error) }
    }

    private func status() throws(GRPCStatus) -> StatusResponse {
        do throws(MVCCError) {
            let store = server.store
            var response = StatusResponse()
            response.version = reportedEtcdVersion
            response.dbSize = Int64(server.storeFileSize)
            response.dbSizeInUse = Int64(try store.usage().usedBytes)
            let consensus = server.log.status
            response.leader = consensus.leader
            response.raftIndex = consensus.lastIndex
            response.raftTerm = consensus.term
            response.raftAppliedIndex = try store.appliedIndex()
            // etcd lists raised alarms as the Go text form of AlarmMember.
            response.errors = try store.alarms().map { "memberID:\($0.memberId) alarm:\($0.alarm.etcdName) " }
            return response
        } catch {
            throw EtcdErrors.status(for: error)
        }
    }
}

/// `grpc.health.v1.Health`: etcd registers it with the empty service name serving.
struct HealthService: Sendable {
    func register(in router: inout GRPCRouter) {
        router.register("/grpc.health.v1.Health/Check", .immediate { body throws(GRPCStatus) in
            let request = try HealthCheckRequest(requestBody: body)
            guard request.service.isEmpty else {
                throw GRPCStatus(code: .notFound, message: "unknown service")
            }
            var response = HealthCheckResponse()
            response.status = .serving
            return response.responseBody(allocator: ByteBufferAllocator())
        })
    }
}

extension StatusResponse: ResponseWithHeader {}
extension HashKVResponse: ResponseWithHeader {}
extension MoveLeaderResponse: ResponseWithHeader {}
extension HashResponse: ResponseWithHeader {}
extension AlarmResponse: ResponseWithHeader {}
extension DefragmentResponse: ResponseWithHeader {}
extension DowngradeResponse: ResponseWithHeader {}

extension AlarmType {
    /// etcd's enum value names.
    var etcdName: String {
        switch self {
        case .nospace: return "NOSPACE"
        case .corrupt: return "CORRUPT"
        case .none: return "NONE"
        default: return "\(rawValue)"
        }
    }
}
