/// Why the WAL refused an operation or could not be opened. `file` and `offset` locate damage on disk.
public struct WALError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// Damaged or inconsistent data that is not a torn tail; the member must not start on it.
        case corrupt
        case noSegments
        case alreadyExists
        case invalidSegmentName
        case missingSegment
        case invalidEntry
        case recordTooLarge
        case releaseBeyondSnapshot
        /// A previous write or sync failed; the state of the file is unknown, so the WAL takes no more writes.
        case failed
        case closed
    }

    public var code: Code
    public var file: String?
    public var offset: Int?
    public var reason: String

    public var description: String {
        var text = "WAL \(code.rawValue)"
        if let file { text += " in \(file)" }
        if let offset { text += " at offset \(offset)" }
        return text + ": " + reason
    }

    static func corrupt(file: String, offset: Int, _ reason: String) -> WALError {
        WALError(code: .corrupt, file: file, offset: offset, reason: reason)
    }

    static func noSegments(directory: String) -> WALError {
        WALError(code: .noSegments, file: directory, reason: "no WAL segment files in the directory")
    }

    static func alreadyExists(directory: String) -> WALError {
        WALError(code: .alreadyExists, file: directory, reason: "the directory already holds WAL segment files")
    }

    static func invalidSegmentName(_ name: String) -> WALError {
        WALError(code: .invalidSegmentName, file: name, reason: "a .wal file whose name is not <16 hex digits>-<16 hex digits>.wal")
    }

    static func missingSegment(after name: String, expectedSequence: UInt64) -> WALError {
        WALError(code: .missingSegment, file: name, reason: "the next segment (sequence \(expectedSequence)) is missing")
    }

    static func invalidEntry(_ reason: String) -> WALError {
        WALError(code: .invalidEntry, reason: reason)
    }

    static func recordTooLarge(size: Int) -> WALError {
        WALError(code: .recordTooLarge, reason: "record of \(size) bytes exceeds the limit of \(WALRecord.maximumBodySize) bytes")
    }

    static func releaseBeyondSnapshot(index: UInt64, snapshotIndex: UInt64?) -> WALError {
        let snapshot = snapshotIndex.map { "the latest snapshot marker is at \($0)" } ?? "no snapshot marker was saved"
        return WALError(code: .releaseBeyondSnapshot, reason: "cannot release segments before index \(index): \(snapshot)")
    }

    static func failed(after error: any Error) -> WALError {
        WALError(code: .failed, reason: "an earlier write or sync failed (\(error)); reopen the WAL")
    }

    static let closed = WALError(code: .closed, reason: "the WAL is closed")
}
