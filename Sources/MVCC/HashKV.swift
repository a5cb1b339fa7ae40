// Maintenance.HashKV: a checksum of the key-value history up to a revision, equal on every member
// that applied the same entries, whatever the progress of its physical compaction.

import Storage

/// The result of `MVCCStore.hashKV`.
public struct MVCCHash: Sendable, Hashable {
    public var hash: UInt32
    /// The revision the hash covers.
    public var revision: Int64
    public var compactRevision: Int64

    public init(hash: UInt32, revision: Int64, compactRevision: Int64) {
        self.hash = hash
        self.revision = revision
        self.compactRevision = compactRevision
    }
}

extension MVCCStore {
    /// CRC-32C over the history entries with main revision ≤ `revision` (0 = current) that
    /// compaction keeps: entries at or below the compaction revision count only if they are
    /// their key's newest there and not a tombstone. Errors as etcd's HashKV for compacted and
    /// future revisions.
    public func hashKV(revision: Int64) throws(MVCCError) -> MVCCHash {
        let tables = self.tables
        let maxKeySize = self.environment.maxKeySize
        do throws(LMDBBlockFailure<MVCCError>) {
            return try self.environment.withReadTransaction { (transaction) throws(MVCCError) -> MVCCHash in
                let view = StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize)
                let (current, compacted) = try Self.revisions(view)
                if revision > 0 && revision <= compacted { throw .compacted }
                if revision > current { throw .futureRevision }
                let upTo = revision == 0 ? current : revision
                var crc = CRC32C()
                do throws(LMDBError) {
                    try transaction.cursor(tables.history) { (cursor) throws(LMDBError) in
                        var entry = try cursor.first()
                        while let current = entry {
                            let entryRevision = Revision(decoding: current.key)
                            if entryRevision.main > upTo { break }
                            var counts = entryRevision.main > compacted
                            if !counts { counts = try view.survivesCompaction(current, at: compacted) }
                            if counts {
                                crc.update(current.key)
                                crc.update(current.value)
                            }
                            entry = try cursor.next()
                        }
                    }
                } catch {
                    throw .storage(error)
                }
                return MVCCHash(hash: crc.value, revision: upTo, compactRevision: max(0, compacted))
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
    /// Whether a history entry at or below `compacted` is one compaction keeps.
    func survivesCompaction(_ entry: LMDBCursor.Entry, at compacted: Int64) throws(LMDBError) -> Bool {
        if HistoryRecord.isTombstone(entry.value) { return false }
        guard let key = HistoryRecord.key(entry.value) else { return false }
        let revision = Revision(decoding: entry.key)
        let newest = try Array(key).withBytes { (keyBytes) throws(LMDBError) -> KeyRevision? in
            try self.transaction.cursor(self.tables.keyRevs) { (cursor) throws(LMDBError) -> KeyRevision? in
                guard try cursor.seek(exactly: keyBytes) != nil else { return nil }
                return try Self.newestRevision(&cursor, key: keyBytes, atOrBefore: Revision(main: compacted, sub: Int64.max))
            }
        }
        return newest?.revision == revision
    }
}

/// CRC-32C (Castagnoli), the checksum etcd's HashKV uses.
struct CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    private var state: UInt32 = 0xFFFF_FFFF

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let table = Self.table
        for byte in bytes {
            self.state = table[Int((self.state ^ UInt32(byte)) & 0xFF)] ^ (self.state >> 8)
        }
    }

    var value: UInt32 { self.state ^ 0xFFFF_FFFF }
}
