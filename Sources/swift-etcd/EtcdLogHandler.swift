import Foundation
import Logging
import Synchronization

/// The member's log lines: swift-log's text lines by default (`--logger capnslog`), or the JSON
/// lines etcd 3.5's zap logger writes (`--logger zap`): `{"level":…,"ts":…,"caller":…,"msg":…}`
/// then the metadata as fields, so tooling that reads etcd's logs reads these. `--log-outputs`
/// picks stderr (default) or stdout.
///
/// The style is chosen once flags are parsed, after logging has started, so every handler reads
/// it when it writes.
struct EtcdLogHandler: LogHandler {
    private static let writesJSON = Atomic<Bool>(false)
    private static let writesToStandardOutput = Atomic<Bool>(false)

    static func configure(json: Bool, standardOutput: Bool) {
        writesJSON.store(json, ordering: .relaxed)
        writesToStandardOutput.store(standardOutput, ordering: .relaxed)
    }

    private var standardErrorText: StreamLogHandler
    private var standardOutputText: StreamLogHandler

    init(label: String) {
        standardErrorText = StreamLogHandler.standardError(label: label)
        standardOutputText = StreamLogHandler.standardOutput(label: label)
    }

    var metadataProvider: Logger.MetadataProvider?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let toStandardOutput = Self.writesToStandardOutput.load(ordering: .relaxed)
        guard Self.writesJSON.load(ordering: .relaxed) else {
            var text = toStandardOutput ? standardOutputText : standardErrorText
            text.metadata = metadata
            text.metadataProvider = metadataProvider
            text.logLevel = logLevel
            text.log(event: event)
            return
        }
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let own = event.metadata { fields.merge(own) { _, new in new } }
        var line = #"{"level":"\#(Self.zapLevel(event.level))","ts":"\#(Self.timestamp())","caller":"#
        // zap's short caller is `package/file.go:line`; the file ID is `Module/File.swift`.
        line += Self.quoted("\(event.file):\(event.line)")
        line += #","msg":"# + Self.quoted(event.message.description)
        for key in fields.keys.sorted() {
            line += "," + Self.quoted(key) + ":" + Self.json(fields[key]!)
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        // One write per line, so lines from different threads do not interleave.
        _ = bytes.withUnsafeMutableBytes { buffer in
            Glibc.write(toStandardOutput ? STDOUT_FILENO : STDERR_FILENO, buffer.baseAddress, buffer.count)
        }
    }

    /// zap's level names.
    private static func zapLevel(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "debug"
        case .info, .notice: "info"
        case .warning: "warn"
        case .error: "error"
        case .critical: "fatal"
        }
    }

    /// zap's ISO 8601 encoder: milliseconds and the UTC offset, e.g. `2026-12-07T20:12:00.123Z`.
    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T"
            + "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))."
            + "\(padded(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    private static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .stringConvertible(let convertible): quoted(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.keys.sorted().map { quoted($0) + ":" + json(entries[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal, escaped as zap's JSON encoder escapes.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += "\\u" + Self.hex4(scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}
