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
