// The LMDB environment wrapper: one environment per data directory, named databases,
// write transactions that commit or abort as a unit, and pooled read transactions.

import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure reported by LMDB (or by the wrapper while preparing a call).
public struct LMDBError: Error, Hashable, CustomStringConvertible {
    /// LMDB's return code (`MDB_*` or an errno value); 0 for wrapper-level failures.
    public var code: Int32
    public var reason: String

    public init(code: Int32, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "LMDB error \(self.code): \(self.reason)" }

    static func status(_ code: Int32, during operation: String) -> LMDBError {
        LMDBError(code: code, reason: "\(operation): \(String(cString: mdb_strerror(code)))")
    }

    static func missingHandle(_ operation: String) -> LMDBError {
        LMDBError(code: 0, reason: "\(operation) returned no handle")
    }

    /// A file-system failure met while managing the environment's files.
    init(_ failure: FileIOError) {
        self.init(code: failure.errno, reason: failure.description)
    }

    public var isMapFull: Bool { self.code == MDB_MAP_FULL }
}

@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != 0 { throw LMDBError.status(code, during: operation()) }
}

/// Options of an LMDB environment.
public struct LMDBOptions: Sendable {
    /// Upper bound of the data file; the file is sparse so this costs address space, not disk.
    public var mapSize: Int = 8 << 30
    public var maxDatabases: Int = 16
    /// Concurrent read transactions (each pooled reader holds a slot).
    public var maxReaders: Int = 1024
    /// Skip LMDB's own fsync at commit: the WAL gives durability; call `sync()` before trimming it.
    public var noSync: Bool = true

    public init() {}
}

/// A named database inside an environment.
public struct LMDBDatabase: Sendable, Hashable {
    public let handle: MDB_dbi
}

/// Why a transaction or cursor block failed: LMDB itself, or the caller's body.
public enum LMDBBlockFailure<Failure: Error>: Error {
    case storage(LMDBError)
    case body(Failure)
}

extension LMDBBlockFailure where Failure == LMDBError {
    public var flattened: LMDBError {
        switch self {
        case .storage(let error), .body(let error): return error
        }
    }
}

/// An open LMDB environment.
///
/// Readers take no lock. The environment handle lives in an `LMDBReaderTable` of two generations
/// (see there for the protocol and its proof): a reader loads the current generation's index with
/// one atomic load, counts itself in on its thread's stripe, and takes a reset read transaction
/// from that stripe's lock-free pool (`mdb_txn_renew`; `MDB_NOTLS` lets a transaction move
/// between threads), puts it back with `mdb_txn_reset` and counts itself out. `compactInPlace`
/// opens the rewritten file as the other generation, swaps the index and retires the old
/// generation, which readers inside finish on; it closes once its last reader leaves. Readers
/// never wait — not for a replacement, not for each other, not for the writer.
///
/// `usage` and `copy(toDirectory:compact:)` only read, so they enter like readers and never wait.
/// The writer side (write transactions, `openDatabase`, `sync`, `compactInPlace`) keeps the
/// `gate` mutex: a replacement holds writers back from before the copy until the swap (a write
/// must not reach the old file after it was copied), and waits for the writers inside to leave.
///
/// Thread safety (`@unchecked Sendable`): `directory`, `options` and `maxKeySize` are immutable
/// after `init`; the reader table is accessed only through atomic operations (its protocol
/// orders each environment's opening before its use and every use before its closing); the
/// `Gate` is guarded by its mutex. Generations are opened, published, retired and closed only by
/// `compactInPlace` (one at a time, under `gate.compacting`), by `init` and by `deinit`. Writers
/// use the current generation's handle only while counted in the gate, and the index changes only
/// while `writersHeld` keeps them out, so the mutex orders each swap before every later write.
/// Write transactions are serialized by LMDB's writer mutex, and each is begun, used and ended
/// inside one synchronous `withWriteTransaction` call, hence on one thread.
public final class LMDBEnvironment: @unchecked Sendable {
    private let table = LMDBReaderTable()
    private let gate = Mutex(Gate())
    private let directory: String
    private let options: LMDBOptions
    /// LMDB's maximum key size (511 in Debian's build).
    public let maxKeySize: Int

