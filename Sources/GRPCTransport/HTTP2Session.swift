import CNGHTTP2
import Logging
import NIOCore

/// What a connection handler (server or client side) does with the events of its nghttp2
/// session. Every method runs on the connection's event loop; the callback bodies run inside
/// nghttp2 and must only record and copy, never call back into the session.
protocol HTTP2SessionDelegate: AnyObject {
    func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>)
    /// false refuses the rest of the header block: nghttp2 resets the stream (INTERNAL_ERROR)
    /// and decodes the block's remaining headers without passing them on.
    func header(_ frame: UnsafePointer<nghttp2_frame>, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool
    func frameReceived(_ frame: UnsafePointer<nghttp2_frame>)
    func dataChunk(streamID: Int32, _ data: UnsafeRawBufferPointer)
    func streamClose(streamID: Int32, errorCode: UInt32)
    func frameSent(_ frame: UnsafePointer<nghttp2_frame>)
    /// nghttp2 sends `length` bytes of DATA from the stream behind `source` (the data providers
    /// use NGHTTP2_DATA_FLAG_NO_COPY): write the frame header and payload with `writeDataFrame`.
    func sendData(source: UnsafeMutableRawPointer, frameHeader: UnsafePointer<UInt8>, length: Int) -> Int32
    /// The read callback of the data providers submitted with `HTTP2Session.readDataCallback`:
    /// how many bytes (up to `maxLength`) the stream behind `source` has to send, with
    /// NGHTTP2_DATA_FLAG_* set in `flags`, or NGHTTP2_ERR_DEFERRED.
    func readData(source: UnsafeMutableRawPointer, maxLength: Int, flags: UnsafeMutablePointer<UInt32>) -> Int
    /// Runs the work the callbacks recorded, after each `mem_recv` and each send round.
    func processEvents()
    /// Runs after each send round, outside any callback: window updates, resets, wake-ups.
    /// Setting `driveRequested` asks for another round.
    func runPostSendWork(_ session: OpaquePointer)
}

/// One nghttp2 session and the channel it talks over, shared by the server and client handlers:
/// session setup and callback plumbing, feeding reads in, and gathering everything nghttp2
/// produces into one buffer written and flushed once per read burst or event-loop tick.
///
/// Lives on the connection's event loop only.
final class HTTP2Session {
    enum Role {
        case server, client
    }

    /// DATA payloads at least this large are written as their own buffer (writev) instead of
    /// being copied into the coalescing buffer.
    static let directWriteThreshold = 8192
    /// Hand the coalescing buffer to the channel when it grows past this, so NIO's
    /// writability reflects it.
    private static let outboundChunk = 64 << 10
    private static let outboundInitialCapacity = 16 << 10

    private(set) var session: OpaquePointer!
    let context: ChannelHandlerContext
    private let logger: Logger
    /// The handler owns this session object and removes it before it goes away, so the
    /// reference never outlives its target; unowned(unsafe) keeps the callbacks free of
    /// reference counting.
    fileprivate unowned(unsafe) let delegate: any HTTP2SessionDelegate

    private var outbound: ByteBuffer
    private var wroteSinceFlush = false
    private(set) var channelWritable: Bool
    private var inReadBurst = false
    private var isDriving = false
    /// Set (by the delegate too) to run another send round in the current `drive`.
    var driveRequested = false
    private var driveScheduled = false
    /// Close the connection once what is pending has been written.
    var closeAfterSend = false
    private(set) var closing = false
    /// The buffer being fed to nghttp2_session_mem_recv, and where its bytes are, so DATA
    /// payloads can be sliced out of it.
    private var currentRead = ByteBuffer()
    private var currentReadBase: UnsafeRawPointer?

