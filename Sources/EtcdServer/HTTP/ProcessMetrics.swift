import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `process_*` values Prometheus' process collector reports, read from Linux's /proc.
struct ProcessMetrics {
    var startTimeSeconds: Double
    var residentMemoryBytes: Int
    var openFileDescriptors: Int

    /// Nil where /proc cannot be read (not Linux): then no `process_*` metric is reported.
    static func current() -> ProcessMetrics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let systemStat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        else { return nil }
        // The command name (field 2) is in parentheses and may hold spaces: fields are counted
        // from the last ')', where field 3 starts.
        guard let nameEnd = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
        let startTimeField = 22 - 3
        let residentPagesField = 24 - 3
        guard fields.count > residentPagesField,
            let startTicks = Double(fields[startTimeField]),
            let residentPages = Int(fields[residentPagesField]),
            let bootLine = systemStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let bootTime = Double(bootLine.dropFirst("btime ".count))
        else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessMetrics(
            startTimeSeconds: bootTime + startTicks / ticksPerSecond,
            residentMemoryBytes: residentPages * sysconf(Int32(_SC_PAGESIZE)),
            openFileDescriptors: fds.count)
    }
}
