import EtcdProto

/// Options of an MVCC store.
public struct MVCCOptions: Sendable {
    /// Upper bound of the LMDB map (sparse file, so this is address space, not disk).
    public var mapSize: Int = 8 << 30
    /// History entries examined by compaction per apply batch, so a large compaction is spread
    /// over many batches instead of stalling the apply loop.
    public var compactionBatchLimit: Int = 10_000

    public init() {}
}

/// One write the apply loop hands to the store.
public enum MVCCWrite: Sendable, Hashable {
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
    case compact(CompactionRequest)
    /// Deletes every key attached to a lease, in one revision (what etcd's lessor does on revoke
    /// and expiry); the lessor itself forgets the lease.
    case deleteLeaseKeys(Int64)
}

/// The response to one write; its header carries only `revision` (the server fills the rest).
public enum MVCCResponse: Sendable, Hashable {
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
    case compact(CompactionResponse)
    /// How many keys `deleteLeaseKeys` deleted.
    case leaseKeysDeleted(Int64)
}

public struct MVCCWriteResult: Sendable {
    public var response: Result<MVCCResponse, MVCCError>
    /// What the write changed, in (main, sub) revision order, each with its previous key-value.
    public var events: [Event]
    /// The store's revision after this write.
    public var revision: Int64
}
