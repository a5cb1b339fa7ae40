import CNGHTTP2
import Logging
import NIOCore
import NIOHTTP1

/// Asks a connection to finish gracefully: GOAWAY, let in-flight calls end, then close.
public struct GRPCGracefulShutdownEvent: Sendable {
    public init() {}
}

/// Owns one nghttp2 server session (an `HTTP2Session`) and runs gRPC calls on it.
///
/// nghttp2 callbacks only record what happened (`events`); handlers run after
/// `nghttp2_session_mem_recv` / `nghttp2_session_send` return, so user code never re-enters the
/// session from inside a callback. Output is gathered into one buffer and flushed once per read
/// burst or event-loop tick.
final class HTTP2ServerHandler: ChannelInboundHandler, RemovableChannelHandler, HTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Event {
        case headersComplete(ServerStream)
        case dataReceived(ServerStream)
        case inputEnded(ServerStream)
        case streamClosed(ServerStream)
        case ping
        /// The client handed back window on this stream.
        case windowUpdate(ServerStream)
        /// The client's SETTINGS may have changed every stream's initial window.
        case settings
    }

    /// grpc-go's maxPingStrikes.
    private static let maxPingStrikes = 2
    /// grpc-go's window for pings without active calls when they are not permitted.
    private static let pingWithoutCallsWindow = TimeAmount.hours(2)

    private let router: GRPCRouter
    private let configuration: GRPCServerConfiguration
    /// Answers the requests that are not gRPC (curl over TLS speaks HTTP/2 too), as etcd's
    /// server hands them to its HTTP mux.
    private let http1Handler: HTTP1Handler?
    private let logger: Logger
    private var http2: HTTP2Session?
    private var session: OpaquePointer? { http2?.session }
    private var context: ChannelHandlerContext?
    private var remoteAddress: SocketAddress?
    private var peerCertificateCommonName: String?

    private var streams: [Int32: ServerStream] = [:]
    private var events: [Event] = []
    private var pendingResets: [Int32] = []
    private var pendingWritable: [ServerStream] = []
    /// Streams that sent DATA in this round: their clients may have fallen behind.
    private var backlogChecks: [ServerStream] = []
    private var orphanBytes = 0
    /// Message bytes not yet added to the router's traffic counters.
    private var unreportedReceivedBytes = 0
    private var unreportedSentBytes = 0

    // grpc-go keepalive enforcement state.
    private var pingStrikes = 0
    private var lastPingAt: NIODeadline?
    private var resetPingStrikes = false

    // Server keepalive: pings after a silent interval, closes if the silence continues.
    private var lastReadAt = NIODeadline.uptimeNanoseconds(0)
    private var keepalivePingSentAt: NIODeadline?
    private var keepaliveTask: Scheduled<Void>?

    init(router: GRPCRouter, configuration: GRPCServerConfiguration, http1Handler: HTTP1Handler? = nil, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.http1Handler = http1Handler
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.remoteAddress = context.channel.remoteAddress
        self.peerCertificateCommonName = try? context.pipeline.syncOperations.handler(type: TLSHandler.self).peerCommonName
        do {
            http2 = try HTTP2Session(
                role: .server, context: context, delegate: self, logger: logger,
                settings: [
                    nghttp2_settings_entry(
                        settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                        value: configuration.maxConcurrentStreams),
                    nghttp2_settings_entry(
                        settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                        value: UInt32(configuration.initialStreamWindowSize)),
                    nghttp2_settings_entry(
                        settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                        value: UInt32(configuration.maxHeaderListBytes)),
                ],
                connectionWindowSize: configuration.connectionWindowSize,
                // Window updates are sent when the gRPC layer has taken the bytes, so a slow
                // consumer pushes back on the client instead of buffering without bound.
                manualWindowUpdates: true)
        } catch {
            logger.error("nghttp2 session setup failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        lastReadAt = context.eventLoop.now
        if let interval = configuration.keepalive.pingInterval {
            scheduleKeepalive(context, in: interval)
        }
        drive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
        // The session holds the context, which holds this handler: drop it to break the cycle.
        http2 = nil
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    private func stop() {
        keepaliveTask?.cancel()
        keepaliveTask = nil
        cancelAllStreams()
        reportTraffic()
        // Nothing may reach this handler through the session once it is gone.
        http2?.detach()
    }

    private func scheduleKeepalive(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        keepaliveTask = context.eventLoop.scheduleTask(in: delay) { handler.value.keepaliveTimerFired() }
    }

    private func keepaliveTimerFired() {
        guard let context, let http2, let interval = configuration.keepalive.pingInterval, !http2.closing else { return }
        let now = context.eventLoop.now
        if let sentAt = keepalivePingSentAt {
            keepalivePingSentAt = nil
            if lastReadAt < sentAt {
                logger.debug("closing connection: no keepalive ping acknowledgement")
                http2.closeConnection()
                return
            }
        }
        let silentFor = now - lastReadAt
        if silentFor >= interval {
            nghttp2_submit_ping(http2.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
            keepalivePingSentAt = now
            scheduleKeepalive(context, in: configuration.keepalive.pingTimeout)
            drive()
        } else {
            scheduleKeepalive(context, in: interval - silentFor)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let http2 else { return }
        lastReadAt = context.eventLoop.now
        http2.receive(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        http2?.receiveComplete()
        reportTraffic()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        http2?.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is GRPCGracefulShutdownEvent, let session {
            nghttp2_submit_goaway(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
                NGHTTP2_NO_ERROR.rawValue, nil, 0)
            http2?.drive()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Driving the session

    private func drive() {
        http2?.drive()
    }

    private func scheduleDrive() {
        http2?.scheduleDrive()
    }

    private var driveRequested: Bool {
        get { http2?.driveRequested ?? false }
        set { http2?.driveRequested = newValue }
    }

    private func reportTraffic() {
        guard unreportedReceivedBytes > 0 || unreportedSentBytes > 0 else { return }
        router.traffic.add(received: unreportedReceivedBytes, sent: unreportedSentBytes)
        unreportedReceivedBytes = 0
        unreportedSentBytes = 0
    }

    func runPostSendWork(_ session: OpaquePointer) {
        reportTraffic()
        if !pendingResets.isEmpty {
            for id in pendingResets {
                nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_NO_ERROR.rawValue)
            }
            pendingResets.removeAll(keepingCapacity: true)
            driveRequested = true
        }
        if !backlogChecks.isEmpty {
            for stream in backlogChecks {
                stream.backlogCheckQueued = false
                updateClientBacklog(stream)
            }
            backlogChecks.removeAll(keepingCapacity: true)
        }
        if !pendingWritable.isEmpty {
            let streams = pendingWritable
            pendingWritable.removeAll(keepingCapacity: true)
            for stream in streams where !stream.finished {
                stream.writer?.updateWritability(true)
                pumpInbound(stream)
            }
        }
        if orphanBytes > 0 {
            nghttp2_session_consume_connection(session, orphanBytes)
            orphanBytes = 0
            driveRequested = true
        }
    }

    // MARK: Events from callbacks

    func processEvents() {
        var index = 0
        while index < events.count {
            let event = events[index]
            index += 1
            switch event {
            case .headersComplete(let stream): startCall(stream)
            case .dataReceived(let stream): receiveData(stream)
            case .inputEnded(let stream): endInput(stream)
            case .streamClosed(let stream): streamClosed(stream)
            case .ping: enforceKeepalive()
            case .windowUpdate(let stream):
                stream.backlogUntrusted = false
                updateClientBacklog(stream)
            case .settings:
                for stream in streams.values { updateClientBacklog(stream) }
            }
        }
        events.removeAll(keepingCapacity: true)
    }

    private func startCall(_ stream: ServerStream) {
        guard case .receivingHeaders = stream.phase else { return }
        stream.phase = .rejected
        if let http1Handler, !Self.isGRPCContentType(stream.contentType ?? "") {
            stream.phase = .plainRequest(http1Handler)
            return
        }
        guard stream.method == "POST" else {
            stream.finished = true
            if let session {
                nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, NGHTTP2_PROTOCOL_ERROR.rawValue)
            }
            return
        }
        let contentType = stream.contentType ?? ""
        guard Self.isGRPCContentType(contentType) else {
            stream.finished = true
            submitTrailersOnly(stream, httpStatus: StaticHeaders.shared.status415, status: .invalidContentType(contentType))
            return
        }
        if let encoding = stream.encoding, encoding != "identity" {
            rejectCall(stream, .unsupportedEncoding(encoding))
            return
        }
        guard let eventLoop = context?.eventLoop else { return }
        var deadline: NIODeadline?
        if let timeout = stream.timeout {
            guard let amount = GRPCTimeout.parse(timeout) else {
                rejectCall(stream, .invalidTimeout(timeout))
                return
            }
            deadline = eventLoop.now + amount
        }
        let method: GRPCMethod
        let counters: GRPCMethodCounters
        switch router.lookup(stream.path) {
        case .found(let found, let foundCounters):
            method = found
            counters = foundCounters
        case .notFound(let status):
            rejectCall(stream, status)
            return
        }
        stream.maxReceiveMessageBytes = router.receiveLimit(stream.path, serverLimit: configuration.maxReceiveMessageBytes)
        let callContext = GRPCCallContext(
            path: stream.path, eventLoop: eventLoop, deadline: deadline, remoteAddress: remoteAddress,
            peerCertificateCommonName: peerCertificateCommonName, headers: stream.headers, cancellation: CallCancellation())
        if let admission = router.admission, let refusal = admission(callContext) {
            rejectCall(stream, refusal)
            return
        }
        stream.context = callContext
        if let deadline {
            let bound = NIOLoopBound(stream, eventLoop: eventLoop)
            stream.deadlineTask = eventLoop.scheduleTask(deadline: deadline) {
                let stream = bound.value
                stream.connection?.finish(stream, status: .deadlineExceeded, cancelled: true)
            }
        }
        switch method {
        case .unary, .serverStreaming:
            stream.phase = .awaitingRequest(method, counters)
        case .bidirectionalStreaming(let handler):
            stream.counters = counters
            counters.callStarted()
            stream.windowReturnDivisor = Self.windowReturnDivisor(userAgent: stream.headers.first { $0.name == "user-agent" }?.value)
            let writer = GRPCResponseWriter(stream: stream, eventLoop: eventLoop)
            stream.writer = writer
            stream.phase = .streaming(handler(callContext, writer))
        }
    }

    private func rejectCall(_ stream: ServerStream, _ status: GRPCStatus) {
        stream.phase = .rejected
        finish(stream, status: status, cancelled: false)
    }

    /// How much of a stream window the client reads, at most, before handing it back: grpc-go
    /// returns it once a quarter has been read; nghttp2, netty, okhttp, gRPC C-core and Rust's
    /// h2 once half has.
    static func windowReturnDivisor(userAgent: String?) -> Int {
        userAgent?.contains("grpc-go/") == true ? 4 : 2
    }

    private static func isGRPCContentType(_ contentType: String) -> Bool {
        guard contentType.hasPrefix("application/grpc") else { return false }
        let rest = contentType.utf8.dropFirst(16)
        return rest.isEmpty || rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: ";")
    }

    /// The connection window is returned as soon as bytes arrive, so one stalled call cannot
    /// block the others; the stream window only once the call has taken its messages.
    private func receiveData(_ stream: ServerStream) {
        if stream.unconsumedConnectionBytes > 0, let session {
            nghttp2_session_consume_connection(session, stream.unconsumedConnectionBytes)
            stream.unconsumedConnectionBytes = 0
            driveRequested = true
        }
        pumpInbound(stream)
    }

    /// Delivers buffered messages (and then the end of input) unless the call is paused because
    /// its client is not reading responses: like grpc-go, a call whose sends are blocked does not
    /// receive, and its stream window fills up, pushing back on the client.
    private func pumpInbound(_ stream: ServerStream) {
        if case .plainRequest(let handler) = stream.phase {
            collectPlainRequest(stream, handler)
            return
        }
        if stream.finished {
            stream.inbound = ByteBuffer()
        } else {
            deframe(stream)
        }
        let paused = !stream.finished && stream.reportedUnwritable
        if !paused, stream.unconsumedStreamBytes > 0, let session {
            nghttp2_session_consume_stream(session, stream.id, stream.unconsumedStreamBytes)
            stream.unconsumedStreamBytes = 0
            driveRequested = true
        }
        if stream.inputEnded, !stream.endDelivered, !paused, !stream.finished {
            stream.endDelivered = true
            if stream.inbound.readableBytes > 0 {
                failCall(stream, .truncatedMessage)
            } else {
                deliverEnd(stream)
            }
        }
    }

    /// Delivers every complete 5-byte-prefixed message buffered on the stream.
    private func deframe(_ stream: ServerStream) {
        while stream.inbound.readableBytes >= 5, !stream.finished, !stream.reportedUnwritable {
            let start = stream.inbound.readerIndex
            let flag = stream.inbound.getInteger(at: start, as: UInt8.self)!
            let length = Int(stream.inbound.getInteger(at: start + 1, as: UInt32.self)!)
            if flag != 0 {
                let status: GRPCStatus
                if flag == 1 {
                    status =
                        stream.encoding == nil || stream.encoding == "identity"
                        ? .compressedWithoutEncoding : .unsupportedEncoding(stream.encoding!)
                } else {
                    status = .unexpectedPayloadFormat(flag)
                }
                failCall(stream, status)
                return
            }
            if length > stream.maxReceiveMessageBytes {
                failCall(stream, .messageTooLarge(received: length, limit: stream.maxReceiveMessageBytes))
                return
            }
            guard stream.inbound.readableBytes >= 5 + length else { break }
            stream.inbound.moveReaderIndex(forwardBy: 5)
            let message = stream.inbound.readSlice(length: length)!
            deliver(message, to: stream)
        }
        if stream.inbound.readableBytes == 0 {
            // Delivered messages may still share this storage; start empty rather than reuse.
            stream.inbound = ByteBuffer()
        }
    }

    private func failCall(_ stream: ServerStream, _ status: GRPCStatus) {
        stream.inbound = ByteBuffer()
        let wasStreaming: Bool
        if case .streaming = stream.phase { wasStreaming = true } else { wasStreaming = false }
        finish(stream, status: status, cancelled: wasStreaming)
        stream.phase = .rejected
    }

    private func deliver(_ message: ByteBuffer, to stream: ServerStream) {
        unreportedReceivedBytes += message.readableBytes
        switch stream.phase {
        case .streaming(let observer):
            stream.counters?.messageReceived()
            observer.onMessage(message)
        case .awaitingRequest(let method, let counters):
            stream.phase = .requestDelivered
            guard let callContext = stream.context else { return }
            stream.counters = counters
            counters.callStarted()
            switch method {
            case .unary(let handler):
                let bound = NIOLoopBound(stream, eventLoop: callContext.eventLoop)
                handler(message, callContext).hop(to: callContext.eventLoop).whenComplete { result in
                    let stream = bound.value
                    switch result {
                    case .success(let response):
                        stream.connection?.sendUnaryResponse(response, on: stream)
                    case .failure(let error):
                        stream.connection?.finish(stream, status: GRPCStatus(from: error), cancelled: false)
                    }
                }
            case .serverStreaming(let handler):
                let writer = GRPCResponseWriter(stream: stream, eventLoop: callContext.eventLoop)
                stream.writer = writer
                handler(message, callContext, writer)
            case .bidirectionalStreaming:
                break
            }
        case .receivingHeaders, .requestDelivered, .rejected, .plainRequest:
            break
        }
    }

    private func endInput(_ stream: ServerStream) {
        stream.inputEnded = true
        pumpInbound(stream)
    }

    private func deliverEnd(_ stream: ServerStream) {
        switch stream.phase {
        case .awaitingRequest:
            rejectCall(stream, .missingRequestMessage)
        case .streaming(let observer):
            observer.onEnd()
        case .receivingHeaders, .requestDelivered, .rejected, .plainRequest:
            break
        }
    }

    private func streamClosed(_ stream: ServerStream) {
        streams.removeValue(forKey: stream.id)
        retire(stream)
    }

    /// The stream is gone: cancel the call if it had not finished, then drop the references
    /// (writer, observer, context) that tie the stream and the handler's objects in a cycle.
    private func retire(_ stream: ServerStream) {
        stream.deadlineTask?.cancel()
        stream.deadlineTask = nil
        stream.backlogTimeout?.cancel()
        stream.backlogTimeout = nil
        stream.pendingOutput = ByteBuffer()
        stream.inbound = ByteBuffer()
        if stream.finished {
            stream.context?.cancellation.complete()
        } else {
            stream.finished = true
            stream.counters?.callHandled(.cancelled)
            cancelCall(stream)
        }
        stream.writer?.updateWritability(false)
        stream.writer = nil
        stream.phase = .rejected
        stream.context = nil
        stream.plainCancellation?.cancel()
        stream.plainCancellation = nil
    }

    private func cancelCall(_ stream: ServerStream) {
        stream.context?.cancellation.cancel()
        if case .streaming(let observer) = stream.phase {
            stream.phase = .rejected
            observer.onCancel()
        }
    }

    private func cancelAllStreams() {
        let open = streams.values
        streams.removeAll()
        for stream in open {
            retire(stream)
        }
    }

    private func enforceKeepalive() {
        let now = context?.eventLoop.now ?? .now()
        if resetPingStrikes {
            resetPingStrikes = false
            pingStrikes = 0
            lastPingAt = now
            return
        }
        defer { lastPingAt = now }
        if let lastPingAt {
            let window =
                streams.isEmpty && !configuration.keepalive.permitWithoutCalls
                ? Self.pingWithoutCallsWindow : configuration.keepalive.minTime
            if lastPingAt + window > now { pingStrikes += 1 }
        }
        if pingStrikes > Self.maxPingStrikes, let http2, !http2.closeAfterSend {
            let session = http2.session!
            let reason = Array("too_many_pings".utf8)
            nghttp2_submit_goaway(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
                NGHTTP2_ENHANCE_YOUR_CALM.rawValue, reason, reason.count)
            http2.closeAfterSend = true
        }
    }

    // MARK: Client backlog

    /// Judges from the stream window whether the client's application has fallen behind
    /// reading `stream`: of the bytes sent and not handed back, all but what the client may
    /// read before it hands window back (a fraction of its initial window) are certainly unread.
    private func updateClientBacklog(_ stream: ServerStream) {
        guard let session, let writer = stream.writer, !stream.finished else { return }
        var behind = false
        if !stream.backlogUntrusted {
            let initial = Int(nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE))
            let window = Int(nghttp2_session_get_stream_remote_window_size(session, stream.id))
            let unread = initial - window - initial / stream.windowReturnDivisor
            behind = unread > configuration.clientBacklogThreshold
        }
        guard behind != stream.clientBehind else { return }
        stream.clientBehind = behind
        stream.backlogTimeout?.cancel()
        stream.backlogTimeout = nil
        if behind, let eventLoop = context?.eventLoop {
            let bound = NIOLoopBound(stream, eventLoop: eventLoop)
            stream.backlogTimeout = eventLoop.scheduleTask(in: configuration.clientBacklogTrust) {
                bound.value.connection?.distrustClientBacklog(bound.value)
            }
        }
        writer.updateClientBehind(behind)
    }

    /// The client hands back no window although it should have: it follows another policy
    /// than the one assumed, so its window says nothing until it next hands some back.
    func distrustClientBacklog(_ stream: ServerStream) {
        stream.backlogTimeout = nil
        stream.backlogUntrusted = true
        updateClientBacklog(stream)
    }

    // MARK: Responses

    func sendMessage(_ message: ByteBuffer, on stream: ServerStream) {
        guard !stream.finished, let session else { return }
        stream.counters?.messageSent()
        unreportedSentBytes += message.readableBytes
        stream.pendingOutput.writeInteger(UInt8(0))
        stream.pendingOutput.writeInteger(UInt32(message.readableBytes))
        stream.pendingOutput.writeImmutableBuffer(message)
        if !stream.headersSent {
            submitResponseHeaders(stream, session)
        } else if stream.dataDeferred {
            stream.dataDeferred = false
            nghttp2_session_resume_data(session, stream.id)
        }
        if !stream.reportedUnwritable, stream.pendingOutput.readableBytes >= configuration.streamWriteHighWaterMark {
            stream.reportedUnwritable = true
            stream.writer?.updateWritability(false)
        }
        scheduleDrive()
    }

    func sendUnaryResponse(_ message: ByteBuffer, on stream: ServerStream) {
        guard !stream.finished, let session else { return }
        stream.counters?.callHandled(.ok)
        unreportedSentBytes += message.readableBytes
        stream.pendingOutput.writeInteger(UInt8(0))
        stream.pendingOutput.writeInteger(UInt32(message.readableBytes))
        stream.pendingOutput.writeImmutableBuffer(message)
        stream.trailers = .ok
        stream.finished = true
        stream.deadlineTask?.cancel()
        stream.context?.cancellation.complete()
        submitResponseHeaders(stream, session)
        scheduleDrive()
    }

    func finish(_ stream: ServerStream, status: GRPCStatus, cancelled: Bool) {
        guard !stream.finished, let session else { return }
        stream.finished = true
        stream.counters?.callHandled(status.code)
        stream.deadlineTask?.cancel()
        stream.deadlineTask = nil
        if stream.headersSent {
            stream.trailers = status
            if stream.dataDeferred {
                stream.dataDeferred = false
                nghttp2_session_resume_data(session, stream.id)
            }
        } else {
            submitTrailersOnly(stream, httpStatus: StaticHeaders.shared.status200, status: status)
        }
        if cancelled {
            cancelCall(stream)
        } else {
            stream.context?.cancellation.complete()
        }
        scheduleDrive()
    }

    private func submitResponseHeaders(_ stream: ServerStream, _ session: OpaquePointer) {
        stream.headersSent = true
        let headers = StaticHeaders.shared
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: Unmanaged.passUnretained(stream).toOpaque()),
            read_callback: HTTP2Session.readDataCallback)
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: 2) { fields in
            fields[0] = headers.status200
            fields[1] = headers.contentTypeGRPC
            let result = nghttp2_submit_response(session, stream.id, fields.baseAddress, 2, &provider)
            if result != 0 { http2?.logSubmitFailure("response", result) }
        }
    }

    private func submitTrailersOnly(_ stream: ServerStream, httpStatus: nghttp2_nv, status: GRPCStatus) {
        guard let session else { return }
        stream.headersSent = true
        StaticHeaders.withStatusFields(status) { statusField, messageField in
            withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: 4) { fields in
                fields[0] = httpStatus
                fields[1] = StaticHeaders.shared.contentTypeGRPC
                fields[2] = statusField
                var count = 3
                if let messageField {
                    fields[3] = messageField
                    count = 4
                }
                let result = nghttp2_submit_response(session, stream.id, fields.baseAddress, count, nil)
                if result != 0 { http2?.logSubmitFailure("trailers-only response", result) }
            }
        }
    }

    fileprivate func submitTrailers(_ stream: ServerStream, _ status: GRPCStatus) {
        guard let session else { return }
        StaticHeaders.withStatusFields(status) { statusField, messageField in
            withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: 2) { fields in
                fields[0] = statusField
                var count = 1
                if let messageField {
                    fields[1] = messageField
                    count = 2
                }
                let result = nghttp2_submit_trailer(session, stream.id, fields.baseAddress, count)
                if result != 0 { http2?.logSubmitFailure("trailers", result) }
            }
        }
    }

    // MARK: Plain HTTP over HTTP/2

    /// Takes a plain request's body as it comes (returning the window at once) and hands the
    /// whole request to the HTTP handler when it ends.
    private func collectPlainRequest(_ stream: ServerStream, _ handler: @escaping HTTP1Handler) {
        if stream.unconsumedStreamBytes > 0, let session {
            nghttp2_session_consume_stream(session, stream.id, stream.unconsumedStreamBytes)
            stream.unconsumedStreamBytes = 0
            driveRequested = true
        }
        guard !stream.finished else { return }
        if stream.inbound.readableBytes > configuration.maxHTTP1RequestBodyBytes {
            stream.phase = .rejected
            respondPlain(stream, HTTP1Response(status: .payloadTooLarge))
            return
        }
        guard stream.inputEnded, !stream.endDelivered, let eventLoop = context?.eventLoop else { return }
        stream.endDelivered = true
        var headers = HTTPHeaders(stream.headers)
        if let contentType = stream.contentType { headers.add(name: "content-type", value: contentType) }
        let cancellation = CallCancellation()
        stream.plainCancellation = cancellation
        let request = HTTP1Request(
            head: HTTPRequestHead(
                version: HTTPVersion(major: 2, minor: 0), method: HTTPMethod(rawValue: stream.method), uri: stream.path,
                headers: headers),
            body: stream.inbound, remoteAddress: remoteAddress, cancellation: cancellation)
        stream.inbound = ByteBuffer()
        let bound = NIOLoopBound(stream, eventLoop: eventLoop)
        handler(request, eventLoop).hop(to: eventLoop).whenComplete { result in
            let stream = bound.value
            switch result {
            case .success(let response): stream.connection?.respondPlain(stream, response)
            case .failure: stream.connection?.respondPlain(stream, HTTP1Response(status: .internalServerError))
            }
        }
    }

    /// Sends a plain response: its headers (without HTTP/1.1's connection headers), then its
    /// body, whole or as its stream writes it.
    func respondPlain(_ stream: ServerStream, _ response: HTTP1Response) {
        guard !stream.finished, !stream.headersSent, let session, let eventLoop = context?.eventLoop else { return }
        stream.headersSent = true
        var fields: [(String, String)] = [(":status", String(response.status.code))]
        for (name, value) in response.headers {
            let lowercased = name.lowercased()
            if Self.connectionHeaders.contains(lowercased) { continue }
            fields.append((lowercased, value))
        }
        let cancellation = stream.plainCancellation ?? CallCancellation()
        if response.bodyStream == nil {
            fields.append(("content-length", String(response.body.readableBytes)))
            stream.pendingOutput = response.body
            stream.plainBodyComplete = true
            stream.finished = true
            cancellation.complete()
        }
        var provider = nghttp2_data_provider(
            source: nghttp2_data_source(ptr: Unmanaged.passUnretained(stream).toOpaque()),
            read_callback: HTTP2Session.readDataCallback)
        Self.withFields(fields) { fields in
            let result = nghttp2_submit_response(session, stream.id, fields.baseAddress, fields.count, &provider)
            if result != 0 { http2?.logSubmitFailure("plain response", result) }
        }
        scheduleDrive()
        if let bodyStream = response.bodyStream {
            let sink = HTTP2StreamBodySink(stream: NIOLoopBound(stream, eventLoop: eventLoop), eventLoop: eventLoop)
            bodyStream(HTTP1BodyWriter(sink: sink, cancellation: cancellation))
        }
    }

    /// A chunk of a streamed plain body.
    func writePlainChunk(_ chunk: ByteBuffer, on stream: ServerStream) {
        guard !stream.finished, let session else { return }
        stream.pendingOutput.writeImmutableBuffer(chunk)
        resumeData(stream, session)
    }

    /// The end of a streamed plain body.
    func endPlainBody(_ stream: ServerStream, trailers: HTTPHeaders?) {
        guard !stream.finished, let session else { return }
        stream.finished = true
        stream.plainBodyComplete = true
        stream.plainTrailers = trailers
        resumeData(stream, session)
    }

    private func resumeData(_ stream: ServerStream, _ session: OpaquePointer) {
        if stream.dataDeferred {
            stream.dataDeferred = false
            nghttp2_session_resume_data(session, stream.id)
        }
        scheduleDrive()
    }

    private func submitPlainTrailers(_ stream: ServerStream, _ trailers: HTTPHeaders) {
        guard let session else { return }
        Self.withFields(trailers.map { ($0.name.lowercased(), $0.value) }) { fields in
            let result = nghttp2_submit_trailer(session, stream.id, fields.baseAddress, fields.count)
            if result != 0 { http2?.logSubmitFailure("plain trailers", result) }
        }
    }

    /// HTTP/1.1's hop-by-hop headers, which HTTP/2 forbids.
    private static let connectionHeaders: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    /// Calls `body` with header fields pointing into one buffer; valid only inside `body`
    /// (nghttp2 copies them).
    private static func withFields<Result>(
        _ headers: [(String, String)], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Result
    ) -> Result {
        var storage: [UInt8] = []
        var ranges: [(name: Range<Int>, value: Range<Int>)] = []
        for (name, value) in headers {
            let nameStart = storage.count
            storage.append(contentsOf: name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: value.utf8)
            ranges.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        return storage.withUnsafeMutableBufferPointer { bytes in
            withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(1, ranges.count)) { fields in
                for (index, range) in ranges.enumerated() {
                    fields[index] = nghttp2_nv(
                        name: bytes.baseAddress! + range.name.lowerBound, value: bytes.baseAddress! + range.value.lowerBound,
                        namelen: range.name.count, valuelen: range.value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
                }
                return body(UnsafeMutableBufferPointer(rebasing: fields[0..<ranges.count]))
            }
        }
    }

    // MARK: Callback bodies (run inside nghttp2; they only record and copy)

    func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>) {
        guard frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
            frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
        else { return }
        let id = frame.pointee.hd.stream_id
        streams[id] = ServerStream(id: id, connection: self)
    }

    func header(_ frame: UnsafePointer<nghttp2_frame>, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        guard frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST,
            let stream = streams[frame.pointee.hd.stream_id]
        else { return true }
        // HPACK lets a few wire bytes name a table entry of up to 4 KiB, so a header block of
        // 144 KiB could decode to half a GiB: count what is decoded (RFC 7541's entry size).
        stream.headerListBytes += name.count + value.count + 32
        guard stream.headerListBytes <= configuration.maxHeaderListBytes else {
            stream.phase = .rejected
            stream.finished = true
            stream.headers = []
            return false
        }
        let valueText = String(decoding: value, as: UTF8.self)
        switch HeaderName(name) {
        case .path: stream.path = valueText
        case .method: stream.method = valueText
        case .contentType: stream.contentType = valueText
        case .timeout: stream.timeout = valueText
        case .encoding: stream.encoding = valueText
        case .otherPseudo: break
        case .other: stream.headers.append((String(decoding: name, as: UTF8.self), valueText))
        }
        return true
    }

    func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let id = frame.pointee.hd.stream_id
        let endStream = frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(frame.pointee.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            guard let stream = streams[id] else { return }
            if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                events.append(.headersComplete(stream))
            }
            if endStream { events.append(.inputEnded(stream)) }
        case NGHTTP2_DATA.rawValue:
            guard let stream = streams[id] else { return }
            events.append(.dataReceived(stream))
            if endStream { events.append(.inputEnded(stream)) }
        case NGHTTP2_PING.rawValue:
            if frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 {
                events.append(.ping)
            }
        case NGHTTP2_WINDOW_UPDATE.rawValue:
            if let stream = streams[id] { events.append(.windowUpdate(stream)) }
        case NGHTTP2_SETTINGS.rawValue:
            if frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 { events.append(.settings) }
        default:
            break
        }
    }

    func dataChunk(streamID: Int32, _ data: UnsafeRawBufferPointer) {
        guard let stream = streams[streamID] else {
            orphanBytes += data.count
            return
        }
        stream.unconsumedConnectionBytes += data.count
        stream.unconsumedStreamBytes += data.count
        guard !stream.finished else { return }
        // nghttp2 hands out DATA payloads in place, inside the buffer given to mem_recv: a
        // message that starts a fresh inbound buffer is taken as a slice of the read, no copy.
        if stream.inbound.readableBytes == 0, let slice = http2?.sliceOfCurrentRead(data) {
            stream.inbound = slice
        } else {
            stream.inbound.writeBytes(data)
        }
    }

    func streamClose(streamID: Int32, errorCode: UInt32) {
        if let stream = streams[streamID] {
            events.append(.streamClosed(stream))
        }
    }

    func frameSent(_ frame: UnsafePointer<nghttp2_frame>) {
        let type = UInt32(frame.pointee.hd.type)
        guard type == NGHTTP2_HEADERS.rawValue || type == NGHTTP2_DATA.rawValue else { return }
        resetPingStrikes = true
        // Like grpc-go: once our side of a call has ended, reset a request stream the client is
        // still sending on, so it stops.
        if frame.pointee.hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
            let stream = streams[frame.pointee.hd.stream_id], !stream.inputEnded
        {
            pendingResets.append(stream.id)
        }
    }

    func readData(source: UnsafeMutableRawPointer, maxLength: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        let stream = Unmanaged<ServerStream>.fromOpaque(source).takeUnretainedValue()
        let available = stream.pendingOutput.readableBytes
        let length = min(maxLength, available)
        if length > 0 {
            flags.pointee |= NGHTTP2_DATA_FLAG_NO_COPY.rawValue
        }
        if length == available {
            if let trailers = stream.trailers {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                stream.trailers = nil
                submitTrailers(stream, trailers)
            } else if stream.plainBodyComplete {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                stream.plainBodyComplete = false
                if let trailers = stream.plainTrailers {
                    flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                    stream.plainTrailers = nil
                    submitPlainTrailers(stream, trailers)
                }
            } else if length == 0 {
                stream.dataDeferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        return length
    }

    func sendData(source: UnsafeMutableRawPointer, frameHeader: UnsafePointer<UInt8>, length: Int) -> Int32 {
        let stream = Unmanaged<ServerStream>.fromOpaque(source).takeUnretainedValue()
        guard let http2 else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
        let result = http2.writeDataFrame(
            frameHeader: frameHeader, length: length, from: &stream.pendingOutput, nothingFollows: stream.finished)
        guard result == 0 else { return result }
        if stream.reportedUnwritable, stream.pendingOutput.readableBytes < configuration.streamWriteLowWaterMark {
            stream.reportedUnwritable = false
            pendingWritable.append(stream)
        }
        if !stream.clientBehind, !stream.backlogCheckQueued, stream.writer != nil {
            stream.backlogCheckQueued = true
            backlogChecks.append(stream)
        }
        return 0
    }
}

/// The request headers the gRPC layer reads itself; everything else is call metadata.
private enum HeaderName {
    case path, method, contentType, timeout, encoding, otherPseudo, other

    init(_ name: UnsafeRawBufferPointer) {
        func matches(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == name.count
                && name.elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }
        if name.first == UInt8(ascii: ":") {
            if matches(":path") { self = .path } else if matches(":method") { self = .method } else { self = .otherPseudo }
        } else if matches("content-type") {
            self = .contentType
        } else if matches("grpc-timeout") {
            self = .timeout
        } else if matches("grpc-encoding") {
            self = .encoding
        } else {
            self = .other
        }
    }
}

/// A streamed plain body on an HTTP/2 stream.
private struct HTTP2StreamBodySink: HTTP1BodySink {
    let stream: NIOLoopBound<ServerStream>
    let eventLoop: any EventLoop

    func write(_ chunk: ByteBuffer) {
        onLoop { $0.connection?.writePlainChunk(chunk, on: $0) }
    }

    func end(trailers: HTTPHeaders?) {
        onLoop { $0.connection?.endPlainBody($0, trailers: trailers) }
    }

    private func onLoop(_ body: @escaping @Sendable (ServerStream) -> Void) {
        if eventLoop.inEventLoop {
            body(stream.value)
        } else {
            let stream = stream
            eventLoop.execute { body(stream.value) }
        }
    }
}
