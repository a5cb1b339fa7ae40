import Storage

/// An MVCC failure as clients see it: `message` is etcd's exact gRPC error string and
/// `grpcStatusCode` the status etcd answers with.
public struct MVCCError: Error, Hashable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        case compacted, futureRevision, keyNotFound, leaseNotFound, valueProvided, leaseProvided
        case emptyKey, duplicateKey, keyTooLong, notReadOnly, storage, databaseFull, leaseExists, corrupt
        /// Refused by the auth store (etcd's `auth.Err…`, worded as its gRPC errors).
        case auth
    }

    public var code: Code
    public var message: String
    /// The gRPC status code etcd uses for this error (OUT_OF_RANGE 11, INVALID_ARGUMENT 3, …).
    public var grpcStatusCode: Int
    /// The LMDB failure behind a `.storage` or `.databaseFull` error.
    public var underlying: LMDBError?

    public var description: String { self.message }

    public static let compacted = MVCCError(
        code: .compacted, message: "etcdserver: mvcc: required revision has been compacted", grpcStatusCode: 11)
    public static let futureRevision = MVCCError(
        code: .futureRevision, message: "etcdserver: mvcc: required revision is a future revision", grpcStatusCode: 11)
    public static let emptyKey = MVCCError(code: .emptyKey, message: "etcdserver: key is not provided", grpcStatusCode: 3)
    public static let keyNotFound = MVCCError(code: .keyNotFound, message: "etcdserver: key not found", grpcStatusCode: 3)
    public static let leaseNotFound = MVCCError(
        code: .leaseNotFound, message: "etcdserver: requested lease not found", grpcStatusCode: 5)
    public static let leaseExists = MVCCError(
        code: .leaseExists, message: "etcdserver: lease already exists", grpcStatusCode: 9)
    /// Writes refused while the NOSPACE alarm is raised.
    public static let noSpace = MVCCError(
        code: .databaseFull, message: "etcdserver: mvcc: database space exceeded", grpcStatusCode: 8)
    /// Writes refused while the CORRUPT alarm is raised (etcd's corrupt applier; DATA_LOSS).
    public static let corrupt = MVCCError(code: .corrupt, message: "etcdserver: corrupt cluster", grpcStatusCode: 15)
    public static let valueProvided = MVCCError(code: .valueProvided, message: "etcdserver: value is provided", grpcStatusCode: 3)
    public static let leaseProvided = MVCCError(code: .leaseProvided, message: "etcdserver: lease is provided", grpcStatusCode: 3)
    public static let duplicateKey = MVCCError(
        code: .duplicateKey, message: "etcdserver: duplicate key given in txn request", grpcStatusCode: 3)
    public static let notReadOnly = MVCCError(
        code: .notReadOnly, message: "swift-etcd: readOnlyTxn given a txn that writes", grpcStatusCode: 13)

    /// LMDB keys are limited (511 bytes in Debian's build); longer etcd keys are refused, never truncated.
    public static func keyTooLong(_ length: Int, limit: Int) -> MVCCError {
        MVCCError(
            code: .keyTooLong, message: "etcdserver: key of \(length) bytes exceeds this store's limit of \(limit) bytes",
            grpcStatusCode: 3)
    }

    /// An LMDB failure; a full map becomes etcd's "database space exceeded" (the NOSPACE alarm's cause).
    public static func storage(_ error: LMDBError) -> MVCCError {
        if error.isMapFull {
            return MVCCError(
                code: .databaseFull, message: "etcdserver: mvcc: database space exceeded", grpcStatusCode: 8,
                underlying: error)
        }
        return MVCCError(
            code: .storage, message: "etcdserver: storage failure: \(error.reason)", grpcStatusCode: 13, underlying: error)
    }
}
