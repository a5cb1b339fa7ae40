import EtcdProto
import GRPCTransport
import Logging
import NIOCore
import NIOPosix

/// Joining a running cluster (`--initial-cluster-state existing`, no data directory yet), as
/// etcd does it: ask the other members of `--initial-cluster` for the member list, check that
/// the flags describe the same members (by peer URLs), and take the IDs `MemberAdd` gave them.
enum ClusterJoin {
    /// etcd's `GetClusterFromRemotePeers` timeout, per peer URL.
    static let fetchTimeout = TimeAmount.seconds(10)

    static func identity(configuration: ServerConfiguration, tls: PeerTLS, logger: Logger) throws -> ClusterIdentity {
        let local = localMembers(configuration)
        let remoteURLs = local.filter { $0.name != configuration.name }.flatMap(\.urls).sorted()
        guard let (clusterID, existing) = try fetchMembers(from: remoteURLs, tls: tls, logger: logger) else {
            throw ConfigurationError.invalid(
                "cannot fetch cluster info from peer urls: could not retrieve cluster information from the given URLs")
        }
        let ownID = try assignIDs(local: local, existing: existing, ownName: configuration.name, clusterID: clusterID)
        return ClusterIdentity(clusterID: clusterID, memberID: ownID, members: existing)
    }

    struct LocalMember: Equatable {
        var name: String
        var urls: [String]
    }

    static func localMembers(_ configuration: ServerConfiguration) -> [LocalMember] {
        var urlsByName: [String: [String]] = [:]
        for member in configuration.initialMembers {
            urlsByName[member.name, default: []].append(member.url.description)
        }
        return urlsByName.keys.sorted().map { LocalMember(name: $0, urls: urlsByName[$0]!) }
    }

    /// etcd's `ValidateClusterAndAssignIDs`: every existing member matches a member of the flags
    /// with the same peer URLs. Answers the ID of `ownName`.
    static func assignIDs(local: [LocalMember], existing: [Member], ownName: String, clusterID: UInt64) throws -> UInt64 {
        func refuse(_ reason: String) -> ConfigurationError {
            .invalid("error validating peerURLs \(describe(clusterID: clusterID, members: existing)): \(reason)")
        }
        guard existing.count == local.count else { throw refuse("member count is unequal") }
        var ownID: UInt64?
        for member in existing {
            guard let match = local.first(where: { $0.urls.sorted() == member.peerUrls.sorted() }) else {
                throw refuse(
                    "PeerURLs: no match found for existing member (\(member.id.hex), [\(member.peerUrls.joined(separator: " "))]), last resolver error (<nil>)")
            }
            if match.name == ownName { ownID = member.id }
        }
        // Every member matched and the counts are equal, so the flags' own entry has an ID.
        return ownID!
    }

    /// etcd's `RaftCluster.String()`, which its refusal prints.
    static func describe(clusterID: UInt64, members: [Member]) -> String {
        let described = members.map { member in
            "&{ID:\(member.id.hex) RaftAttributes:{PeerURLs:[\(member.peerUrls.joined(separator: " "))] IsLearner:\(member.isLearner)} "
                + "Attributes:{Name:\(member.name) ClientURLs:[\(member.clientUrls.joined(separator: " "))]}}"
        }
        return "{ClusterID:\(clusterID.hex) Members:[\(described.joined(separator: " "))] RemovedMemberIDs:[]}"
    }

    /// The first answer of the URLs, tried in order; nil when none answered with members.
    private static func fetchMembers(from urls: [String], tls: PeerTLS, logger: Logger) throws -> (UInt64, [Member])? {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let context = try TLSContext(client: tls.client)
        let client = PeerUnaryClient(
            memberID: 0, clusterID: 0, group: group, logger: logger,
            connect: { endpoint, eventLoop in
                PeerLink.makeChannel(to: endpoint, tls: context, on: eventLoop, timeout: fetchTimeout, logger: logger)
            })
        for url in urls {
            guard let endpoint = try? URLEndpoint(parsing: url) else { continue }
            do {
                let answer = try client.members(endpoint: endpoint, timeout: fetchTimeout).wait()
                guard let clusterID = answer.header?.clusterId, clusterID != 0, !answer.members.isEmpty else {
                    logger.warning("failed to get raft cluster member(s) from the given URLs", metadata: ["address": "\(url)"])
                    continue
                }
                return (clusterID, answer.members)
            } catch {
                logger.warning("failed to get cluster response", metadata: ["address": "\(url)/members", "error": "\(error)"])
            }
        }
        return nil
    }
}
