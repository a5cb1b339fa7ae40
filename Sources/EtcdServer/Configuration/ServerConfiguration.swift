import MVCC

/// Everything a member needs to start, under etcd's flag names and defaults.
///
/// Built by the `swift-etcd` command from flags and `ETCD_*` variables; `validate()` applies
/// the checks etcd makes before it touches the data directory, with etcd's messages.
public struct ServerConfiguration: Sendable, Equatable {
    public enum ClusterState: String, Sendable, Equatable {
        case new
        case existing
    }

    /// etcd's TLS file flags for one listener.
    public struct TLSFiles: Sendable, Equatable {
        public var certFile = ""
        public var keyFile = ""
        public var trustedCAFile = ""
        public var clientCertAuth = false
        /// etcd's `--peer-cert-allowed-cn`: only certificates with this common name are accepted ("" = any).
        public var allowedCN = ""
        /// etcd's `--client-crl-file`: connections presenting a certificate revoked there are closed.
        public var crlFile = ""

        public init(
            certFile: String = "", keyFile: String = "", trustedCAFile: String = "", clientCertAuth: Bool = false,
            allowedCN: String = "", crlFile: String = ""
        ) {
            self.certFile = certFile
            self.keyFile = keyFile
            self.trustedCAFile = trustedCAFile
            self.clientCertAuth = clientCertAuth
            self.allowedCN = allowedCN
            self.crlFile = crlFile
        }

        /// etcd's `TLSInfo.Empty`: no certificate and key given.
        public var isEmpty: Bool { certFile.isEmpty && keyFile.isEmpty }
    }

    public var name = "default"
    public var dataDirectory = "default.swift-etcd"
    public var listenClientURLs = [URLEndpoint.defaultClient]
    public var advertiseClientURLs = [URLEndpoint.defaultClient]
    /// etcd's `--listen-metrics-urls`: more listeners serving only `/metrics` and `/health`
    /// (https ones with the client TLS).
    public var listenMetricsURLs: [URLEndpoint] = []
    public var listenPeerURLs = [URLEndpoint.defaultPeer]
    public var initialAdvertisePeerURLs = [URLEndpoint.defaultPeer]
    /// `name=url,name=url`; empty means "this member alone at its advertised peer URLs", as etcd.
    public var initialCluster: [InitialMember] = []
    public var initialClusterToken = "etcd-cluster"
    public var initialClusterState = ClusterState.new
    /// etcd: `--max-request-bytes`, 1.5 MiB.
    public var maxRequestBytes = 1_572_864
    /// etcd: `--max-txn-ops`.
    public var maxTxnOps = 128
    public var logLevel = "info"
    public var heartbeatIntervalMilliseconds = 100
    public var electionTimeoutMilliseconds = 1000
    /// Applied entries between two Raft snapshots (etcd: `--snapshot-count`; 0 means etcd's default).
    public var snapshotCount = 100_000
    /// Entries a compaction keeps before a snapshot for slow followers (etcd 3.6:
    /// `--experimental-snapshot-catchup-entries`).
    public var snapshotCatchUpEntries = 5_000
    /// 0 means etcd's default quota (2 GiB).
    public var quotaBackendBytes: Int64 = 0
    /// How often watchers with `progress_notify` hear the current revision
    /// (etcd's `--experimental-watch-progress-notify-interval`).
    public var watchProgressNotifyIntervalMilliseconds = 10 * 60 * 1000
    /// How often the remaining TTLs of leases are written to the store
    /// (etcd's `--experimental-lease-checkpoint-interval`); also done at shutdown.
    public var leaseCheckpointIntervalMilliseconds = 5 * 60 * 1000
    /// etcd's `--auto-compaction-mode`: "periodic" or "revision" ("" passes validation, as in
    /// etcd, but then only a retention of 0 can start).
    public var autoCompactionMode = "periodic"
    /// etcd's `--auto-compaction-retention` once parsed: milliseconds in periodic mode, a count
    /// of revisions in revision mode (etcd, too, keeps one number for both); 0 turns it off.
    public var autoCompactionRetention: Int64 = 0
    /// `--cert-file`, `--key-file`, `--trusted-ca-file`, `--client-cert-auth`, `--client-crl-file`:
    /// used on https client URLs.
    public var clientTLS = TLSFiles()
    /// `--auto-tls`: without client certificate files, generate a self-signed certificate under
    /// `<data-dir>/fixtures/client` for the https client URLs.
    public var clientAutoTLS = false
    /// `--peer-cert-file`, `--peer-key-file`, `--peer-trusted-ca-file`, `--peer-client-cert-auth`,
    /// `--peer-cert-allowed-cn`, `--peer-crl-file`: used on https peer URLs, listening and
    /// dialling (the CRL on the listener only, as etcd).
    public var peerTLS = TLSFiles()
    /// `--peer-auto-tls`: without peer certificate files, generate a self-signed certificate
    /// under `<data-dir>/fixtures/peer` and skip verifying other members' certificates.
    public var peerAutoTLS = false
    /// etcd's `--experimental-initial-corrupt-check`: a restarted member compares its HashKV
    /// with its peers' before serving clients (see `InitialCorruptCheck`).
    public var initialCorruptCheck = false
    /// etcd's `--experimental-corrupt-check-time`: how often the leader compares every
    /// member's HashKV with its own (0: never; see `PeriodicCorruptCheck`).
    public var corruptCheckIntervalMilliseconds = 0
    /// etcd's `--strict-reconfig-check`: refuse a membership change that would leave fewer
    /// started voters than a quorum.
    public var strictReconfigCheck = true
    /// etcd's `--auth-token`: "simple" (random tokens held in memory) or "jwt,<options>".
    public var authToken = "simple"
    /// etcd's `--auth-token-ttl`, in seconds: how long a simple token stays valid after its last use.
    public var authTokenTTLSeconds = 300
    /// etcd's `--bcrypt-cost` for hashing passwords (Go's bcrypt bounds, 4…31).
    public var bcryptCost = 10

