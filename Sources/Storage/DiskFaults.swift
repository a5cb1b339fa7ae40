#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Disk faults injected into `FileIO` for tests, described by the environment variable
/// `SWIFT_ETCD_FAULTS` as a comma-separated list of `FILE-CALL:FAILURE[@after=N]`:
///
/// - FILE: `wal` (WAL segments, `*.wal` and `*.wal.tmp`) or `snap` (snapshot files, `*.snap*`);
/// - CALL: `write`, `fsync` (fsync and fdatasync) or `allocate` (posix_fallocate);
/// - FAILURE: `eio`, `enospc`, `efbig`, or `short` (a write that stores its first half, then
///   fails with ENOSPC, as a filling disk does);
/// - `after=N`: the first N matching calls succeed; every later one fails (a failed disk stays
///   failed). Default 0.
///
/// A seam here rather than an `LD_PRELOAD` shim: FileIO knows which file each call is for (a shim
/// sees descriptors and would have to track every open), the seam works in-process in unit tests,
/// and it needs no C build. Unset, it costs each call one load of `activeDiskFaults` (nil).
public final class DiskFaultPlan: Sendable, CustomStringConvertible {
    public enum File: String, Sendable { case wal, snap }
    public enum Call: String, Sendable { case write, fsync, allocate }
    public enum Failure: Sendable, Equatable {
        case error(Int32)
        /// The first half of the bytes reach the file, then ENOSPC.
        case shortWrite
    }

    public struct Fault: Sendable, Equatable {
        public var file: File
        public var call: Call
        public var failure: Failure
        public var succeedingCalls: Int
    }

    public struct SpecificationError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static let environmentVariable = "SWIFT_ETCD_FAULTS"

    public let faults: [Fault]
    public let description: String
    /// Matching calls seen so far, per fault.
    private let calls: Mutex<[Int]>

    public init(specification: String) throws(SpecificationError) {
        var faults: [Fault] = []
        for item in specification.split(separator: ",").map({ $0.trimmingSpaces }) where !item.isEmpty {
            faults.append(try Self.parse(item))
        }
        guard !faults.isEmpty else { throw SpecificationError(description: "\(Self.environmentVariable) names no fault") }
        self.faults = faults
        self.description = specification
        self.calls = Mutex([Int](repeating: 0, count: faults.count))
    }

    /// The failure to inject into this call, if a fault matches it and its successful calls are used up.
    func failure(of call: Call, path: String) -> Failure? {
        guard let file = Self.file(of: path) else { return nil }
        return calls.withLock { seen -> Failure? in
            var chosen: Failure?
            for (position, fault) in faults.enumerated() where fault.file == file && fault.call == call {
                seen[position] += 1
                if chosen == nil && seen[position] > fault.succeedingCalls { chosen = fault.failure }
            }
            return chosen
        }
    }

    private static func file(of path: String) -> File? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".wal") || name.hasSuffix(".wal.tmp") { return .wal }
        if name.hasSuffix(".snap") || name.hasSuffix(".snap.tmp") { return .snap }
        return nil
    }

    private static func parse(_ item: String) throws(SpecificationError) -> Fault {
        let invalid = SpecificationError(description: "\(environmentVariable): '\(item)' is not FILE-CALL:FAILURE[@after=N] (FILE wal|snap, CALL write|fsync|allocate, FAILURE eio|enospc|efbig|short)")
        let (head, options) = item.splitOnce("@")
        let (target, failureName) = head.splitOnce(":")
        let (fileName, callName) = target.splitOnce("-")
        guard let file = File(rawValue: fileName), let callName, let call = Call(rawValue: callName), let failureName else {
            throw invalid
        }
        let failure: Failure
        switch failureName {
        case "eio": failure = .error(EIO)
        case "enospc": failure = .error(ENOSPC)
        case "efbig": failure = .error(EFBIG)
        case "short" where call == .write: failure = .shortWrite
        default: throw invalid
        }
        var succeedingCalls = 0
        if let options {
            guard options.hasPrefix("after="), let count = Int(options.dropFirst(6)), count >= 0 else { throw invalid }
            succeedingCalls = count
        }
        return Fault(file: file, call: call, failure: failure, succeedingCalls: succeedingCalls)
    }
}

/// The faults `SWIFT_ETCD_FAULTS` asks for, decided once, at first use; nil (no faults) when unset.
/// A malformed value stops the process: a test that meant to inject faults must not pass without them.
public let activeDiskFaults: DiskFaultPlan? = {
    guard let value = getenv(DiskFaultPlan.environmentVariable) else { return nil }
    do {
        return try DiskFaultPlan(specification: String(cString: value))
    } catch {
        fatalError("\(error)")
    }
}()

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// The parts before and after the first `separator`; the second is nil when there is none.
    fileprivate func splitOnce(_ separator: Character) -> (String, String?) {
        guard let position = firstIndex(of: separator) else { return (String(self), nil) }
        return (String(self[..<position]), String(self[index(after: position)...]))
    }
}
