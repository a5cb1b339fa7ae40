// Leases in the store: `leases` maps a lease ID (8 bytes, big-endian) to its granted TTL and
// its checkpointed remaining TTL (little-endian Int64 each). Grants, revocations and
// checkpoints are writes of the apply loop like any other, so they replicate and replay with
// the log; expiry timing is the lessor's (EtcdServer), which rebuilds itself from `leases()`.

import EtcdProto
import Storage

/// A lease as persisted.
public struct LeaseRecord: Sendable, Hashable {
    public var id: Int64
    /// Seconds, as granted (after the server's minimum-TTL rule).
    public var ttl: Int64
    /// Seconds left at the last checkpoint; 0 when none (a restart then grants the full TTL).
    public var remainingTTL: Int64

    public init(id: Int64, ttl: Int64, remainingTTL: Int64 = 0) {
        self.id = id
        self.ttl = ttl
        self.remainingTTL = remainingTTL
    }

    static let encodedSize = 16

    init(id: Int64, decoding bytes: UnsafeRawBufferPointer) {
        self.id = id
        self.ttl = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        self.remainingTTL = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
    }

    func write(to buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: ttl.littleEndian, toByteOffset: 0, as: Int64.self)
        buffer.storeBytes(of: remainingTTL.littleEndian, toByteOffset: 8, as: Int64.self)
    }
}

extension StoreView {
    func lease(_ id: Int64) throws(LMDBError) -> LeaseRecord? {
        try Self.leaseBytes(id).withBytes { (key) throws(LMDBError) -> LeaseRecord? in
            guard let value = try self.transaction.get(self.tables.leases, key: key),
                value.count == LeaseRecord.encodedSize
            else { return nil }
            return LeaseRecord(id: id, decoding: value)
        }
    }

    func setLease(_ record: LeaseRecord) throws(LMDBError) {
        try Self.leaseBytes(record.id).withBytes { (key) throws(LMDBError) in
            try self.transaction.put(self.tables.leases, key: key, reserving: LeaseRecord.encodedSize) {
                record.write(to: $0)
            }
        }
    }

    func deleteLease(_ id: Int64) throws(LMDBError) {
        _ = try Self.leaseBytes(id).withBytes { (key) throws(LMDBError) in
            try self.transaction.delete(self.tables.leases, key: key)
        }
    }

    func allLeases() throws(LMDBError) -> [LeaseRecord] {
        var records: [LeaseRecord] = []
        try self.transaction.cursor(self.tables.leases) { (cursor) throws(LMDBError) in
            var entry = try cursor.first()
            while let current = entry {
                let id = Int64(bitPattern: UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self)))
                records.append(LeaseRecord(id: id, decoding: current.value))
                entry = try cursor.next()
            }
        }
        return records
    }
}

extension MVCCStore {
    /// Every lease, in ID order (any thread): what the lessor starts from.
    public func leases() throws(MVCCError) -> [LeaseRecord] {
        try self.read { (view) throws(MVCCError) -> [LeaseRecord] in
            do throws(LMDBError) { return try view.allLeases() } catch { throw .storage(error) }
        }
    }

    /// One lease, or nil (any thread).
    public func lease(_ id: Int64) throws(MVCCError) -> LeaseRecord? {
        try self.read { (view) throws(MVCCError) -> LeaseRecord? in
            do throws(LMDBError) { return try view.lease(id) } catch { throw .storage(error) }
        }
    }

    static func applyLease(_ write: MVCCWrite, view: StoreView, writer: inout Writer) throws(MVCCError) -> MVCCResponse {
        func storage<Result>(_ body: () throws(LMDBError) -> Result) throws(MVCCError) -> Result {
            do throws(LMDBError) { return try body() } catch { throw .storage(error) }
        }
        switch write {
        case .leaseGrant(let record):
            if try storage({ () throws(LMDBError) in try view.lease(record.id) }) != nil { throw .leaseExists }
            try storage { () throws(LMDBError) in try view.setLease(record) }
            return .leaseGranted(record, revision: writer.readRevision)
        case .leaseRevoke(let id):
            if try storage({ () throws(LMDBError) in try view.lease(id) }) == nil { throw .leaseNotFound }
            // etcd deletes the keys in one write transaction: one revision, seen by watchers.
            let deleted = try writer.deleteKeys(attachedTo: id)
            try storage { () throws(LMDBError) in try view.deleteLease(id) }
            return .leaseRevoked(keysDeleted: deleted, revision: writer.readRevision)
        case .leaseCheckpoint(let checkpoints):
            for checkpoint in checkpoints {
                guard var record = try storage({ () throws(LMDBError) in try view.lease(checkpoint.id) }) else { continue }
                record.remainingTTL = checkpoint.remainingTtl
                try storage { () throws(LMDBError) in try view.setLease(record) }
            }
            return .leaseCheckpointed
        default:
            preconditionFailure("applyLease given a non-lease write")
        }
    }
}
