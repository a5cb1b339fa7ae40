/// The durable state Raft reads: the host implements it over its WAL and snapshot files.
///
/// Raft only reads through this protocol. The host writes to it while handling a `Ready`
/// (entries, hard state, snapshot) and compacts it after taking snapshots of its state machine.
public protocol RaftStorage: AnyObject {
    func initialState() throws(RaftError) -> (HardState, ConfState)
    /// Entries in `range` (lower bound at least `firstIndex`), cut to `maxBytes` but always at
    /// least one entry if the range is not empty.
    func entries(in range: Range<UInt64>, maxBytes: UInt64) throws(RaftError) -> [Entry]
    /// The term of the entry at `index`; `firstIndex - 1` (the last compacted entry) is allowed.
    func term(at index: UInt64) throws(RaftError) -> UInt64
    func firstIndex() -> UInt64
    func lastIndex() -> UInt64
    func snapshot() throws(RaftError) -> Snapshot
}

/// An in-memory `RaftStorage` for tests, simulators and benchmarks.
///
/// `entries[0]` is a dummy holding the index and term of the last compacted entry (the
/// snapshot's), which lets `term(at: firstIndex - 1)` answer without special cases.
public final class MemoryStorage: RaftStorage {
    public private(set) var hardState = HardState()
    public private(set) var snapshotValue = Snapshot()
    private var entries: [Entry] = [Entry()]

    public init(confState: ConfState = ConfState()) {
        snapshotValue.metadata.confState = confState
    }

    public func initialState() throws(RaftError) -> (HardState, ConfState) {
        (hardState, snapshotValue.metadata.confState)
    }

    private var offset: UInt64 { entries[0].index }

    public func firstIndex() -> UInt64 { offset + 1 }
    public func lastIndex() -> UInt64 { offset + UInt64(entries.count) - 1 }

    public func term(at index: UInt64) throws(RaftError) -> UInt64 {
        if index < offset { throw .compacted }
        if index > lastIndex() { throw .unavailable }
        return entries[Int(index - offset)].term
    }

    public func entries(in range: Range<UInt64>, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        if range.lowerBound <= offset { throw .compacted }
        if range.upperBound > lastIndex() + 1 { throw .unavailable }
        let lower = Int(range.lowerBound - offset)
        let upper = Int(range.upperBound - offset)
        var end = lower
        var size: UInt64 = 0
        while end < upper {
            size += entries[end].accountedSize
            if end > lower && size > maxBytes { break }
            end += 1
        }
        return Array(entries[lower..<end])
    }

    public func snapshot() throws(RaftError) -> Snapshot { snapshotValue }

    public func setHardState(_ state: HardState) { hardState = state }

    /// Appends entries from a `Ready`, replacing any conflicting suffix (a new leader may
    /// overwrite uncommitted entries).
    public func append(_ newEntries: [Entry]) {
        guard let first = newEntries.first else { return }
        let firstKept = firstIndex()
        let lastNew = first.index + UInt64(newEntries.count) - 1
        if lastNew < firstKept { return }
        let toAppend = first.index < firstKept ? newEntries[Int(firstKept - first.index)...] : newEntries[...]
        let position = Int(toAppend.first!.index - offset)
        precondition(position <= entries.count, "MemoryStorage.append: gap before index \(toAppend.first!.index)")
        entries.removeSubrange(position...)
        entries.append(contentsOf: toAppend)
    }

    /// Replaces the whole log with a snapshot received from the leader.
    public func applySnapshot(_ snapshot: Snapshot) throws(RaftError) {
        if snapshot.metadata.index <= snapshotValue.metadata.index && !snapshotValue.isEmpty { return }
        snapshotValue = snapshot
        entries = [Entry(term: snapshot.metadata.term, index: snapshot.metadata.index)]
    }

    /// Records a snapshot of the host's state machine at `index` (which must be applied, hence in
    /// the log) without discarding entries; `compact(upTo:)` does that.
    @discardableResult
    public func createSnapshot(at index: UInt64, confState: ConfState, data: [UInt8]) throws(RaftError) -> Snapshot {
        if index <= snapshotValue.metadata.index { throw .compacted }
        if index > lastIndex() { throw .unavailable }
        let term = entries[Int(index - offset)].term
        snapshotValue = Snapshot(data: data, metadata: SnapshotMetadata(confState: confState, index: index, term: term))
        return snapshotValue
    }

    /// Discards entries up to and including `index` (which must not exceed the applied index).
    public func compact(upTo index: UInt64) throws(RaftError) {
        if index <= offset { throw .compacted }
        if index > lastIndex() { throw .unavailable }
        let cut = Int(index - offset)
        let dummy = Entry(term: entries[cut].term, index: index)
        entries.removeSubrange(0...cut)
        entries.insert(dummy, at: 0)
    }

    /// Every entry still held (for test inspection).
    public var storedEntries: ArraySlice<Entry> { entries[1...] }
}
