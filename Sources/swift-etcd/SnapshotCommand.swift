import ArgumentParser
import EtcdServer
import Foundation

/// `swift-etcd snapshot restore|status`: offline work on files written by `etcdctl snapshot save`.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Restore a data directory from a snapshot, or describe one.",
        subcommands: [Restore.self, Status.self])

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new data directory from a snapshot file (the member started on it begins a new log).")

        @Argument(help: "The snapshot file (from etcdctl snapshot save).")
        var file: String

        @Option(name: .customLong("data-dir"), help: "Path to the data directory to create.")
        var dataDirectory = "default.etcd"

        @Flag(name: .customLong("skip-hash-check"), help: "Ignore the snapshot's integrity hash (for a copied member/snap/db).")
        var skipHashCheck = false

        @Option(name: .customLong("name"), help: "Human-readable name for this member.")
        var name = "default"

        @Option(name: .customLong("initial-cluster"), help: "Initial cluster configuration for restore bootstrap (name=url,...).")
        var initialCluster = MemberFlags.defaultInitialCluster

        @Option(name: .customLong("initial-cluster-token"), help: "Initial cluster token for the etcd cluster during restore bootstrap.")
        var initialClusterToken = "etcd-cluster"

        @Option(name: .customLong("initial-advertise-peer-urls"), help: "List of this member's peer URLs to advertise to the rest of the cluster.")
        var initialAdvertisePeerURLs = "http://localhost:2380"

        /// etcdctl's bootstrap checks: the member is in the cluster, with the peer URLs it
        /// advertises. The member started on the directory bootstraps with the same flags.
        func validate() throws {
            let members: [InitialMember]
            do { members = try InitialMember.parseList(initialCluster) } catch {
                throw ValidationError("invalid value \"\(initialCluster)\" for flag --initial-cluster: \(error.message)")
            }
            let clustered = Set(members.filter { $0.name == name }.map { "\($0.url)" })
            guard !clustered.isEmpty else { throw ValidationError("member \"\(name)\" does not exist in --initial-cluster \"\(initialCluster)\"") }
            let advertised = Set(initialAdvertisePeerURLs.split(separator: ",").map(String.init))
            guard clustered == advertised else {
                throw ValidationError(
                    "--initial-cluster has \(name)=\(clustered.sorted()) but --initial-advertise-peer-urls=\(advertised.sorted())")
            }
        }

        func run() throws {
            try SnapshotFile.restore(from: file, dataDirectory: dataDirectory, skipHashCheck: skipHashCheck)
            print("restored snapshot \(file) into \(dataDirectory)")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a snapshot's hash, revision, key count and size.")

        @Argument(help: "The snapshot file.")
        var file: String

        @Option(name: [.customShort("w"), .customLong("write-out")], help: "table, json or simple.")
        var format = "table"

        func run() throws {
            let status = try SnapshotFile.status(of: file)
            let hash = String(status.hash, radix: 16)
            switch format {
            case "json":
                print(#"{"hash":\#(status.hash),"revision":\#(status.revision),"totalKey":\#(status.totalKeys),"totalSize":\#(status.totalSize)}"#)
            case "simple":
                print("\(hash), \(status.revision), \(status.totalKeys), \(HumanBytes.format(status.totalSize))")
            case "table":
                let headers = ["HASH", "REVISION", "TOTAL KEYS", "TOTAL SIZE"]
                let values = [hash, "\(status.revision)", "\(status.totalKeys)", HumanBytes.format(status.totalSize)]
                let widths = zip(headers, values).map { max($0.count, $1.count) + 2 }
                let rule = "+" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "+") + "+"
                // etcdctl's table: headers centred, cells right-aligned.
                func row(_ cells: [String], centred: Bool) -> String {
                    "|" + zip(cells, widths).map { cell, width in
                        let padding = width - cell.count
                        let left = centred ? padding / 2 : padding - 1
                        return String(repeating: " ", count: left) + cell + String(repeating: " ", count: padding - left)
                    }.joined(separator: "|") + "|"
                }
                print([rule, row(headers, centred: true), rule, row(values, centred: false), rule].joined(separator: "\n"))
            default:
                throw ValidationError("unknown output format \"\(format)\"")
            }
        }
    }
}
