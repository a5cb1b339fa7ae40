import Foundation
import Logging

/// etcd's `ETCD_*` environment variables: `ETCD_DATA_DIR` sets `--data-dir` unless the command
/// line sets it; unknown `ETCD_*` variables are reported, not fatal (etcd's `pkg/flags`).
enum EnvironmentFlags {
    static func merge(
        arguments: [String], environment: [String: String], knownFlags: [String], logger: Logger
    ) -> [String] {
        let given = Set(arguments.compactMap(flagName(of:)))
        let byVariable = Dictionary(uniqueKeysWithValues: knownFlags.map { (variableName(for: $0), $0) })
        var merged = arguments
        for (variable, value) in environment.sorted(by: { $0.key < $1.key }) where variable.hasPrefix("ETCD_") {
            guard let flag = byVariable[variable] else {
                logger.warning("unrecognized environment variable \(variable)=\(value)")
                continue
            }
            if given.contains(flag) {
                logger.warning("flag --\(flag) is set on the command line; ignoring environment variable \(variable)")
                continue
            }
            logger.info("recognized and used environment variable \(variable)=\(value)")
            merged.append("--\(flag)=\(value)")
        }
        return merged
    }

    static func variableName(for flag: String) -> String {
        "ETCD_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// `--data-dir`, `--data-dir=x`, `-data-dir` → `data-dir`.
    private static func flagName(of argument: String) -> String? {
        guard argument.hasPrefix("-") else { return nil }
        let name = argument.drop { $0 == "-" }
        return String(name.prefix { $0 != "=" })
    }
}
