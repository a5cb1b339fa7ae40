// Durability and maintenance hooks of the store: sync, snapshot copies, sizes.

import Storage

extension MVCCStore {
    /// Writes a consistent, compacted copy of the store into the empty directory `directory`
    /// (for snapshots); safe while the writer runs.
    public func copy(toDirectory directory: String) throws(MVCCError) {
        do throws(LMDBError) { try self.environment.copy(toDirectory: directory, compact: true) } catch { throw .storage(error) }
    }

    /// Goes on with the store copy in `dataFile` (a Raft snapshot's, received from the leader)
    /// instead of the current state, which is gone once this returns; the file is moved, not
    /// copied. Readers inside the old state finish there; writes wait.
    public func installSnapshot(dataFile: String) throws(MVCCError) {
        do throws(LMDBError) { try self.environment.replaceData(withFile: dataFile) } catch { throw .storage(error) }
    }

    /// Rewrites the store's file without free pages (etcd's defragmentation): reads and writes
    /// wait until it is done.
    public func defragment() throws(MVCCError) {
        do throws(LMDBError) { try self.environment.compactInPlace() } catch { throw .storage(error) }
    }

    /// The LMDB environment's sizes (`usedBytes` is what etcd reports as the db size).
    public func usage() throws(MVCCError) -> LMDBEnvironment.Usage {
        do throws(LMDBError) { return try self.environment.usage() } catch { throw .storage(error) }
    }

    /// Bytes of the store that the backend quota does not count: LMDB's two meta pages, and
    /// twice the main database's root, one root per table and the free list (a write copies
    /// each page it touches, and a page freed by one commit is reused only after the next), less
    /// the six pages of bbolt's smallest backend. A quota then leaves about as much room for data
    /// as etcd's does: with a quota of a few pages (etcd's TestCtlV3Alarm uses 13), LMDB's
    /// fixed pages alone would exceed it, even right after a defragmentation.
    public func quotaExemptBytes(pageSize: Int) -> Int {
        pageSize * max(0, 2 + 2 * (1 + Tables.count + 1) - 6)
    }

    /// Forces LMDB's committed state to disk, so the WAL before `appliedIndex` may be released.
    public func sync() throws(MVCCError) {
        do throws(LMDBError) { try self.environment.sync() } catch { throw .storage(error) }
    }
}

extension MVCCStore {
    /// Makes the store claim no applied log entries: a store restored from a snapshot starts a
    /// new log at index 1 (etcd's restore rewrites its consistent index likewise).
    public func resetAppliedIndex() throws(MVCCError) {
        let tables = self.tables
        let maxKeySize = self.environment.maxKeySize
        do throws(LMDBError) {
            try self.environment.write { (transaction) throws(LMDBError) in
                try StoreView(transaction: transaction, tables: tables, maxKeySize: maxKeySize).setMeta(.appliedIndex, 0)
            }
        } catch {
            throw .storage(error)
        }
    }

    /// The number of live keys (what `snapshot status` reports).
    public func keyCount() throws(MVCCError) -> Int {
        let tables = self.tables
        do throws(LMDBError) {
            return try self.environment.read { (transaction) throws(LMDBError) -> Int in
                try transaction.entryCount(tables.latest)
            }
        } catch {
            throw .storage(error)
        }
    }
}
