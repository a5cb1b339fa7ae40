import ArgumentParser
import EtcdServer

/// etcd's flags, under etcd's names and defaults, for what this server implements.
struct MemberFlags: ParsableArguments {
    @Option(name: .customLong("name"), help: "Human-readable name for this member.")
    var name = "default"

    @Option(name: .customLong("data-dir"), help: "Path to the data directory.")
    var dataDirectory = "default.swift-etcd"

    @Option(name: .customLong("listen-client-urls"), help: "List of URLs to listen on for client traffic.")
    var listenClientURLs = "http://localhost:2379"

    @Option(name: .customLong("advertise-client-urls"), help: "List of this member's client URLs to advertise to the public.")
    var advertiseClientURLs = "http://localhost:2379"

    @Option(name: .customLong("listen-metrics-urls"), help: "List of URLs to listen on for the metrics and health endpoints.")
    var listenMetricsURLs = ""

    @Option(name: .customLong("listen-peer-urls"), help: "List of URLs to listen on for peer traffic.")
    var listenPeerURLs = "http://localhost:2380"

    @Option(name: .customLong("initial-advertise-peer-urls"), help: "List of this member's peer URLs to advertise to the rest of the cluster.")
    var initialAdvertisePeerURLs = "http://localhost:2380"

    @Option(name: .customLong("initial-cluster"), help: "Initial cluster configuration for bootstrapping (name=url,...).")
    var initialCluster = Self.defaultInitialCluster
    static let defaultInitialCluster = "default=http://localhost:2380"

    @Option(name: .customLong("initial-cluster-token"), help: "Initial cluster token for the etcd cluster during bootstrap.")
    var initialClusterToken = "etcd-cluster"

    @Option(name: .customLong("initial-cluster-state"), help: "Initial cluster state ('new' or 'existing').")
    var initialClusterState = "new"

    @Option(name: .customLong("max-request-bytes"), help: "Maximum client request size in bytes the server will accept.")
    var maxRequestBytes = 1_572_864

    @Option(name: .customLong("max-txn-ops"), help: "Maximum number of operations permitted in a transaction.")
    var maxTxnOps = 128

    @Option(name: .customLong("log-level"), help: "Log level: debug, info, warn, error, panic, or fatal.")
    var logLevel = "info"

    @Option(name: .customLong("logger"), help: "'capnslog' for text lines (etcd 3.4's default) or 'zap' for etcd 3.5's JSON lines.")
    var loggerKind = "capnslog"

    @Option(name: .customLong("log-outputs"), help: "Where log lines go: 'default' or 'stderr' (the same), or 'stdout'.")
    var logOutputs = "default"

    @Option(name: .customLong("config-file"), help: "Path to the server configuration file (YAML, etcd's keys); other flags and ETCD_* variables are then ignored.")
    var configFile = ""

    @Flag(name: .customLong("enable-v2"), help: "Accept etcd's v2 API: not supported, only false is accepted.")
    var enableV2 = false

    @Flag(name: .customLong("force-new-cluster"), help: "Force to create a new one-member cluster: not supported yet, only false is accepted.")
    var forceNewCluster = false

    @Option(name: .customLong("heartbeat-interval"), help: "Time (in milliseconds) of a heartbeat interval.")
    var heartbeatInterval = 100

    @Option(name: .customLong("election-timeout"), help: "Time (in milliseconds) for an election to timeout.")
    var electionTimeout = 1000

    @Option(name: .customLong("snapshot-count"), help: "Number of committed transactions to trigger a snapshot to disk.")
    var snapshotCount: UInt64 = 100_000

    @Option(name: .customLong("experimental-snapshot-catchup-entries"), help: "Number of entries for a slow follower to catch up after compacting the raft storage entries.")
    var snapshotCatchUpEntries: UInt64 = 5_000

    @Option(name: .customLong("quota-backend-bytes"), help: "Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).")
    var quotaBackendBytes: Int64 = 0

    @Option(
        name: .customLong("experimental-watch-progress-notify-interval"),
        help: "Duration of periodic watch progress notifications.")
    var watchProgressNotifyInterval = "10m"

