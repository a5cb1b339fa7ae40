import NIOConcurrencyHelpers
import NIOCore

/// What a handler knows about its call: the method path, request metadata, deadline, peer, and
/// whether the call has been cancelled (client RST_STREAM, deadline, connection closed).
public struct GRPCCallContext: Sendable {
    public var path: String
    public var eventLoop: any EventLoop
    public var deadline: NIODeadline?
    public var remoteAddress: SocketAddress?
    /// Common name of the client's verified TLS certificate (etcd authenticates by it).
    public var peerCertificateCommonName: String?
    /// Request headers other than pseudo-headers, names lowercase, in arrival order.
    public var headers: [(name: String, value: String)]
    let cancellation: CallCancellation

    /// Contexts are made by the transport; this initialiser lets service code be exercised
    /// directly (e.g. in tests) with a context that is never cancelled.
    public init(
        path: String, eventLoop: any EventLoop, deadline: NIODeadline? = nil, remoteAddress: SocketAddress? = nil,
        peerCertificateCommonName: String? = nil, headers: [(name: String, value: String)] = []
    ) {
        self.init(
            path: path, eventLoop: eventLoop, deadline: deadline, remoteAddress: remoteAddress,
            peerCertificateCommonName: peerCertificateCommonName, headers: headers, cancellation: CallCancellation())
    }

    init(
        path: String, eventLoop: any EventLoop, deadline: NIODeadline?, remoteAddress: SocketAddress?,
        peerCertificateCommonName: String?, headers: [(name: String, value: String)], cancellation: CallCancellation
    ) {
        self.path = path
        self.eventLoop = eventLoop
        self.deadline = deadline
        self.remoteAddress = remoteAddress
        self.peerCertificateCommonName = peerCertificateCommonName
        self.headers = headers
        self.cancellation = cancellation
    }

    /// The value of the first request header named `name` (lowercase), if any.
    public func metadata(_ name: String) -> String? {
        for header in headers where header.name == name {
            return header.value
        }
        return nil
    }

    public var isCancelled: Bool { cancellation.isCancelled }

    /// Runs `callback` once when the call is cancelled; at once if it already is.
    /// Not run when the call completes normally.
    public func onCancel(_ callback: @escaping @Sendable () -> Void) {
        cancellation.register(callback)
    }
}

/// Shared between a call's context copies and the transport: one locked box, one allocation.
struct CallCancellation: Sendable {
    private struct State {
        var cancelled = false
        var callbacks: [@Sendable () -> Void] = []
    }
    private let state = NIOLockedValueBox(State())

    var isCancelled: Bool { state.withLockedValue { $0.cancelled } }

    func register(_ callback: @escaping @Sendable () -> Void) {
        let runNow = state.withLockedValue { state -> Bool in
            if state.cancelled { return true }
            state.callbacks.append(callback)
            return false
        }
        if runNow { callback() }
    }

    func cancel() {
        let callbacks = state.withLockedValue { state -> [@Sendable () -> Void] in
            if state.cancelled { return [] }
            state.cancelled = true
            defer { state.callbacks = [] }
            return state.callbacks
        }
        for callback in callbacks { callback() }
    }

    /// The call ended normally: drop callbacks so they are never run and free what they capture.
    func complete() {
        state.withLockedValue { $0.callbacks = [] }
    }
}

/// Inbound messages of a bidirectional-streaming call, delivered on the connection's event loop.
public struct GRPCRequestObserver: Sendable {
    public var onMessage: @Sendable (ByteBuffer) -> Void
    /// The client half-closed its side: no more messages will come.
    public var onEnd: @Sendable () -> Void
    /// The call was cancelled before the handler finished it.
    public var onCancel: @Sendable () -> Void

    public init(
        onMessage: @escaping @Sendable (ByteBuffer) -> Void,
        onEnd: @escaping @Sendable () -> Void = {},
        onCancel: @escaping @Sendable () -> Void = {}
    ) {
        self.onMessage = onMessage
        self.onEnd = onEnd
        self.onCancel = onCancel
    }
}

/// Where a call's response messages go: its HTTP/2 stream, or an in-process caller
/// (`GRPCLocalChannel`). Used on the call's event loop only.
protocol GRPCResponseSink: AnyObject {
    func write(_ message: ByteBuffer)
    func finish(_ status: GRPCStatus)
}

/// Sends the response messages of a streaming call. Usable from any thread: calls made off the
/// connection's event loop hop to it, so messages keep the order in which `write` was called
/// from one thread. Writes after `finish`, or after the call was cancelled, are dropped.
public final class GRPCResponseWriter: Sendable {
    public let eventLoop: any EventLoop
    private let stream: NIOLoopBound<any GRPCResponseSink>
    private let backPressure = NIOLockedValueBox(BackPressure())

    private struct BackPressure {
        var writable = true
        var onChange: (@Sendable (Bool) -> Void)?
        var clientBehind = false
        var onClientBacklogChange: (@Sendable (Bool) -> Void)?
    }

    init(stream: any GRPCResponseSink, eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.stream = NIOLoopBound(stream, eventLoop: eventLoop)
    }

    /// False while the stream has more unsent response bytes buffered than the configured high
    /// water mark (the client reads slowly); a producer should pause until it becomes true again.
    public var isWritable: Bool { backPressure.withLockedValue { $0.writable } }

