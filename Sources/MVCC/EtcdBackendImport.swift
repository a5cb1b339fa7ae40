// An etcd backend (from `etcdctl snapshot save`, or a member's `member/snap/db`) read into a new
// store: the `key` bucket's history in revision order becomes `history`, `keyRevs` and `latest`
// as the apply loop would have written them, with leases, alarms, the auth store and
// compaction progress. The cluster's members are imported only on request (a take-over of a
// member's directory): a restored member gets its membership from its flags (as etcdctl's
// restore does), and the attributes members published belong to the old cluster.

import Backend
import EtcdProto
import Storage

extension MVCCStore {
    /// Imports the backend at `path` into this store, which must be new, in one write
    /// transaction: on any error nothing is written. The file is checked whole first (page
    /// accounting, cycles), so a damaged file is refused before any work. The store claims
    /// `appliedIndex` (0 for a restored snapshot: its member starts a new log).
    /// `memberAttributes`: also import the names and client URLs the members published.
    public func importEtcdBackend(from path: String, appliedIndex: UInt64, memberAttributes: Bool = false) throws(EtcdBackendError) {
        let reader: BoltReader
        do throws(BoltError) {
            reader = try BoltReader(path: path)
            try reader.check()
            let names = try reader.bucketNames()
            for required in [EtcdBackendFormat.keyBucket, EtcdBackendFormat.metaBucket] where !names.contains(required) {
                throw BoltError("not an etcd backend: no \(String(decoding: required, as: UTF8.self)) bucket")
            }
        } catch {
            throw .bolt(error)
        }
        let tables = self.tables
        let maxKeySize = self.maxKeySize
        var failure: EtcdBackendError?
        do throws(LMDBError) {
            try self.environment.write { (transaction) throws(LMDBError) in
                guard try StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize).currentRevision() == 1,
                    try transaction.cursor(tables.history, { (cursor) throws(LMDBError) in try cursor.first() == nil })
                else {
                    failure = EtcdBackendError("the store to import into is not empty")
                    throw LMDBError(code: 0, reason: "import refused")
                }
                var importer = BackendImport(reader: reader, view: StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize))
                do throws(EtcdBackendError) {
                    try importer.run(appliedIndex: appliedIndex, memberAttributes: memberAttributes)
                } catch {
                    // Abort the transaction; the failure is reported below.
                    failure = error
                    throw LMDBError(code: 0, reason: error.description)
                }
            }
        } catch {
            throw failure ?? .storage(error)
        }
    }
}

extension MVCCStore {
    /// etcd's `consistent_index` of the backend at `path`: the last log index applied to it.
    public static func etcdBackendConsistentIndex(path: String) throws(EtcdBackendError) -> UInt64 {
        var index: UInt64?
        do throws(BoltError) {
            try BoltReader(path: path).forEach(inBucket: EtcdBackendFormat.metaBucket) { (key, value) throws(BoltError) in
                guard key == EtcdBackendFormat.consistentIndexKey else { return }
                guard value.count == 8 else { throw BoltError("consistent index of \(value.count) bytes") }
                index = value.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            }
        } catch {
            throw .bolt(error)
        }
        return index ?? 0
    }

    /// The members etcd's `members` bucket holds (etcd 3.4 keeps them there beside its v2 store).
    public static func etcdBackendMembers(path: String) throws(EtcdBackendError) -> [Member] {
        var members: [Member] = []
        do throws(BoltError) {
            try BoltReader(path: path).forEach(inBucket: EtcdBackendFormat.membersBucket) { (key, value) throws(BoltError) in
                guard let id = UInt64(String(decoding: key, as: UTF8.self), radix: 16),
                    let member = EtcdBackendFormat.parseMemberJSON(value, id: id)
                else { throw BoltError("corrupt member record \(String(decoding: key, as: UTF8.self))") }
                members.append(member)
            }
        } catch {
            throw .bolt(error)
        }
        return members
    }
}

/// One import, bucket by bucket, inside the caller's write transaction.
private struct BackendImport {
    let reader: BoltReader
    let view: StoreView

