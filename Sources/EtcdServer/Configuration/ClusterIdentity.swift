import COpenSSL

/// The member and cluster IDs, derived exactly as etcd derives them for an initial cluster,
/// so a swift-etcd member started with the same flags as an etcd member gets the same IDs.
public struct ClusterIdentity: Sendable, Equatable {
    public var clusterID: UInt64
    public var memberID: UInt64

    public init(clusterID: UInt64, memberID: UInt64) {
        self.clusterID = clusterID
        self.memberID = memberID
    }

    /// etcd's `membership.NewMember`: SHA-1 over the sorted peer URLs and the cluster token.
    public static func memberID(peerURLs: [URLEndpoint], clusterToken: String) -> UInt64 {
        let material = peerURLs.map(\.description).sorted().joined() + clusterToken
        return firstWordOfSHA1(Array(material.utf8))
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

    public static func initial(for configuration: ServerConfiguration) -> ClusterIdentity {
        var urlsByName: [String: [URLEndpoint]] = [:]
        for member in configuration.initialMembers {
            urlsByName[member.name, default: []].append(member.url)
        }
        let token = configuration.initialClusterToken
        let memberIDs = urlsByName.values.map { memberID(peerURLs: $0, clusterToken: token) }
        let own = memberID(peerURLs: urlsByName[configuration.name] ?? [], clusterToken: token)
        return ClusterIdentity(clusterID: clusterID(memberIDs: memberIDs), memberID: own)
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
    /// The WAL's metadata record: what a restarted member must not re-derive from flags.
    var walMetadata: [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: clusterID.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: memberID.bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    init(walMetadata bytes: [UInt8]) throws(ConfigurationError) {
        guard bytes.count == 16 else {
            throw .invalid("the WAL's metadata record has \(bytes.count) bytes, expected 16: not a swift-etcd data directory")
        }
        let word = { (range: Range<Int>) in bytes[range].reduce(UInt64(0)) { ($0 << 8) | UInt64($1) } }
        self.init(clusterID: word(0..<8), memberID: word(8..<16))
    }
}
