import EtcdProto
import Foundation
import Logging
import GRPCTransport
import MVCC
import NIOCore

/// The etcd release whose API this server reports (`Maintenance.Status.version`). Clients gate
/// features on it, so it is raised only as the matching API is implemented in full: the KV API of
/// etcd 3.4 is complete, Watch and Lease are not yet.
public let reportedEtcdVersion = "3.4.0"

/// `etcdserverpb.Maintenance`: status, hashes and leadership of this member.
struct MaintenanceService: Sendable {
    let server: ServerCore
    let logger: Logger

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Maintenance/Status", .immediate { body throws(GRPCStatus) in
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
            SnapshotSender(
                store: server.store, scratchDirectory: DataDirectory(root: server.configuration.dataDirectory).memberDirectory,
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
        router.register("/etcdserverpb.Maintenance/MoveLeader", .immediate { body throws(GRPCStatus) in
            let request = try MoveLeaderRequest(requestBody: body)
            // The only member is the leader already: moving leadership to it is done, to anyone
            // else impossible.
            guard request.targetId == server.identity.memberID else { throw EtcdErrors.badLeaderTransferee }
            return server.encodeReply(MoveLeaderResponse())
        })
    }

    private func status() throws(GRPCStatus) -> StatusResponse {
        do throws(MVCCError) {
            let store = server.store
            var response = StatusResponse()
            response.version = reportedEtcdVersion
            response.dbSize = Int64(server.storeFileSize)
            response.dbSizeInUse = Int64(try store.usage().usedBytes)
            response.leader = server.identity.memberID
            response.raftIndex = server.log.lastIndex
            response.raftTerm = server.log.currentTerm
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
