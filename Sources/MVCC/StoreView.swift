// Reads over one LMDB transaction: latest-revision reads touch only `latest`; past-revision
// reads find each key's revision in `keyRevs` and its contents in `history`.

import EtcdProto
import Storage

struct Tables: Sendable {
    /// How many named databases the store has (below).
    static let count = 9
    let latest: LMDBDatabase
    let history: LMDBDatabase
    let keyRevs: LMDBDatabase
    let meta: LMDBDatabase
    /// lease ID (8 bytes, big-endian) → keys attached to it (sorted duplicates).
    let leaseKeys: LMDBDatabase
    /// lease ID (8 bytes, big-endian) → `LeaseRecord` (see Leases.swift).
    let leases: LMDBDatabase
    /// member ID + alarm type → nothing (see Alarms.swift).
    let alarms: LMDBDatabase
    /// member ID (8 bytes, big-endian) → published `etcdserverpb.Member` (see Members.swift).
    let members: LMDBDatabase
    /// "state" → the auth store's `AuthRecord` (see AuthState.swift).
    let auth: LMDBDatabase
}

struct StoreView {
    let transaction: LMDBTransaction
    let tables: Tables
    let maxKeySize: Int

    /// Runs `body` with the UTF-8 name of a meta entry (a literal's contiguous storage: no allocation).
    private func withName<Result>(
        _ key: MetaKey, _ body: (UnsafeRawBufferPointer) throws(LMDBError) -> Result
    ) throws(LMDBError) -> Result {
        var name = key.rawValue
        let outcome = name.withUTF8 { buffer in
            Swift.Result { () throws(LMDBError) -> Result in try body(UnsafeRawBufferPointer(buffer)) }
        }
        return try outcome.get()
    }

    func meta(_ key: MetaKey) throws(LMDBError) -> Int64? {
        try self.withName(key) { (name) throws(LMDBError) -> Int64? in
            guard let value = try self.transaction.get(self.tables.meta, key: name), value.count == 8 else { return nil }
            return Int64(littleEndian: value.loadUnaligned(as: Int64.self))
        }
    }

    func setMeta(_ key: MetaKey, _ value: Int64) throws(LMDBError) {
        try self.withName(key) { (name) throws(LMDBError) in
            try self.transaction.put(self.tables.meta, key: name, reserving: 8) { buffer in
                buffer.storeBytes(of: value.littleEndian, as: Int64.self)
            }
        }
    }

    func deleteMeta(_ key: MetaKey) throws(LMDBError) {
        _ = try self.withName(key) { (name) throws(LMDBError) in
            try self.transaction.delete(self.tables.meta, key: name)
        }
    }

