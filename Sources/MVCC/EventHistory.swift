// Watch catch-up: the events of past revisions, read from `history` in revision order.

import EtcdProto
import Storage

/// A page of past events.
public struct MVCCEventPage: Sendable, Hashable {
    /// Events in (main, sub) revision order; a main revision is never split across pages.
    public var events: [Event]
    /// Where the next page starts (current revision + 1 once caught up).
    public var nextRevision: Int64
    /// The store's revision when the page was read.
    public var currentRevision: Int64
}

extension MVCCStore {
    /// The events with main revision ≥ `revision`, in order: at least `maxEvents` unless the
    /// history ends first (a revision's events are kept together). Each event carries its
    /// previous key-value when `withPrevKv` and that value is still in the history.
    /// A page also ends once its keys and values (previous ones included) reach `maxBytes`, so a
    /// page of big values stays small.
    /// Fails with `.compacted` when `revision` is below the compaction revision, as etcd's watch does.
    public func events(
        fromRevision revision: Int64, maxEvents: Int, maxBytes: Int = .max, withPrevKv: Bool
    ) throws(MVCCError) -> MVCCEventPage {
        let tables = self.tables
        let maxKeySize = self.environment.maxKeySize
        do throws(LMDBBlockFailure<MVCCError>) {
            return try self.environment.withReadTransaction { (transaction) throws(MVCCError) -> MVCCEventPage in
                let view = StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize)
                let (current, compacted) = try Self.revisions(view)
                if revision < compacted { throw .compacted }
                do throws(LMDBError) {
                    var events: [Event] = []
                    var bytes = 0
                    var next = max(revision, 1)
                    try transaction.cursor(tables.history) { (cursor) throws(LMDBError) in
                        var entry = try Revision(main: next, sub: 0).withBytes { (bytes) throws(LMDBError) in
                            try cursor.seek(atLeast: bytes)
                        }
                        while let current = entry {
                            let entryRevision = Revision(decoding: current.key)
                            if events.count >= maxEvents || bytes >= maxBytes, entryRevision.main != next { break }
                            guard let kv = HistoryRecord.decode(current.value, revision: entryRevision, withValue: true) else {
                                throw LMDBError(code: 0, reason: "corrupt history entry (\(entryRevision.main), \(entryRevision.sub))")
                            }
                            var event = Event()
                            event.type = HistoryRecord.isTombstone(current.value) ? .delete : .put
                            event.kv = kv
                            if withPrevKv { event.prevKv = try view.previousVersion(of: kv.key, before: entryRevision) }
                            bytes += kv.key.count + kv.value.count + (event.prevKv.map { $0.key.count + $0.value.count } ?? 0)
                            events.append(event)
                            next = entryRevision.main
                            entry = try cursor.next()
                        }
                    }
                    let resume = events.isEmpty ? max(revision, current + 1) : next + 1
                    return MVCCEventPage(events: events, nextRevision: resume, currentRevision: current)
                } catch {
                    throw .storage(error)
                }
            }
        } catch {
            switch error {
            case .storage(let failure): throw .storage(failure)
            case .body(let failure): throw failure
            }
        }
    }
}

extension StoreView {
    /// The key-value `key` had just before `revision` (nil if absent, deleted, or compacted away).
    func previousVersion(of key: [UInt8], before revision: Revision) throws(LMDBError) -> KeyValue? {
        let bound = revision.sub > 0 ? Revision(main: revision.main, sub: revision.sub - 1) : Revision(main: revision.main - 1, sub: Int64.max)
        let found = try key.withBytes { (keyBytes) throws(LMDBError) -> KeyRevision? in
            try self.transaction.cursor(self.tables.keyRevs) { (cursor) throws(LMDBError) -> KeyRevision? in
                guard try cursor.seek(exactly: keyBytes) != nil else { return nil }
                return try Self.newestRevision(&cursor, key: keyBytes, atOrBefore: bound)
            }
        }
        guard let found, !found.isTombstone else { return nil }
        return try self.historyEntry(found.revision, withValue: true)
    }
}
