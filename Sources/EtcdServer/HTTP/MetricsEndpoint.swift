import GRPCTransport
import NIOCore
import NIOHTTP1
import Storage

/// `/metrics` in Prometheus' text format (0.0.4), under etcd's metric names and types.
///
/// Every value is read when scraped from state the server keeps anyway, so serving metrics
/// adds nothing to the read or write path.
struct MetricsEndpoint: Sendable {
    let core: ServerCore
    /// The client port's router: its per-method call counters and message bytes.
    let router: GRPCRouter

    enum Kind: String {
        case counter, gauge, histogram
    }

    /// One metric family. A sample's `labels` is what follows the family's name: its labels,
    /// after the `_bucket`, `_sum` or `_count` suffix for a histogram.
    struct Family {
        var name: String
        var help: String
        var kind: Kind
        var samples: [(labels: String, value: String)]

        init(name: String, help: String, kind: Kind, labels: String = "", value: String) {
            self.init(name: name, help: help, kind: kind, samples: [(labels, value)])
        }

        init(name: String, help: String, kind: Kind, samples: [(labels: String, value: String)]) {
            self.name = name
            self.help = help
            self.kind = kind
            self.samples = samples
        }
    }

    func families() -> [Family] {
        let status = core.log.status
        let hasLeader = status.leader != 0
        var families = [
            Family(
                name: "etcd_server_has_leader", help: "Whether or not a leader exists. 1 is existence, 0 is not.",
                kind: .gauge, value: hasLeader ? "1" : "0"),
            Family(
                name: "etcd_server_is_leader", help: "Whether or not this member is a leader. 1 if is, 0 otherwise.",
                kind: .gauge, value: status.isLeader ? "1" : "0"),
            Family(
                name: "etcd_server_leader_changes_seen_total", help: "The number of leader changes seen.",
                kind: .counter, value: String(status.leaderChangesSeen)),
            // etcd keeps these two as gauges set to the commit and applied indexes.
            Family(
                name: "etcd_server_proposals_committed_total", help: "The total number of consensus proposals committed.",
                kind: .gauge, value: String(status.commitIndex)),
            Family(
                name: "etcd_server_proposals_applied_total", help: "The total number of consensus proposals applied.",
                kind: .gauge, value: String(core.appliedIndex.value)),
            Family(
                name: "etcd_server_proposals_pending", help: "The current number of pending proposals to commit.",
                kind: .gauge, value: String(core.waiters.pendingCount)),
            Family(
                name: "etcd_server_proposals_failed_total", help: "The total number of failed proposals seen.",
                kind: .counter, value: String(core.waiters.failedCount)),
            Family(
                name: "etcd_server_version",
                help: "Which version is running. 1 for 'server_version' label with current version.",
                kind: .gauge, labels: #"{server_version="\#(reportedEtcdVersion)"}"#, value: "1"),
            Family(
                name: "etcd_cluster_version",
                help: "Which version is running. 1 for 'cluster_version' label with current cluster version",
                kind: .gauge, labels: #"{cluster_version="\#(clusterVersion.major).\#(clusterVersion.minor)"}"#, value: "1"),
            Family(
                name: "etcd_mvcc_db_total_size_in_bytes",
                help: "Total size of the underlying database physically allocated in bytes.",
                kind: .gauge, value: String(core.storeFileSize)),
            Family(
                name: "etcd_network_client_grpc_received_bytes_total", help: "The total number of bytes received from grpc clients.",
                kind: .counter, value: String(router.traffic.receivedBytes)),
            Family(
                name: "etcd_network_client_grpc_sent_bytes_total", help: "The total number of bytes sent to grpc clients.",
                kind: .counter, value: String(router.traffic.sentBytes)),
        ]
        let operations = core.store.operations.total
        // etcd 3.4 keeps each under its etcd_debugging_ name too.
        for namespace in ["etcd", "etcd_debugging"] {
            families.append(Family(
                name: "\(namespace)_mvcc_range_total", help: "Total number of ranges seen by this member.",
                kind: .counter, value: String(operations.ranges)))
            families.append(Family(
                name: "\(namespace)_mvcc_txn_total", help: "Total number of txns seen by this member.",
                kind: .counter, value: String(operations.txns)))
            families.append(Family(
                name: "\(namespace)_mvcc_put_total", help: "Total number of puts seen by this member.",
                kind: .counter, value: String(operations.puts)))
            families.append(Family(
                name: "\(namespace)_mvcc_delete_total", help: "Total number of deletes seen by this member.",
                kind: .counter, value: String(operations.deletes)))
        }
        if let usage = try? core.store.usage() {
            families.append(Family(
                name: "etcd_mvcc_db_total_size_in_use_in_bytes",
                help: "Total size of the underlying database logically in use in bytes.",
                kind: .gauge, value: String(usage.usedBytes)))
        }
        if let keys = try? core.store.keyCount() {
            families.append(Family(
                name: "etcd_debugging_mvcc_keys_total", help: "Total number of keys.", kind: .gauge, value: String(keys)))
        }
        families += grpcFamilies()
        families.append(histogram(
            core.log.walFsyncDurations, name: "etcd_disk_wal_fsync_duration_seconds",
            help: "The latency distributions of fsync called by WAL."))
        families.append(histogram(
            core.store.commitDurations, name: "etcd_disk_backend_commit_duration_seconds",
            help: "The latency distributions of commit called by backend."))
        if let process = ProcessMetrics.current() {
            families.append(Family(
                name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
                kind: .gauge, value: String(process.startTimeSeconds)))
            families.append(Family(
                name: "process_resident_memory_bytes", help: "Resident memory size in bytes.",
                kind: .gauge, value: String(process.residentMemoryBytes)))
            families.append(Family(
                name: "process_open_fds", help: "Number of open file descriptors.",
                kind: .gauge, value: String(process.openFileDescriptors)))
        }
        // Prometheus' Go registry writes its families sorted by name; scrapers diffing the two
        // servers' output see the same order.
        return families.sorted { $0.name < $1.name }
    }

    private func histogram(_ histogram: DurationHistogram, name: String, help: String) -> Family {
        let snapshot = histogram.snapshot
        var samples: [(labels: String, value: String)] = []
        for (bound, count) in zip(histogram.upperBounds.map { "\($0)" } + ["+Inf"], snapshot.cumulative) {
            samples.append((#"_bucket{le="\#(bound)"}"#, String(count)))
        }
        samples.append(("_sum", "\(snapshot.sumSeconds)"))
        samples.append(("_count", String(snapshot.count)))
        return Family(name: name, help: help, kind: .histogram, samples: samples)
    }

    /// go-grpc-prometheus' server counters: every registered method from the start, and
    /// `grpc_server_handled_total` for every code, as its registration creates them at zero.
    private func grpcFamilies() -> [Family] {
        var started: [(labels: String, value: String)] = []
        var handled: [(labels: String, value: String)] = []
        var received: [(labels: String, value: String)] = []
        var sent: [(labels: String, value: String)] = []
        let codes = (0...GRPCStatus.Code.unauthenticated.rawValue).map { GRPCStatus.Code(rawValue: $0) }
        for counters in router.methodCounters {
            let method = #"grpc_method="\#(counters.method)",grpc_service="\#(counters.service)",grpc_type="\#(counters.type.rawValue)""#
            started.append(("{\(method)}", String(counters.startedTotal)))
            received.append(("{\(method)}", String(counters.receivedTotal)))
            sent.append(("{\(method)}", String(counters.sentTotal)))
            for code in codes {
                handled.append((#"{grpc_code="\#(code.goName)",\#(method)}"#, String(counters.handledTotal(code))))
            }
        }
        // Within a family, Go's registry orders samples by their label values.
        let ordered = { (samples: [(labels: String, value: String)]) in samples.sorted { $0.labels < $1.labels } }
        return [
            Family(
                name: "grpc_server_handled_total",
                help: "Total number of RPCs completed on the server, regardless of success or failure.",
                kind: .counter, samples: ordered(handled)),
            Family(
                name: "grpc_server_msg_received_total", help: "Total number of RPC stream messages received on the server.",
                kind: .counter, samples: ordered(received)),
            Family(
                name: "grpc_server_msg_sent_total", help: "Total number of gRPC stream messages sent by the server.",
                kind: .counter, samples: ordered(sent)),
            Family(
                name: "grpc_server_started_total", help: "Total number of RPCs started on the server.",
                kind: .counter, samples: ordered(started)),
        ]
    }

    func scrape() -> HTTP1Response {
        var text = ""
        for family in families() {
            text += "# HELP \(family.name) \(family.help)\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += "\(family.name)\(sample.labels) \(sample.value)\n"
            }
        }
        var headers = HTTPHeaders.etcdCORS
        headers.add(name: "content-type", value: "text/plain; version=0.0.4; charset=utf-8")
        return HTTP1Response(status: .ok, headers: headers, body: ByteBuffer(string: text))
    }
}
