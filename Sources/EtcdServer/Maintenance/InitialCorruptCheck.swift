import EtcdProto
import Logging
import MVCC
import NIOCore

/// etcd's `--experimental-initial-corrupt-check` (`CheckInitialHashKV`, etcd 3.4.23): before a
/// restarted member serves clients, it asks every peer, over the peer transport, for the HashKV
/// at this member's current revision. A peer whose hash differs while its compact revision is
/// the same holds different data: the member refuses to start. Peers that cannot be reached, that
/// have compacted that revision or not reached it yet, or whose compact revision differs, are
/// logged and skipped, as etcd does.
struct InitialCorruptCheck: Sendable {
    struct Peer: Sendable {
        var id: UInt64
        var endpoints: [URLEndpoint]
    }

    typealias Query = @Sendable (_ peer: UInt64, _ endpoint: URLEndpoint, _ revision: Int64, _ timeout: TimeAmount)
        -> EventLoopFuture<HashKVResponse>

    var memberID: UInt64
    var peers: [Peer]
    /// Per peer endpoint (etcd's `ReqTimeout`: 5 s plus two election timeouts).
    var timeout: TimeAmount
    var logger: Logger
    var query: Query

    /// What one peer answered, or the last error of its endpoints.
    struct PeerResult {
        var peer: Peer
        var response: HashKVResponse?
        var error: PeerHashKVError?
    }

    /// Runs the check against `local` (this member's HashKV at its current revision); blocks
    /// for the peers' answers, so call it from outside the event loops.
    func run(local: HashKVResponse) throws(InitialCorruptCheckError) {
        let id = memberID.hex
        logger.info(
            "starting initial corruption check",
            metadata: ["local-member-id": "\(id)", "timeout": "\(Self.goDuration(timeout))"])
        let hash = local.hash
        let revision = local.header?.revision ?? 0
        let compactRevision = local.compactRevision
        let results = peerHashKVs(revision: revision)
        var mismatches = 0
        for result in results {
            let localFields: Logger.Metadata = [
                "local-member-id": "\(id)", "local-member-revision": "\(revision)",
                "local-member-compact-revision": "\(compactRevision)", "local-member-hash": "\(hash)",
                "remote-peer-id": "\(result.peer.id.hex)",
                "remote-peer-endpoints": "[\(result.peer.endpoints.map(\.description).joined(separator: ","))]",
            ]
            if let response = result.response {
                guard response.hash != hash else { continue }
                var fields = localFields
                fields["remote-peer-revision"] = "\(response.header?.revision ?? 0)"
                fields["remote-peer-compact-revision"] = "\(response.compactRevision)"
                fields["remote-peer-hash"] = "\(response.hash)"
                if response.compactRevision == compactRevision {
                    logger.warning("found different hash values from remote peer", metadata: fields)
                    mismatches += 1
                } else {
                    logger.warning("found different compact revision values from remote peer", metadata: fields)
                }
                continue
            }
            var fields = localFields
            fields["error"] = "\(result.error.map { "\($0)" } ?? "")"
            switch result.error {
            case .futureRevision:
                logger.warning("cannot fetch hash from slow remote peer", metadata: fields)
            case .compacted:
                logger.warning("cannot fetch hash from remote peer; local member is behind", metadata: fields)
            default:
                // Unreachable peers were logged per endpoint ("failed hash kv request"), as etcd does.
                break
            }
        }
        if mismatches > 0 {
            throw .inconsistent(memberID: memberID)
        }
        logger.info("initial corruption checking passed; no corruption", metadata: ["local-member-id": "\(id)"])
    }

    /// etcd's `getPeerHashKVs`: each peer in turn, each of its endpoints in turn until one answers.
    func peerHashKVs(revision: Int64) -> [PeerResult] {
        var results: [PeerResult] = []
        for peer in peers where !peer.endpoints.isEmpty {
            var lastError: PeerHashKVError?
            var answered = false
            for endpoint in peer.endpoints {
                do {
                    let response = try query(peer.id, endpoint, revision, timeout).wait()
                    results.append(PeerResult(peer: peer, response: response, error: nil))
                    answered = true
                    break
                } catch {
                    let failure = error as? PeerHashKVError ?? .failed("\(error)")
                    lastError = failure
                    logger.warning(
                        "failed hash kv request",
                        metadata: [
                            "local-member-id": "\(memberID.hex)", "requested-revision": "\(revision)",
                            "remote-peer-endpoint": "\(endpoint)", "error": "\(failure)",
                        ])
                }
            }
            if !answered {
                results.append(PeerResult(peer: peer, response: nil, error: lastError))
            }
        }
        return results
    }

    /// Go's `time.Duration` text for whole and fractional seconds ("7s", "5.5s").
    static func goDuration(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        return "\(Double(milliseconds) / 1000)s"
    }
}

/// The initial corruption check failed: the member must not start (etcd exits with status 1).
public enum InitialCorruptCheckError: Error, CustomStringConvertible, Equatable {
    /// The member's data differs from a peer's.
    case inconsistent(memberID: UInt64)
    /// The member could not hash its own store.
    case localHashFailed(memberID: UInt64, reason: String)

    /// etcd's error texts, which etcdmain prints as the fatal line.
    public var description: String {
        switch self {
        case .inconsistent(let id): "\(id.hex) found data inconsistency with peers"
        case .localHashFailed(let id, let reason): "\(id.hex) failed to fetch hash (\(reason))"
        }
    }
}

extension InitialCorruptCheck {
    /// The check as a server runs it: peers from the bootstrap membership, queried over the peer
    /// transport's HashKV path; the local hash from `store`.
    static func run(
        store: MVCCStore, identity: ClusterIdentity, configuration: ServerConfiguration, peers: [UInt64: [URLEndpoint]],
        transport: PeerTransport, group: any EventLoopGroup, logger: Logger
    ) throws(InitialCorruptCheckError) {
        // Dialled as the transport dials its peers, so https peer URLs get TLS.
        let client = transport.unaryClient(group: group)
        let check = InitialCorruptCheck(
            memberID: identity.memberID,
            peers: peers.keys.sorted().map { Peer(id: $0, endpoints: peers[$0]!) },
            timeout: .milliseconds(Int64(configuration.requestTimeoutMilliseconds)), logger: logger,
            query: { peer, endpoint, revision, timeout in
                client.hashKV(peerID: peer, endpoint: endpoint, revision: revision, timeout: timeout)
            })
        switch store.peerHashKV(revision: 0, clusterID: identity.clusterID, memberID: identity.memberID) {
        case .success(let local):
            try check.run(local: local)
        case .failure(let status):
            throw .localHashFailed(memberID: identity.memberID, reason: status.message)
        }
    }
}
