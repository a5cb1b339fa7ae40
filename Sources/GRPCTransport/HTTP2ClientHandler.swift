import CNGHTTP2
import Logging
import NIOCore

public struct HTTP2ClientConfiguration: Sendable {
    /// SETTINGS_INITIAL_WINDOW_SIZE: response bytes the server may send on one stream ahead of us.
    public var initialStreamWindowSize: Int32
    /// Connection-level receive window.
    public var connectionWindowSize: Int32
    /// A stream reports not writable (`HTTP2ClientStream.isWritable`) above this many request
    /// bytes not yet handed to the socket, and writable again (`onWritable`) below the low mark.
    public var streamWriteHighWaterMark: Int
    public var streamWriteLowWaterMark: Int

    public init(
        initialStreamWindowSize: Int32 = 1 << 20, connectionWindowSize: Int32 = 16 << 20,
        streamWriteHighWaterMark: Int = 1 << 20, streamWriteLowWaterMark: Int = 256 << 10
    ) {
        self.initialStreamWindowSize = initialStreamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.streamWriteHighWaterMark = streamWriteHighWaterMark
        self.streamWriteLowWaterMark = streamWriteLowWaterMark
    }
}

/// How a client stream ended.
public enum HTTP2StreamEnd: Sendable, Equatable {
    /// The stream closed; `errorCode` is the HTTP/2 error code (0: both sides ended normally).
    case closed(errorCode: UInt32)
    /// The connection went away with the stream still open.
    case connectionLost
}

/// What a client stream's response does, called on the connection's event loop. A response
/// with no body (gRPC's trailers-only) has only `onHeaders`. `onEnd` comes last, exactly once.
public struct HTTP2ClientStreamObserver {
    public var onHeaders: ([(name: String, value: String)]) -> Void
    public var onData: (ByteBuffer) -> Void
    public var onTrailers: ([(name: String, value: String)]) -> Void
    public var onEnd: (HTTP2StreamEnd) -> Void
    /// The request bytes buffered fell below the low water mark after `isWritable` turned false.
    public var onWritable: () -> Void

    public init(
        onHeaders: @escaping ([(name: String, value: String)]) -> Void = { _ in },
        onData: @escaping (ByteBuffer) -> Void = { _ in },
        onTrailers: @escaping ([(name: String, value: String)]) -> Void = { _ in },
        onEnd: @escaping (HTTP2StreamEnd) -> Void = { _ in },
        onWritable: @escaping () -> Void = {}
    ) {
        self.onHeaders = onHeaders
        self.onData = onData
        self.onTrailers = onTrailers
        self.onEnd = onEnd
        self.onWritable = onWritable
    }
}

/// One request stream opened by `HTTP2ClientHandler.openStream`. Its request body is written
/// with `write` for as long as the stream lives; nghttp2 sends it as the server's flow-control
/// windows allow. Use on the connection's event loop only.
public final class HTTP2ClientStream {
    /// The HTTP/2 stream ID, assigned when the request is submitted.
    public internal(set) var id: Int32 = 0
    weak var connection: HTTP2ClientHandler?
    var observer: HTTP2ClientStreamObserver?
    /// Request bytes not yet handed to nghttp2.
    var pendingOutput = ByteBuffer()
    var requestEnded = false
    var dataDeferred = false
    var reportedUnwritable = false
    var closed = false
    // Response state gathered by the callbacks until the events are processed.
    var responseHeaders: [(name: String, value: String)] = []
    var trailers: [(name: String, value: String)] = []
    var receivedData = ByteBuffer()

    init(connection: HTTP2ClientHandler, observer: HTTP2ClientStreamObserver) {
        self.connection = connection
        self.observer = observer
    }

    /// Request bytes buffered and not yet sent (they wait for window or a writable socket).
    public var bufferedBytes: Int { pendingOutput.readableBytes }

    /// False while more than the high water mark of request bytes wait to be sent.
    public var isWritable: Bool { !reportedUnwritable }

    /// Appends `bytes` to the request body. Dropped once the request has ended or the stream closed.
    public func write(_ bytes: ByteBuffer) {
        connection?.write(bytes, on: self)
    }

    /// Ends the request body (END_STREAM after what is buffered).
    public func end() {
        connection?.endRequest(on: self)
    }

    /// Resets the stream (RST_STREAM CANCEL).
    public func cancel() {
        connection?.cancel(self)
    }
}

