import COpenSSL
import EtcdProto
import Raft

/// The member and cluster IDs, derived exactly as etcd derives them for an initial cluster,
/// so a swift-etcd member started with the same flags as an etcd member gets the same IDs.
public struct ClusterIdentity: Sendable, Equatable {
    public var clusterID: UInt64
    public var memberID: UInt64
    /// The bootstrap members (ID, name, peer URLs), this one included, by ID.
    public var members: [Member]

    public init(clusterID: UInt64, memberID: UInt64, members: [Member]) {
        self.clusterID = clusterID
        self.memberID = memberID
        self.members = members.sorted { $0.id < $1.id }
    }

    /// etcd's `membership.NewMember` at bootstrap: SHA-1 over the sorted peer URLs and the cluster token.
    public static func memberID(peerURLs: [URLEndpoint], clusterToken: String) -> UInt64 {
        memberID(peerURLs: peerURLs.map(\.description), suffix: clusterToken)
    }

    /// etcd's `membership.NewMember`: SHA-1 over the sorted peer URLs and what follows them (the
    /// cluster token at bootstrap; the time in seconds for MemberAdd).
    public static func memberID(peerURLs: [String], suffix: String) -> UInt64 {
        firstWordOfSHA1(Array((peerURLs.sorted().joined() + suffix).utf8))
    }

    /// etcd's `RaftCluster.genID`: SHA-1 over the sorted member IDs, big-endian.
    public static func clusterID(memberIDs: [UInt64]) -> UInt64 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(memberIDs.count * 8)
        for id in memberIDs.sorted() {
            withUnsafeBytes(of: id.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return firstWordOfSHA1(bytes)
    }

    /// The Raft membership the log starts from: the bootstrap members, or those a joining member
    /// fetched (learners among them).
    var raftConfiguration: ConfState {
        ConfState(voters: members.filter { !$0.isLearner }.map(\.id), learners: members.filter(\.isLearner).map(\.id))
    }

    public static func initial(for configuration: ServerConfiguration) -> ClusterIdentity {
        var urlsByName: [String: [URLEndpoint]] = [:]
        for member in configuration.initialMembers {
            urlsByName[member.name, default: []].append(member.url)
        }
        let token = configuration.initialClusterToken
        let members = urlsByName.map { name, urls in
            Member(id: memberID(peerURLs: urls, clusterToken: token), name: name, peerUrls: urls.map(\.description))
        }
        let own = memberID(peerURLs: urlsByName[configuration.name] ?? [], clusterToken: token)
        return ClusterIdentity(clusterID: clusterID(memberIDs: members.map(\.id)), memberID: own, members: members)
    }

    private static func firstWordOfSHA1(_ bytes: [UInt8]) -> UInt64 {
        var digest = [UInt8](repeating: 0, count: Int(SHA_DIGEST_LENGTH))
        _ = bytes.withUnsafeBufferPointer { input in
            SHA1(input.baseAddress, input.count, &digest)
        }
        return digest.prefix(8).reduce(0) { ($0 << 8) | UInt64($1) }
    }
}

extension ClusterIdentity {
    /// The WAL's metadata record: what a restarted member must not re-derive from flags. The
    /// cluster and member IDs (8 bytes each, big-endian), then each bootstrap member as a 4-byte
    /// big-endian length and its `etcdserverpb.Member` encoding. A record of the IDs alone (data
    /// directories of one-member swift-etcd before clusters) is a cluster of that member.
    var walMetadata: [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: clusterID.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: memberID.bigEndian) { bytes.append(contentsOf: $0) }
        for member in members {
            let encoded = member.serializedBytes()
            withUnsafeBytes(of: UInt32(encoded.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: encoded)
        }
        return bytes
    }

    /// Reads the metadata record; `configuration` names this member's peer URLs in a record
    /// that lists no members.
    init(walMetadata bytes: [UInt8], configuration: ServerConfiguration) throws(ConfigurationError) {
        let notOurs = ConfigurationError.invalid("the WAL's metadata record (\(bytes.count) bytes) is not a swift-etcd member's: not a swift-etcd data directory")
        guard bytes.count >= 16 else { throw notOurs }
        let word = { (range: Range<Int>) in bytes[range].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) } }
        let clusterID = word(0..<8)
        let memberID = word(8..<16)
        var members: [Member] = []
        var offset = 16
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { throw notOurs }
            let length = Int(word(offset..<(offset + 4)))
            offset += 4
            guard offset + length <= bytes.count, let member = try? Member(serializedBytes: Array(bytes[offset..<(offset + length)])) else {
                throw notOurs
            }
            members.append(member)
            offset += length
        }
        if members.isEmpty {
            members = [Member(id: memberID, name: configuration.name, peerUrls: configuration.initialAdvertisePeerURLs.map(\.description))]
        }
        guard members.contains(where: { $0.id == memberID }) else { throw notOurs }
        self.init(clusterID: clusterID, memberID: memberID, members: members)
    }
}
