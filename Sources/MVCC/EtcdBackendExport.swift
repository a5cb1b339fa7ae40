// `Maintenance.Snapshot` in etcd's format: the store, read in one LMDB read transaction, written
// as etcd 3.4's bbolt backend, page by page, so the file etcd's tools (etcdctl snapshot
// status/restore) and etcd itself open.

import Backend
import EtcdProto
import Storage

/// What the backend holds beside the store's own tables: the cluster's members as the
/// membership knows them and the cluster version.
public struct EtcdBackendCluster: Sendable {
    public var members: [Member]
    public var removedMemberIDs: [UInt64]
    /// "major.minor.0", as etcd writes it.
    public var clusterVersion: String

    public init(members: [Member], removedMemberIDs: [UInt64], clusterVersion: String) {
        self.members = members
        self.removedMemberIDs = removedMemberIDs
        self.clusterVersion = clusterVersion
    }
}

extension MVCCStore {
    /// Writes the store as an etcd backend file at `path` (which must not exist) and returns
    /// its size. Memory stays at a few pages whatever the store's size.
    public func writeEtcdBackend(to path: String, cluster: EtcdBackendCluster) throws(EtcdBackendError) -> Int {
        let tables = self.tables
        do throws(LMDBBlockFailure<EtcdBackendError>) {
            return try self.environment.withReadTransaction { (transaction) throws(EtcdBackendError) -> Int in
                let writer: BoltWriter
                do throws(BoltError) { writer = try BoltWriter(path: path) } catch { throw .bolt(error) }
                var export = BackendExport(writer: writer, view: StoreView(transaction: transaction, tables: tables, maxKeySize: self.maxKeySize))
                return try export.run(cluster)
            }
        } catch {
            switch error {
            case .storage(let failure): throw .storage(failure)
            case .body(let failure): throw failure
            }
        }
    }
}

/// One export: each bucket in turn from the same read transaction.
private struct BackendExport {
    let writer: BoltWriter
    let view: StoreView

    init(writer: BoltWriter, view: StoreView) {
        self.writer = writer
        self.view = view
    }