    @Option(
        name: .customLong("experimental-lease-checkpoint-interval"),
        help: "Duration of periodic lease checkpoints (remaining TTLs survive a restart).")
    var leaseCheckpointInterval = "5m"

    @Option(
        name: .customLong("auto-compaction-mode"),
        help: "Interpret 'auto-compaction-retention' as one of: periodic|revision.")
    var autoCompactionMode = "periodic"

    @Option(
        name: .customLong("auto-compaction-retention"),
        help: "Auto compaction retention: a duration in periodic mode (hours without a unit), revisions in revision mode. 0 disables it.")
    var autoCompactionRetention = "0"

    @Option(name: .customLong("cert-file"), help: "Path to the client server TLS cert file.")
    var certFile = ""

    @Option(name: .customLong("key-file"), help: "Path to the client server TLS key file.")
    var keyFile = ""

    @Option(name: .customLong("trusted-ca-file"), help: "Path to the client server TLS trusted CA cert file.")
    var trustedCAFile = ""

    @Flag(name: .customLong("client-cert-auth"), help: "Enable client cert authentication.")
    var clientCertAuth = false

    @Option(name: .customLong("client-crl-file"), help: "Path to the client certificate revocation list file.")
    var clientCRLFile = ""

    @Flag(name: .customLong("auto-tls"), help: "Client TLS using generated certificates")
    var clientAutoTLS = false

    @Flag(
        name: .customLong("experimental-initial-corrupt-check"),
        help: "Enable to check data corruption before serving any client/peer traffic.")
    var initialCorruptCheck = false

    @Option(
        name: .customLong("experimental-corrupt-check-time"),
        help: "Duration of time between cluster corruption check passes.")
    var corruptCheckTime = "0s"

    @Option(name: .customLong("peer-cert-file"), help: "Path to the peer server TLS cert file.")
    var peerCertFile = ""

    @Option(name: .customLong("peer-key-file"), help: "Path to the peer server TLS key file.")
    var peerKeyFile = ""

    @Option(name: .customLong("peer-trusted-ca-file"), help: "Path to the peer server TLS trusted CA file.")
    var peerTrustedCAFile = ""

    @Flag(name: .customLong("peer-client-cert-auth"), help: "Enable peer client cert authentication.")
    var peerClientCertAuth = false

    @Option(name: .customLong("peer-cert-allowed-cn"), help: "Allowed CN for inter peer authentication.")
    var peerCertAllowedCN = ""

    @Option(name: .customLong("peer-crl-file"), help: "Path to the peer certificate revocation list file.")
    var peerCRLFile = ""

    @Flag(name: .customLong("peer-auto-tls"), help: "Peer TLS using generated certificates")
    var peerAutoTLS = false

    @Flag(
        name: .customLong("strict-reconfig-check"), inversion: .prefixedNo,
        help: "Reject reconfiguration requests that would cause quorum loss.")
    var strictReconfigCheck = true

    @Option(
        name: .customLong("max-concurrent-streams"),
        help: "Maximum concurrent streams that each client can open at a time.")
    var maxConcurrentStreams = "4294967295"

    @Option(
        name: .customLong("cipher-suites"),
        help: "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go).")
    var cipherSuites = ""

    @Option(name: .customLong("auth-token"), help: "Specify auth token specific options.")
    var authToken = "simple"

    @Option(name: .customLong("auth-token-ttl"), help: "The lifetime in seconds of the auth token.")
    var authTokenTTL = 300

    @Option(name: .customLong("bcrypt-cost"), help: "Specify bcrypt algorithm cost factor for auth password hashing.")
    var bcryptCost = 10

