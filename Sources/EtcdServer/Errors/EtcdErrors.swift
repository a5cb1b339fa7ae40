import GRPCTransport
import MVCC
import ProtoWire

/// etcd's client-visible errors (`rpctypes/error.go`): clients match on the code and the exact
/// message, so both are copied verbatim.
public enum EtcdErrors {
    public static let emptyKey = GRPCStatus(code: .invalidArgument, message: "etcdserver: key is not provided")
    public static let keyNotFound = GRPCStatus(code: .invalidArgument, message: "etcdserver: key not found")
    public static let valueProvided = GRPCStatus(code: .invalidArgument, message: "etcdserver: value is provided")
    public static let leaseProvided = GRPCStatus(code: .invalidArgument, message: "etcdserver: lease is provided")
    public static let tooManyOps = GRPCStatus(
        code: .invalidArgument, message: "etcdserver: too many operations in txn request")
    public static let duplicateKey = GRPCStatus(
        code: .invalidArgument, message: "etcdserver: duplicate key given in txn request")
    public static let compacted = GRPCStatus(
        code: .outOfRange, message: "etcdserver: mvcc: required revision has been compacted")
    public static let futureRevision = GRPCStatus(
        code: .outOfRange, message: "etcdserver: mvcc: required revision is a future revision")
    public static let noSpace = GRPCStatus(
        code: .resourceExhausted, message: "etcdserver: mvcc: database space exceeded")
    public static let leaseNotFound = GRPCStatus(code: .notFound, message: "etcdserver: requested lease not found")
    public static let leaseTTLTooLarge = GRPCStatus(code: .outOfRange, message: "etcdserver: too large lease TTL")
    /// The log answered a request with another request's kind of result: a bug, never a client error.
    public static let unexpectedApplyResult = GRPCStatus(
        code: .internal, message: "etcdserver: unexpected apply result for this request")
    public static let requestTooLarge = GRPCStatus(code: .invalidArgument, message: "etcdserver: request is too large")
    public static let stopped = GRPCStatus(code: .unavailable, message: "etcdserver: server stopped")
    /// The call went away while the server waited for it (grpc-go's wording for a cancelled context).
    public static let cancelled = GRPCStatus(code: .cancelled, message: "context canceled")
    public static let timeout = GRPCStatus(code: .unavailable, message: "etcdserver: request timed out")
    public static let noLeader = GRPCStatus(code: .unavailable, message: "etcdserver: no leader")
    public static let leaderChanged = GRPCStatus(code: .unavailable, message: "etcdserver: leader changed")
    /// A proposal in flight when the leader this member knew went away: it may or may not commit.
    public static let timeoutDueToLeaderFail = GRPCStatus(
        code: .unavailable, message: "etcdserver: request timed out, possibly due to previous leader failure")
    public static let notLeader = GRPCStatus(code: .failedPrecondition, message: "etcdserver: not leader")
    public static let leaderTransferTimeout = GRPCStatus(
        code: .unavailable, message: "etcdserver: request timed out, leader transfer took too long")
    public static let corrupt = GRPCStatus(code: .dataLoss, message: "etcdserver: corrupt cluster")

    /// grpc-go's answer to a request body that is not a valid protobuf message, worded as etcd's
    /// Go decoders word the reason.
    public static func malformedRequest(_ error: ProtoDecodingError) -> GRPCStatus {
        let reason: String
        switch error.code {
        case .truncated, .lengthPastEnd: reason = "unexpected EOF"
        default: reason = "proto: \(error.reason)"
        }
        return GRPCStatus(code: .internal, message: "grpc: error unmarshalling request: \(reason)")
    }

    /// grpc-go's wording of the same failure for a message of a streaming call.
    public static func malformedStreamMessage(_ error: ProtoDecodingError) -> GRPCStatus {
        let unary = malformedRequest(error).message
        let reason = unary.dropFirst("grpc: error unmarshalling request: ".count)
        return GRPCStatus(code: .internal, message: "grpc: failed to unmarshal the received message \(reason)")
    }
}

extension EtcdErrors {
    /// Every failure of the log is retryable: clientv3 retries `UNAVAILABLE` only.
    static func status(for failure: ProposalFailure) -> GRPCStatus {
        switch failure {
        case .noLeader: return noLeader
        case .leaderChanged: return leaderChanged
        case .timedOut: return timeout
        case .stopped: return stopped
        }
    }

    /// The status a store error reaches the client with: the store already speaks etcd's
    /// messages and codes.
    static func status(for error: MVCCError) -> GRPCStatus {
        GRPCStatus(code: GRPCStatus.Code(rawValue: error.grpcStatusCode), message: error.message)
    }
}

extension EtcdErrors {
    public static let memberNotFound = GRPCStatus(code: .notFound, message: "etcdserver: member not found")
    public static let memberBadURLs = GRPCStatus(
        code: .invalidArgument, message: "etcdserver: given member URLs are invalid")
    public static let peerURLExists = GRPCStatus(code: .failedPrecondition, message: "etcdserver: Peer URLs already exists")
    public static let memberNotEnoughStarted = GRPCStatus(
        code: .failedPrecondition, message: "etcdserver: re-configuration failed due to not enough started members")
    public static let learnerNotReady = GRPCStatus(
        code: .failedPrecondition, message: "etcdserver: can only promote a learner member which is in sync with leader")
    public static let memberNotLearner = GRPCStatus(
        code: .failedPrecondition, message: "etcdserver: can only promote a learner member")
    public static let memberIDExists = GRPCStatus(code: .failedPrecondition, message: "etcdserver: member ID already exist")
    public static let unhealthyCluster = GRPCStatus(code: .unavailable, message: "etcdserver: unhealthy cluster")
    public static let notSupportedForLearner = GRPCStatus(
        code: .unavailable, message: "etcdserver: rpc not supported for learner")
    public static let notCapable = GRPCStatus(code: .unavailable, message: "etcdserver: not capable")
    public static let badLeaderTransferee = GRPCStatus(
        code: .failedPrecondition, message: "etcdserver: bad leader transferee")
}

extension EtcdErrors {
    /// `Maintenance.Downgrade` (etcd 3.5): a target that is neither a semantic version nor major.minor.
    public static let wrongDowngradeVersionFormat = GRPCStatus(
        code: .invalidArgument, message: "etcdserver: wrong downgrade target version format")
    /// A target other than one minor version below the cluster version.
    public static let invalidDowngradeTargetVersion = GRPCStatus(
        code: .invalidArgument, message: "etcdserver: invalid downgrade target version")
    public static let downgradeInProcess = GRPCStatus(
        code: .failedPrecondition, message: "etcdserver: cluster has a downgrade job in progress")
    public static let noInflightDowngrade = GRPCStatus(
        code: .failedPrecondition, message: "etcdserver: no inflight downgrade job")
    /// An action etcd does not know; etcd maps no code to it, so gRPC answers Unknown.
    public static let unknownMethod = GRPCStatus(code: .unknown, message: "etcdserver: unknown method")
}
