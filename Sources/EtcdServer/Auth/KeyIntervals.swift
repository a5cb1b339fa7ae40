/// A union of key intervals `[start, end)` (`end` nil: no upper bound), kept sorted and merged
/// so that a range is permitted exactly when one stored interval covers it.
struct KeyIntervals: Sendable {
    private var starts: [[UInt8]] = []
    private var ends: [[UInt8]?] = []

    init(_ intervals: [(start: [UInt8], end: [UInt8]?)]) {
        let sorted = intervals.sorted { $0.start.lexicographicallyPrecedes($1.start) }
        for interval in sorted {
            if let last = ends.indices.last, Self.reaches(ends[last], interval.start) {
                ends[last] = Self.later(ends[last], interval.end)
            } else {
                starts.append(interval.start)
                ends.append(interval.end)
            }
        }
    }

    /// Whether `key` lies in an interval.
    func contains(_ key: [UInt8]) -> Bool {
        guard let index = lastStart(atOrBefore: key) else { return false }
        guard let end = ends[index] else { return true }
        return key.lexicographicallyPrecedes(end)
    }

    /// Whether one interval covers all of `[key, end)` (`end` nil: every key from `key` on).
    func covers(_ key: [UInt8], to end: [UInt8]?) -> Bool {
        guard let index = lastStart(atOrBefore: key) else { return false }
        guard let stored = ends[index] else { return true }
        guard let end else { return false }
        if !key.lexicographicallyPrecedes(stored) { return false }
        return !stored.lexicographicallyPrecedes(end)
    }

    private func lastStart(atOrBefore key: [UInt8]) -> Int? {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if key.lexicographicallyPrecedes(starts[middle]) { high = middle } else { low = middle + 1 }
        }
        return low == 0 ? nil : low - 1
    }

    /// Whether an interval ending at `end` touches one starting at `start`.
    private static func reaches(_ end: [UInt8]?, _ start: [UInt8]) -> Bool {
        guard let end else { return true }
        return !end.lexicographicallyPrecedes(start)
    }

    private static func later(_ lhs: [UInt8]?, _ rhs: [UInt8]?) -> [UInt8]? {
        guard let lhs, let rhs else { return nil }
        return lhs.lexicographicallyPrecedes(rhs) ? rhs : lhs
    }
}