    /// The writer side. Readers never look at it.
    private struct Gate {
        /// Writers (and `sync`) inside the current generation.
        var users = 0
        /// A replacement is copying the file or swapping it: writers wait.
        var writersHeld = false
        /// A replacement runs (until its old generation is closed): another one waits.
        var compacting = false
        /// The named databases opened so far, reopened under the same handles after a replacement.
        var databases: [(name: String, flags: UInt32, handle: MDB_dbi)] = []
    }

    /// LMDB's data file inside an environment's directory (the store itself, as snapshots copy it).
    public static func dataFile(in directory: String) -> String { "\(directory)/data.mdb" }

    /// The lock file of generation 1, which opens the data file itself (`MDB_NOSUBDIR`).
    static func alternateLockFile(in directory: String) -> String { dataFile(in: directory) + "-lock" }

    /// The name of the directory where `compactInPlace` writes the compacted file.
    static let compactionDirectoryName = "compacting.tmp"

    /// Opens (creating if needed) the environment in `directory`.
    public init(directory: String, options: LMDBOptions = LMDBOptions()) throws(LMDBError) {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw LMDBError(code: errno, reason: "cannot create directory \(directory): \(String(cString: strerror(errno)))")
        }
        // A compaction cut short leaves its copy behind; the data file itself is whole.
        Self.removeCompactionDirectory(in: directory)
        unlink(Self.alternateLockFile(in: directory))
        let environment = try Self.openHandle(directory: directory, options: options, generation: 0)
        self.table.generation(0).publish(environment)
        self.table.makeCurrent(0)
        self.directory = directory
        self.options = options
        self.maxKeySize = Int(mdb_env_get_maxkeysize(environment))
    }

    /// Generation 0 opens the directory (lock file `lock.mdb`), generation 1 the data file in it
    /// (lock file `data.mdb-lock`): both read and write the same `data.mdb` path.
    private static func openHandle(directory: String, options: LMDBOptions, generation: Int) throws(LMDBError) -> OpaquePointer {
        var created: OpaquePointer?
        try check(mdb_env_create(&created), "mdb_env_create")
        guard let environment = created else { throw .missingHandle("mdb_env_create") }
        do {
            try check(mdb_env_set_mapsize(environment, max(0, options.mapSize)), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxdbs(environment, MDB_dbi(clamping: options.maxDatabases)), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(environment, UInt32(clamping: options.maxReaders)), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if options.noSync { flags |= UInt32(MDB_NOSYNC) }
            let path = generation == 0 ? directory : dataFile(in: directory)
            if generation != 0 { flags |= UInt32(MDB_NOSUBDIR) }
            try check(mdb_env_open(environment, path, flags, 0o644), "mdb_env_open \(path)")
        } catch {
            mdb_env_close(environment)
            throw error
        }
        return environment
    }

    deinit {
        // Nobody is inside: every caller holds a reference.
        self.table.generation(0).close()
        self.table.generation(1).close()
        unlink(Self.alternateLockFile(in: self.directory))
    }

    /// Writer side: waits while a replacement holds writers back, then counts the caller in and
    /// returns the current environment. Waiting polls: replacements are rare administrative operations.
    private func admitWriter() -> OpaquePointer {
        while true {
            let admitted = self.gate.withLock { (gate) -> Bool in
                guard !gate.writersHeld else { return false }
                gate.users += 1
                return true
            }
            if admitted { return self.table.generation(self.table.currentIndex).environment }
            usleep(1000)
        }
    }

    private func leaveWriter() {
        self.gate.withLock { $0.users -= 1 }
    }

    /// Runs `body` with the current environment handle as a reader: never waits, and the handle
    /// stays open until `body` returns (a replacement meanwhile leaves it to the readers inside).
    private func withReaderGeneration<Result, Failure: Error>(
        _ body: (LMDBGeneration) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let stripe = LMDBReaderTable.currentStripe()
        let generation = self.table.enter(stripe: stripe)
        defer { generation.leave(stripe: stripe) }
        return try body(generation)
    }

    /// How a database stores several values under one key.
    public enum Duplicates: Sendable {
        /// One value per key.
        case none
        /// Sorted duplicate values (`MDB_DUPSORT`).
        case sorted
        /// Sorted duplicate values that all have the same size (`MDB_DUPSORT | MDB_DUPFIXED`).
        case sortedFixedSize
    }

    /// Opens (creating if needed) a named database.
    public func openDatabase(_ name: String, duplicates: Duplicates = .none) throws(LMDBError) -> LMDBDatabase {
        var flags = UInt32(MDB_CREATE)
        switch duplicates {
        case .none: break
        case .sorted: flags |= UInt32(MDB_DUPSORT)
        case .sortedFixedSize: flags |= UInt32(MDB_DUPSORT | MDB_DUPFIXED)
        }
        // Recorded before leaving the writer side, so a replacement cannot copy and reopen
        // without it.
        let environment = self.admitWriter()
        defer { self.leaveWriter() }
        var begun: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, 0, &begun), "mdb_txn_begin")
        guard let transaction = begun else { throw .missingHandle("mdb_txn_begin") }
        var handle: MDB_dbi = 0
        let status = mdb_dbi_open(transaction, name, flags, &handle)
        if status != 0 {
            mdb_txn_abort(transaction)
            throw .status(status, during: "mdb_dbi_open \(name)")
        }
        try check(mdb_txn_commit(transaction), "mdb_txn_commit")
        self.gate.withLock { gate in
            if !gate.databases.contains(where: { $0.handle == handle }) { gate.databases.append((name, flags, handle)) }
        }
        return LMDBDatabase(handle: handle)
    }

    /// Forces the data of committed transactions to disk (`mdb_env_sync` with force).
    public func sync() throws(LMDBError) {
        let environment = self.admitWriter()
        defer { self.leaveWriter() }
        try check(mdb_env_sync(environment, 1), "mdb_env_sync")
    }

    /// Copies the environment's committed state into `directory` (which must exist and be empty),
    /// as a consistent snapshot; `compact` omits free pages (defragmentation). Runs alongside
    /// writers, and as a reader: a replacement meanwhile leaves it on the old file, which holds the
    /// same committed state.
    public func copy(toDirectory directory: String, compact: Bool) throws(LMDBError) {
        try self.withReaderGeneration { (generation) throws(LMDBError) in
            try Self.copy(generation, toDirectory: directory, flags: compact ? UInt32(MDB_CP_COMPACT) : 0)
        }
    }

    /// `mdb_env_copy2` into `directory`: generation 1 was opened with `MDB_NOSUBDIR`, so LMDB takes
    /// its copy's path as the file's, not the directory's.
    private static func copy(_ generation: LMDBGeneration, toDirectory directory: String, flags: UInt32) throws(LMDBError) {
        let path = generation.index == 0 ? directory : dataFile(in: directory)
        try check(mdb_env_copy2(generation.environment, path, flags), "mdb_env_copy2 \(path)")
    }

    /// Rewrites the data file without its free pages and goes on with the rewritten one: LMDB
    /// reuses freed pages but never shrinks its file, so this is how space comes back after a
    /// compaction (etcd's defragmentation). Writers wait from before the copy until the rewritten
    /// file is open; readers never wait: those inside the old file finish there (it stays open,
    /// and it gets no writes, so it holds the same state as the new one), later ones read the new
    /// file. Returns once the old file's last reader has left and it is closed.
    ///
    /// Crash safety: the compacted copy is written and synced beside the data file, then renamed
    /// over it; a crash before the rename leaves the old file (the copy is removed at the next
    /// open), a crash after it leaves the complete new one.
    public func compactInPlace() throws(LMDBError) {
        try self.replacingDataFile { (old) throws(LMDBError) -> String in
            let copyDirectory = "\(self.directory)/\(Self.compactionDirectoryName)"
            let copiedFile = Self.dataFile(in: copyDirectory)
            Self.removeCompactionDirectory(in: self.directory)
            do throws(FileIOError) { try FileIO.createDirectories(copyDirectory) } catch { throw LMDBError(error) }
            try Self.copy(old, toDirectory: copyDirectory, flags: UInt32(MDB_CP_COMPACT))
            do throws(FileIOError) { try FileIO.syncFile(copiedFile) } catch { throw LMDBError(error) }
            return copiedFile
        }
    }

    /// Goes on with the data file at `path` (a synced copy of an environment with the same named
    /// databases, such as a Raft snapshot received from the leader) in place of the current one:
    /// it is renamed over the data file, so nothing of the current state survives. Writers wait
    /// until the new file is open; readers inside the old file finish there, as in `compactInPlace`.
    public func replaceData(withFile path: String) throws(LMDBError) {
        try self.replacingDataFile { _ in path }
    }

    /// Holds writers back, lets `prepare` make the replacement file (given the current
    /// generation), renames it over the data file and swaps generations.
    private func replacingDataFile(_ prepare: (LMDBGeneration) throws(LMDBError) -> String) throws(LMDBError) {
        while !self.gate.withLock({ gate in
            if gate.compacting { return false }
            gate.compacting = true
            gate.writersHeld = true
            return true
        }) {
            usleep(1000)
        }
        var holdingWriters = true
        defer {
            self.gate.withLock { gate in
                gate.compacting = false
                if holdingWriters { gate.writersHeld = false }
            }
        }
        while self.gate.withLock({ $0.users }) > 0 { usleep(1000) }

        let old = self.table.generation(self.table.currentIndex)
        let new = self.table.generation(1 - old.index)
        // The previous replacement closed it before returning.
        precondition(!new.isOpen, "LMDB generation \(new.index) still open")

        defer { Self.removeCompactionDirectory(in: self.directory) }
        let replacement = try prepare(old)

        // The old environment keeps its descriptor on the old file: if the rename fails it simply
        // goes on, and once it succeeds readers inside still read the (unlinked) old file.
        do throws(FileIOError) {
            try FileIO.rename(replacement, to: Self.dataFile(in: self.directory))
        } catch {
            throw LMDBError(error)
        }
        try? FileIO.syncDirectory(self.directory)
        // The data file is now the new one: writes to the old one would be lost.
        let environment: OpaquePointer
        do {
            environment = try Self.openHandle(directory: self.directory, options: self.options, generation: new.index)
            let databases = self.gate.withLock { $0.databases }
            try Self.reopen(databases, in: environment)
        } catch {
            preconditionFailure("cannot reopen the LMDB environment in \(self.directory): \(error)")
        }
        new.publish(environment)
        self.table.makeCurrent(new.index)
        old.retire()
        self.gate.withLock { $0.writersHeld = false }
        holdingWriters = false

        // Readers that entered the old generation before its retirement finish there.
        while !old.isDrained() { usleep(100) }
        old.close()
        if old.index == 1 { unlink(Self.alternateLockFile(in: self.directory)) }
    }

    /// Opens the named databases again, in their first order, which gives them their first handles.
    private static func reopen(_ databases: [(name: String, flags: UInt32, handle: MDB_dbi)], in environment: OpaquePointer) throws(LMDBError) {
        var begun: OpaquePointer?
        try check(mdb_txn_begin(environment, nil, 0, &begun), "mdb_txn_begin")
        guard let transaction = begun else { throw .missingHandle("mdb_txn_begin") }
        for database in databases {
            var handle: MDB_dbi = 0
            let status = mdb_dbi_open(transaction, database.name, database.flags, &handle)
            guard status == 0, handle == database.handle else {
                mdb_txn_abort(transaction)
                throw status != 0
                    ? .status(status, during: "mdb_dbi_open \(database.name)")
                    : LMDBError(code: 0, reason: "database \(database.name) reopened as \(handle), was \(database.handle)")
            }
        }
        try check(mdb_txn_commit(transaction), "mdb_txn_commit")
    }

    private static func removeCompactionDirectory(in directory: String) {
        let copyDirectory = "\(directory)/\(compactionDirectoryName)"
        unlink(dataFile(in: copyDirectory))
        unlink("\(copyDirectory)/lock.mdb")
        rmdir(copyDirectory)
    }

    /// Sizes of the environment, for status reports and quotas.
    public struct Usage: Sendable, Hashable {
        /// Bytes of pages in use up to the last one (the file's meaningful size).
        public var usedBytes: Int
        public var mapSize: Int
        public var pageSize: Int
        public var readersInUse: Int
    }

    public func usage() throws(LMDBError) -> Usage {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        try self.withReaderGeneration { (generation) throws(LMDBError) in
            try check(mdb_env_info(generation.environment, &info), "mdb_env_info")
            try check(mdb_env_stat(generation.environment, &stat), "mdb_env_stat")
        }
        let pageSize = Int(stat.ms_psize)
        return Usage(
            usedBytes: (Int(info.me_last_pgno) + 1) * pageSize, mapSize: Int(info.me_mapsize), pageSize: pageSize,
            readersInUse: Int(info.me_numreaders))
    }

    /// Runs `body` in a write transaction: committed if `body` returns, aborted if it throws.
    public func withWriteTransaction<Result, Failure: Error>(
        _ body: (LMDBTransaction) throws(Failure) -> Result
    ) throws(LMDBBlockFailure<Failure>) -> Result {
        let environment = self.admitWriter()
        defer { self.leaveWriter() }
        var begun: OpaquePointer?
        do { try check(mdb_txn_begin(environment, nil, 0, &begun), "mdb_txn_begin") } catch { throw .storage(error) }
        guard let pointer = begun else { throw .storage(.missingHandle("mdb_txn_begin")) }
        let result: Result
        do {
            result = try body(LMDBTransaction(pointer: pointer))
        } catch {
            mdb_txn_abort(pointer)
            throw .body(error)
        }
        do { try check(mdb_txn_commit(pointer), "mdb_txn_commit") } catch { throw .storage(error) }
        return result
    }

    /// Runs `body` in a read transaction (a consistent snapshot) taken from the reader pool.
    /// Takes no lock and never waits: not for the writer, other readers, or `compactInPlace`.
    public func withReadTransaction<Result, Failure: Error>(
        _ body: (LMDBTransaction) throws(Failure) -> Result
    ) throws(LMDBBlockFailure<Failure>) -> Result {
        let stripe = LMDBReaderTable.currentStripe()
        let generation = self.table.enter(stripe: stripe)
        let transaction: OpaquePointer
        if let pooled = generation.takePooled(stripe: stripe) {
            let status = mdb_txn_renew(pooled)
            if status != 0 {
                mdb_txn_abort(pooled)
                generation.leave(stripe: stripe)
                throw .storage(.status(status, during: "mdb_txn_renew"))
            }
            transaction = pooled
        } else {
            var begun: OpaquePointer?
            var status = mdb_txn_begin(generation.environment, nil, UInt32(MDB_RDONLY), &begun)
            if status == MDB_READERS_FULL, let pooled = generation.takePooledAnywhere() {
                // Every reader slot is taken, some by transactions pooled on other stripes.
                status = mdb_txn_renew(pooled)
                if status == 0 { begun = pooled } else { mdb_txn_abort(pooled) }
            }
            guard status == 0, let pointer = begun else {
                generation.leave(stripe: stripe)
                throw .storage(status != 0 ? .status(status, during: "mdb_txn_begin(read-only)") : .missingHandle("mdb_txn_begin"))
            }
            transaction = pointer
        }
        defer {
            mdb_txn_reset(transaction)
            if !generation.pool(transaction, stripe: stripe) { mdb_txn_abort(transaction) }
            generation.leave(stripe: stripe)
        }
        do {
            return try body(LMDBTransaction(pointer: transaction))
        } catch {
            throw .body(error)
        }
    }

    /// `withWriteTransaction` for bodies that only fail with `LMDBError`.
    public func write<Result>(_ body: (LMDBTransaction) throws(LMDBError) -> Result) throws(LMDBError) -> Result {
        do { return try self.withWriteTransaction(body) } catch { throw error.flattened }
    }

    /// `withReadTransaction` for bodies that only fail with `LMDBError`.
    public func read<Result>(_ body: (LMDBTransaction) throws(LMDBError) -> Result) throws(LMDBError) -> Result {
        do { return try self.withReadTransaction(body) } catch { throw error.flattened }
    }
}

