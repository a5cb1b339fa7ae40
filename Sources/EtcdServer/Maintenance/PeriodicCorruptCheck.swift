import Dispatch
import EtcdProto
import Logging
import NIOCore
import Synchronization

/// etcd's `monitorKVHash` (`--experimental-corrupt-check-time`): at every interval the leader
/// hashes its store, asks every other member for its HashKV at the same revision, hashes again,
/// and raises the CORRUPT alarm through the log for the first member that disagrees — itself if
/// its own hash changed under an unchanged revision. With CORRUPT raised every member refuses
/// writes with etcd's `corrupt cluster`.
final class PeriodicCorruptCheck: Sendable {
    private let core: ServerCore
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let running = Atomic(false)

    init(core: ServerCore, eventLoop: any EventLoop, logger: Logger) {
        self.core = core
        self.eventLoop = eventLoop
        self.logger = logger
    }

    /// Starts the passes; cancel the task to stop them.
    func start(interval: TimeAmount) -> RepeatedTask {
        logger.info("enabled corruption checking", metadata: [
            "local-member-id": "\(core.identity.memberID.hex)", "interval": "\(interval)",
        ])
        return eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            // Hashing and waiting for peers blocks: not on the event loop, and one pass at a time.
            guard core.log.status.isLeader, !running.exchange(true, ordering: .acquiring) else { return }
            DispatchQueue.global().async { [self] in
                checkOnce()
                running.store(false, ordering: .releasing)
            }
        }
    }

    /// One pass, etcd's `checkHashKV`; blocks until the peers answered or timed out.
    func checkOnce() {
        let identity = core.identity
        guard case .success(let before) = core.store.peerHashKV(revision: 0, clusterID: identity.clusterID, memberID: identity.memberID)
        else { return }
        let revision = before.header?.revision ?? 0
        let peers = peerHashes(at: revision)
        guard case .success(let after) = core.store.peerHashKV(revision: 0, clusterID: identity.clusterID, memberID: identity.memberID)
        else { return }
        let afterRevision = after.header?.revision ?? 0
        var alarmed = false
        func mismatch(_ member: UInt64, _ message: String, _ metadata: Logger.Metadata) {
            logger.warning("\(message)", metadata: metadata)
            guard !alarmed else { return }
            alarmed = true
            var alarm = AlarmRequest()
            alarm.action = .activate
            alarm.memberId = member
            alarm.alarm = .corrupt
            _ = core.propose(kind: .alarm, requestBody: alarm.responseBody(allocator: ByteBufferAllocator()), on: eventLoop)
        }
        if after.hash != before.hash, afterRevision == revision, after.compactRevision == before.compactRevision {
            mismatch(identity.memberID, "found hash mismatch", [
                "revision-1": "\(revision)", "compact-revision-1": "\(before.compactRevision)", "hash-1": "\(before.hash)",
                "revision-2": "\(afterRevision)", "compact-revision-2": "\(after.compactRevision)", "hash-2": "\(after.hash)",
            ])
        }
        for peer in peers {
            let id = peer.header?.memberId ?? 0
            let peerRevision = peer.header?.revision ?? 0
            if peerRevision > afterRevision {
                mismatch(id, "revision from follower must be less than or equal to leader's", [
                    "leader-revision": "\(afterRevision)", "follower-revision": "\(peerRevision)", "follower-peer-id": "\(id.hex)",
                ])
            }
            if peer.compactRevision > after.compactRevision {
                mismatch(id, "compact revision from follower must be less than or equal to leader's", [
                    "leader-compact-revision": "\(after.compactRevision)",
                    "follower-compact-revision": "\(peer.compactRevision)", "follower-peer-id": "\(id.hex)",
                ])
            }
            if peer.compactRevision == before.compactRevision, peer.hash != before.hash {
                mismatch(id, "same compact revision then hashes must match", [
                    "leader-compact-revision": "\(before.compactRevision)", "leader-hash": "\(before.hash)",
                    "follower-compact-revision": "\(peer.compactRevision)", "follower-hash": "\(peer.hash)",
                    "follower-peer-id": "\(id.hex)",
                ])
            }
        }
    }

    /// Every other member's HashKV at `revision`, from the first of its peer URLs that answers;
    /// members that do not answer (down, behind, compacted) are left out, as etcd does.
    private func peerHashes(at revision: Int64) -> [HashKVResponse] {
        guard let transport = core.peerTransport.withLockedValue({ $0 }) else { return [] }
        let client = transport.unaryClient(group: eventLoop)
        var answers: [HashKVResponse] = []
        for member in core.membership.list where member.id != core.identity.memberID {
            for url in member.peerUrls {
                guard let endpoint = try? URLEndpoint(parsing: url) else { continue }
                do {
                    answers.append(
                        try client.hashKV(peerID: member.id, endpoint: endpoint, revision: revision, timeout: core.requestTimeout).wait())
                    break
                } catch {
                    logger.warning("failed hash kv request", metadata: [
                        "local-member-id": "\(core.identity.memberID.hex)", "requested-revision": "\(revision)",
                        "remote-peer-endpoint": "\(url)", "error": "\(error)",
                    ])
                }
            }
        }
        return answers
    }
}