    init(reader: BoltReader, view: StoreView) {
        self.reader = reader
        self.view = view
    }

    mutating func run(appliedIndex: UInt64, memberAttributes: Bool) throws(EtcdBackendError) {
        let lastRevision = try importRevisions()
        var meta: [[UInt8]: [UInt8]] = [:]
        try forEach(EtcdBackendFormat.metaBucket) { (key, value) throws(EtcdBackendError) in meta[key] = value }
        let scheduled = try compactRevision(meta[EtcdBackendFormat.scheduledCompactKey])
        let finished = try compactRevision(meta[EtcdBackendFormat.finishedCompactKey])
        try storage { () throws(LMDBError) in
            // etcd's restore: the current revision is never below the compaction revision.
            try view.setMeta(.currentRevision, max(lastRevision, scheduled, 1))
            try view.setMeta(.appliedIndex, Int64(bitPattern: appliedIndex))
            if scheduled > 0 { try view.setMeta(.compactedRevision, scheduled) }
            if finished > 0 { try view.setMeta(.finishedCompactionRevision, finished) }
            if scheduled > finished {
                // A compaction etcd had scheduled but not finished: ours resumes it.
                try view.setMeta(.compactionTarget, scheduled)
                try view.setMeta(.compactionCursorMain, 0)
                try view.setMeta(.compactionCursorSub, 0)
            }
        }
        try forEach(EtcdBackendFormat.leaseBucket) { (_, value) throws(EtcdBackendError) in
            let lease: LeaseRecord
            do { lease = try EtcdBackendFormat.parseLease(value) } catch { throw EtcdBackendError("corrupt lease record: \(error)") }
            try storage { () throws(LMDBError) in try view.setLease(lease) }
        }
        try forEach(EtcdBackendFormat.alarmBucket) { (key, _) throws(EtcdBackendError) in
            let alarm: AlarmMember
            do { alarm = try AlarmMember(serializedBytes: key) } catch { throw EtcdBackendError("corrupt alarm record: \(error)") }
            try storage { () throws(LMDBError) in
                try StoreView.alarmKey(alarm).withBytes { (bytes) throws(LMDBError) in
                    try view.transaction.put(view.tables.alarms, key: bytes, value: UnsafeRawBufferPointer(start: nil, count: 0))
                }
            }
        }
        let auth = try importAuth()
        try storage { () throws(LMDBError) in try view.saveAuthState(auth) }
        if memberAttributes { try importMemberAttributes() }
    }

    /// etcd's auth store: `auth` (authEnabled → [1], authRevision → u64 BE), `authUsers` and
    /// `authRoles` (name → authpb.User / authpb.Role, the messages swift-etcd keeps).
    private func importAuth() throws(EtcdBackendError) -> AuthState {
        var state = AuthState()
        try forEach(EtcdBackendFormat.authBucket) { (key, value) throws(EtcdBackendError) in
            if key == EtcdBackendFormat.authEnabledKey {
                state.enabled = value == [1]
            } else if key == EtcdBackendFormat.authRevisionKey {
                guard value.count == 8 else { throw EtcdBackendError("corrupt auth revision of \(value.count) bytes") }
                state.revision = value.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            }
        }
        try forEach(EtcdBackendFormat.authUsersBucket) { (key, value) throws(EtcdBackendError) in
            do { state.users[String(decoding: key, as: UTF8.self)] = try User(serializedBytes: value) } catch {
                throw EtcdBackendError("corrupt user record: \(error)")
            }
        }
        try forEach(EtcdBackendFormat.authRolesBucket) { (key, value) throws(EtcdBackendError) in
            do { state.roles[String(decoding: key, as: UTF8.self)] = try Role(serializedBytes: value) } catch {
                throw EtcdBackendError("corrupt role record: \(error)")
            }
        }
        return state
    }

