// Maintenance.HashKV: a checksum of the key-value history up to a revision, equal on every member
// that applied the same entries, whatever the progress of its physical compaction, and equal to
// etcd's for the same history: the bytes hashed are those of etcd's bbolt `key` bucket.

import EtcdProto
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
    /// etcd's HashKV: CRC-32C of the bucket name "key", then of each history entry with main
    /// revision ≤ `revision` (0 = current) that compaction keeps, as etcd stores it: its
    /// revision key (8-byte main, "_", 8-byte sub, "t" if a tombstone) and its `mvccpb.KeyValue`
    /// (only the key for a tombstone). Entries at or below the compaction revision count only if
    /// they are their key's newest at the hashed revision and not a tombstone — etcd's rule
    /// (`Keep` at the hashed revision, not at the compaction one); when no key is live there,
    /// etcd counts what its compaction left, so those then count as compaction keeps them.
    /// Errors as etcd's HashKV for compacted and future revisions.
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
                var anyLiveKey = RangeRequest()
                anyLiveKey.key = [0]
                anyLiveKey.rangeEnd = [0]
                anyLiveKey.revision = upTo
                anyLiveKey.limit = 1
                anyLiveKey.keysOnly = true
                let keepBound = try view.rangeResponse(anyLiveKey, currentRevision: current, compactedRevision: compacted)
                    .kvs.isEmpty ? compacted : upTo
                var crc = CRC32C()
                crc.update(Array("key".utf8))
                do throws(LMDBError) {
                    try transaction.cursor(tables.history) { (cursor) throws(LMDBError) in
                        var entry = try cursor.first()
                        while let current = entry {
                            let entryRevision = Revision(decoding: current.key)
                            if entryRevision.main > upTo { break }
                            var counts = entryRevision.main > compacted
                            if !counts { counts = try view.isNewestLiveRevision(current, atOrBefore: keepBound) }
                            if counts {
                                guard let record = EtcdKeyBucketRecord(revision: entryRevision, history: current.value) else {
                                    throw LMDBError(code: 0, reason: "corrupt history entry (\(entryRevision.main), \(entryRevision.sub))")
                                }
                                crc.update(record.key)
                                crc.update(record.value)
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
    /// Whether a history entry is its key's newest revision at or before `bound` and not a
    /// tombstone (at a compaction revision: whether the compaction keeps it).
    func isNewestLiveRevision(_ entry: LMDBCursor.Entry, atOrBefore bound: Int64) throws(LMDBError) -> Bool {
        if HistoryRecord.isTombstone(entry.value) { return false }
        guard let key = HistoryRecord.key(entry.value) else { return false }
        let revision = Revision(decoding: entry.key)
        let newest = try Array(key).withBytes { (keyBytes) throws(LMDBError) -> KeyRevision? in
            try self.transaction.cursor(self.tables.keyRevs) { (cursor) throws(LMDBError) -> KeyRevision? in
                guard try cursor.seek(exactly: keyBytes) != nil else { return nil }
                return try Self.newestRevision(&cursor, key: keyBytes, atOrBefore: Revision(main: bound, sub: Int64.max))
            }
        }
        return newest?.revision == revision
    }
}

/// A history entry as etcd's bbolt `key` bucket holds it.
struct EtcdKeyBucketRecord {
    var key: [UInt8]
    var value: [UInt8]

    init?(revision: Revision, history: UnsafeRawBufferPointer) {
        let isTombstone = HistoryRecord.isTombstone(history)
        guard var kv = HistoryRecord.decode(history, revision: revision, withValue: true) else { return nil }
        if isTombstone { kv = KeyValue(key: kv.key) }
        var key: [UInt8] = []
        key.reserveCapacity(18)
        withUnsafeBytes(of: UInt64(bitPattern: revision.main).bigEndian) { key.append(contentsOf: $0) }
        key.append(UInt8(ascii: "_"))
        withUnsafeBytes(of: UInt64(bitPattern: revision.sub).bigEndian) { key.append(contentsOf: $0) }
        if isTombstone { key.append(UInt8(ascii: "t")) }
        self.key = key
        self.value = kv.serializedBytes()
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

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { self.update($0) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        let table = Self.table
        for byte in bytes {
            self.state = table[Int((self.state ^ UInt32(byte)) & 0xFF)] ^ (self.state >> 8)
        }
    }

    var value: UInt32 { self.state ^ 0xFFFF_FFFF }
}