    mutating func run(_ cluster: EtcdBackendCluster) throws(EtcdBackendError) -> Int {
        try bucket(EtcdBackendFormat.keyBucket) { () throws(EtcdBackendError) in try writeRevisions() }
        try bucket(EtcdBackendFormat.metaBucket) { () throws(EtcdBackendError) in try writeMeta() }
        try bucket(EtcdBackendFormat.leaseBucket) { () throws(EtcdBackendError) in
            for lease in try storage({ () throws(LMDBError) in try view.allLeases() }) {
                try put(EtcdBackendFormat.bigEndian(UInt64(bitPattern: lease.id)), EtcdBackendFormat.leaseValue(lease))
            }
        }
        try bucket(EtcdBackendFormat.alarmBucket) { () throws(EtcdBackendError) in
            let alarms = try storage { () throws(LMDBError) in try view.alarms() }
            for key in alarms.map({ $0.serializedBytes() }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                try put(key, [])
            }
        }
        try bucket(EtcdBackendFormat.membersBucket) { () throws(EtcdBackendError) in
            for member in cluster.members.sorted(by: { EtcdBackendFormat.memberKey($0.id).lexicographicallyPrecedes(EtcdBackendFormat.memberKey($1.id)) }) {
                try put(EtcdBackendFormat.memberKey(member.id), EtcdBackendFormat.memberJSON(member))
            }
        }
        try bucket(EtcdBackendFormat.membersRemovedBucket) { () throws(EtcdBackendError) in
            for key in cluster.removedMemberIDs.map(EtcdBackendFormat.memberKey).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                try put(key, Array("removed".utf8))
            }
        }
        try bucket(EtcdBackendFormat.clusterBucket) { () throws(EtcdBackendError) in
            try put(EtcdBackendFormat.clusterVersionKey, Array(cluster.clusterVersion.utf8))
        }
        try writeAuth(try storage { () throws(LMDBError) in try view.authState() })
        do throws(BoltError) { return try writer.finish() } catch { throw .bolt(error) }
    }

    /// etcd's auth store: `authEnabled` (written by etcd's enable and disable; kept here only
    /// while auth is on, the one state swift-etcd tells apart from never enabled), the revision,
    /// then users and roles by name as the authpb messages the store already keeps.
    private func writeAuth(_ auth: AuthState) throws(EtcdBackendError) {
        try bucket(EtcdBackendFormat.authBucket) { () throws(EtcdBackendError) in
            if auth.enabled { try put(EtcdBackendFormat.authEnabledKey, [1]) }
            try put(EtcdBackendFormat.authRevisionKey, EtcdBackendFormat.bigEndian(auth.revision))
        }
        try bucket(EtcdBackendFormat.authUsersBucket) { () throws(EtcdBackendError) in
            for name in auth.userNames { try put(Array(name.utf8), auth.users[name]!.serializedBytes()) }
        }
        try bucket(EtcdBackendFormat.authRolesBucket) { () throws(EtcdBackendError) in
            for name in auth.roleNames { try put(Array(name.utf8), auth.roles[name]!.serializedBytes()) }
        }
    }

    private func bucket(_ name: [UInt8], _ body: () throws(EtcdBackendError) -> Void) throws(EtcdBackendError) {
        do throws(BoltError) { try writer.beginBucket(name) } catch { throw .bolt(error) }
        try body()
        do throws(BoltError) { try writer.endBucket() } catch { throw .bolt(error) }
    }

    private func put(_ key: [UInt8], _ value: [UInt8]) throws(EtcdBackendError) {
        do throws(BoltError) { try writer.put(key: key, value: value) } catch { throw .bolt(error) }
    }

    private func storage<Result>(_ body: () throws(LMDBError) -> Result) throws(EtcdBackendError) -> Result {
        do { return try body() } catch { throw .storage(error) }
    }

    /// The history in revision order: each entry as etcd's `key` bucket has it.
    private func writeRevisions() throws(EtcdBackendError) {
        var failure: EtcdBackendError?
        try storage { () throws(LMDBError) in
            try view.transaction.cursor(view.tables.history) { (cursor) throws(LMDBError) in
                var entry = try cursor.first()
                while let current = entry, failure == nil {
                    let revision = Revision(decoding: current.key)
                    guard var kv = HistoryRecord.decode(current.value, revision: revision, withValue: true) else {
                        failure = EtcdBackendError("corrupt history entry at revision \(revision.main)_\(revision.sub)")
                        break
                    }
                    let isTombstone = HistoryRecord.isTombstone(current.value)
                    if isTombstone {
                        let key = kv.key
                        kv = KeyValue()
                        kv.key = key
                    }
                    do throws(BoltError) {
                        try writer.put(
                            key: EtcdBackendFormat.revisionKey(main: revision.main, sub: revision.sub, isTombstone: isTombstone),
                            value: kv.serializedBytes())
                    } catch {
                        failure = .bolt(error)
                    }
                    entry = try cursor.next()
                }
            }
        }
        if let failure { throw failure }
    }

    private func writeMeta() throws(EtcdBackendError) {
        let (applied, scheduled, finished) = try storage { () throws(LMDBError) in
            (try view.meta(.appliedIndex) ?? 0, try view.compactedRevision(), try view.meta(.finishedCompactionRevision) ?? 0)
        }
        try put(EtcdBackendFormat.consistentIndexKey, EtcdBackendFormat.bigEndian(UInt64(bitPattern: applied)))
        if finished > 0 {
            try put(EtcdBackendFormat.finishedCompactKey, EtcdBackendFormat.revisionKey(main: finished, sub: 0, isTombstone: false))
        }
        if scheduled > 0 {
            try put(EtcdBackendFormat.scheduledCompactKey, EtcdBackendFormat.revisionKey(main: scheduled, sub: 0, isTombstone: false))
        }
    }
}
