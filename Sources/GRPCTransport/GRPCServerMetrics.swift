import Synchronization

/// `grpc_type` as go-grpc-prometheus names it.
public enum GRPCMethodType: String, Sendable {
    case unary
    case serverStream = "server_stream"
    case bidiStream = "bidi_stream"
}

/// One method's calls, counted as go-grpc-prometheus counts them for etcd's `/metrics`
/// (`grpc_server_{started,handled,msg_received,msg_sent}_total`).
///
/// A unary or server-streaming call starts once its request message is there, as the
/// interceptor runs after decoding it; a call refused before (unknown method, admission) is not
/// counted. For a unary call the received and sent messages follow from those counts (one
/// request each, one response each OK), so the call pays two atomic adds.
public final class GRPCMethodCounters: Sendable {
    public let service: String
    public let method: String
    public let type: GRPCMethodType
    private let started = Atomic<UInt64>(0)
    private let streamedReceived = Atomic<UInt64>(0)
    private let streamedSent = Atomic<UInt64>(0)
    /// By code, 0 (OK) through 16 (Unauthenticated).
    private let handled: [Counter]

    private final class Counter: Sendable {
        let value = Atomic<UInt64>(0)
    }

    init(service: String, method: String, type: GRPCMethodType) {
        self.service = service
        self.method = method
        self.type = type
        handled = (0...GRPCStatus.Code.unauthenticated.rawValue).map { _ in Counter() }
    }

    func callStarted() {
        started.add(1, ordering: .relaxed)
    }

    func messageReceived() {
        if type != .unary { streamedReceived.add(1, ordering: .relaxed) }
    }

    func messageSent() {
        if type != .unary { streamedSent.add(1, ordering: .relaxed) }
    }

    func callHandled(_ code: GRPCStatus.Code) {
        handled[min(max(code.rawValue, 0), handled.count - 1)].value.add(1, ordering: .relaxed)
    }

    public var startedTotal: UInt64 { started.load(ordering: .relaxed) }

    public func handledTotal(_ code: GRPCStatus.Code) -> UInt64 {
        guard handled.indices.contains(code.rawValue) else { return 0 }
        return handled[code.rawValue].value.load(ordering: .relaxed)
    }

    public var receivedTotal: UInt64 {
        switch type {
        case .unary, .serverStream: startedTotal
        case .bidiStream: streamedReceived.load(ordering: .relaxed)
        }
    }

    public var sentTotal: UInt64 {
        type == .unary ? handledTotal(.ok) : streamedSent.load(ordering: .relaxed)
    }
}

/// Bytes of request and response messages (etcd's `etcd_network_client_grpc_{received,sent}_bytes_total`).
/// A connection adds what it moved once per read burst or send, not once per message.
public final class GRPCTrafficCounters: Sendable {
    private let received = Atomic<UInt64>(0)
    private let sent = Atomic<UInt64>(0)

    init() {}

    func add(received receivedBytes: Int, sent sentBytes: Int) {
        if receivedBytes > 0 { received.add(UInt64(receivedBytes), ordering: .relaxed) }
        if sentBytes > 0 { sent.add(UInt64(sentBytes), ordering: .relaxed) }
    }

    public var receivedBytes: UInt64 { received.load(ordering: .relaxed) }
    public var sentBytes: UInt64 { sent.load(ordering: .relaxed) }
}

extension GRPCStatus.Code {
    /// Go's `codes.Code.String()`, the `grpc_code` label.
    public var goName: String {
        switch rawValue {
        case 0: "OK"
        case 1: "Canceled"
        case 2: "Unknown"
        case 3: "InvalidArgument"
        case 4: "DeadlineExceeded"
        case 5: "NotFound"
        case 6: "AlreadyExists"
        case 7: "PermissionDenied"
        case 8: "ResourceExhausted"
        case 9: "FailedPrecondition"
        case 10: "Aborted"
        case 11: "OutOfRange"
        case 12: "Unimplemented"
        case 13: "Internal"
        case 14: "Unavailable"
        case 15: "DataLoss"
        case 16: "Unauthenticated"
        default: "Code(\(rawValue))"
        }
    }
}