    /// `members`: ID in hex → etcd's member JSON; what swift-etcd's store keeps is the
    /// published part (name, client URLs).
    private func importMemberAttributes() throws(EtcdBackendError) {
        try forEach(EtcdBackendFormat.membersBucket) { (key, value) throws(EtcdBackendError) in
            guard let id = UInt64(String(decoding: key, as: UTF8.self), radix: 16),
                let member = EtcdBackendFormat.parseMemberJSON(value, id: id)
            else { throw EtcdBackendError("corrupt member record \(String(decoding: key, as: UTF8.self))") }
            let published = Member(id: id, name: member.name, clientUrls: member.clientUrls)
            try storage { () throws(LMDBError) in try view.applyMemberAttributes(published) }
        }
    }

    /// Replays the `key` bucket; returns the last main revision (0 if it is empty).
    private func importRevisions() throws(EtcdBackendError) -> Int64 {
        var last = Revision(main: 0, sub: 0)
        try forEach(EtcdBackendFormat.keyBucket) { (key, value) throws(EtcdBackendError) in
            guard let parsed = EtcdBackendFormat.parseRevisionKey(key) else {
                throw EtcdBackendError("not an etcd backend: key bucket entry \(key) is not a revision")
            }
            let revision = Revision(main: parsed.main, sub: parsed.sub)
            var kv: KeyValue
            do { kv = try KeyValue(serializedBytes: value) } catch {
                throw EtcdBackendError("corrupt key-value at revision \(parsed.main)_\(parsed.sub): \(error)")
            }
            guard !kv.key.isEmpty, kv.key.count <= view.maxKeySize else {
                throw EtcdBackendError("key of \(kv.key.count) bytes at revision \(parsed.main) is empty or over this store's limit of \(view.maxKeySize)")
            }
            kv.modRevision = revision.main
            try storage { () throws(LMDBError) in try record(kv, revision: revision, isTombstone: parsed.isTombstone) }
            last = revision
        }
        return last.main
    }

    /// Writes one history entry and brings the key's latest value and lease attachment along.
    private func record(_ kv: KeyValue, revision: Revision, isTombstone: Bool) throws(LMDBError) {
        let previous = try view.latest(kv.key)
        let transaction = view.transaction
        let tables = view.tables
        try kv.key.withBytes { (keyBytes) throws(LMDBError) in
            try revision.withBytes { (revisionBytes) throws(LMDBError) in
                try transaction.put(
                    tables.history, key: revisionBytes,
                    reserving: HistoryRecord.size(keyCount: kv.key.count, valueCount: isTombstone ? 0 : kv.value.count)
                ) { HistoryRecord.write(kv, isTombstone: isTombstone, to: $0) }
            }
            try KeyRevision(revision: revision, isTombstone: isTombstone).withBytes { (entry) throws(LMDBError) in
                try transaction.put(tables.keyRevs, key: keyBytes, value: entry)
            }
            if isTombstone {
                try transaction.delete(tables.latest, key: keyBytes)
            } else {
                try transaction.put(tables.latest, key: keyBytes, reserving: LatestRecord.size(valueCount: kv.value.count)) {
                    LatestRecord.write(kv, to: $0)
                }
            }
        }
        try view.reattach(kv.key, from: previous?.lease ?? 0, to: isTombstone ? 0 : kv.lease)
    }

    private func compactRevision(_ bytes: [UInt8]?) throws(EtcdBackendError) -> Int64 {
        guard let bytes else { return 0 }
        guard let parsed = EtcdBackendFormat.parseRevisionKey(bytes), !parsed.isTombstone else {
            throw EtcdBackendError("corrupt compaction revision in the meta bucket")
        }
        return parsed.main
    }

    /// A missing bucket is an empty one (older backends lack some).
    private func forEach(_ bucket: [UInt8], _ body: ([UInt8], [UInt8]) throws(EtcdBackendError) -> Void) throws(EtcdBackendError) {
        var failure: EtcdBackendError?
        do throws(BoltError) {
            try reader.forEach(inBucket: bucket) { (key, value) throws(BoltError) in
                do throws(EtcdBackendError) { try body(key, value) } catch {
                    failure = error
                    throw BoltError(error.description)
                }
            }
        } catch {
            throw failure ?? .bolt(error)
        }
    }

    private func storage<Result>(_ body: () throws(LMDBError) -> Result) throws(EtcdBackendError) -> Result {
        do { return try body() } catch { throw .storage(error) }
    }
}
