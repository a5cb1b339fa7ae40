import ArgumentParser

/// Go's flag syntax, which etcd's users type, turned into ArgumentParser's:
/// - a value flag takes the next argument whatever it looks like (`--quota-backend-bytes -1`),
///   where ArgumentParser would take `-1` for an option: it becomes `--flag=-1`;
/// - a boolean flag is `--flag` or `--flag=<bool>` (strconv.ParseBool's spellings, the form the
///   `ETCD_*` mapping produces). ArgumentParser's `@Flag` takes only the bare form, so
///   `--flag=true` becomes `--flag` and `--flag=false` disappears before parsing — or, for a
///   flag that is on by default (`defaultOn`), becomes `--no-flag`.
enum GoFlagSyntax {
    static func normalize(
        _ arguments: [String], valueFlags: Set<String>, boolFlags: Set<String>, defaultOn: Set<String> = []
    ) throws -> [String] {
        var result: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            // After "--" everything is positional.
            if argument == "--" {
                result += arguments[(index - 1)...]
                break
            }
            guard argument.hasPrefix("-") else {
                result.append(argument)
                continue
            }
            guard let equals = argument.firstIndex(of: "=") else {
                let name = String(argument.drop { $0 == "-" })
                if valueFlags.contains(name), index < arguments.endIndex {
                    result.append("--\(name)=\(arguments[index])")
                    index += 1
                } else {
                    result.append(argument)
                }
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
