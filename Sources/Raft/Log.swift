/// Entries and a snapshot received but not yet persisted by the host (etcd's "unstable").
struct UnstableLog {
    var snapshot: Snapshot?
    var entries: [Entry] = []
    /// The index of `entries[0]`.
    var offset: UInt64

    var firstIndexIfKnown: UInt64? { snapshot.map { $0.metadata.index + 1 } }

    var lastIndexIfKnown: UInt64? {
        if !entries.isEmpty { return offset + UInt64(entries.count) - 1 }
        return snapshot?.metadata.index
    }

    func term(at index: UInt64) -> UInt64? {
        if index < offset {
            if let snapshot, snapshot.metadata.index == index { return snapshot.metadata.term }
            return nil
        }
        guard let last = lastIndexIfKnown, index <= last else { return nil }
        return entries[Int(index - offset)].term
    }

    /// The host persisted entries up to `index` of `term`; drop them unless a newer leader has
    /// since replaced that entry (then the term differs and they stay).
    mutating func stable(to index: UInt64, term: UInt64) {
        guard let knownTerm = self.term(at: index), knownTerm == term, index >= offset else { return }
        let count = Int(index + 1 - offset)
        if count == entries.count {
            entries.removeAll(keepingCapacity: true)
        } else {
            entries.removeFirst(count)
        }
        offset = index + 1
    }

    mutating func stableSnapshot(to index: UInt64) {
        if snapshot?.metadata.index == index { snapshot = nil }
    }

    mutating func restore(_ newSnapshot: Snapshot) {
        offset = newSnapshot.metadata.index + 1
        entries.removeAll()
        snapshot = newSnapshot
    }

    mutating func truncateAndAppend(_ newEntries: ArraySlice<Entry>) {
        let after = newEntries.first!.index
        if after == offset + UInt64(entries.count) {
            entries.append(contentsOf: newEntries)
        } else if after <= offset {
            offset = after
            entries = Array(newEntries)
        } else {
            entries.removeSubrange(Int(after - offset)...)
            entries.append(contentsOf: newEntries)
        }
    }

    func slice(_ range: Range<UInt64>) -> ArraySlice<Entry> {
        entries[Int(range.lowerBound - offset)..<Int(range.upperBound - offset)]
    }
}

/// The log as Raft sees it: the host's storage followed by the unstable tail.
struct RaftLog {
    let storage: any RaftStorage
    var unstable: UnstableLog
    var committed: UInt64
    var applied: UInt64
    let maxCommittedBytesPerReady: UInt64

    init(storage: any RaftStorage, maxCommittedBytesPerReady: UInt64) {
        self.storage = storage
        let first = storage.firstIndex()
        let last = storage.lastIndex()
        unstable = UnstableLog(offset: last + 1)
        committed = first - 1
        applied = first - 1
        self.maxCommittedBytesPerReady = maxCommittedBytesPerReady
    }

    var firstIndex: UInt64 { unstable.firstIndexIfKnown ?? storage.firstIndex() }
    var lastIndex: UInt64 { unstable.lastIndexIfKnown ?? storage.lastIndex() }

    /// The term at `index`, or nil if it is compacted away or beyond the log.
    func term(at index: UInt64) -> UInt64? {
        let dummy = firstIndex - 1
        if index < dummy || index > lastIndex { return nil }
        if let term = unstable.term(at: index) { return term }
        return try? storage.term(at: index)
    }

    var lastTerm: UInt64 { term(at: lastIndex) ?? 0 }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool { self.term(at: index) == term }

