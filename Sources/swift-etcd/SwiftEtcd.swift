import ArgumentParser
import EtcdServer
import Foundation
import Logging

@main
struct SwiftEtcd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swift-etcd",
        abstract: "An etcd v3 server: etcd's API, flags and guarantees.",
        discussion: "`swift-etcd snapshot restore|status` works on snapshot files offline; `swift-etcd migrate --data-dir DIR` converts a stopped etcd member's data directory. Every flag can also be set by an ETCD_* environment variable (--data-dir: ETCD_DATA_DIR); a flag on the command line wins. With --config-file (or ETCD_CONFIG_FILE), the YAML file under etcd's keys replaces every other flag and variable, as in etcd."
    )

    @OptionGroup var member: MemberFlags

    /// Fills in unset flags from `ETCD_*` variables, as etcd does, then parses and runs.
    static func main() {
        LoggingSystem.bootstrap { EtcdLogHandler(label: $0) }
        let logger = Logger(label: "swift-etcd")
        if CommandLine.arguments.dropFirst().first == "snapshot" {
            // Offline subcommands take their own flags; ETCD_* variables configure only the server.
            SnapshotCommand.main(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        if CommandLine.arguments.dropFirst().first == "migrate" {
            MigrateCommand.main(Array(CommandLine.arguments.dropFirst(2)))
            return
        }
        let commandLine = Array(CommandLine.arguments.dropFirst())
        let environment = ProcessInfo.processInfo.environment
        do {
            let given: [String]
            if let path = ConfigFile.path(arguments: commandLine, environment: environment) {
                given = try ConfigFile.arguments(path: path, logger: logger)
                logger.info(
                    "loaded server configuration, other configuration command line flags and environment variables will be ignored if provided",
                    metadata: ["path": "\(path)"])
            } else {
                given = EnvironmentFlags.merge(
                    arguments: commandLine, environment: environment, knownFlags: MemberFlags.flagNames, logger: logger)
            }
            let arguments = try GoFlagSyntax.normalize(
                given, valueFlags: Set(MemberFlags.flagNames).subtracting(MemberFlags.boolFlagNames),
                boolFlags: MemberFlags.boolFlagNames, defaultOn: MemberFlags.defaultOnFlagNames)
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    mutating func run() throws {
        let settings = try member.serverConfiguration()
        EtcdLogHandler.configure(json: member.loggerKind == "zap", standardOutput: member.logOutputs == "stdout")
        var logger = Logger(label: "swift-etcd")
        logger.logLevel = Logger.Level(etcdLevel: settings.logLevel)
        let server: EtcdServer
        do {
            server = try EtcdServer.start(configuration: settings, logger: logger)
        } catch let error as InitialCorruptCheckError {
            // etcd's etcdmain prints the check's error alone as its fatal line, and exits with 1.
            logger.critical("\(error)")
            throw ExitCode.failure
        } catch {
            logger.critical("cannot start: \(error)")
            throw ExitCode.failure
        }
        SignalWaiter.waitForTermination(orRemovalOf: server)
        logger.info("shutting down")
        server.shutdown()
        logger.info("stopped")
    }
}

extension Logger.Level {
    init(etcdLevel: String) {
        switch etcdLevel {
        case "debug": self = .debug
        case "warn": self = .warning
        case "error": self = .error
        case "panic", "fatal": self = .critical
        default: self = .info
        }
    }
}

/// Blocks the main thread until SIGTERM or SIGINT, or until the member is removed from its cluster.
enum SignalWaiter {
    static func waitForTermination(orRemovalOf server: EtcdServer) {
        let received = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            server.waitUntilRemovedFromCluster()
            received.signal()
        }
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { received.signal() }
            source.resume()
            sources.append(source)
        }
        received.wait()
        sources.forEach { $0.cancel() }
    }
}
