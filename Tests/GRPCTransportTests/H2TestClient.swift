import CNGHTTP2
import NIOCore
import NIOEmbedded

@testable import GRPCTransport

/// An nghttp2 client session driving an `HTTP2ServerHandler` in an `EmbeddedChannel`, byte for
/// byte, and recording what comes back per stream.
final class H2TestClient {
    struct Response {
        var headers: [(String, String)] = []
        var trailers: [(String, String)] = []
        var data: [UInt8] = []
        var ended = false
        var closed = false
        var resetCode: UInt32?
        /// Index (among all frames the client received) of the frame that ended the stream.
        var endedAtFrame: Int?

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        /// grpc-status from the trailers, or from the headers of a trailers-only response.
        var grpcStatus: Int? {
            (trailers.first { $0.0 == "grpc-status" } ?? headers.first { $0.0 == "grpc-status" }).flatMap { Int($0.1) }
        }
        var grpcMessage: String? {
            (trailers.first { $0.0 == "grpc-message" } ?? headers.first { $0.0 == "grpc-message" })?.1
        }
        /// The 5-byte-framed messages of the response body.
        var messages: [[UInt8]] {
            var result: [[UInt8]] = []
            var index = 0
            while index + 5 <= data.count {
                let length = Int(data[index + 1]) << 24 | Int(data[index + 2]) << 16 | Int(data[index + 3]) << 8 | Int(data[index + 4])
                result.append(Array(data[(index + 5)..<(index + 5 + length)]))
                index += 5 + length
            }
            return result
        }
    }

    let channel: EmbeddedChannel
    private(set) var session: OpaquePointer!
    var responses: [Int32: Response] = [:]
    var goAwayCode: UInt32?
    var goAwayDebugData: String?
    var pingAcks = 0
    var pingsReceived = 0
    var framesReceived = 0
    /// Request bodies waiting to be sent, per stream.
    var requestBodies: [Int32: (bytes: [UInt8], offset: Int, end: Bool)] = [:]

    init(
        router: GRPCRouter, configuration: GRPCServerConfiguration = GRPCServerConfiguration(),
        windowSize: Int32 = 1 << 20, manualWindowUpdates: Bool = false, connectionWindowSize: Int32? = nil
    ) throws {
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            HTTP2ServerHandler(router: router, configuration: configuration, logger: .init(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        guard channel.isActive else { throw TestFailure("embedded channel did not become active") }
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            let client = Unmanaged<H2TestClient>.fromOpaque(userData!).takeUnretainedValue()
            let field = (
                String(decoding: UnsafeRawBufferPointer(start: name, count: nameLength), as: UTF8.self),
                String(decoding: UnsafeRawBufferPointer(start: value, count: valueLength), as: UTF8.self)
            )
            let id = frame!.pointee.hd.stream_id
            if frame!.pointee.headers.cat == NGHTTP2_HCAT_HEADERS {
                client.responses[id, default: Response()].trailers.append(field)
            } else {
                client.responses[id, default: Response()].headers.append(field)
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            let client = Unmanaged<H2TestClient>.fromOpaque(userData!).takeUnretainedValue()
            client.responses[streamID, default: Response()].data.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            let client = Unmanaged<H2TestClient>.fromOpaque(userData!).takeUnretainedValue()
            let header = frame!.pointee.hd
            client.framesReceived += 1
            if header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 {
                client.responses[header.stream_id, default: Response()].ended = true
                client.responses[header.stream_id, default: Response()].endedAtFrame = client.framesReceived
            }
            switch UInt32(header.type) {
            case NGHTTP2_GOAWAY.rawValue:
                let goAway = frame!.pointee.goaway
                client.goAwayCode = goAway.error_code
                client.goAwayDebugData = String(
                    decoding: UnsafeBufferPointer(start: goAway.opaque_data, count: goAway.opaque_data_len), as: UTF8.self)
            case NGHTTP2_RST_STREAM.rawValue:
                client.responses[header.stream_id, default: Response()].resetCode = frame!.pointee.rst_stream.error_code
            case NGHTTP2_PING.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0:
                client.pingAcks += 1
            case NGHTTP2_PING.rawValue:
                client.pingsReceived += 1
            default:
                break
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, _, userData in
            let client = Unmanaged<H2TestClient>.fromOpaque(userData!).takeUnretainedValue()
            client.responses[streamID, default: Response()].closed = true
            return 0
        }
        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_no_auto_window_update(option, manualWindowUpdates ? 1 : 0)
        var session: OpaquePointer?
        nghttp2_session_client_new2(&session, callbacks, Unmanaged.passUnretained(self).toOpaque(), option)
        self.session = session
        if let connectionWindowSize {
            nghttp2_session_set_local_window_size(session, 0, 0, connectionWindowSize)
        }
        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: UInt32(windowSize))
        ]
        nghttp2_submit_settings(session, 0, &settings, 1)
    }

    deinit {
        // Closing breaks the channel/pipeline cycle and lets the server handler clean up.
        _ = try? channel.finish()
        nghttp2_session_del(session)
    }

    /// Opens a gRPC call; `messages` are framed; `end` half-closes after them.
    @discardableResult
    func startCall(
        _ path: String, messages: [[UInt8]] = [], end: Bool = true, contentType: String = "application/grpc",
        extraHeaders: [(String, String)] = [], compressedFlag: Bool = false
    ) -> Int32 {
        var body: [UInt8] = []
        for message in messages { body += Self.frame(message, compressed: compressedFlag) }
        return startRequest(
            headers: [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "test"),
                      ("content-type", contentType), ("te", "trailers")] + extraHeaders,
            body: body, end: end)
    }

