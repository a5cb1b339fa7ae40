import GRPCTransport
import NIOCore
import NIOHTTP1

/// `/metrics` in Prometheus' text format (0.0.4), under etcd's metric names and types.
///
/// Every value is read when scraped from state the server keeps anyway, so serving metrics
/// adds nothing to the read or write path.
struct MetricsEndpoint: Sendable {
    let core: ServerCore

    enum Kind: String {
        case counter, gauge
    }

    struct Sample {
        var name: String
        var help: String
        var kind: Kind
        var labels: String = ""
        var value: String
    }

    func samples() -> [Sample] {
        let status = core.log.status
        let hasLeader = status.leader != 0
        var samples = [
            Sample(
                name: "etcd_server_has_leader", help: "Whether or not a leader exists. 1 is existence, 0 is not.",
                kind: .gauge, value: hasLeader ? "1" : "0"),
            Sample(
                name: "etcd_server_is_leader", help: "Whether or not this member is a leader. 1 if is, 0 otherwise.",
                kind: .gauge, value: status.isLeader ? "1" : "0"),
            Sample(
                name: "etcd_server_leader_changes_seen_total", help: "The number of leader changes seen.",
                kind: .counter, value: String(status.leaderChangesSeen)),
            // etcd keeps these two as gauges set to the commit and applied indexes.
            Sample(
                name: "etcd_server_proposals_committed_total", help: "The total number of consensus proposals committed.",
                kind: .gauge, value: String(status.commitIndex)),
            Sample(
                name: "etcd_server_proposals_applied_total", help: "The total number of consensus proposals applied.",
                kind: .gauge, value: String(core.appliedIndex.value)),
            Sample(
                name: "etcd_server_proposals_pending", help: "The current number of pending proposals to commit.",
                kind: .gauge, value: String(core.waiters.pendingCount)),
            Sample(
                name: "etcd_server_proposals_failed_total", help: "The total number of failed proposals seen.",
                kind: .counter, value: String(core.waiters.failedCount)),
            Sample(
                name: "etcd_server_version",
                help: "Which version is running. 1 for 'server_version' label with current version.",
                kind: .gauge, labels: #"{server_version="\#(reportedEtcdVersion)"}"#, value: "1"),
            Sample(
                name: "etcd_mvcc_db_total_size_in_bytes",
                help: "Total size of the underlying database physically allocated in bytes.",
                kind: .gauge, value: String(core.storeFileSize)),
        ]
        let operations = core.store.appliedOperations.total
        // etcd 3.4 keeps each under its etcd_debugging_ name too.
        for namespace in ["etcd", "etcd_debugging"] {
            samples.append(Sample(
                name: "\(namespace)_mvcc_put_total", help: "Total number of puts seen by this member.",
                kind: .counter, value: String(operations.puts)))
            samples.append(Sample(
                name: "\(namespace)_mvcc_delete_total", help: "Total number of deletes seen by this member.",
                kind: .counter, value: String(operations.deletes)))
        }
        if let keys = try? core.store.keyCount() {
            samples.append(Sample(
                name: "etcd_debugging_mvcc_keys_total", help: "Total number of keys.", kind: .gauge, value: String(keys)))
        }
        if let process = ProcessMetrics.current() {
            samples.append(Sample(
                name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.",
                kind: .gauge, value: String(process.startTimeSeconds)))
            samples.append(Sample(
                name: "process_resident_memory_bytes", help: "Resident memory size in bytes.",
                kind: .gauge, value: String(process.residentMemoryBytes)))
            samples.append(Sample(
                name: "process_open_fds", help: "Number of open file descriptors.",
                kind: .gauge, value: String(process.openFileDescriptors)))
        }
        // Prometheus' Go registry writes its families sorted by name; scrapers diffing the two
        // servers' output see the same order.
        return samples.sorted { $0.name < $1.name }
    }

    func scrape() -> HTTP1Response {
        var text = ""
        for sample in samples() {
            text += "# HELP \(sample.name) \(sample.help)\n"
            text += "# TYPE \(sample.name) \(sample.kind.rawValue)\n"
            text += "\(sample.name)\(sample.labels) \(sample.value)\n"
        }
        var headers = HTTPHeaders.etcdCORS
        headers.add(name: "content-type", value: "text/plain; version=0.0.4; charset=utf-8")
        return HTTP1Response(status: .ok, headers: headers, body: ByteBuffer(string: text))
    }
}
