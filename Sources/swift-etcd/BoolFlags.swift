import ArgumentParser

/// Go's boolean flags: `--flag` and `--flag=<bool>` (strconv.ParseBool's spellings), the form
/// the `ETCD_*` mapping produces. ArgumentParser's `@Flag` takes only the bare form, so
/// `--flag=true` becomes `--flag` and `--flag=false` disappears before parsing — or, for a flag
/// that is on by default (`defaultOn`), becomes `--no-flag`.
enum BoolFlags {
    static func normalize(_ arguments: [String], boolFlags: Set<String>, defaultOn: Set<String> = []) throws -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            // After "--" everything is positional.
            if argument == "--" {
                result += arguments[index...]
                break
            }
            guard argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") else {
                result.append(argument)
                continue
            }
            let name = String(argument[..<equals].drop { $0 == "-" })
            guard boolFlags.contains(name) else {
                result.append(argument)
                continue
            }
            let value = String(argument[argument.index(after: equals)...])
            switch value {
            case "1", "t", "T", "TRUE", "true", "True": result.append("--\(name)")
            case "0", "f", "F", "FALSE", "false", "False":
                if defaultOn.contains(name) { result.append("--no-\(name)") }
            default: throw ValidationError("invalid boolean value \"\(value)\" for -\(name): parse error")
            }
        }
        return result
    }
}