    static func frame(_ message: [UInt8], compressed: Bool = false) -> [UInt8] {
        let length = UInt32(message.count)
        return [compressed ? 1 : 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + message
    }

    func startRequest(headers: [(String, String)], body: [UInt8], end: Bool) -> Int32 {
        let bytes = headers.flatMap { Array($0.0.utf8) + Array($0.1.utf8) }
        let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { storage.deallocate() }
        storage.initialize(from: bytes, count: bytes.count)
        var fields: [nghttp2_nv] = []
        var offset = 0
        for (name, value) in headers {
            let nameLength = name.utf8.count
            let valueLength = value.utf8.count
            fields.append(nghttp2_nv(
                name: storage + offset, value: storage + offset + nameLength,
                namelen: nameLength, valuelen: valueLength, flags: 0))
            offset += nameLength + valueLength
        }
        // nghttp2 copies header fields during submit.
        var provider = dataProvider()
        let id = nghttp2_submit_request(session, nil, fields, fields.count, &provider, nil)
        requestBodies[id] = (body, 0, end)
        return id
    }

    /// Appends request bytes to an open stream (and optionally half-closes it).
    func sendMore(_ id: Int32, _ bytes: [UInt8], end: Bool) {
        requestBodies[id, default: ([], 0, false)].bytes += bytes
        requestBodies[id]!.end = end
        nghttp2_session_resume_data(session, id)
    }

    func reset(_ id: Int32) {
        nghttp2_submit_rst_stream(session, 0, id, NGHTTP2_CANCEL.rawValue)
    }

    func ping() {
        nghttp2_submit_ping(session, 0, nil)
    }

    /// nghttp2 copies the provider during submit, so a value is enough.
    private func dataProvider() -> nghttp2_data_provider {
        nghttp2_data_provider(source: nghttp2_data_source(ptr: nil)) { _, streamID, buf, length, flags, _, userData in
            let client = Unmanaged<H2TestClient>.fromOpaque(userData!).takeUnretainedValue()
            guard var body = client.requestBodies[streamID] else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
            let count = min(length, body.bytes.count - body.offset)
            for index in 0..<count { buf![index] = body.bytes[body.offset + index] }
            body.offset += count
            client.requestBodies[streamID] = body
            if body.offset == body.bytes.count {
                if body.end {
                    flags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                } else if count == 0 {
                    return Int(NGHTTP2_ERR_DEFERRED.rawValue)
                }
            }
            return count
        }
    }

    /// Client bytes produced so far.
    func takeOutput() -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            var pointer: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &pointer)
            if count <= 0 { break }
            bytes.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count))
        }
        return bytes
    }

    /// Sends client output to the server in chunks of `chunkSize` bytes, runs the event loop,
    /// and feeds everything the server wrote back into the client, until both are quiet.
    func exchange(chunkSize: Int = .max) throws {
        for _ in 0..<1000 {
            let output = takeOutput()
            var index = 0
            while index < output.count {
                let end = min(output.count, index + chunkSize)
                try channel.writeInbound(ByteBuffer(bytes: output[index..<end]))
                index = end
            }
            channel.embeddedEventLoop.run()
            var received = false
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                received = true
                let result = buffer.withUnsafeReadableBytes {
                    nghttp2_session_mem_recv(session, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), $0.count)
                }
                if result < 0 { throw TestFailure("client failed to parse server output: \(result)") }
            }
            if output.isEmpty && !received { return }
        }
        throw TestFailure("exchange did not settle")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