    /// Creates the session and submits the local SETTINGS (and connection window, if any).
    /// With `manualWindowUpdates`, received bytes count against the windows until the delegate
    /// consumes them (`nghttp2_session_consume_*`).
    init(
        role: Role, context: ChannelHandlerContext, delegate: any HTTP2SessionDelegate, logger: Logger,
        settings: [nghttp2_settings_entry], connectionWindowSize: Int32?, manualWindowUpdates: Bool
    ) throws {
        self.context = context
        self.delegate = delegate
        self.logger = logger
        self.channelWritable = context.channel.isWritable
        self.outbound = ByteBufferAllocator().buffer(capacity: Self.outboundInitialCapacity)

        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else {
            throw GRPCTransportError.sessionSetup("nghttp2_session_callbacks_new failed")
        }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_send_callback(callbacks, onSend)
        nghttp2_session_callbacks_set_send_data_callback(callbacks, onSendData)
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSent)

        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw GRPCTransportError.sessionSetup("nghttp2_option_new failed")
        }
        defer { nghttp2_option_del(option) }
        if manualWindowUpdates {
            nghttp2_option_set_no_auto_window_update(option, 1)
        }
        // nghttp2 keeps closed streams for its priority tree, up to the concurrent-stream limit,
        // which etcd leaves unbounded: every finished call would cost a few hundred bytes for the
        // life of the connection. gRPC sends no priorities.
        nghttp2_option_set_no_closed_streams(option, 1)
        if role == .server {
            // nghttp2's HTTP messaging rules reset a stream whose :authority is not an RFC 3986
            // authority, but grpc-go clients send the endpoint as given ("http://host:port",
            // etcdctl's --endpoints form) and grpc-go servers accept it. The server handler makes
            // the checks gRPC needs itself (POST, content type, path).
            nghttp2_option_set_no_http_messaging(option, 1)
        }

        var session: OpaquePointer?
        let userData = Unmanaged.passUnretained(self).toOpaque()
        let created =
            switch role {
            case .server: nghttp2_session_server_new2(&session, callbacks, userData, option)
            case .client: nghttp2_session_client_new2(&session, callbacks, userData, option)
            }
        guard created == 0, let session else {
            throw GRPCTransportError.sessionSetup("creating the nghttp2 session failed")
        }
        self.session = session

        var settings = settings
        guard nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count) == 0 else {
            throw GRPCTransportError.sessionSetup("submitting SETTINGS failed")
        }
        if let connectionWindowSize,
            nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, connectionWindowSize) != 0
        {
            throw GRPCTransportError.sessionSetup("setting the connection window failed")
        }
    }

    deinit {
        nghttp2_session_del(session)
    }

    /// The data-provider read callback for every stream body: forwards to the delegate.
    static let readDataCallback: nghttp2_data_source_read_callback = onReadData

    /// The handler is going away: the session does nothing more, and calls no delegate method.
    func detach() {
        closing = true
    }

    // MARK: Input

    /// Feeds one read to nghttp2, then lets the delegate process what its callbacks recorded.
    /// A protocol error closes the connection after what is pending has been sent.
    func receive(_ buffer: ByteBuffer) {
        guard !closing else { return }
        inReadBurst = true
        currentRead = buffer
        let result = currentRead.withUnsafeReadableBytes { raw in
            currentReadBase = UnsafeRawPointer(raw.baseAddress)
            defer { currentReadBase = nil }
            return nghttp2_session_mem_recv(session, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count)
        }
        currentRead = ByteBuffer()
        delegate.processEvents()
        if result < 0 {
            logger.debug("HTTP/2 session error", metadata: ["error": "\(String(cString: nghttp2_strerror(Int32(result))))"])
            closeAfterSend = true
        }
    }

    /// The read burst ended: write and flush what it produced.
    func receiveComplete() {
        inReadBurst = false
        drive()
    }

    /// nghttp2 hands out DATA payloads in place, inside the buffer given to mem_recv: returns
    /// `data` as a slice of that read (no copy) when it lies inside it.
    func sliceOfCurrentRead(_ data: UnsafeRawBufferPointer) -> ByteBuffer? {
        guard let readBase = currentReadBase, let chunk = data.baseAddress,
            chunk >= readBase, chunk + data.count <= readBase + currentRead.readableBytes
        else { return nil }
        return currentRead.getSlice(at: currentRead.readerIndex + (chunk - readBase), length: data.count)
    }

    func writabilityChanged() {
        channelWritable = context.channel.isWritable
        if channelWritable { scheduleDrive() }
    }

    // MARK: Driving the session

    /// Lets nghttp2 produce everything it can, runs the work its callbacks queued, writes once
    /// and flushes once.
    func drive() {
        guard !isDriving else {
            driveRequested = true
            return
        }
        guard !closing else { return }
        isDriving = true
        repeat {
            driveRequested = false
            let result = nghttp2_session_send(session)
            if result != 0 {
                logger.debug("HTTP/2 send error", metadata: ["error": "\(String(cString: nghttp2_strerror(result)))"])
                closeAfterSend = true
                break
            }
            delegate.processEvents()
            delegate.runPostSendWork(session)
        } while driveRequested
        isDriving = false

        if outbound.readableBytes > 0 {
            context.write(NIOAny(outbound), promise: nil)
            outbound.clear(minimumCapacity: Self.outboundInitialCapacity)
            wroteSinceFlush = true
        }
        let finishedSession = nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0
        if closeAfterSend || finishedSession {
            closeConnection()
        } else if wroteSinceFlush {
            wroteSinceFlush = false
            context.flush()
        }
    }

    /// Arranges for `drive` to run soon: after the current read burst, inside the current
    /// drive, or on the next event-loop tick, so many writes share one flush.
    func scheduleDrive() {
        if isDriving {
            driveRequested = true
        } else if !inReadBurst, !driveScheduled {
            driveScheduled = true
            let session = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute {
                session.value.driveScheduled = false
                session.value.drive()
            }
        }
    }

    /// Flushes what was written, then closes the channel.
    func closeConnection() {
        guard !closing else { return }
        closing = true
        let channel = context.channel
        if wroteSinceFlush {
            wroteSinceFlush = false
            let flushed = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(NIOAny(ByteBuffer()), promise: flushed)
            flushed.futureResult.whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    func logSubmitFailure(_ what: String, _ result: Int32) {
        logger.debug("nghttp2 refused \(what)", metadata: ["error": "\(String(cString: nghttp2_strerror(result)))"])
    }

    // MARK: Output (called from nghttp2's send callbacks)

    fileprivate func send(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard channelWritable else { return Int(NGHTTP2_ERR_WOULDBLOCK.rawValue) }
        if outbound.readableBytes >= Self.outboundChunk {
            context.write(NIOAny(outbound), promise: nil)
            outbound.clear(minimumCapacity: Self.outboundInitialCapacity)
            wroteSinceFlush = true
        }
        outbound.writeBytes(bytes)
        return bytes.count
    }

    /// Writes one DATA frame: its 9-byte header, then `length` bytes taken from `pending`.
    /// `nothingFollows` says no more bytes will be appended to `pending` (the stream's side has
    /// ended). Returns an nghttp2 result code.
    func writeDataFrame(
        frameHeader: UnsafePointer<UInt8>, length: Int, from pending: inout ByteBuffer, nothingFollows: Bool
    ) -> Int32 {
        guard channelWritable else { return NGHTTP2_ERR_WOULDBLOCK.rawValue }
        outbound.writeBytes(UnsafeRawBufferPointer(start: frameHeader, count: 9))
        guard pending.readableBytes >= length else { return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue }
        // A large frame goes out as a slice of the stream's output, without a copy, when no
        // message will be appended behind it (it drains the output, or the stream has ended):
        // a slice leaving bytes behind shares their storage with the write in flight, so the next
        // message appended would copy all of them (copy-on-write), which costs more than this copy.
        if length >= Self.directWriteThreshold && (length == pending.readableBytes || nothingFollows) {
            let payload = pending.readSlice(length: length)!
            context.write(NIOAny(outbound), promise: nil)
            outbound.clear(minimumCapacity: Self.outboundInitialCapacity)
            context.write(NIOAny(payload), promise: nil)
            wroteSinceFlush = true
            if pending.readableBytes == 0 {
                // The storage now belongs to the write in flight.
                pending = ByteBuffer()
            }
        } else {
            pending.withUnsafeReadableBytes { bytes in
                _ = outbound.writeBytes(UnsafeRawBufferPointer(rebasing: bytes.prefix(length)))
            }
            pending.moveReaderIndex(forwardBy: length)
            if pending.readableBytes == 0 {
                pending.clear()
            }
        }
        return 0
    }
}

// MARK: C callbacks: recover the session from user data and forward.

private func session(_ userData: UnsafeMutableRawPointer?) -> HTTP2Session {
    Unmanaged<HTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
}

private let onSend: nghttp2_send_callback = { _, data, length, _, userData in
    session(userData).send(UnsafeRawBufferPointer(start: data, count: length))
}

private let onSendData: nghttp2_send_data_callback = { _, _, frameHeader, length, source, userData in
    session(userData).delegate.sendData(source: source!.pointee.ptr, frameHeader: frameHeader!, length: length)
}

private let onReadData: nghttp2_data_source_read_callback = { _, _, _, length, flags, source, userData in
    session(userData).delegate.readData(source: source!.pointee.ptr, maxLength: length, flags: flags!)
}

private let onBeginHeaders: nghttp2_on_begin_headers_callback = { _, frame, userData in
    session(userData).delegate.beginHeaders(frame!)
    return 0
}

private let onHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    let accepted = session(userData).delegate.header(
        frame!, name: UnsafeRawBufferPointer(start: name, count: nameLength),
        value: UnsafeRawBufferPointer(start: value, count: valueLength))
    return accepted ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
}

private let onFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
    session(userData).delegate.frameReceived(frame!)
    return 0
}

private let onDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    session(userData).delegate.dataChunk(streamID: streamID, UnsafeRawBufferPointer(start: data, count: length))
    return 0
}

private let onStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
    session(userData).delegate.streamClose(streamID: streamID, errorCode: errorCode)
    return 0
}

private let onFrameSent: nghttp2_on_frame_send_callback = { _, frame, userData in
    session(userData).delegate.frameSent(frame!)
    return 0
}
