import ArgumentParser
import Foundation
import Logging
import Yams

/// etcd's `--config-file`: a YAML file under etcd's keys (embed.Config's JSON names) that replaces
/// every other flag and `ETCD_*` variable, as in etcd. It is turned into the equivalent command
/// line, so a value gets exactly the checks and messages the flag gets.
enum ConfigFile {
    /// Keys whose value is the flag of the same name.
    static let flagKeys: Set<String> = [
        "name", "data-dir", "listen-client-urls", "advertise-client-urls", "listen-metrics-urls", "listen-peer-urls",
        "initial-advertise-peer-urls", "initial-cluster", "initial-cluster-token", "initial-cluster-state",
        "max-request-bytes", "max-txn-ops", "log-level", "logger", "log-outputs", "heartbeat-interval",
        "election-timeout", "snapshot-count", "quota-backend-bytes", "experimental-watch-progress-notify-interval",
        "auto-compaction-mode", "auto-compaction-retention", "experimental-initial-corrupt-check",
        "experimental-corrupt-check-time", "strict-reconfig-check", "auth-token", "auth-token-ttl", "bcrypt-cost",
        "max-concurrent-streams", "cipher-suites", "enable-v2", "force-new-cluster",
    ]

    /// The keys of `client-transport-security` and `peer-transport-security` (etcd's securityConfig)
    /// and the flags they stand for, client then peer. etcd 3.4 reads no CRL file from here.
    static let securityKeys: [String: (client: String, peer: String)] = [
        "cert-file": ("cert-file", "peer-cert-file"),
        "key-file": ("key-file", "peer-key-file"),
        "client-cert-auth": ("client-cert-auth", "peer-client-cert-auth"),
        "trusted-ca-file": ("trusted-ca-file", "peer-trusted-ca-file"),
        "auto-tls": ("auto-tls", "peer-auto-tls"),
    ]

    /// Keys etcd knows for things swift-etcd does not do, with the value that asks for nothing
    /// (etcd's default); any other value is refused rather than ignored.
    static let unsupportedUnlessDefault: [String: String] = [
        "wal-dir": "", "discovery": "", "discovery-srv": "", "discovery-srv-name": "", "cors": "",
        "host-whitelist": "", "enable-pprof": "false", "proxy": "off", "debug": "false", "log-package-levels": "",
        "unsafe-no-fsync": "false", "experimental-enable-v2v3": "", "enable-grpc-gateway": "true",
        "metrics": "basic", "self-signed-cert-validity": "1", "tls-min-version": "TLS1.2", "tls-max-version": "TLS1.3",
    ]

    /// Keys etcd reads only in a mode this file did not ask for (the v2 proxy, discovery) or
    /// whose bound swift-etcd keeps its own way; accepted, with a warning.
    static let ignoredKeys: [String: String] = [
        "max-snapshots": "swift-etcd keeps etcd's default of 5 snapshot files",
        "max-wals": "swift-etcd releases the WAL segments a snapshot covers",
        "discovery-fallback": "used only with discovery", "discovery-proxy": "used only with discovery",
        "proxy-failure-wait": "used only by the v2 proxy", "proxy-refresh-interval": "used only by the v2 proxy",
        "proxy-dial-timeout": "used only by the v2 proxy", "proxy-write-timeout": "used only by the v2 proxy",
        "proxy-read-timeout": "used only by the v2 proxy",
    ]

    /// The path given by `--config-file PATH`, `--config-file=PATH` or `ETCD_CONFIG_FILE` (in that order).
    static func path(arguments: [String], environment: [String: String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            for spelling in ["--config-file", "-config-file"] {
                if argument == spelling, index + 1 < arguments.count { return arguments[index + 1] }
                if argument.hasPrefix(spelling + "=") { return String(argument.dropFirst(spelling.count + 1)) }
            }
        }
        if let path = environment["ETCD_CONFIG_FILE"], !path.isEmpty { return path }
        return nil
    }

    /// The command line that `path`'s YAML stands for.
    static func arguments(path: String, logger: Logger) throws -> [String] {
        // Go's message for a file that cannot be read: `open PATH: <strerror>`.
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ValidationError("open \(path): \(String(cString: strerror(errno)).lowercased())")
        }
        close(descriptor)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("read \(path): \(error.localizedDescription)")
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw ValidationError("error converting YAML to JSON: \(error)")
        }
        guard let document else { return [] }
        guard let keys = document as? [String: Any] else {
            throw ValidationError("error unmarshaling JSON: the configuration file is not a mapping of keys to values")
        }
        return try arguments(keys, logger: logger)
    }

    static func arguments(_ keys: [String: Any], logger: Logger) throws -> [String] {
        var arguments: [String] = []
        for key in keys.keys.sorted() {
            let value = keys[key]!
            if value is NSNull { continue }
            if flagKeys.contains(key) {
                arguments.append("--\(key)=\(try flagValue(value, key: key))")
            } else if key == "client-transport-security" || key == "peer-transport-security" {
                arguments += try securityArguments(value, section: key, isPeer: key == "peer-transport-security")
            } else if let quiet = unsupportedUnlessDefault[key] {
                let given = try flagValue(value, key: key)
                if given != quiet {
                    throw ValidationError("config file key \(key): \(given) is not supported by swift-etcd (only \(quiet.isEmpty ? "an empty value" : quiet))")
                }
            } else if let reason = ignoredKeys[key] {
                logger.warning("config file key \(key) ignored: \(reason)")
            } else {
                // etcd's YAML decoding drops keys it does not know; say so at least.
                logger.warning("config file key \(key) is not an etcd configuration key; ignored")
            }
        }
        return arguments
    }

    private static func securityArguments(_ value: Any, section: String, isPeer: Bool) throws -> [String] {
        guard let settings = value as? [String: Any] else {
            throw ValidationError("config file key \(section) must be a mapping")
        }
        var arguments: [String] = []
        for key in settings.keys.sorted() {
            let setting = settings[key]!
            if setting is NSNull { continue }
            guard let flags = securityKeys[key] else {
                throw ValidationError("config file key \(section).\(key) is not supported by swift-etcd")
            }
            arguments.append("--\(isPeer ? flags.peer : flags.client)=\(try flagValue(setting, key: "\(section).\(key)"))")
        }
        return arguments
    }

    /// A YAML value as flag text: lists are comma-separated (etcd's []string keys), integers are
    /// as written except durations, which etcd's JSON decoding reads as nanoseconds.
    private static func flagValue(_ value: Any, key: String) throws -> String {
        switch value {
        case let text as String: return text
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int:
            return durationKeys.contains(key) ? "\(number)ns" : String(number)
        case let number as Double where number == number.rounded() && abs(number) < 1e18:
            return String(Int64(number))
        case let list as [Any]:
            return try list.map { try flagValue($0, key: key) }.joined(separator: ",")
        default:
            throw ValidationError("config file key \(key) has a value of an unexpected type: \(value)")
        }
    }

    private static let durationKeys: Set<String> = [
        "experimental-watch-progress-notify-interval", "experimental-corrupt-check-time",
    ]
}