    /// Paper §5.3: accept `entries` after (`index`, `logTerm`) if our log has that entry;
    /// returns the last index of the appended run, or nil when the consistency check fails.
    mutating func maybeAppend(index: UInt64, logTerm: UInt64, committed leaderCommit: UInt64, entries: [Entry]) -> UInt64? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index + UInt64(entries.count)
        let conflict = findConflict(entries)
        if conflict != 0 {
            precondition(conflict > committed, "entry \(conflict) conflicts with committed entry (committed \(committed))")
            append(entries[Int(conflict - index - 1)...])
        }
        commit(to: min(leaderCommit, lastNew))
        return lastNew
    }

    @discardableResult
    mutating func append(_ newEntries: ArraySlice<Entry>) -> UInt64 {
        guard let first = newEntries.first else { return lastIndex }
        precondition(first.index > committed, "append at \(first.index) would overwrite committed \(committed)")
        unstable.truncateAndAppend(newEntries)
        return lastIndex
    }

    /// The first entry whose term differs from ours (or that we lack); 0 if all match.
    func findConflict(_ newEntries: [Entry]) -> UInt64 {
        for entry in newEntries where !matchTerm(entry.index, entry.term) {
            return entry.index
        }
        return 0
    }

    /// Fast backtracking (etcd's findConflictByTerm): the largest index at or below `index`
    /// whose term is at most `term`. Every entry above it has a larger term and cannot match the
    /// other log, so the leader can skip a whole term per round trip instead of one entry.
    func findConflictByTerm(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var candidate = min(index, lastIndex)
        while true {
            guard let ourTerm = self.term(at: candidate) else { return (candidate, 0) }
            if ourTerm <= term || candidate == 0 { return (candidate, ourTerm) }
            candidate -= 1
        }
    }

    var unstableEntries: [Entry] { unstable.entries }

    /// Committed entries the host has not applied yet.
    func committedEntriesToApply() -> [Entry] {
        let start = max(applied + 1, firstIndex)
        guard committed + 1 > start else { return [] }
        return (try? slice(start..<(committed + 1), maxBytes: maxCommittedBytesPerReady)) ?? []
    }

    var hasCommittedEntriesToApply: Bool { committed + 1 > max(applied + 1, firstIndex) }

    func snapshot() throws(RaftError) -> Snapshot {
        if let snapshot = unstable.snapshot { return snapshot }
        return try storage.snapshot()
    }

    mutating func commit(to index: UInt64) {
        guard committed < index else { return }
        precondition(index <= lastIndex, "commit \(index) past last index \(lastIndex)")
        committed = index
    }

    mutating func applied(to index: UInt64) {
        guard index != 0 else { return }
        precondition(index <= committed && index >= applied, "applied \(index) outside [\(applied), \(committed)]")
        applied = index
    }

    /// §5.4.1: a candidate's log is at least as up to date as ours.
    func isUpToDate(lastIndex candidateIndex: UInt64, term candidateTerm: UInt64) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// §5.4.2: a leader commits by counting only entries of its own term.
    mutating func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > committed, self.term(at: index) == term else { return false }
        commit(to: index)
        return true
    }

    mutating func restore(_ snapshot: Snapshot) {
        committed = snapshot.metadata.index
        unstable.restore(snapshot)
    }

    func entries(from index: UInt64, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        if index > lastIndex { return [] }
        return try slice(index..<(lastIndex + 1), maxBytes: maxBytes)
    }

    /// Entries in `range`, drawn from storage and then the unstable tail, cut to `maxBytes`
    /// (at least one entry).
    func slice(_ range: Range<UInt64>, maxBytes: UInt64) throws(RaftError) -> [Entry] {
        if range.isEmpty { return [] }
        if range.lowerBound < firstIndex { throw .compacted }
        if range.upperBound > lastIndex + 1 { throw .unavailable }
        var result: [Entry] = []
        if range.lowerBound < unstable.offset {
            let stored = try storage.entries(
                in: range.lowerBound..<min(range.upperBound, unstable.offset), maxBytes: maxBytes)
            // Storage stopped early because of the size limit: do not add unstable entries.
            if UInt64(stored.count) < min(range.upperBound, unstable.offset) - range.lowerBound { return stored }
            result = stored
        }
        if range.upperBound > unstable.offset {
            let tail = unstable.slice(max(range.lowerBound, unstable.offset)..<range.upperBound)
            if result.isEmpty && tail.count == Int(range.count) && totalSize(tail) <= maxBytes {
                return Array(tail)
            }
            result.append(contentsOf: tail)
        }
        return limitSize(result, maxBytes: maxBytes)
    }

    private func totalSize(_ entries: ArraySlice<Entry>) -> UInt64 {
        var size: UInt64 = 0
        for entry in entries { size += entry.accountedSize }
        return size
    }

    private func limitSize(_ entries: [Entry], maxBytes: UInt64) -> [Entry] {
        var size: UInt64 = 0
        for (position, entry) in entries.enumerated() {
            size += entry.accountedSize
            if position > 0 && size > maxBytes { return Array(entries[..<position]) }
        }
        return entries
    }
}