    /// The long names above, for the `ETCD_*` variable mapping.
    static let flagNames = [
        "name", "data-dir", "listen-client-urls", "advertise-client-urls", "listen-metrics-urls", "listen-peer-urls",
        "initial-advertise-peer-urls", "initial-cluster", "initial-cluster-token", "initial-cluster-state",
        "max-request-bytes", "max-txn-ops", "log-level", "logger", "log-outputs", "config-file", "enable-v2",
        "force-new-cluster", "heartbeat-interval",
        "election-timeout", "snapshot-count", "experimental-snapshot-catchup-entries", "quota-backend-bytes", "experimental-watch-progress-notify-interval",
        "experimental-lease-checkpoint-interval", "auto-compaction-mode", "auto-compaction-retention",
        "cert-file", "key-file", "trusted-ca-file", "client-cert-auth", "client-crl-file", "auto-tls",
        "experimental-initial-corrupt-check", "peer-cert-file", "peer-key-file", "peer-trusted-ca-file",
        "peer-client-cert-auth", "peer-cert-allowed-cn", "peer-crl-file", "peer-auto-tls", "strict-reconfig-check",
        "auth-token", "auth-token-ttl", "bcrypt-cost",
        "experimental-corrupt-check-time", "max-concurrent-streams", "cipher-suites",
    ]

    /// The boolean flags among them: Go's `--flag`, `--flag=true`, `--flag=false` (GoFlagSyntax).
    static let boolFlagNames: Set<String> = [
        "experimental-initial-corrupt-check", "client-cert-auth", "auto-tls", "peer-client-cert-auth", "peer-auto-tls",
        "strict-reconfig-check", "enable-v2", "force-new-cluster",
    ]
    /// Boolean flags that are on unless turned off.
    static let defaultOnFlagNames: Set<String> = ["strict-reconfig-check"]

    func serverConfiguration() throws -> ServerConfiguration {
        var settings = ServerConfiguration()
        settings.name = name
        settings.dataDirectory = dataDirectory
        settings.listenClientURLs = try urls("listen-client-urls", listenClientURLs)
        settings.advertiseClientURLs = try urls("advertise-client-urls", advertiseClientURLs)
        settings.listenMetricsURLs = listenMetricsURLs.isEmpty ? [] : try urls("listen-metrics-urls", listenMetricsURLs)
        settings.listenPeerURLs = try urls("listen-peer-urls", listenPeerURLs)
        settings.initialAdvertisePeerURLs = try urls("initial-advertise-peer-urls", initialAdvertisePeerURLs)
        // etcd: `--name x` alone means "x at my advertised peer URLs", not the default member.
        if name == "default" || initialCluster != Self.defaultInitialCluster {
            do {
                settings.initialCluster = try InitialMember.parseList(initialCluster)
            } catch {
                throw ValidationError("invalid value \"\(initialCluster)\" for flag -initial-cluster: \(error.message)")
            }
        }
        settings.initialClusterToken = initialClusterToken
        guard let state = ServerConfiguration.ClusterState(rawValue: initialClusterState) else {
            throw ValidationError("invalid value \"\(initialClusterState)\" for flag -initial-cluster-state: invalid value")
        }
        settings.initialClusterState = state
        settings.maxRequestBytes = maxRequestBytes
        settings.maxTxnOps = maxTxnOps
        settings.logLevel = logLevel
        guard ["zap", "capnslog"].contains(loggerKind) else {
            throw ValidationError("unknown logger option \"\(loggerKind)\"")
        }
        guard ["default", "stderr", "stdout"].contains(logOutputs) else {
            throw ValidationError("unknown log output \"\(logOutputs)\": only default, stderr and stdout are supported")
        }
        if enableV2 {
            throw ValidationError("--enable-v2 is not supported: swift-etcd serves etcd's v3 API only")
        }
        if forceNewCluster {
            throw ValidationError("--force-new-cluster is not supported yet")
        }
        settings.heartbeatIntervalMilliseconds = heartbeatInterval
        settings.electionTimeoutMilliseconds = electionTimeout
        // etcd takes 0 for its default.
        settings.snapshotCount = snapshotCount == 0 ? 100_000 : Int(clamping: snapshotCount)
        settings.snapshotCatchUpEntries = Int(clamping: snapshotCatchUpEntries)
        settings.quotaBackendBytes = quotaBackendBytes
        guard let progressInterval = GoDuration.milliseconds(watchProgressNotifyInterval) else {
            throw ValidationError(
                "invalid value \"\(watchProgressNotifyInterval)\" for flag -experimental-watch-progress-notify-interval: parse error")
        }
        settings.watchProgressNotifyIntervalMilliseconds = Int(progressInterval)
        guard let checkpointInterval = GoDuration.milliseconds(leaseCheckpointInterval) else {
            throw ValidationError(
                "invalid value \"\(leaseCheckpointInterval)\" for flag -experimental-lease-checkpoint-interval: parse error")
        }
        settings.leaseCheckpointIntervalMilliseconds = Int(checkpointInterval)
        settings.autoCompactionMode = autoCompactionMode
        settings.clientTLS = ServerConfiguration.TLSFiles(
            certFile: certFile, keyFile: keyFile, trustedCAFile: trustedCAFile, clientCertAuth: clientCertAuth,
            crlFile: clientCRLFile)
        settings.clientAutoTLS = clientAutoTLS
        settings.initialCorruptCheck = initialCorruptCheck
        guard let corruptCheckInterval = GoDuration.milliseconds(corruptCheckTime) else {
            throw ValidationError(
                "invalid value \"\(corruptCheckTime)\" for flag -experimental-corrupt-check-time: parse error")
        }
        settings.corruptCheckIntervalMilliseconds = Int(corruptCheckInterval)
        settings.strictReconfigCheck = strictReconfigCheck
        settings.peerTLS = ServerConfiguration.TLSFiles(
            certFile: peerCertFile, keyFile: peerKeyFile, trustedCAFile: peerTrustedCAFile,
            clientCertAuth: peerClientCertAuth, allowedCN: peerCertAllowedCN, crlFile: peerCRLFile)
        settings.peerAutoTLS = peerAutoTLS
        settings.authToken = authToken
        settings.maxConcurrentStreams = try GoFlagValues.uint32(maxConcurrentStreams, flag: "max-concurrent-streams")
        // etcd's StringsValue: comma-separated, empty entries kept (and refused as unknown suites).
        settings.cipherSuites = cipherSuites.isEmpty ? [] : cipherSuites.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        settings.authTokenTTLSeconds = authTokenTTL
        // etcd uses the default for a cost outside bcrypt's bounds (and warns).
        settings.bcryptCost = (4...31).contains(bcryptCost) ? bcryptCost : 10
        // Not a ValidationError: etcd exits with status 1, not a usage error, when these fail.
        try settings.validate()
        // etcd reads the retention after verifying the flags, so a bad mode is reported first;
        // `EtcdServer.start` validates again, retention included.
        settings.autoCompactionRetention = try parsedAutoCompactionRetention(mode: autoCompactionMode)
        return settings
    }

