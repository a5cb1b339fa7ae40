import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A plain HTTP/1.1 request (for /health, /version, /metrics and the JSON gateway).
public struct HTTP1Request: Sendable {
    public var head: HTTPRequestHead
    public var body: ByteBuffer
    public var remoteAddress: SocketAddress?
    let cancellation: CallCancellation

    /// Runs `callback` once if the client goes away before its response is complete, so work
    /// on its behalf can stop; dropped once the response is complete.
    public func onCancel(_ callback: @escaping @Sendable () -> Void) {
        cancellation.register(callback)
    }
}

public struct HTTP1Response: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// A body written over time instead of `body`, in chunks: called once the head is sent.
    public var bodyStream: (@Sendable (HTTP1BodyWriter) -> Void)?

    public init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(status: HTTPResponseStatus, headers: HTTPHeaders, bodyStream: @escaping @Sendable (HTTP1BodyWriter) -> Void) {
        self.init(status: status, headers: headers)
        self.bodyStream = bodyStream
    }
}

/// Writes a streamed response body. Usable from any thread; writes after `finish` are dropped.
public final class HTTP1BodyWriter: Sendable {
    private let sink: any HTTP1BodySink
    private let finished = NIOLockedValueBox(false)
    /// The request's: finishing the body completes it.
    private let cancellation: CallCancellation

    init(sink: any HTTP1BodySink, cancellation: CallCancellation) {
        self.sink = sink
        self.cancellation = cancellation
    }

    public func write(_ chunk: ByteBuffer) {
        guard !finished.withLockedValue({ $0 }) else { return }
        sink.write(chunk)
    }

    /// Ends the body, with `trailers` after the last chunk.
    public func finish(trailers: HTTPHeaders? = nil) {
        let wasFinished = finished.withLockedValue { finished in
            defer { finished = true }
            return finished
        }
        guard !wasFinished else { return }
        sink.end(trailers: trailers)
        cancellation.complete()
    }
}

/// Where a streamed body goes: an HTTP/1.1 connection, or an HTTP/2 stream.
protocol HTTP1BodySink: Sendable {
    func write(_ chunk: ByteBuffer)
    func end(trailers: HTTPHeaders?)
}

private struct HTTP1ChannelBodySink: HTTP1BodySink {
    let channel: any Channel
    let keepAlive: Bool
    /// Runs on the channel's event loop once the last chunk is written.
    let onEnd: @Sendable () -> Void

    func write(_ chunk: ByteBuffer) {
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(chunk)), promise: nil)
    }

    func end(trailers: HTTPHeaders?) {
        let channel = channel
        let keepAlive = keepAlive
        let onEnd = onEnd
        channel.writeAndFlush(HTTPServerResponsePart.end(trailers)).whenComplete { _ in
            onEnd()
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}

/// Answers HTTP/1.1 requests on the gRPC port. The future may complete on any event loop.
public typealias HTTP1Handler = @Sendable (HTTP1Request, any EventLoop) -> EventLoopFuture<HTTP1Response>

/// Collects one request at a time and writes the handler's response: with a content-length,
/// or chunked when it streams its body. (NIO's pipelining assistance holds a pipelined request
/// back until the response before it has ended.)
final class HTTP1RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let handler: HTTP1Handler?
    private var head: HTTPRequestHead?
    /// The request being answered, cancelled if the connection closes first.
    private var inFlight: CallCancellation?
    private var body = ByteBuffer()
    private let maxBodyBytes: Int
    private let idleTimeout: TimeAmount
    /// Closes the connection while no request is being answered and no whole request came in.
    private var idleTimer: Scheduled<Void>?

    init(handler: HTTP1Handler?, maxBodyBytes: Int, idleTimeout: TimeAmount) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        startIdleTimer(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleTimer?.cancel()
        idleTimer = nil
    }

    private func startIdleTimer(_ context: ChannelHandlerContext) {
        idleTimer?.cancel()
        let channel = context.channel
        guard channel.isActive else { return }
        idleTimer = context.eventLoop.scheduleTask(in: idleTimeout) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            // curl asks before sending a large body; Go's server agrees at once.
            if head.version == .http1_1, head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: .http1_1, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var chunk):
            guard head != nil else { return }
            if body.readableBytes + chunk.readableBytes > maxBodyBytes {
                head = nil
                respond(context, keepAlive: false, HTTP1Response(status: .payloadTooLarge))
                return
            }
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            idleTimer?.cancel()
            idleTimer = nil
            let keepAlive = head.isKeepAlive
            guard let handler else {
                respond(context, keepAlive: keepAlive, HTTP1Response(status: .notFound))
                return
            }
            let cancellation = CallCancellation()
            inFlight = cancellation
            let request = HTTP1Request(
                head: head, body: body, remoteAddress: context.channel.remoteAddress, cancellation: cancellation)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            handler(request, context.eventLoop).hop(to: context.eventLoop).whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let response):
                    handler.respond(context, keepAlive: keepAlive, response)
                case .failure:
                    handler.respond(context, keepAlive: keepAlive, HTTP1Response(status: .internalServerError))
                }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inFlight?.cancel()
        inFlight = nil
        context.fireChannelInactive()
    }

    private func respond(_ context: ChannelHandlerContext, keepAlive: Bool, _ response: HTTP1Response) {
        let cancellation = inFlight ?? CallCancellation()
        var headers = response.headers
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        if let bodyStream = response.bodyStream {
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
            let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let sink = HTTP1ChannelBodySink(channel: context.channel, keepAlive: keepAlive) {
                let (handler, context) = bound.value
                handler.startIdleTimer(context)
            }
            bodyStream(HTTP1BodyWriter(sink: sink, cancellation: cancellation))
            return
        }
        cancellation.complete()
        inFlight = nil
        headers.replaceOrAdd(name: "content-length", value: String(response.body.readableBytes))
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
        if keepAlive { startIdleTimer(context) }
    }
}