    /// `--cipher-suites`: Go's names; empty leaves TLS 1.2's suites to OpenSSL's defaults.
    public var cipherSuites: [String] = []
    /// `--max-concurrent-streams`: SETTINGS_MAX_CONCURRENT_STREAMS on the client port, and
    /// the JSON gateway's limit of open calls (etcd's gateway is one client connection).
    public var maxConcurrentStreams = UInt32.max

    /// etcd's `ReqTimeout`: 5 s for queueing, computation and disk, plus two election timeouts.
    public var requestTimeoutMilliseconds: Int {
        Self.requestTimeoutMilliseconds(heartbeat: heartbeatIntervalMilliseconds, election: electionTimeoutMilliseconds)
    }

    static func requestTimeoutMilliseconds(heartbeat: Int, election: Int) -> Int {
        let tick = max(1, heartbeat)
        return 5000 + 2 * (election / tick) * tick
    }

    /// What auto-compaction does, nil when off.
    var autoCompactionPolicy: AutoCompactionPolicy? {
        guard autoCompactionRetention > 0 else { return nil }
        switch autoCompactionMode {
        case "periodic": return .periodic(retention: .milliseconds(autoCompactionRetention))
        case "revision": return .revision(retention: autoCompactionRetention)
        default: return nil
        }
    }

    /// The backend quota in force: etcd's 2 GiB default for 0, none for a negative value.
    public var effectiveQuotaBytes: Int64 {
        if quotaBackendBytes == 0 { return 2 << 30 }
        return quotaBackendBytes < 0 ? .max : quotaBackendBytes
    }

    /// The store's LMDB map: room for twice the quota (NOSPACE must come before LMDB's map is
    /// full), at least the store's default, and 1 TiB without a quota: disk space, not the map,
    /// then bounds the store, as it bounds etcd's bbolt file.
    public var storeMapBytes: Int {
        let quota = effectiveQuotaBytes
        if quota == .max { return 1 << 40 }
        return max(MVCCOptions.defaultMapSize, Int(min(quota, 1 << 40)) * 2)
    }

    /// etcd's minimum lease TTL: 1.5 election timeouts, rounded up to whole seconds.
    public var minimumLeaseTTL: Int64 {
        let electionTicks = max(1, electionTimeoutMilliseconds / max(1, heartbeatIntervalMilliseconds))
        let milliseconds = (3 * electionTicks / 2) * heartbeatIntervalMilliseconds
        return Int64((milliseconds + 999) / 1000)
    }

    /// gRPC's allowance on top of `maxRequestBytes` for framing (etcd's `grpcOverheadBytes`).
    public static let grpcOverheadBytes = 512 * 1024

    public init() {}

    /// The members of the initial cluster, defaulting to this member alone.
    public var initialMembers: [InitialMember] {
        if initialCluster.isEmpty {
            return initialAdvertisePeerURLs.map { InitialMember(name: name, url: $0) }
        }
        return initialCluster
    }