    func keys(attachedTo lease: Int64) throws(LMDBError) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try Self.leaseBytes(lease).withBytes { (leaseBytes) throws(LMDBError) in
            try self.transaction.cursor(self.tables.leaseKeys) { (cursor) throws(LMDBError) in
                var entry = try cursor.seek(exactly: leaseBytes)
                while let current = entry {
                    keys.append(Array(current.value))
                    entry = try cursor.nextDuplicate()
                }
            }
        }
        return keys
    }

    static func leaseBytes(_ lease: Int64) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bitPattern: lease).bigEndian) { Array($0) }
    }

    /// Moves `key` from lease `old` to lease `new` in the lease index (0 = no lease).
    func reattach(_ key: [UInt8], from old: Int64, to new: Int64) throws(LMDBError) {
        guard old != new else { return }
        try key.withBytes { (keyBytes) throws(LMDBError) in
            if old != 0 {
                _ = try Self.leaseBytes(old).withBytes { (lease) throws(LMDBError) in
                    try self.transaction.delete(self.tables.leaseKeys, key: lease, value: keyBytes)
                }
            }
            if new != 0 {
                try Self.leaseBytes(new).withBytes { (lease) throws(LMDBError) in
                    try self.transaction.put(self.tables.leaseKeys, key: lease, value: keyBytes)
                }
            }
        }
    }

    /// The store's revision: 1 in a new store, as in etcd (the first write is revision 2).
    func currentRevision() throws(LMDBError) -> Int64 { try self.meta(.currentRevision) ?? 1 }
    /// The compaction revision; -1 before the first compaction, as in etcd (so compacting at 0 is allowed).
    func compactedRevision() throws(LMDBError) -> Int64 { try self.meta(.compactedRevision) ?? -1 }

    /// The current key-value of `key`, if it exists.
    func latest(_ key: [UInt8], withValue: Bool = true) throws(LMDBError) -> KeyValue? {
        guard key.count <= self.maxKeySize, !key.isEmpty else { return nil }
        return try key.withBytes { (keyBytes) throws(LMDBError) -> KeyValue? in
            guard let record = try self.transaction.get(self.tables.latest, key: keyBytes) else { return nil }
            return try Self.decodedLatest(key: keyBytes, record, withValue: withValue)
        }
    }

    static func decodedLatest(key: UnsafeRawBufferPointer, _ record: UnsafeRawBufferPointer, withValue: Bool) throws(LMDBError) -> KeyValue {
        guard let kv = LatestRecord.decode(key: key, record, withValue: withValue) else {
            throw LMDBError(code: 0, reason: "corrupt record in 'latest' for key of \(key.count) bytes")
        }
        return kv
    }

    func historyEntry(_ revision: Revision, withValue: Bool) throws(LMDBError) -> KeyValue {
        let record = try revision.withBytes { (bytes) throws(LMDBError) in
            try self.transaction.get(self.tables.history, key: bytes)
        }
        guard let record, let kv = HistoryRecord.decode(record, revision: revision, withValue: withValue) else {
            throw LMDBError(code: 0, reason: "missing or corrupt history entry (\(revision.main), \(revision.sub))")
        }
        return kv
    }

    /// With `cursor` on some duplicate of `key` in `keyRevs`: the key's newest revision ≤ `bound`.
    static func newestRevision(
        _ cursor: inout LMDBCursor, key: UnsafeRawBufferPointer, atOrBefore bound: Revision
    ) throws(LMDBError) -> KeyRevision? {
        guard let last = try cursor.lastDuplicate() else { return nil }
        let newest = KeyRevision(decoding: last.value)
        if newest.revision <= bound { return newest }
        let probe = bound.sub == Int64.max ? Revision(main: bound.main + 1, sub: 0) : Revision(main: bound.main, sub: bound.sub + 1)
        let found = try KeyRevision(revision: probe, isTombstone: false).withBytes { (probeBytes) throws(LMDBError) in
            try cursor.seek(key: key, duplicateAtLeast: probeBytes)
        }
        guard found != nil, let previous = try cursor.previousDuplicate() else { return nil }
        return KeyRevision(decoding: previous.value)
    }

    /// The keys of `interval` as of `revision` (the latest one when `isLatest`), in key order:
    /// all of them counted, the first `limit` (0 = all) returned unless `countOnly`.
    func range(
        _ interval: KeyInterval, revision: Int64, isLatest: Bool, limit: Int, countOnly: Bool, withValue: Bool
    ) throws(LMDBError) -> (kvs: [KeyValue], count: Int) {
        var kvs: [KeyValue] = []
        var count = 0
        let wantsMore = { (collected: Int) -> Bool in !countOnly && (limit <= 0 || collected < limit) }
        if interval.isSingleKey && (interval.start.isEmpty || interval.start.count > self.maxKeySize) { return ([], 0) }

        if isLatest {
            if interval.isSingleKey {
                guard let kv = try self.latest(interval.start, withValue: withValue) else { return ([], 0) }
                return (countOnly ? [] : [kv], 1)
            }
            try self.transaction.cursor(self.tables.latest) { (cursor) throws(LMDBError) in
                var entry = try self.seekStart(&cursor, interval)
                while let current = entry {
                    if !interval.isBelowEnd(current.key) { break }
                    if interval.isAtOrAfterStart(current.key) {
                        count += 1
                        if wantsMore(kvs.count) {
                            kvs.append(try Self.decodedLatest(key: current.key, current.value, withValue: withValue))
                        }
                    }
                    entry = try cursor.next()
                }
            }
            return (kvs, count)
        }

        let bound = Revision(main: revision, sub: Int64.max)
        try self.transaction.cursor(self.tables.keyRevs) { (cursor) throws(LMDBError) in
            var entry: LMDBCursor.Entry?
            if interval.isSingleKey {
                entry = try interval.start.withBytes { (bytes) throws(LMDBError) in try cursor.seek(exactly: bytes) }
            } else {
                entry = try self.seekStart(&cursor, interval)
            }
            // MDB_SET_KEY finds only the exact key, so a single-key range needs no bound check.
            while let current = entry {
                if !interval.isSingleKey && !interval.isBelowEnd(current.key) { break }
                if interval.isSingleKey || interval.isAtOrAfterStart(current.key) {
                    if let found = try Self.newestRevision(&cursor, key: current.key, atOrBefore: bound), !found.isTombstone {
                        count += 1
                        if wantsMore(kvs.count) {
                            kvs.append(try self.historyEntry(found.revision, withValue: withValue))
                        }
                    }
                }
                if interval.isSingleKey { break }
                entry = try cursor.nextKey()
            }
        }
        return (kvs, count)
    }

    /// Positions at the first entry ≥ the interval's start (LMDB cannot seek with keys longer than
    /// its limit, so such starts seek with their prefix and the caller skips what precedes them).
    private func seekStart(_ cursor: inout LMDBCursor, _ interval: KeyInterval) throws(LMDBError) -> LMDBCursor.Entry? {
        if interval.start.isEmpty { return try cursor.first() }
        let prefixCount = min(interval.start.count, self.maxKeySize)
        return try interval.start.withBytes { (bytes) throws(LMDBError) in
            try cursor.seek(atLeast: UnsafeRawBufferPointer(rebasing: bytes[0..<prefixCount]))
        }
    }
}
