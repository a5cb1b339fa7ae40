/// Go's `time.ParseDuration` syntax ("500ms", "1h30m", "2.5s"), which etcd's duration flags use.
enum GoDuration {
    /// The duration in milliseconds, or nil if `text` is not a Go duration.
    static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1e-6), ("us", 1e-3), ("µs", 1e-3), ("ms", 1), ("s", 1e3), ("m", 60e3), ("h", 3600e3)]
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        var total = 0.0
        var sawComponent = false
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit first, so "ms" is not read as "m".
            guard let (unit, scale) = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else {
                return nil
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
            sawComponent = true
        }
        // Go counts nanoseconds in an Int64 and rejects what does not fit.
        guard sawComponent, total * 1e6 < 9.223372036854775807e18 else { return nil }
        return Int64((negative ? -total : total).rounded())
    }
}