    /// Called (on the event loop) whenever `isWritable` changes.
    public func setWritabilityHandler(_ handler: (@Sendable (Bool) -> Void)?) {
        backPressure.withLockedValue { $0.onChange = handler }
    }

    /// True while the client's application has fallen behind reading this call's responses, as
    /// the stream window it hands back shows: whatever is sent now waits behind them. A producer
    /// that can merge its messages (watch events) holds them until this turns false.
    public var clientIsBehind: Bool { backPressure.withLockedValue { $0.clientBehind } }

    /// Called (on the event loop) whenever `clientIsBehind` changes.
    public func setClientBacklogHandler(_ handler: (@Sendable (Bool) -> Void)?) {
        backPressure.withLockedValue { $0.onClientBacklogChange = handler }
    }

    public func write(_ message: ByteBuffer) {
        if eventLoop.inEventLoop {
            stream.value.write(message)
        } else {
            eventLoop.execute { self.stream.value.write(message) }
        }
    }

    /// Ends the call with `status` as trailers (trailers-only if nothing was written). Idempotent.
    public func finish(_ status: GRPCStatus = .ok) {
        if eventLoop.inEventLoop {
            stream.value.finish(status)
        } else {
            eventLoop.execute { self.stream.value.finish(status) }
        }
    }

    func updateWritability(_ writable: Bool) {
        update(\.writable, to: writable, notifying: \.onChange)
    }

    func updateClientBehind(_ behind: Bool) {
        update(\.clientBehind, to: behind, notifying: \.onClientBacklogChange)
    }

    /// Sets a back-pressure flag and, if it changed, calls its handler outside the lock.
    private func update(
        _ flag: WritableKeyPath<BackPressure, Bool>, to value: Bool,
        notifying handler: KeyPath<BackPressure, (@Sendable (Bool) -> Void)?>
    ) {
        let changed = backPressure.withLockedValue { state -> (@Sendable (Bool) -> Void)? in
            if state[keyPath: flag] == value { return nil }
            state[keyPath: flag] = value
            return state[keyPath: handler]
        }
        changed?(value)
    }
}

public enum GRPCMethod: Sendable {
    /// A failed future ends the call with that status (UNKNOWN for errors that are not `GRPCStatus`).
    case unary(@Sendable (ByteBuffer, GRPCCallContext) -> EventLoopFuture<ByteBuffer>)
    case serverStreaming(@Sendable (ByteBuffer, GRPCCallContext, GRPCResponseWriter) -> Void)
    case bidirectionalStreaming(@Sendable (GRPCCallContext, GRPCResponseWriter) -> GRPCRequestObserver)
}

/// Maps `:path` ("/package.Service/Method") to handlers.
public struct GRPCRouter: Sendable {
    struct Registered: Sendable {
        var method: GRPCMethod
        var counters: GRPCMethodCounters
    }

    var methods: [String: Registered] = [:]
    var services: Set<String> = []
    /// Request message limits of the methods registered with one, instead of the server's.
    private var receiveLimits: [String: Int] = [:]
    /// Runs before every call: a status refuses the call with it (e.g. a server's requirement
    /// on the call's metadata), nil lets it start.
    public var admission: (@Sendable (GRPCCallContext) -> GRPCStatus?)?
    /// Message bytes of every call through this router.
    public let traffic = GRPCTrafficCounters()

    public init() {}

    public mutating func register(_ path: String, _ method: GRPCMethod) {
        let (service, name) = Self.split(path) ?? ("", path)
        let type: GRPCMethodType
        switch method {
        case .unary: type = .unary
        case .serverStreaming: type = .serverStream
        case .bidirectionalStreaming: type = .bidiStream
        }
        methods[path] = Registered(method: method, counters: GRPCMethodCounters(service: service, method: name, type: type))
        if !service.isEmpty {
            services.insert(service)
        }
    }

    /// Registers a method whose request messages may be up to `maxReceiveMessageBytes` long,
    /// whatever the server's `maxReceiveMessageBytes`.
    public mutating func register(_ path: String, maxReceiveMessageBytes: Int, _ method: GRPCMethod) {
        register(path, method)
        receiveLimits[path] = maxReceiveMessageBytes
    }

    /// The call counters of every registered method, in service and method order.
    public var methodCounters: [GRPCMethodCounters] {
        methods.values.map(\.counters).sorted { ($0.service, $0.method) < ($1.service, $1.method) }
    }

    /// The request message limit of `path`: its own, or `serverLimit`.
    func receiveLimit(_ path: String, serverLimit: Int) -> Int {
        receiveLimits.isEmpty ? serverLimit : receiveLimits[path] ?? serverLimit
    }

    enum Lookup {
        case found(GRPCMethod, GRPCMethodCounters)
        case notFound(GRPCStatus)
    }

    func lookup(_ path: String) -> Lookup {
        if let registered = methods[path] { return .found(registered.method, registered.counters) }
        guard let (service, method) = Self.split(path) else {
            return .notFound(.malformedMethodName(path))
        }
        if services.contains(service) {
            return .notFound(.unknownMethod(method, service: service))
        }
        return .notFound(.unknownService(service))
    }

    /// "/svc/method" → ("svc", "method"), as grpc-go splits it (at the last slash).
    static func split(_ path: String) -> (service: String, method: String)? {
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            return nil
        }
        let service = path[path.index(after: path.startIndex)..<slash]
        let method = path[path.index(after: slash)...]
        return (String(service), String(method))
    }
}
