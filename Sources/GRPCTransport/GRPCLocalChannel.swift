import NIOConcurrencyHelpers
import NIOCore

/// Calls a router's methods in process, as one client connection of its own would: etcd's JSON
/// gateway dials its own gRPC server, so its calls meet the same admission check, request size
/// limit and SETTINGS_MAX_CONCURRENT_STREAMS as any client's. A call beyond that many open
/// ones waits until one ends, as grpc-go's client waits for stream quota.
public final class GRPCLocalChannel: Sendable {
    private let router: GRPCRouter
    private let serverReceiveLimit: Int
    private let streams: StreamQuota

    public init(router: GRPCRouter, configuration: GRPCServerConfiguration) {
        self.router = router
        self.serverReceiveLimit = configuration.maxReceiveMessageBytes
        self.streams = StreamQuota(limit: Int(configuration.maxConcurrentStreams))
    }

    /// Starts a call to `path`. `onMessage` receives each response message and `onFinish` the
    /// status that ends the call, both on `eventLoop`; neither runs after `cancel`.
    public func makeCall(
        path: String, metadata: [(name: String, value: String)], deadline: NIODeadline?, remoteAddress: SocketAddress?,
        eventLoop: any EventLoop, onMessage: @escaping @Sendable (ByteBuffer) -> Void,
        onFinish: @escaping @Sendable (GRPCStatus) -> Void
    ) -> GRPCLocalCall {
        let context = GRPCCallContext(
            path: path, eventLoop: eventLoop, deadline: deadline, remoteAddress: remoteAddress,
            peerCertificateCommonName: nil, headers: metadata, cancellation: CallCancellation())
        let handle = GRPCLocalCall(
            call: LocalCall(
                context: context, receiveLimit: router.receiveLimit(path, serverLimit: serverReceiveLimit),
                streams: streams, traffic: router.traffic, onMessage: onMessage, onFinish: onFinish),
            eventLoop: eventLoop)
        handle.onLoop { call in
            switch self.router.lookup(path) {
            case .notFound(let status):
                call.finish(status)
            case .found(let method, let counters):
                if let admission = self.router.admission, let refusal = admission(context) {
                    call.finish(refusal)
                } else {
                    call.waitForStream(method, counters)
                }
            }
        }
        return handle
    }
}

/// The caller's side of an in-process call. Usable from any thread.
public final class GRPCLocalCall: Sendable {
    private let call: NIOLoopBoundBox<LocalCall>
    private let eventLoop: any EventLoop

    fileprivate init(call: sending LocalCall, eventLoop: any EventLoop) {
        // Created on any thread, used on `eventLoop` only.
        self.call = .makeBoxSendingValue(call, eventLoop: eventLoop)
        self.eventLoop = eventLoop
    }

    fileprivate func onLoop(_ body: @escaping @Sendable (LocalCall) -> Void) {
        if eventLoop.inEventLoop {
            body(call.value)
        } else {
            eventLoop.execute { body(self.call.value) }
        }
    }

    /// Sends one request message.
    public func send(_ message: ByteBuffer) {
        onLoop { $0.send(message) }
    }

    /// No more request messages (the client's half-close).
    public func closeSend() {
        onLoop { $0.closeSend() }
    }

    /// The caller went away: the call is cancelled as a client's RST_STREAM cancels it.
    public func cancel() {
        onLoop { $0.cancel() }
    }
}

/// One in-process call's state, on its event loop only.
private final class LocalCall: GRPCResponseSink {
    private enum Phase {
        /// Waiting for a free stream; what the caller sends meanwhile is kept.
        case queued
        /// Unary or server-streaming: waiting for the request message.
        case awaitingRequest(GRPCMethod, GRPCMethodCounters)
        case streaming(GRPCRequestObserver)
        case requestDelivered
    }

    private let context: GRPCCallContext
    private let receiveLimit: Int
    private let streams: StreamQuota
    private let traffic: GRPCTrafficCounters
    /// Set once the call counts as started, as on a connection.
    private var counters: GRPCMethodCounters?
    private let onMessage: @Sendable (ByteBuffer) -> Void
    private let onFinish: @Sendable (GRPCStatus) -> Void
    private var phase = Phase.queued
    private var queuedMessages: [ByteBuffer] = []
    private var sendClosed = false
    private var finished = false
    private var holdsStream = false
    private var deadlineTask: Scheduled<Void>?

    init(
        context: GRPCCallContext, receiveLimit: Int, streams: StreamQuota, traffic: GRPCTrafficCounters,
        onMessage: @escaping @Sendable (ByteBuffer) -> Void, onFinish: @escaping @Sendable (GRPCStatus) -> Void
    ) {
        self.context = context
        self.receiveLimit = receiveLimit
        self.streams = streams
        self.traffic = traffic
        self.onMessage = onMessage
        self.onFinish = onFinish
    }

