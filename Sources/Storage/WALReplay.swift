/// What `WAL.open` read back.
public struct WALReplay: Sendable, Equatable {
    /// The bytes given to `WAL.create` (node and cluster identity).
    public var metadata: [UInt8]
    /// The latest hard state written, if any.
    public var hardState: WALHardState?
    /// The latest snapshot marker written, if any.
    public var snapshot: WALSnapshotMarker?
    /// The log after `snapshot`, contiguous and in index order, with overwritten suffixes already dropped.
    public var entries: [WALEntry]
    /// Set when open cut an incomplete or damaged tail off the last segment; the caller should log it.
    public var repairedTail: WALTailRepair?
}

/// Where open truncated a torn tail: everything from `offset` of `file` was discarded.
public struct WALTailRepair: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var offset: Int
    /// Bytes between `offset` and the last non-zero byte that followed it.
    public var discardedBytes: Int
    /// What was wrong at `offset` (e.g. "incomplete record", "checksum mismatch").
    public var reason: String

    public var description: String {
        "repaired torn WAL tail: discarded \(discardedBytes) bytes from offset \(offset) of \(file) (\(reason))"
    }
}

/// Folds records, in write order, into the replay result with Raft's log semantics.
struct WALReplayBuilder {
    var metadata: [UInt8]?
    var hardState: WALHardState?
    var snapshot: WALSnapshotMarker?
    var entries: [WALEntry] = []
    /// The index the next entry must not exceed by more than one; unknown until the first entry,
    /// since a replay that starts after released segments begins in the middle of the log.
    var lastIndex: UInt64?

    mutating func apply(_ record: WALRecord, file: String, offset: Int) throws(WALError) {
        switch record {
        case .metadata(let bytes):
            if let metadata, metadata != bytes {
                throw .corrupt(file: file, offset: offset, "metadata differs from the metadata of earlier segments")
            }
            metadata = bytes
        case .entry(let entry):
            try appendEntry(entry, file: file, offset: offset)
        case .hardState(let state):
            hardState = state
        case .snapshot(let marker):
            snapshot = marker
            if let last = lastIndex, marker.index >= last {
                entries.removeAll()
                lastIndex = marker.index
            }
        }
    }

    private mutating func appendEntry(_ entry: WALEntry, file: String, offset: Int) throws(WALError) {
        guard entry.index > 0 else { throw .corrupt(file: file, offset: offset, "entry with index 0") }
        if let first = entries.first?.index, entry.index <= entries[entries.count - 1].index {
            if entry.index < first {
                entries.removeAll()
            } else {
                entries.removeSubrange(Int(entry.index - first)...)
            }
        } else if let last = lastIndex, entry.index > last + 1 {
            throw .corrupt(file: file, offset: offset, "entry index \(entry.index) leaves a gap after index \(last)")
        }
        entries.append(entry)
        lastIndex = entry.index
    }

    func finish(metadata: [UInt8], repairedTail: WALTailRepair?) -> WALReplay {
        var live = entries
        if let snapshot, let first = live.first?.index, first <= snapshot.index {
            live.removeFirst(min(live.count, Int(snapshot.index - first + 1)))
        }
        return WALReplay(metadata: metadata, hardState: hardState, snapshot: snapshot, entries: live, repairedTail: repairedTail)
    }
}
