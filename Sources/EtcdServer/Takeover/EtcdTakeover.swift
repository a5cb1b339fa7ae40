import EtcdProto
import Foundation
import Logging
import MVCC
import Raft
import Storage

/// Converts the data directory of a stopped etcd 3.4/3.5 member (or one `etcdctl snapshot
/// restore` wrote) into swift-etcd's: the bbolt backend `member/snap/db` is imported into the
/// store, and etcd's WAL becomes swift-etcd's WAL with the same IDs and hard state: a Raft
/// snapshot at the backend's consistent index (the store holds everything up to it; the
/// snapshot file holds the members then), then etcd's entries after it, each rewritten in
/// swift-etcd's encoding, which the normal restart path replays.
///
/// etcd's files are never modified: `member/wal` and `member/snap` are moved whole to
/// `member/etcd-wal` and `member/etcd-snap`. Crash safety: everything of swift-etcd's is built
/// in `member/takeover.tmp`, which a rename to `member/takeover` completes; the moves after
/// it are finished by the next start if a crash interrupts them. So a crash leaves etcd's
/// directory as it was (and a leftover `takeover.tmp`, removed on retry) or a complete
/// conversion.
public enum EtcdTakeover {
    struct Paths {
        let member: String
        var etcdWAL: String { member + "/wal" }
        var etcdSnap: String { member + "/snap" }
        var etcdBackend: String { etcdSnap + "/db" }
        var staging: String { member + "/takeover.tmp" }
        var converted: String { member + "/takeover" }
        var keptWAL: String { member + "/etcd-wal" }
        var keptSnap: String { member + "/etcd-snap" }
        var store: String { member + "/db" }

        init(dataDirectory: String) {
            member = DataDirectory(root: dataDirectory).memberDirectory
        }
    }

    /// What a take-over did, for the log line and `swift-etcd migrate`'s output.
    public struct Outcome: Sendable, CustomStringConvertible {
        public var memberID: UInt64
        public var clusterID: UInt64
        public var consistentIndex: UInt64
        public var commitIndex: UInt64
        public var lastIndex: UInt64
        public var keptWAL: String
        public var keptSnap: String

        public var description: String {
            "took over etcd data directory: member \(memberID.hex) of cluster \(clusterID.hex); backend applied to index "
                + "\(consistentIndex), \(commitIndex - min(commitIndex, consistentIndex)) committed entries to apply, "
                + "log up to index \(lastIndex); etcd's files kept unchanged in \(keptWAL) and \(keptSnap)"
        }
    }

    /// Whether `dataDirectory` holds an etcd member's WAL (or a conversion to finish).
    public static func isNeeded(dataDirectory: String) -> Bool {
        let paths = Paths(dataDirectory: dataDirectory)
        return FileIO.fileExists(paths.converted) || EtcdWALReader.holdsEtcdWAL(directory: paths.etcdWAL)
    }

    /// Converts `dataDirectory` if it is an etcd member's; nil if there is nothing to convert.
    /// Refuses (throwing, with nothing changed) a damaged WAL or a backend that does not match it.
    @discardableResult
    public static func convertIfNeeded(dataDirectory: String, bcryptCost: Int, logger: Logger) throws -> Outcome? {
        let paths = Paths(dataDirectory: dataDirectory)
        if FileIO.fileExists(paths.converted) {
            logger.warning("finishing an interrupted take-over of an etcd data directory", metadata: ["path": "\(paths.converted)"])
            try finishMoves(paths)
            return nil
        }
        guard EtcdWALReader.holdsEtcdWAL(directory: paths.etcdWAL) else { return nil }
        let outcome = try convert(paths, bcryptCost: bcryptCost, logger: logger)
        logger.info("took over etcd data directory", metadata: [
            "data-dir": "\(dataDirectory)", "etcd-wal": "\(paths.etcdWAL) -> \(paths.keptWAL)",
            "etcd-snap": "\(paths.etcdSnap) -> \(paths.keptSnap)", "member-id": "\(outcome.memberID.hex)",
            "cluster-id": "\(outcome.clusterID.hex)", "consistent-index": "\(outcome.consistentIndex)",
            "commit-index": "\(outcome.commitIndex)", "last-index": "\(outcome.lastIndex)",
        ])
        return outcome
    }

