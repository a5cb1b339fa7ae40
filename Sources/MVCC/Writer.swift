// One write transaction of the store (one main revision), as etcd's storeTxnWrite:
// every change gets the next sub-revision; reads see the changes made so far.

import EtcdProto
import Storage

struct Writer {
    var view: StoreView
    /// The store's revision before this write.
    let beginRevision: Int64
    let compactedRevision: Int64
    /// Changes made so far (the next sub-revision).
    var changes: Int64 = 0
    var events: [Event] = []
    /// The operations of this store transaction, as etcd's metrics count them.
    var operations = MVCCOperationCounts()
    /// The compares of a writing txn: etcd evaluates them in a read transaction of their own.
    var compareReads: UInt64 = 0

    /// The revision reads inside this write see: etcd's `beginRev + 1` once something changed.
    var readRevision: Int64 { self.beginRevision + (self.changes > 0 ? 1 : 0) }

    private var nextRevision: Revision { Revision(main: self.beginRevision + 1, sub: self.changes) }

    /// Stores a new version of `key`. `previous` is the key's current value (nil if absent).
    mutating func put(key: [UInt8], value: [UInt8], lease: Int64, previous: KeyValue?) throws(LMDBError) {
        let revision = self.nextRevision
        var kv = KeyValue()
        kv.key = key
        kv.value = value
        kv.lease = lease
        kv.modRevision = revision.main
        kv.createRevision = previous?.createRevision ?? revision.main
        kv.version = (previous?.version ?? 0) + 1

        let transaction = self.view.transaction
        let tables = self.view.tables
        try key.withBytes { (keyBytes) throws(LMDBError) in
            try transaction.put(tables.latest, key: keyBytes, reserving: LatestRecord.size(valueCount: value.count)) {
                LatestRecord.write(kv, to: $0)
            }
            try revision.withBytes { (revisionBytes) throws(LMDBError) in
                try transaction.put(
                    tables.history, key: revisionBytes,
                    reserving: HistoryRecord.size(keyCount: key.count, valueCount: value.count)
                ) { HistoryRecord.write(kv, isTombstone: false, to: $0) }
            }
            try KeyRevision(revision: revision, isTombstone: false).withBytes { (entry) throws(LMDBError) in
                try transaction.put(tables.keyRevs, key: keyBytes, value: entry)
            }
        }
        try self.view.reattach(key, from: previous?.lease ?? 0, to: lease)
        self.changes += 1
        var event = Event()
        event.type = .put
        event.kv = kv
        event.prevKv = previous
        self.events.append(event)
    }

    /// Deletes the existing key `previous.key`, leaving a tombstone in its history.
    mutating func delete(_ previous: KeyValue) throws(LMDBError) {
        let revision = self.nextRevision
        var tombstone = KeyValue()
        tombstone.key = previous.key
        tombstone.modRevision = revision.main

        let transaction = self.view.transaction
        let tables = self.view.tables
        try previous.key.withBytes { (keyBytes) throws(LMDBError) in
            try transaction.delete(tables.latest, key: keyBytes)
            try revision.withBytes { (revisionBytes) throws(LMDBError) in
                try transaction.put(
                    tables.history, key: revisionBytes, reserving: HistoryRecord.size(keyCount: keyBytes.count, valueCount: 0)
                ) { HistoryRecord.write(tombstone, isTombstone: true, to: $0) }
            }
            try KeyRevision(revision: revision, isTombstone: true).withBytes { (entry) throws(LMDBError) in
                try transaction.put(tables.keyRevs, key: keyBytes, value: entry)
            }
        }
        try self.view.reattach(previous.key, from: previous.lease, to: 0)
        self.changes += 1
        var event = Event()
        event.type = .delete
        event.kv = tombstone
        event.prevKv = previous
        self.events.append(event)
    }

    /// etcd's applierV3backend.Put (the lease check is the caller's; see `MVCCStore.apply`).
    mutating func applyPut(_ request: PutRequest) throws(MVCCError) -> PutResponse {
        let previous: KeyValue?
        do { previous = try self.view.latest(request.key) } catch { throw .storage(error) }
        if (request.ignoreValue || request.ignoreLease) && previous == nil { throw .keyNotFound }
        let value = request.ignoreValue ? (previous?.value ?? []) : request.value
        let lease = request.ignoreLease ? (previous?.lease ?? 0) : request.lease
        do { try self.put(key: request.key, value: value, lease: lease, previous: previous) } catch { throw .storage(error) }
        self.operations.puts += 1
        if request.prevKv || request.ignoreValue || request.ignoreLease { self.operations.ranges += 1 }
        var response = PutResponse()
        if request.prevKv { response.prevKv = previous }
        var header = ResponseHeader()
        header.revision = self.readRevision
        response.header = header
        return response
    }

    /// etcd's applierV3backend.DeleteRange.
    mutating func applyDeleteRange(_ request: DeleteRangeRequest) throws(MVCCError) -> DeleteRangeResponse {
        let existing: [KeyValue]
        do {
            existing = try self.view.range(
                KeyInterval(key: request.key, rangeEnd: request.rangeEnd), revision: self.readRevision, isLatest: true,
                limit: 0, countOnly: false, withValue: true
            ).kvs
            for kv in existing { try self.delete(kv) }
        } catch {
            throw .storage(error)
        }
        self.operations.deletes += 1
        if request.prevKv { self.operations.ranges += 1 }
        var response = DeleteRangeResponse()
        response.deleted = Int64(existing.count)
        if request.prevKv { response.prevKvs = existing }
        var header = ResponseHeader()
        header.revision = self.readRevision
        response.header = header
        return response
    }

    /// Deletes every key attached to `lease`; returns how many.
    mutating func deleteKeys(attachedTo lease: Int64) throws(MVCCError) -> Int64 {
        do {
            let keys = try self.view.keys(attachedTo: lease)
            for key in keys {
                guard let previous = try self.view.latest(key) else { continue }
                try self.delete(previous)
            }
            // etcd's lessor issues one DeleteRange per attached key.
            self.operations.deletes += UInt64(keys.count)
            return Int64(keys.count)
        } catch {
            throw .storage(error)
        }
    }

    mutating func applyRange(_ request: RangeRequest) throws(MVCCError) -> RangeResponse {
        self.operations.ranges += 1
        return try self.view.rangeResponse(request, currentRevision: self.readRevision, compactedRevision: self.compactedRevision)
    }
}