    /// etcd's `parseCompactionRetention`: a non-negative integer is hours in periodic mode and
    /// revisions in revision mode (nothing in mode ""); anything else must be a Go duration, whose
    /// nanoseconds revision mode takes as revisions, as etcd does.
    private func parsedAutoCompactionRetention(mode: String) throws(ConfigurationError) -> Int64 {
        let text = autoCompactionRetention.isEmpty ? "0" : autoCompactionRetention
        if let count = Int64(text), count >= 0 {
            switch mode {
            case "periodic": return Self.saturatingProduct(count, 3_600_000)
            case "revision": return count
            default: return 0
            }
        }
        switch GoDuration.nanoseconds(text) {
        case .failure(let error):
            throw .invalid("error parsing CompactionRetention: \(error.message)")
        case .success(let nanoseconds):
            return mode == "revision" ? nanoseconds : GoDuration.milliseconds(rounding: nanoseconds)
        }
    }

    /// Retentions too large for Int64 are as good as never compacting (Go's would wrap around).
    private static func saturatingProduct(_ value: Int64, _ factor: Int64) -> Int64 {
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? (value < 0 ? .min : .max) : product
    }

    /// etcd's message for a bad URL list: `invalid value "x" for flag -name: reason`.
    private func urls(_ name: String, _ value: String) throws -> [URLEndpoint] {
        do {
            return try URLEndpoint.parseList(value)
        } catch {
            throw ValidationError("invalid value \"\(value)\" for flag -\(name): \(error.message)")
        }
    }
}