/// A transaction handle, valid only inside the block that produced it. Buffers it returns point
/// into the memory map: valid until the transaction ends or (in a write transaction) the next write.
public struct LMDBTransaction {
    let pointer: OpaquePointer

    /// The value stored under `key`, or nil.
    public func get(_ database: LMDBDatabase, key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var data = MDB_val()
        let status = mdb_get(self.pointer, database.handle, &keyValue, &data)
        if status == MDB_NOTFOUND { return nil }
        try check(status, "mdb_get")
        return UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)
    }

    /// The number of entries (duplicates included) in `database`.
    public func entryCount(_ database: LMDBDatabase) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(self.pointer, database.handle, &stat), "mdb_stat")
        return Int(stat.ms_entries)
    }

    /// Stores `value` under `key` (replacing it, or adding a duplicate in a dup-sort database).
    public func put(_ database: LMDBDatabase, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(LMDBError) {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var data = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(self.pointer, database.handle, &keyValue, &data, 0), "mdb_put")
    }

    /// Stores a value of `size` bytes under `key`, letting `fill` write it in place (no copy).
    /// Not for dup-sort databases.
    public func put(
        _ database: LMDBDatabase, key: UnsafeRawBufferPointer, reserving size: Int,
        fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(LMDBError) {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var data = MDB_val(mv_size: size, mv_data: nil)
        try check(mdb_put(self.pointer, database.handle, &keyValue, &data, UInt32(MDB_RESERVE)), "mdb_put(reserve)")
        fill(UnsafeMutableRawBufferPointer(start: data.mv_data, count: size))
    }

    /// Deletes `key` (or only its duplicate `value`); returns whether something was deleted.
    @discardableResult
    public func delete(
        _ database: LMDBDatabase, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer? = nil
    ) throws(LMDBError) -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let status: Int32
        if let value {
            var data = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
            status = mdb_del(self.pointer, database.handle, &keyValue, &data)
        } else {
            status = mdb_del(self.pointer, database.handle, &keyValue, nil)
        }
        if status == MDB_NOTFOUND { return false }
        try check(status, "mdb_del")
        return true
    }

    /// Runs `body` in a child transaction: its writes join this transaction if `body` returns,
    /// and are discarded if it throws (this transaction stays usable either way).
    public func withNestedTransaction<Result, Failure: Error>(
        _ body: (LMDBTransaction) throws(Failure) -> Result
    ) throws(LMDBBlockFailure<Failure>) -> Result {
        var begun: OpaquePointer?
        let status = mdb_txn_begin(mdb_txn_env(self.pointer), self.pointer, 0, &begun)
        if status != 0 { throw .storage(.status(status, during: "mdb_txn_begin(nested)")) }
        guard let child = begun else { throw .storage(.missingHandle("mdb_txn_begin")) }
        let result: Result
        do {
            result = try body(LMDBTransaction(pointer: child))
        } catch {
            mdb_txn_abort(child)
            throw .body(error)
        }
        let commitStatus = mdb_txn_commit(child)
        if commitStatus != 0 { throw .storage(.status(commitStatus, during: "mdb_txn_commit(nested)")) }
        return result
    }

    /// Runs `body` with a cursor over `database`, closed when `body` ends.
    public func withCursor<Result, Failure: Error>(
        _ database: LMDBDatabase, _ body: (inout LMDBCursor) throws(Failure) -> Result
    ) throws(LMDBBlockFailure<Failure>) -> Result {
        var opened: OpaquePointer?
        let status = mdb_cursor_open(self.pointer, database.handle, &opened)
        if status != 0 { throw .storage(.status(status, during: "mdb_cursor_open")) }
        guard let pointer = opened else { throw .storage(.missingHandle("mdb_cursor_open")) }
        defer { mdb_cursor_close(pointer) }
        var cursor = LMDBCursor(pointer: pointer)
        do { return try body(&cursor) } catch { throw .body(error) }
    }

    /// `withCursor` for bodies that only fail with `LMDBError`.
    public func cursor<Result>(
        _ database: LMDBDatabase, _ body: (inout LMDBCursor) throws(LMDBError) -> Result
    ) throws(LMDBError) -> Result {
        do { return try self.withCursor(database, body) } catch { throw error.flattened }
    }
}