/// An HTTP/2 client connection over nghttp2 (h2c with prior knowledge), sharing the session core
/// (`HTTP2Session`) with the server. Streams carry arbitrary request and response bodies; nothing
/// here knows gRPC framing. Response windows are handed back as soon as the bytes reach the
/// observer, which takes them synchronously.
///
/// Add it to a client channel's pipeline; once the channel is active, call `openStream` on the
/// event loop.
public final class HTTP2ClientHandler: ChannelInboundHandler, RemovableChannelHandler, HTTP2SessionDelegate {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum Event {
        case headers(HTTP2ClientStream)
        case data(HTTP2ClientStream)
        case trailers(HTTP2ClientStream)
        case closed(HTTP2ClientStream, errorCode: UInt32)
    }

    private let configuration: HTTP2ClientConfiguration
    private let logger: Logger
    private var http2: HTTP2Session?
    private var streams: [Int32: HTTP2ClientStream] = [:]
    private var events: [Event] = []
    private var pendingWritable: [HTTP2ClientStream] = []

    public init(configuration: HTTP2ClientConfiguration = HTTP2ClientConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        do {
            http2 = try HTTP2Session(
                role: .client, context: context, delegate: self, logger: logger,
                settings: [
                    nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
                    nghttp2_settings_entry(
                        settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                        value: UInt32(configuration.initialStreamWindowSize)),
                ],
                connectionWindowSize: configuration.connectionWindowSize, manualWindowUpdates: false)
        } catch {
            logger.error("nghttp2 session setup failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        // The preface and SETTINGS go out once there is a connection to write them to.
        if context.channel.isActive { http2?.drive() }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        endAllStreams()
        // The session holds the context, which holds this handler: drop it to break the cycle.
        http2 = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        http2?.drive()
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        endAllStreams()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        http2?.receive(unwrapInboundIn(data))
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        http2?.receiveComplete()
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        http2?.writabilityChanged()
        context.fireChannelWritabilityChanged()
    }

    /// The connection went away: every open stream ends, and the session calls nothing more.
    private func endAllStreams() {
        http2?.detach()
        let open = streams.values
        streams.removeAll()
        for stream in open {
            finishStream(stream, .connectionLost)
        }
    }

    // MARK: Streams

    /// Opens a request stream with `headers` (the pseudo-headers `:method`, `:scheme`, `:path`,
    /// `:authority` first). The request body follows with `HTTP2ClientStream.write`. Returns nil
    /// when the connection is closing or nghttp2 refuses the request (out of stream IDs).
    public func openStream(headers: [(name: String, value: String)], observer: HTTP2ClientStreamObserver)
        -> HTTP2ClientStream?
    {
        guard let http2, !http2.closing else { return nil }
        // nghttp2 copies names and values during the submit; the pointers need only outlive it.
        let names = headers.map { Array($0.name.utf8) }
        let values = headers.map { Array($0.value.utf8) }
        // The stream object is the data provider's source; the `streams` table keeps it alive.
        let stream = HTTP2ClientStream(connection: self, observer: observer)
        let streamID = withFields(names: names, values: values) { fields in
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: Unmanaged.passUnretained(stream).toOpaque()),
                read_callback: HTTP2Session.readDataCallback)
            return nghttp2_submit_request(http2.session, nil, fields.baseAddress, fields.count, &provider, nil)
        }
        guard streamID > 0 else {
            http2.logSubmitFailure("request", streamID)
            return nil
        }
        stream.id = streamID
        streams[streamID] = stream
        http2.scheduleDrive()
        return stream
    }

    private func withFields<Result>(
        names: [[UInt8]], values: [[UInt8]], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: names.count) { fields in
            func fill(_ index: Int) -> Result {
                if index == names.count { return body(fields) }
                return names[index].withUnsafeBufferPointer { name in
                    values[index].withUnsafeBufferPointer { value in
                        fields[index] = nghttp2_nv(
                            name: UnsafeMutablePointer(mutating: name.baseAddress),
                            value: UnsafeMutablePointer(mutating: value.baseAddress),
                            namelen: name.count, valuelen: value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
                        return fill(index + 1)
                    }
                }
            }
            return fill(0)
        }
    }

    fileprivate func write(_ bytes: ByteBuffer, on stream: HTTP2ClientStream) {
        guard !stream.closed, !stream.requestEnded, let http2 else { return }
        stream.pendingOutput.writeImmutableBuffer(bytes)
        resumeIfDeferred(stream, http2)
        if !stream.reportedUnwritable, stream.pendingOutput.readableBytes >= configuration.streamWriteHighWaterMark {
            stream.reportedUnwritable = true
        }
        http2.scheduleDrive()
    }

    fileprivate func endRequest(on stream: HTTP2ClientStream) {
        guard !stream.closed, !stream.requestEnded, let http2 else { return }
        stream.requestEnded = true
        resumeIfDeferred(stream, http2)
        http2.scheduleDrive()
    }

