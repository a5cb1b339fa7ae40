import ArgumentParser
import EtcdServer
import Logging

/// `swift-etcd migrate`: takes over the data directory of a stopped etcd 3.4/3.5 member
/// offline, as a start on it would, and exits.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Convert a stopped etcd member's data directory into swift-etcd's (etcd's files are kept in member/etcd-wal and member/etcd-snap).")

    @Option(name: .customLong("data-dir"), help: "Path to the etcd member's data directory.")
    var dataDirectory: String

    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt cost for clear-text passwords in etcd 3.4's log entries.")
    var bcryptCost = 10

    func run() throws {
        let logger = Logger(label: "swift-etcd")
        guard EtcdTakeover.isNeeded(dataDirectory: dataDirectory) else {
            throw ValidationError("\(dataDirectory) holds no etcd member's WAL (member/wal) to take over")
        }
        do {
            if let outcome = try EtcdTakeover.convertIfNeeded(dataDirectory: dataDirectory, bcryptCost: bcryptCost, logger: logger) {
                print(outcome)
            } else {
                print("finished an interrupted take-over of \(dataDirectory)")
            }
        } catch {
            logger.critical("cannot take over \(dataDirectory): \(error)")
            throw ExitCode.failure
        }
    }
}