    private static func convert(_ paths: Paths, bcryptCost: Int, logger: Logger) throws -> Outcome {
        for path in [paths.keptWAL, paths.keptSnap] where FileIO.fileExists(path) {
            throw TakeoverError("\(path) exists: an earlier take-over left it; move it away to take over \(paths.etcdWAL)")
        }
        if FileIO.fileExists(paths.store) && !((try? FileIO.listDirectory(paths.store))?.isEmpty ?? false) {
            throw TakeoverError("\(paths.store) holds a swift-etcd store beside etcd's WAL in \(paths.etcdWAL): not taking over")
        }
        if EtcdWALReader.isInUse(directory: paths.etcdWAL) {
            throw TakeoverError("etcd is running on \(paths.etcdWAL) (it holds the lock on its WAL): stop it before taking over")
        }
        guard FileIO.fileExists(paths.etcdBackend) else {
            throw TakeoverError("\(paths.etcdWAL) holds etcd's WAL but \(paths.etcdBackend) is missing")
        }
        let log = try EtcdMemberLog(directory: paths.etcdWAL)
        if let torn = log.tornTail {
            logger.warning("etcd's WAL ends in a partly written record; it is left out, as etcd would discard it",
                           metadata: ["file": "\(paths.etcdWAL)/\(torn.file)", "offset": "\(torn.offset)"])
        }
        let consistentIndex = try MVCCStore.etcdBackendConsistentIndex(path: paths.etcdBackend)
        let commit = log.hardState?.commit ?? 0
        let lastIndex = log.entries.last?.index ?? log.snapshot.index
        if consistentIndex < log.snapshot.index {
            throw TakeoverError(
                "\(paths.etcdBackend): consistent index \(consistentIndex) is behind the WAL's snapshot at index "
                    + "\(log.snapshot.index) (\(log.snapshotLocation.file) at offset \(log.snapshotLocation.offset)): "
                    + "the entries between are in neither")
        }
        if consistentIndex > commit || consistentIndex > lastIndex {
            throw TakeoverError(
                "\(paths.etcdBackend): consistent index \(consistentIndex) is past the WAL's commit index \(commit) "
                    + "(last entry \(lastIndex)): the backend belongs to another log")
        }
        // The store holds everything up to the consistent index: our log starts after it.
        guard let consistentTerm = log.term(at: consistentIndex), (log.firstIndex ?? 0) <= consistentIndex + 1 else {
            throw TakeoverError(
                "\(paths.etcdWAL) does not hold entry \(consistentIndex), the backend's consistent index (its log starts at "
                    + "\(log.firstIndex.map(String.init) ?? "none")): the entries after the backend are not all in the WAL")
        }
        // Without the log's beginning, the membership at the consistent index is the backend's.
        let members = log.firstIndex == 1
            ? try log.members(upTo: consistentIndex) : try MVCCStore.etcdBackendMembers(path: paths.etcdBackend)
        guard members.contains(where: { $0.id == log.memberID }) else {
            throw TakeoverError("member \(log.memberID.hex) of the WAL's metadata is not among the members at index \(consistentIndex)")
        }
        let identity = ClusterIdentity(clusterID: log.clusterID, memberID: log.memberID, members: members)
        let toTranslate = log.entries.filter { $0.index > consistentIndex }
        try build(
            paths, identity: identity, snapshot: WALSnapshotMarker(index: consistentIndex, term: consistentTerm),
            membership: MembershipSnapshot(members: members, removedIDs: []), hardState: log.hardState
        ) { auth in
            var translation = EtcdEntryTranslation(auth: auth) { password in
                guard let hash = Bcrypt.hash(password, cost: bcryptCost) else { throw TakeoverError("bcrypt failed for a logged password") }
                return hash
            }
            return try toTranslate.map { try translation.translate($0) }
        }
        try FileIO.rename(paths.staging, to: paths.converted)
        try FileIO.syncDirectory(paths.member)
        try finishMoves(paths)
        return Outcome(
            memberID: log.memberID, clusterID: log.clusterID, consistentIndex: consistentIndex, commitIndex: commit,
            lastIndex: lastIndex, keptWAL: paths.keptWAL, keptSnap: paths.keptSnap)
    }

    /// swift-etcd's store, snapshot file and WAL, in the staging directory: the store applied up
    /// to the snapshot, the log after it, made by `entries` from the imported auth store.
    private static func build(
        _ paths: Paths, identity: ClusterIdentity, snapshot: WALSnapshotMarker, membership: MembershipSnapshot,
        hardState: WALHardState?, entries: (AuthState) throws -> [WALEntry]
    ) throws {
        if FileIO.fileExists(paths.staging) { try FileManager.default.removeItem(atPath: paths.staging) }
        try FileIO.createDirectories(paths.staging)
        do {
            // Released before the server opens the same environment.
            let auth = try { () throws -> AuthState in
                let store = try MVCCStore(directory: paths.staging + "/db")
                try store.importEtcdBackend(from: paths.etcdBackend, appliedIndex: snapshot.index, memberAttributes: true)
                try store.sync()
                return try store.authState()
            }()
            try FileIO.syncDirectory(paths.staging + "/db")
            let translated = try entries(auth)
            // The snapshot file before the WAL's marker, as the raft thread records them.
            try Snapshotter(directory: paths.staging + "/snap").save(RaftSnapshot(
                index: snapshot.index, term: snapshot.term, membership: membership.serializedBytes(), data: []))
            let wal = try WAL.create(directory: paths.staging + "/wal", metadata: identity.walMetadata)
            try wal.saveSnapshotMarker(index: snapshot.index, term: snapshot.term)
            var batches = translated[...]
            while !batches.isEmpty {
                let batch = batches.prefix(4096)
                try wal.append(entries: Array(batch), hardState: nil)
                batches = batches.dropFirst(batch.count)
            }
            try wal.append(entries: [], hardState: hardState ?? WALHardState(term: 1, vote: 0, commit: 0))
            try wal.close()
            try FileIO.syncDirectory(paths.staging)
        } catch {
            try? FileManager.default.removeItem(atPath: paths.staging)
            throw error
        }
    }

    /// Moves etcd's directories aside and swift-etcd's into place; each step is a rename that
    /// is skipped when already done, so an interrupted run is finished by the next.
    private static func finishMoves(_ paths: Paths) throws {
        if FileIO.fileExists(paths.etcdWAL) && !FileIO.fileExists(paths.keptWAL) {
            try FileIO.rename(paths.etcdWAL, to: paths.keptWAL)
        }
        if FileIO.fileExists(paths.etcdSnap) && !FileIO.fileExists(paths.keptSnap) {
            try FileIO.rename(paths.etcdSnap, to: paths.keptSnap)
        }
        if FileIO.fileExists(paths.store), try FileIO.listDirectory(paths.store).isEmpty {
            try FileManager.default.removeItem(atPath: paths.store)
        }
        // etcd's `snap` was moved aside above: ours takes its name.
        for name in ["db", "snap", "wal"] {
            let built = paths.converted + "/" + name
            if FileIO.fileExists(built) { try FileIO.rename(built, to: paths.member + "/" + name) }
        }
        try FileManager.default.removeItem(atPath: paths.converted)
        try FileIO.syncDirectory(paths.member)
    }
}
