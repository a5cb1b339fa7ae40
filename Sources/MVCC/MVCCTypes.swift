import EtcdProto
import Synchronization

/// Options of an MVCC store.
public struct MVCCOptions: Sendable {
    /// Upper bound of the LMDB map (sparse file, so this is address space, not disk). bbolt has
    /// no such bound, so it is set far past etcd's largest recommended quota (8 GiB): a write
    /// that met it could not be applied, nor replayed after a restart.
    public var mapSize: Int = MVCCOptions.defaultMapSize
    public static let defaultMapSize = 64 << 30
    /// History entries examined by compaction per apply batch, so a large compaction is spread
    /// over many batches instead of stalling the apply loop.
    public var compactionBatchLimit: Int = 10_000

    public init(mapSize: Int = MVCCOptions.defaultMapSize) {
        self.mapSize = mapSize
    }
}

/// One write the apply loop hands to the store.
public enum MVCCWrite: Sendable, Hashable {
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
    case compact(CompactionRequest)
    /// Creates a lease (its ID and TTL already chosen by the server); fails if it exists.
    case leaseGrant(LeaseRecord)
    /// Deletes a lease and, in one revision, every key attached to it (revoke and expiry).
    case leaseRevoke(Int64)
    /// Records the remaining TTLs of leases, so a restart resumes them rather than renewing them.
    case leaseCheckpoint([LeaseCheckpoint])
    /// Lists, raises or clears an alarm; while NOSPACE is raised, writes that add data fail.
    case alarm(AlarmRequest)
    /// Enables a downgrade job to the given cluster version, or cancels the job (nil): etcd's
    /// `DowngradeInfoSet`. Never refused, not even under NOSPACE (etcd applies it outside its
    /// capped applier).
    case downgradeInfoSet(ClusterVersion?)
    /// Records the name and client URLs a member published about itself (etcd's publish).
    case memberAttributes(Member)
    /// A change of the auth store (users, roles, permissions, the enabled flag).
    case auth(AuthLogEntry)
    /// A put, delete or txn whose permissions the proposing member checked at `authRevision`:
    /// refused with etcd's "revision of auth store is old" if the auth store changed since.
    indirect case authChecked(authRevision: UInt64, MVCCWrite)

    /// Whether etcd's corrupt applier refuses this write: every KV write, compaction, lease
    /// grant and revoke.
    var refusedWhenCorrupt: Bool {
        switch self {
        case .put, .deleteRange, .txn, .compact, .leaseGrant, .leaseRevoke: return true
        default: return false
        }
    }

    /// Whether etcd's capped applier refuses this write (puts, txns with a put, lease grants).
    var addsData: Bool {
        switch self {
        case .put, .leaseGrant: return true
        case .txn(let request): return request.containsPut
        case .authChecked(_, let write): return write.addsData
        default: return false
        }
    }
}

extension TxnRequest {
    /// Whether either branch, or a nested txn, puts (etcd's txn quota cost is then above 0).
    public var containsPut: Bool {
        (success + failure).contains { operation in
            switch operation.request {
            case .requestPut: return true
            case .requestTxn(let nested): return nested.containsPut
            default: return false
            }
        }
    }
}

/// The response to one write; its header carries only `revision` (the server fills the rest).
public enum MVCCResponse: Sendable, Hashable {
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
    case compact(CompactionResponse)
    /// The lease, and the store's revision once it was granted (etcd's header revision).
    case leaseGranted(LeaseRecord, revision: Int64)
    /// How many keys the revocation deleted, and the revision it left (its own when it deleted any).
    case leaseRevoked(keysDeleted: Int64, revision: Int64)
    case leaseCheckpointed
    case alarm([AlarmMember])
    case downgradeInfoSet
    case memberAttributesSet
    /// The auth store after the change.
    case auth(AuthState)
    /// A configuration change applied: the membership, not the store, changed.
    case membershipChanged
}

public struct MVCCWriteResult: Sendable {
    public var response: Result<MVCCResponse, MVCCError>
    /// What the write changed, in (main, sub) revision order, each with its previous key-value.
    public var events: [Event]
    /// The store's revision after this write.
    public var revision: Int64

    public init(response: Result<MVCCResponse, MVCCError>, events: [Event], revision: Int64) {
        self.response = response
        self.events = events
        self.revision = revision
    }
}

/// Range, Put and DeleteRange operations and txns, counted as etcd's mvcc metrics count them
/// (its metricsTxnWrite): every read of a store transaction is a range (a compare, a range op,
/// the read behind prev_kv or ignore_value/ignore_lease), a DeleteRange is one whatever it
/// deletes, and a store transaction of more than one operation is a txn.
public struct MVCCOperationCounts: Sendable, Equatable {
    public var ranges: UInt64 = 0
    public var puts: UInt64 = 0
    public var deletes: UInt64 = 0
    public var txns: UInt64 = 0

    public init(ranges: UInt64 = 0, puts: UInt64 = 0, deletes: UInt64 = 0, txns: UInt64 = 0) {
        self.ranges = ranges
        self.puts = puts
        self.deletes = deletes
        self.txns = txns
    }

    mutating func add(_ other: MVCCOperationCounts) {
        ranges += other.ranges
        puts += other.puts
        deletes += other.deletes
        txns += other.txns
    }

    /// Adds the operations of one store transaction, and the transaction as a txn when it
    /// held more than one.
    mutating func addTransaction(_ transaction: MVCCOperationCounts) {
        add(transaction)
        if transaction.ranges + transaction.puts + transaction.deletes > 1 { txns += 1 }
    }
}

/// The member's totals: written by the apply loop once per batch and by readers once per
/// read, read by `/metrics`.
public final class MVCCOperationCounters: Sendable {
    private let ranges = Atomic<UInt64>(0)
    private let puts = Atomic<UInt64>(0)
    private let deletes = Atomic<UInt64>(0)
    private let txns = Atomic<UInt64>(0)

    public var total: MVCCOperationCounts {
        MVCCOperationCounts(
            ranges: ranges.load(ordering: .relaxed), puts: puts.load(ordering: .relaxed),
            deletes: deletes.load(ordering: .relaxed), txns: txns.load(ordering: .relaxed))
    }

    func add(_ counts: MVCCOperationCounts) {
        if counts.ranges > 0 { ranges.add(counts.ranges, ordering: .relaxed) }
        if counts.puts > 0 { puts.add(counts.puts, ordering: .relaxed) }
        if counts.deletes > 0 { deletes.add(counts.deletes, ordering: .relaxed) }
        if counts.txns > 0 { txns.add(counts.txns, ordering: .relaxed) }
    }

    /// One store transaction (see `MVCCOperationCounts.addTransaction`).
    func addTransaction(_ transaction: MVCCOperationCounts) {
        var counts = MVCCOperationCounts()
        counts.addTransaction(transaction)
        add(counts)
    }
}