    func waitForStream(_ method: GRPCMethod, _ counters: GRPCMethodCounters) {
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        streams.acquire(on: context.eventLoop) {
            bound.value.start(method, counters)
        }
    }

    private func start(_ method: GRPCMethod, _ counters: GRPCMethodCounters) {
        holdsStream = true
        if finished {
            releaseStream()
            return
        }
        if let deadline = context.deadline {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            deadlineTask = context.eventLoop.scheduleTask(deadline: deadline) {
                bound.value.end(.deadlineExceeded, cancelled: true)
            }
        }
        switch method {
        case .unary, .serverStreaming:
            phase = .awaitingRequest(method, counters)
        case .bidirectionalStreaming(let handler):
            self.counters = counters
            counters.callStarted()
            let writer = GRPCResponseWriter(stream: self, eventLoop: context.eventLoop)
            phase = .streaming(handler(context, writer))
        }
        let queued = queuedMessages
        queuedMessages = []
        for message in queued { send(message) }
        if sendClosed { closeSend() }
    }

    func send(_ message: ByteBuffer) {
        guard !finished else { return }
        if message.readableBytes > receiveLimit {
            end(.messageTooLarge(received: message.readableBytes, limit: receiveLimit), cancelled: true)
            return
        }
        switch phase {
        case .queued:
            queuedMessages.append(message)
        case .awaitingRequest(let method, let counters):
            phase = .requestDelivered
            traffic.add(received: message.readableBytes, sent: 0)
            self.counters = counters
            counters.callStarted()
            switch method {
            case .unary(let handler):
                let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
                handler(message, context).hop(to: context.eventLoop).whenComplete { result in
                    switch result {
                    case .success(let response):
                        bound.value.write(response)
                        bound.value.finish(.ok)
                    case .failure(let error):
                        bound.value.finish(GRPCStatus(from: error))
                    }
                }
            case .serverStreaming(let handler):
                handler(message, context, GRPCResponseWriter(stream: self, eventLoop: context.eventLoop))
            case .bidirectionalStreaming:
                break
            }
        case .streaming(let observer):
            traffic.add(received: message.readableBytes, sent: 0)
            counters?.messageReceived()
            observer.onMessage(message)
        case .requestDelivered:
            break
        }
    }

    func closeSend() {
        guard !finished else { return }
        switch phase {
        case .queued: sendClosed = true
        case .awaitingRequest: finish(.missingRequestMessage)
        case .streaming(let observer): observer.onEnd()
        case .requestDelivered: break
        }
    }

    func cancel() {
        guard !finished else { return }
        finished = true
        counters?.callHandled(.cancelled)
        stopDeadline()
        releaseStream()
        cancelHandler()
    }

    func write(_ message: ByteBuffer) {
        guard !finished else { return }
        traffic.add(received: 0, sent: message.readableBytes)
        counters?.messageSent()
        onMessage(message)
    }

    func finish(_ status: GRPCStatus) {
        end(status, cancelled: false)
    }

    /// Ends the call with `status`; `cancelled` also tells the handler, as a failed or expired
    /// call is cancelled on a connection.
    private func end(_ status: GRPCStatus, cancelled: Bool) {
        guard !finished else { return }
        finished = true
        counters?.callHandled(status.code)
        stopDeadline()
        releaseStream()
        if cancelled {
            cancelHandler()
        } else {
            context.cancellation.complete()
        }
        onFinish(status)
        // A streaming handler's observer holds the call's writer, which holds this call.
        phase = .requestDelivered
        queuedMessages = []
    }

    private func cancelHandler() {
        context.cancellation.cancel()
        if case .streaming(let observer) = phase {
            phase = .requestDelivered
            observer.onCancel()
        }
    }

    private func stopDeadline() {
        deadlineTask?.cancel()
        deadlineTask = nil
    }

    private func releaseStream() {
        guard holdsStream else { return }
        holdsStream = false
        streams.release()
    }
}

/// Counts a channel's open calls against its limit; waiting calls get freed streams in order.
private final class StreamQuota: Sendable {
    private struct State {
        var open = 0
        var waiting: [(eventLoop: any EventLoop, grant: @Sendable () -> Void)] = []
    }

    private let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = limit
    }

    /// Runs `grant` on `eventLoop` once a stream is free (at once if one is).
    func acquire(on eventLoop: any EventLoop, _ grant: @escaping @Sendable () -> Void) {
        let granted = state.withLockedValue { state -> Bool in
            if state.open < limit {
                state.open += 1
                return true
            }
            state.waiting.append((eventLoop, grant))
            return false
        }
        guard granted else { return }
        if eventLoop.inEventLoop { grant() } else { eventLoop.execute(grant) }
    }

    /// A call ended: its stream goes to the first waiting call, if any.
    func release() {
        let next = state.withLockedValue { state -> (eventLoop: any EventLoop, grant: @Sendable () -> Void)? in
            if state.waiting.isEmpty {
                state.open -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        if let next { next.eventLoop.execute(next.grant) }
    }
}