/// A cursor, valid only inside the `withCursor` block that produced it.
public struct LMDBCursor {
    let pointer: OpaquePointer

    /// A key and its value, pointing into the memory map.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    /// Runs one `mdb_cursor_get` operation; nil when LMDB reports "not found".
    public mutating func get(
        _ operation: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil, value: UnsafeRawBufferPointer? = nil
    ) throws(LMDBError) -> Entry? {
        var keyValue = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var data = MDB_val(mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let status = mdb_cursor_get(self.pointer, &keyValue, &data, operation)
        if status == MDB_NOTFOUND { return nil }
        try check(status, "mdb_cursor_get")
        return (
            UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size),
            UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size)
        )
    }

    public mutating func first() throws(LMDBError) -> Entry? { try self.get(MDB_FIRST) }
    public mutating func last() throws(LMDBError) -> Entry? { try self.get(MDB_LAST) }
    public mutating func next() throws(LMDBError) -> Entry? { try self.get(MDB_NEXT) }
    public mutating func previous() throws(LMDBError) -> Entry? { try self.get(MDB_PREV) }

    /// The first entry whose key is ≥ `key`.
    public mutating func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try self.get(MDB_SET_RANGE, key: key)
    }

    /// Positions at exactly `key` (its first duplicate).
    public mutating func seek(exactly key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try self.get(MDB_SET_KEY, key: key)
    }

    /// Dup-sort: the first duplicate of `key` that is ≥ `value`.
    public mutating func seek(key: UnsafeRawBufferPointer, duplicateAtLeast value: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        try self.get(MDB_GET_BOTH_RANGE, key: key, value: value)
    }

    /// Dup-sort: the last duplicate of the current key.
    public mutating func lastDuplicate() throws(LMDBError) -> Entry? { try self.get(MDB_LAST_DUP) }
    /// Dup-sort: the previous duplicate of the current key (nil at its first; the cursor stays).
    public mutating func previousDuplicate() throws(LMDBError) -> Entry? { try self.get(MDB_PREV_DUP) }
    /// Dup-sort: the next duplicate of the current key (nil after its last).
    public mutating func nextDuplicate() throws(LMDBError) -> Entry? { try self.get(MDB_NEXT_DUP) }
    /// Dup-sort: the first duplicate of the next key.
    public mutating func nextKey() throws(LMDBError) -> Entry? { try self.get(MDB_NEXT_NODUP) }
    /// The entry under the cursor.
    public mutating func current() throws(LMDBError) -> Entry? { try self.get(MDB_GET_CURRENT) }

    /// Deletes the entry under the cursor (one duplicate in a dup-sort database).
    public mutating func deleteCurrent() throws(LMDBError) {
        try check(mdb_cursor_del(self.pointer, 0), "mdb_cursor_del")
    }

    /// After `deleteCurrent`: the entry that followed the deleted one, where LMDB leaves the
    /// cursor; nil if it was the last. Once the database is empty LMDB reports the cursor as
    /// unpositioned (EINVAL), which here means the same: nothing followed.
    public mutating func entryAfterDeletion() throws(LMDBError) -> Entry? {
        var key = MDB_val()
        var data = MDB_val()
        let status = mdb_cursor_get(self.pointer, &key, &data, MDB_GET_CURRENT)
        if status == MDB_NOTFOUND || status == EINVAL { return nil }
        try check(status, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size), UnsafeRawBufferPointer(start: data.mv_data, count: data.mv_size))
    }
}
