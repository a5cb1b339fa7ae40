import Foundation

/// go-humanize's `Bytes` (SI units), which etcdctl's table and simple outputs print sizes with:
/// "20 kB", "1.2 MB".
enum HumanBytes {
    static func format(_ count: Int) -> String {
        if count < 10 { return "\(count) B" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        let exponent = min(Int((log(Double(count)) / log(1000)).rounded(.down)), units.count - 1)
        let value = (Double(count) / pow(1000, Double(exponent)) * 10 + 0.5).rounded(.down) / 10
        return String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[exponent])
    }
}