    fileprivate func cancel(_ stream: HTTP2ClientStream) {
        guard !stream.closed, let http2 else { return }
        nghttp2_submit_rst_stream(http2.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id, NGHTTP2_CANCEL.rawValue)
        http2.scheduleDrive()
    }

    private func resumeIfDeferred(_ stream: HTTP2ClientStream, _ http2: HTTP2Session) {
        if stream.dataDeferred {
            stream.dataDeferred = false
            nghttp2_session_resume_data(http2.session, stream.id)
        }
    }

    private func finishStream(_ stream: HTTP2ClientStream, _ end: HTTP2StreamEnd) {
        guard !stream.closed else { return }
        stream.closed = true
        stream.pendingOutput = ByteBuffer()
        let observer = stream.observer
        stream.observer = nil
        observer?.onEnd(end)
    }

    // MARK: Session delegate (after callbacks)

    func processEvents() {
        var index = 0
        while index < events.count {
            let event = events[index]
            index += 1
            switch event {
            case .headers(let stream):
                let headers = stream.responseHeaders
                stream.responseHeaders = []
                if !stream.closed { stream.observer?.onHeaders(headers) }
            case .data(let stream):
                let data = stream.receivedData
                stream.receivedData = ByteBuffer()
                if !stream.closed, data.readableBytes > 0 { stream.observer?.onData(data) }
            case .trailers(let stream):
                let trailers = stream.trailers
                stream.trailers = []
                if !stream.closed { stream.observer?.onTrailers(trailers) }
            case .closed(let stream, let errorCode):
                streams.removeValue(forKey: stream.id)
                finishStream(stream, .closed(errorCode: errorCode))
            }
        }
        events.removeAll(keepingCapacity: true)
    }

    func runPostSendWork(_ session: OpaquePointer) {
        guard !pendingWritable.isEmpty else { return }
        let streams = pendingWritable
        pendingWritable.removeAll(keepingCapacity: true)
        for stream in streams where !stream.closed {
            stream.observer?.onWritable()
        }
    }

    // MARK: Callback bodies (run inside nghttp2; they only record and copy)

    func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>) {}

    func header(_ frame: UnsafePointer<nghttp2_frame>, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        guard let stream = streams[frame.pointee.hd.stream_id] else { return true }
        let field = (name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        if frame.pointee.headers.cat == NGHTTP2_HCAT_RESPONSE {
            stream.responseHeaders.append(field)
        } else {
            stream.trailers.append(field)
        }
        return true
    }

    func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        guard let stream = streams[frame.pointee.hd.stream_id] else { return }
        switch UInt32(frame.pointee.hd.type) {
        case NGHTTP2_HEADERS.rawValue:
            if frame.pointee.headers.cat == NGHTTP2_HCAT_RESPONSE {
                events.append(.headers(stream))
            } else if frame.pointee.headers.cat == NGHTTP2_HCAT_HEADERS {
                events.append(.trailers(stream))
            }
        case NGHTTP2_DATA.rawValue:
            events.append(.data(stream))
        default:
            break
        }
    }

    func dataChunk(streamID: Int32, _ data: UnsafeRawBufferPointer) {
        guard let stream = streams[streamID], !stream.closed else { return }
        if stream.receivedData.readableBytes == 0, let slice = http2?.sliceOfCurrentRead(data) {
            stream.receivedData = slice
        } else {
            stream.receivedData.writeBytes(data)
        }
    }

    func streamClose(streamID: Int32, errorCode: UInt32) {
        if let stream = streams[streamID] {
            events.append(.closed(stream, errorCode: errorCode))
        }
    }

    func frameSent(_ frame: UnsafePointer<nghttp2_frame>) {}

    func readData(source: UnsafeMutableRawPointer, maxLength: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        let stream = Unmanaged<HTTP2ClientStream>.fromOpaque(source).takeUnretainedValue()
        let available = stream.pendingOutput.readableBytes
        let length = min(maxLength, available)
        if length > 0 {
            flags.pointee |= NGHTTP2_DATA_FLAG_NO_COPY.rawValue
        }
        if length == available {
            if stream.requestEnded {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
            } else if length == 0 {
                stream.dataDeferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
        return length
    }

    func sendData(source: UnsafeMutableRawPointer, frameHeader: UnsafePointer<UInt8>, length: Int) -> Int32 {
        let stream = Unmanaged<HTTP2ClientStream>.fromOpaque(source).takeUnretainedValue()
        guard let http2 else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
        let result = http2.writeDataFrame(
            frameHeader: frameHeader, length: length, from: &stream.pendingOutput, nothingFollows: stream.requestEnded)
        if result == 0, stream.reportedUnwritable, stream.pendingOutput.readableBytes < configuration.streamWriteLowWaterMark {
            stream.reportedUnwritable = false
            pendingWritable.append(stream)
        }
        return result
    }
}
