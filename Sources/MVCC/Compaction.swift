// KV.Compact. The compaction revision takes effect at once (reads below it fail, as in etcd);
// the old entries are deleted afterwards in bounded steps: up to `compactionBatchLimit` history
// entries at the end of each apply batch (or per `runCompaction` call), so a large compaction
// never stalls the apply loop. Progress is in `meta`, committed with the batch, so it survives restarts.

import EtcdProto
import Storage

extension MVCCStore {
    static func startCompaction(
        _ request: CompactionRequest, view: StoreView, currentRevision: Int64, compacted: Int64
    ) throws(MVCCError) -> MVCCResponse {
        if request.revision <= compacted { throw .compacted }
        if request.revision > currentRevision { throw .futureRevision }
        do {
            try view.setMeta(.compactedRevision, request.revision)
            try view.setMeta(.compactionTarget, request.revision)
            // A new target restarts the scan: entries kept for the previous target may now go.
            try view.setMeta(.compactionCursorMain, 0)
            try view.setMeta(.compactionCursorSub, 0)
        } catch {
            throw .storage(error)
        }
        var response = CompactionResponse()
        var header = ResponseHeader()
        header.revision = currentRevision
        response.header = header
        return .compact(response)
    }

    /// Deletes up to `limit` history entries made obsolete by the pending compaction.
    /// Returns true when no compaction work remains.
    static func compactionStep(_ view: StoreView, limit: Int) throws(LMDBError) -> Bool {
        guard let target = try view.meta(.compactionTarget) else { return true }
        var cursorRevision = Revision(
            main: try view.meta(.compactionCursorMain) ?? 0, sub: try view.meta(.compactionCursorSub) ?? 0)
        var examined = 0
        var finished = false
        let tables = view.tables
        let transaction = view.transaction

        try transaction.cursor(tables.history) { (history) throws(LMDBError) in
            var entry = try cursorRevision.withBytes { (bytes) throws(LMDBError) in try history.seek(atLeast: bytes) }
            while true {
                guard let current = entry else {
                    finished = true
                    return
                }
                let revision = Revision(decoding: current.key)
                if revision.main > target {
                    finished = true
                    return
                }
                if examined >= limit {
                    cursorRevision = revision
                    return
                }
                examined += 1
                guard let keyBytes = HistoryRecord.key(current.value) else {
                    throw LMDBError(code: 0, reason: "corrupt history entry (\(revision.main), \(revision.sub))")
                }
                let key = Array(keyBytes)
                let isTombstone = HistoryRecord.isTombstone(current.value)
                // Keep the key's newest revision ≤ target unless it is a tombstone (etcd's rule).
                if try !view.isNewestLiveRevision(current, atOrBefore: target) {
                    try history.deleteCurrent()
                    _ = try key.withBytes { (keyBytes) throws(LMDBError) -> Bool in
                        try KeyRevision(revision: revision, isTombstone: isTombstone).withBytes { (value) throws(LMDBError) in
                            try transaction.delete(tables.keyRevs, key: keyBytes, value: value)
                        }
                    }
                    entry = try history.entryAfterDeletion().flatMap { Revision(decoding: $0.key) > revision ? $0 : nil }
                    if entry == nil { entry = try history.next() }
                } else {
                    entry = try history.next()
                }
            }
        }
        if finished {
            try view.deleteMeta(.compactionTarget)
            try view.deleteMeta(.compactionCursorMain)
            try view.deleteMeta(.compactionCursorSub)
            try view.setMeta(.finishedCompactionRevision, target)
        } else {
            try view.setMeta(.compactionCursorMain, cursorRevision.main)
            try view.setMeta(.compactionCursorSub, cursorRevision.sub)
        }
        return finished
    }

    /// Continues a pending compaction by up to `maxEntries` history entries in its own write
    /// transaction (writer only: call from the apply loop when it is idle). True when done.
    @discardableResult
    public func runCompaction(maxEntries: Int) throws(MVCCError) -> Bool {
        let tables = self.tables
        let maxKeySize = self.environment.maxKeySize
        do throws(LMDBError) {
            return try self.environment.write { (transaction) throws(LMDBError) -> Bool in
                try Self.compactionStep(
                    StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize), limit: max(1, maxEntries))
            }
        } catch {
            throw .storage(error)
        }
    }
}