    /// etcd's start-up checks for the member and cluster flags, with its messages.
    public func validate() throws(ConfigurationError) {
        if maxTxnOps <= 0 {
            throw .invalid("--max-txn-ops must be greater than 0")
        }
        if maxRequestBytes <= 0 {
            throw .invalid("--max-request-bytes must be greater than 0")
        }
        if heartbeatIntervalMilliseconds <= 0 {
            throw .invalid("--heartbeat-interval must be >0 (set to \(heartbeatIntervalMilliseconds)ms)")
        }
        if electionTimeoutMilliseconds <= 0 {
            throw .invalid("--election-timeout must be >0 (set to \(electionTimeoutMilliseconds)ms)")
        }
        if electionTimeoutMilliseconds < 5 * heartbeatIntervalMilliseconds {
            throw .invalid(
                "--election-timeout[\(electionTimeoutMilliseconds)ms] should be at least as 5 times as --heartbeat-interval[\(heartbeatIntervalMilliseconds)ms]"
            )
        }
        if electionTimeoutMilliseconds > 50_000 {
            throw .invalid("--election-timeout[\(electionTimeoutMilliseconds)ms] is too long, and should be set less than 50000ms")
        }
        if leaseCheckpointIntervalMilliseconds <= 0 {
            throw .invalid("--experimental-lease-checkpoint-interval must be greater than 0")
        }
        if watchProgressNotifyIntervalMilliseconds <= 0 {
            throw .invalid("--experimental-watch-progress-notify-interval must be greater than 0")
        }
        if !["debug", "info", "warn", "error", "panic", "fatal"].contains(logLevel) {
            throw .invalid("unknown log level \"\(logLevel)\"")
        }
        let members = initialMembers
        let own = members.filter { $0.name == name }
        if own.isEmpty {
            throw .invalid("couldn't find local name \"\(name)\" in the initial cluster configuration")
        }
        let ownURLs = own.map(\.url.description).sorted()
        let advertised = initialAdvertisePeerURLs.map(\.description).sorted()
        if ownURLs != advertised {
            let listed = own.map { "\($0.name)=\($0.url)" }.joined(separator: ",")
            throw .invalid(
                "--initial-cluster has \(listed) but missing from --initial-advertise-peer-urls=\(advertised.joined(separator: ",")) (resolved urls: \"\(advertised.joined(separator: ","))\" != \"\(ownURLs.joined(separator: ","))\")"
            )
        }
        var seen = Set<String>()
        for member in members where !seen.insert(member.url.description).inserted {
            // etcd prints the cluster as its URLsMap does: sorted name=url pairs.
            let listed = members.map { "\($0.name)=\($0.url)" }.sorted().joined(separator: ",")
            throw .invalid("initial cluster \(listed) has duplicate url")
        }
        if !["", "periodic", "revision"].contains(autoCompactionMode) {
            throw .invalid("unknown auto-compaction-mode \"\(autoCompactionMode)\"")
        }
        // etcd accepts a negative duration and then compacts in a busy loop; refuse it instead.
        if autoCompactionRetention < 0 {
            throw .invalid("--auto-compaction-retention must not be negative")
        }
        // etcd's message when it creates the compactor for mode "".
        if autoCompactionMode.isEmpty && autoCompactionRetention != 0 {
            throw .invalid("unsupported compaction mode ")
        }
        for url in listenClientURLs where url.scheme == .https && clientTLS.isEmpty && !clientAutoTLS {
            throw .invalid("TLS key/cert (--cert-file, --key-file) must be provided for client url \(url) with HTTPS scheme")
        }
        for url in listenMetricsURLs where url.scheme == .https && clientTLS.isEmpty && !clientAutoTLS {
            throw .invalid("cannot listen on TLS for \(url.host):\(url.port): KeyFile and CertFile are not presented")
        }
        if listenMetricsURLs.contains(where: { $0.scheme == .unix || $0.scheme == .unixs }) {
            throw .invalid("unix socket metrics URLs are not supported yet (--listen-metrics-urls)")
        }
        let tokenKind = authToken.split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
        if tokenKind != "simple" && tokenKind != "jwt" {
            throw .invalid("auth: unknown token type \(tokenKind)")
        }
        if authTokenTTLSeconds <= 0 {
            throw .invalid("--auth-token-ttl must be greater than 0")
        }
        _ = try CipherSuites.openSSLCipherList(cipherSuites)
        if listenClientURLs.contains(where: { $0.scheme == .unix || $0.scheme == .unixs }) {
            throw .invalid("unix socket client URLs are not supported yet (--listen-client-urls)")
        }
    }
}

/// One `name=url` pair of `--initial-cluster`.
public struct InitialMember: Sendable, Hashable {
    public var name: String
    public var url: URLEndpoint

    public init(name: String, url: URLEndpoint) {
        self.name = name
        self.url = url
    }
}

public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public static func invalid(_ message: String) -> ConfigurationError {
        ConfigurationError(message: message)
    }
}

extension InitialMember {
    /// Parses `--initial-cluster`'s `name=url,name=url` form.
    public static func parseList(_ text: String) throws(ConfigurationError) -> [InitialMember] {
        var members: [InitialMember] = []
        for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw .invalid("\(pair) is not a valid name=url pair")
            }
            let url = try URLEndpoint(parsing: String(pair[pair.index(after: equals)...]))
            members.append(InitialMember(name: String(pair[..<equals]), url: url))
        }
        return members
    }
}
