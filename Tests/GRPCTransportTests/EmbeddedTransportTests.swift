import CNGHTTP2
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import XCTest

@testable import GRPCTransport

final class EmbeddedTransportTests: XCTestCase {
    private let services = TestServices()

    private func makeClient(_ configuration: GRPCServerConfiguration = GRPCServerConfiguration()) throws -> H2TestClient {
        try H2TestClient(router: services.router, configuration: configuration)
    }

    /// Found by fuzz-http2: the nghttp2 session holds the channel handler context, which holds
    /// the handler, which held the session, so every closed connection leaked both.
    func testHandlersAreReleasedWhenTheirConnectionCloses() throws {
        weak var serverHandler: HTTP2ServerHandler?
        weak var clientHandler: HTTP2ClientHandler?
        try {
            let server = HTTP2ServerHandler(router: services.router, configuration: GRPCServerConfiguration(), logger: .init(label: "test"))
            let client = HTTP2ClientHandler(logger: .init(label: "test"))
            serverHandler = server
            clientHandler = client
            for handler in [server, client] as [any ChannelHandler] {
                let channel = EmbeddedChannel()
                try channel.pipeline.syncOperations.addHandler(handler)
                try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
                channel.embeddedEventLoop.run()
                _ = try channel.finish(acceptAlreadyClosed: true)
            }
        }()
        XCTAssertNil(serverHandler, "the server handler outlives its connection")
        XCTAssertNil(clientHandler, "the client handler outlives its connection")
    }

    func testUnaryEchoWithRequestSplitAtEveryByteBoundary() throws {
        let message = Array("hello, gRPC".utf8)
        for chunkSize in 1...12 {
            let client = try makeClient()
            let id = client.startCall("/test.Test/Echo", messages: [message])
            try client.exchange(chunkSize: chunkSize)
            let response = try XCTUnwrap(client.responses[id])
            XCTAssertEqual(response.header(":status"), "200")
            XCTAssertEqual(response.header("content-type"), "application/grpc")
            XCTAssertEqual(response.messages, [message], "chunk size \(chunkSize)")
            XCTAssertEqual(response.grpcStatus, 0)
            XCTAssertTrue(response.ended)
        }
    }

    func testMessageSpanningDataFramesAndSeveralMessagesInOneFrame() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/BidiEcho", messages: [], end: false)
        try client.exchange()
        let first = Array(repeating: UInt8(7), count: 40_000)
        let framed = H2TestClient.frame(first)
        // The first message crosses 16 KiB DATA frames; the next three share one frame.
        client.sendMore(id, Array(framed[..<20_000]), end: false)
        try client.exchange()
        client.sendMore(id, Array(framed[20_000...]) + H2TestClient.frame([1]) + H2TestClient.frame([]) + H2TestClient.frame([2, 3]), end: true)
        try client.exchange()
        let response = try XCTUnwrap(client.responses[id])
        XCTAssertEqual(response.messages, [first, [1], [], [2, 3]])
        XCTAssertEqual(response.grpcStatus, 0)
    }

    func testUnknownServiceAndMethodAreUnimplementedTrailersOnly() throws {
        let client = try makeClient()
        let unknownService = client.startCall("/nope.Service/Method", messages: [[1]])
        let unknownMethod = client.startCall("/test.Test/Nope", messages: [[1]])
        try client.exchange()
        let service = try XCTUnwrap(client.responses[unknownService])
        XCTAssertEqual(service.grpcStatus, 12)
        XCTAssertEqual(service.grpcMessage, "unknown service nope.Service")
        XCTAssertTrue(service.trailers.isEmpty, "trailers-only: status is in the one HEADERS frame")
        XCTAssertTrue(service.data.isEmpty)
        XCTAssertTrue(service.ended)
        let method = try XCTUnwrap(client.responses[unknownMethod])
        XCTAssertEqual(method.grpcStatus, 12)
        XCTAssertEqual(method.grpcMessage, "unknown method Nope for service test.Test")
    }

    func testFailedFutureIsTrailersOnlyWithPercentEncodedMessage() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/Fail", messages: [Array("9:etcdserver: 100% über\n".utf8)])
        let plain = client.startCall("/test.Test/Throw", messages: [[]])
        try client.exchange()
        let response = try XCTUnwrap(client.responses[id])
        XCTAssertEqual(response.grpcStatus, 9)
        XCTAssertEqual(response.grpcMessage, "etcdserver: 100%25 %C3%BCber%0A")
        XCTAssertTrue(response.trailers.isEmpty)
        let unknown = try XCTUnwrap(client.responses[plain])
        XCTAssertEqual(unknown.grpcStatus, 2)
        XCTAssertEqual(unknown.grpcMessage, "plain error")
    }

    func testOversizedMessageIsResourceExhausted() throws {
        let client = try makeClient(GRPCServerConfiguration(maxReceiveMessageBytes: 100))
        let id = client.startCall("/test.Test/Echo", messages: [Array(repeating: 0, count: 101)])
        let fits = client.startCall("/test.Test/Echo", messages: [Array(repeating: 0, count: 100)])
        try client.exchange()
        let response = try XCTUnwrap(client.responses[id])
        XCTAssertEqual(response.grpcStatus, 8)
        XCTAssertEqual(response.grpcMessage, "grpc: received message larger than max (101 vs. 100)")
        XCTAssertEqual(client.responses[fits]?.grpcStatus, 0)
    }

    /// An HPACK bomb: repeated headers cost a byte each on the wire (table references) but count
    /// at their decoded size, so the stream is reset before its headers are stored.
    func testHeadersDecodingPastTheHeaderListLimitResetTheStream() throws {
        let client = try makeClient(GRPCServerConfiguration(maxHeaderListBytes: 1024))
        let repeated = Array(repeating: ("x-repeated", String(repeating: "a", count: 100)), count: 20)
        let bomb = client.startCall("/test.Test/Echo", messages: [[1]], extraHeaders: repeated)
        let fits = client.startCall("/test.Test/Echo", messages: [[2]], extraHeaders: Array(repeated.prefix(3)))
        try client.exchange()
        XCTAssertEqual(client.responses[bomb]?.resetCode, NGHTTP2_INTERNAL_ERROR.rawValue)
        XCTAssertNil(client.responses[bomb]?.grpcStatus, "no call ran")
        XCTAssertEqual(client.responses[fits]?.grpcStatus, 0)
        XCTAssertEqual(client.responses[fits]?.messages, [[2]])
        XCTAssertEqual(nghttp2_session_get_remote_settings(client.session, NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE), 1024)
    }

    func testCompressedFlagWithoutEncodingIsRejected() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/Echo", messages: [[1, 2]], compressedFlag: true)
        let gzip = client.startCall("/test.Test/Echo", messages: [[1, 2]], extraHeaders: [("grpc-encoding", "gzip")])
        try client.exchange()
        XCTAssertEqual(client.responses[id]?.grpcStatus, 13)
        XCTAssertEqual(client.responses[id]?.grpcMessage, "grpc: compressed flag set with identity or empty encoding")
        XCTAssertEqual(client.responses[gzip]?.grpcStatus, 12)
        XCTAssertEqual(client.responses[gzip]?.grpcMessage, "grpc: Decompressor is not installed for grpc-encoding \"gzip\"")
    }

    func testNonGRPCContentTypeIsHTTP415() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/Echo", messages: [[1]], contentType: "application/json")
        try client.exchange()
        let response = try XCTUnwrap(client.responses[id])
        XCTAssertEqual(response.header(":status"), "415")
        XCTAssertEqual(response.grpcStatus, 3)
    }

    func testClientResetCancelsTheCall() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/Hang", messages: [[1]])
        let bidi = client.startCall("/test.Test/BidiEcho", messages: [[1]], end: false)
        try client.exchange()
        XCTAssertEqual(services.hangingCalls.withLockedValue { $0.count }, 1)
        client.reset(id)
        client.reset(bidi)
        try client.exchange()
        XCTAssertEqual(services.cancellations.withLockedValue { $0 }, 1)
        XCTAssertEqual(services.bidiCancellations.withLockedValue { $0 }, 1)
        XCTAssertNil(client.responses[id]?.grpcStatus, "nothing is sent on a reset stream")
    }

    func testDeadlineExceeded() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/Hang", messages: [[1]], extraHeaders: [("grpc-timeout", "50m")])
        try client.exchange()
        XCTAssertNil(client.responses[id]?.grpcStatus)
        client.channel.embeddedEventLoop.advanceTime(by: .milliseconds(49))
        try client.exchange()
        XCTAssertNil(client.responses[id]?.grpcStatus)
        client.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        try client.exchange()
        XCTAssertEqual(client.responses[id]?.grpcStatus, 4)
        XCTAssertEqual(services.cancellations.withLockedValue { $0 }, 1, "the handler saw the cancellation")
    }

    func testServerStreamingAndMetadata() throws {
        let client = try makeClient()
        let stream = client.startCall("/test.Test/Count", messages: [[5, 42]])
        let metadata = client.startCall("/test.Test/EchoMetadata", messages: [[]], extraHeaders: [("x-test-key", "value-1")])
        try client.exchange()
        let response = try XCTUnwrap(client.responses[stream])
        XCTAssertEqual(response.messages, (0..<5).map { [UInt8($0), 42] })
        XCTAssertEqual(response.grpcStatus, 0)
        XCTAssertFalse(response.trailers.isEmpty, "status comes in trailers after the messages")
        XCTAssertEqual(client.responses[metadata]?.messages, [Array("value-1".utf8)])
    }

    func testManyConcurrentStreamsAndNoLowStreamLimit() throws {
        let client = try makeClient()
        try client.exchange()
        XCTAssertGreaterThan(
            nghttp2_session_get_remote_settings(client.session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS), 1000)
        let ids = (0..<500).map { index in
            client.startCall("/test.Test/BidiEcho", messages: [[UInt8(index & 0xFF)]], end: false)
        }
        try client.exchange()
        for (index, id) in ids.enumerated() {
            XCTAssertEqual(client.responses[id]?.messages, [[UInt8(index & 0xFF)]])
            client.sendMore(id, [], end: true)
        }
        try client.exchange()
        XCTAssertTrue(ids.allSatisfy { client.responses[$0]?.grpcStatus == 0 })
    }

    func testPingIsAnsweredAndTooManyPingsGetGoAway() throws {
        let client = try makeClient()
        client.ping()
        try client.exchange()
        XCTAssertEqual(client.pingAcks, 1)
        XCTAssertNil(client.goAwayCode)
        // Without active calls every further ping within two hours is a strike; the third
        // strike closes the connection, as grpc-go does.
        for _ in 0..<3 { client.ping() }
        try client.exchange()
        XCTAssertEqual(client.goAwayCode, NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
        XCTAssertEqual(client.goAwayDebugData, "too_many_pings")
        XCTAssertFalse(client.channel.isActive)
    }

    func testLargeResponseDoesNotStarveOtherStreams() throws {
        // 64 messages of 64 KiB on one stream, with windows large enough for all of it: a small
        // call opened afterwards must end before the big stream does.
        let client = try H2TestClient(
            router: services.router, windowSize: 16 << 20, manualWindowUpdates: true, connectionWindowSize: 64 << 20)
        let big = client.startCall("/test.Test/Count", messages: [[64] + Array(repeating: 1, count: 65_535)])
        let small = client.startCall("/test.Test/Echo", messages: [[9]])
        try client.exchange()
        let bigResponse = try XCTUnwrap(client.responses[big])
        let smallResponse = try XCTUnwrap(client.responses[small])
        XCTAssertEqual(bigResponse.messages.count, 64)
        XCTAssertEqual(bigResponse.grpcStatus, 0)
        XCTAssertEqual(smallResponse.grpcStatus, 0)
        XCTAssertLessThan(try XCTUnwrap(smallResponse.endedAtFrame), try XCTUnwrap(bigResponse.endedAtFrame) - 100)
    }

    func testSlowClientHoldsBackResponseData() throws {
        let client = try H2TestClient(router: services.router, windowSize: 1 << 20, manualWindowUpdates: true)
        let big = client.startCall("/test.Test/Count", messages: [[32] + Array(repeating: 1, count: 65_535)])
        try client.exchange()
        let partial = try XCTUnwrap(client.responses[big])
        XCTAssertNil(partial.grpcStatus)
        XCTAssertEqual(partial.data.count, 65_535, "the client's connection window bounds what is sent")
        nghttp2_submit_window_update(client.session, 0, big, 8 << 20)
        nghttp2_submit_window_update(client.session, 0, 0, 8 << 20)
        try client.exchange()
        XCTAssertEqual(client.responses[big]?.messages.count, 32)
        XCTAssertEqual(client.responses[big]?.grpcStatus, 0)
    }

    func testWriterReportsBackPressure() throws {
        let writable = NIOLockedValueBox<[Bool]>([])
        var router = GRPCRouter()
        router.register("/test.Test/Flood", .serverStreaming { _, _, writer in
            writer.setWritabilityHandler { value in writable.withLockedValue { $0.append(value) } }
            while writer.isWritable {
                writer.write(ByteBuffer(repeating: 0, count: 64 << 10))
            }
        })
        let client = try H2TestClient(
            router: router,
            configuration: GRPCServerConfiguration(streamWriteHighWaterMark: 256 << 10, streamWriteLowWaterMark: 64 << 10),
            windowSize: 64 << 10, manualWindowUpdates: true)
        let id = client.startCall("/test.Test/Flood", messages: [[]])
        try client.exchange()
        XCTAssertEqual(writable.withLockedValue { $0 }, [false])
        nghttp2_submit_window_update(client.session, 0, id, 1 << 20)
        nghttp2_submit_window_update(client.session, 0, 0, 1 << 20)
        try client.exchange()
        XCTAssertEqual(writable.withLockedValue { $0 }, [false, true])
    }

    /// A bidirectional call whose every request byte N asks for N messages of 64 KiB, recording
    /// each change of `clientIsBehind`.
    private func backlogClient(userAgent: String) throws -> (H2TestClient, Int32, NIOLockedValueBox<[Bool]>) {
        let changes = NIOLockedValueBox<[Bool]>([])
        var router = GRPCRouter()
        router.register("/test.Test/Send", .bidirectionalStreaming { _, writer in
            writer.setClientBacklogHandler { behind in changes.withLockedValue { $0.append(behind) } }
            return GRPCRequestObserver(onMessage: { request in
                for _ in 0..<Int(request.getInteger(at: request.readerIndex, as: UInt8.self)!) {
                    writer.write(ByteBuffer(repeating: 7, count: 64 << 10))
                }
            })
        })
        // The client hands back no stream window unless the test does; its connection window is
        // large, so only the stream window tells how much it has read.
        let client = try H2TestClient(
            router: router, configuration: GRPCServerConfiguration(clientBacklogThreshold: 64 << 10),
            windowSize: 1 << 20, manualWindowUpdates: true, connectionWindowSize: 64 << 20)
        let id = client.startCall("/test.Test/Send", end: false, extraHeaders: [("user-agent", userAgent)])
        return (client, id, changes)
    }

    func testWriterReportsTheClientBehindFromTheWindowItHandsBack() throws {
        // grpc-go hands window back after reading a quarter of it (256 KiB of 1 MiB): beyond
        // that plus the 64 KiB threshold, responses are certainly unread.
        let (client, id, changes) = try backlogClient(userAgent: "grpc-go/1.33.3")
        client.sendMore(id, H2TestClient.frame([4]), end: false)
        try client.exchange()
        XCTAssertEqual(client.responses[id]?.messages.count, 4)
        XCTAssertEqual(changes.withLockedValue { $0 }, [], "256 KiB + 20 bytes of framing: within what grpc-go may hold back")
        client.sendMore(id, H2TestClient.frame([1]), end: false)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [true])
        nghttp2_submit_window_update(client.session, 0, id, 256 << 10)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [true, false], "the client read and handed window back")
    }

    func testOtherClientsAreAssumedToHandBackHalfTheWindow() throws {
        let (client, id, changes) = try backlogClient(userAgent: "grpc-java-netty/1.60.0")
        client.sendMore(id, H2TestClient.frame([8]), end: false)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [], "512 KiB: within the half netty may hold back")
        client.sendMore(id, H2TestClient.frame([2]), end: false)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [true])
    }

    func testClientThatHandsBackNoWindowIsNotReportedBehindForLong() throws {
        let (client, id, changes) = try backlogClient(userAgent: "grpc-go/1.33.3")
        client.sendMore(id, H2TestClient.frame([6]), end: false)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [true])
        client.channel.embeddedEventLoop.advanceTime(by: GRPCServerConfiguration().clientBacklogTrust - .milliseconds(1))
        XCTAssertEqual(changes.withLockedValue { $0 }, [true])
        client.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(changes.withLockedValue { $0 }, [true, false], "no window came back: its policy is not grpc-go's")
        client.sendMore(id, H2TestClient.frame([1]), end: false)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [true, false], "distrusted until it hands window back")
        nghttp2_submit_window_update(client.session, 0, id, 64 << 10)
        try client.exchange()
        XCTAssertEqual(changes.withLockedValue { $0 }, [true, false, true], "trusted again, and 128 KiB are certainly unread")
    }

    func testGracefulShutdownLetsCallsFinishThenCloses() throws {
        let client = try makeClient()
        let open = client.startCall("/test.Test/BidiEcho", messages: [[1]], end: false)
        try client.exchange()
        client.channel.pipeline.fireUserInboundEventTriggered(GRPCGracefulShutdownEvent())
        try client.exchange()
        XCTAssertEqual(client.goAwayCode, NGHTTP2_NO_ERROR.rawValue)
        XCTAssertTrue(client.channel.isActive, "an in-flight call keeps the connection open")
        client.sendMore(open, H2TestClient.frame([2]), end: true)
        try client.exchange()
        XCTAssertEqual(client.responses[open]?.messages, [[1], [2]])
        XCTAssertEqual(client.responses[open]?.grpcStatus, 0)
        XCTAssertFalse(client.channel.isActive, "closed once the last call ended")
    }

    func testRouterSplitsPathsLikeGRPCGo() {
        var router = GRPCRouter()
        router.register("/etcdserverpb.KV/Range", .unary { _, context in context.eventLoop.makeSucceededFuture(ByteBuffer()) })
        guard case .notFound(let malformed) = router.lookup("noslash") else { return XCTFail("found a malformed path") }
        XCTAssertEqual(malformed, GRPCStatus(code: .unimplemented, message: "malformed method name: \"noslash\""))
        guard case .notFound(let method) = router.lookup("/etcdserverpb.KV/Nope") else { return XCTFail("found an unknown method") }
        XCTAssertEqual(method.message, "unknown method Nope for service etcdserverpb.KV")
        guard case .found = router.lookup("/etcdserverpb.KV/Range") else { return XCTFail("registered path not found") }
    }

    func testTimeoutParsing() {
        XCTAssertEqual(GRPCTimeout.parse("5S"), .seconds(5))
        XCTAssertEqual(GRPCTimeout.parse("99999999n"), .nanoseconds(99_999_999))
        XCTAssertEqual(GRPCTimeout.parse("2H"), .hours(2))
        XCTAssertNil(GRPCTimeout.parse("S"))
        XCTAssertNil(GRPCTimeout.parse("123456789S"), "at most 8 digits")
        XCTAssertNil(GRPCTimeout.parse("5x"))
        XCTAssertNil(GRPCTimeout.parse("-5S"))
    }

    func testMalformedTimeoutIsRejected() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/Echo", messages: [[1]], extraHeaders: [("grpc-timeout", "soon")])
        try client.exchange()
        XCTAssertEqual(client.responses[id]?.grpcStatus, 13)
    }

    func testGarbageInputClosesTheConnectionWithoutCrashing() throws {
        let client = try makeClient()
        try client.channel.writeInbound(ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
        try client.channel.writeInbound(ByteBuffer(bytes: [0, 0, 4, 0xFF, 0, 0, 0, 0, 9, 1, 2, 3, 4] + Array(repeating: 0xEE, count: 64)))
        client.channel.embeddedEventLoop.run()
        XCTAssertFalse(client.channel.isActive)
    }

    func testServerPingsASilentConnectionAndClosesItWithoutAnswer() throws {
        let client = try makeClient()
        try client.exchange()
        let loop = client.channel.embeddedEventLoop
        loop.advanceTime(by: .hours(2))
        try client.exchange()
        XCTAssertEqual(client.pingsReceived, 1, "a silent connection is pinged after the interval")
        // The client acknowledged (exchange sends its ACK), so the connection stays.
        loop.advanceTime(by: .seconds(20))
        try client.exchange()
        XCTAssertTrue(client.channel.isActive)
        // Two hours after the acknowledgement: ping again, and this time the client stays silent.
        loop.advanceTime(by: .hours(2) - .seconds(20))
        XCTAssertTrue(client.channel.isActive)
        loop.advanceTime(by: .seconds(20))
        XCTAssertFalse(client.channel.isActive, "closed when the ping is not answered in time")
    }

    func testFinishedCallsReleaseTheirStreams() throws {
        final class WeakWriters: @unchecked Sendable {
            // Only touched on the embedded event loop's thread (the test thread).
            var writers: [() -> GRPCResponseWriter?] = []
        }
        let weakWriters = WeakWriters()
        var router = GRPCRouter()
        router.register("/test.Test/Bidi", .bidirectionalStreaming { _, writer in
            weakWriters.writers.append { [weak writer] in writer }
            return GRPCRequestObserver(onMessage: { writer.write($0) }, onEnd: { writer.finish() })
        })
        router.register("/test.Test/Stream", .serverStreaming { request, _, writer in
            weakWriters.writers.append { [weak writer] in writer }
            writer.write(request)
            writer.finish()
        })
        let client = try H2TestClient(router: router)
        let finished = client.startCall("/test.Test/Bidi", messages: [[1]])
        let streamed = client.startCall("/test.Test/Stream", messages: [[2]])
        let reset = client.startCall("/test.Test/Bidi", messages: [[3]], end: false)
        try client.exchange()
        client.reset(reset)
        try client.exchange()
        XCTAssertEqual(client.responses[finished]?.grpcStatus, 0)
        XCTAssertEqual(client.responses[streamed]?.messages, [[2]])
        XCTAssertEqual(weakWriters.writers.count, 3)
        XCTAssertTrue(weakWriters.writers.allSatisfy { $0() == nil }, "writers (and their streams) were freed")
    }

    func testCallWhoseClientDoesNotReadStopsReceiving() throws {
        let delivered = NIOLockedValueBox(0)
        var router = GRPCRouter()
        router.register("/test.Test/Echo", .bidirectionalStreaming { _, writer in
            GRPCRequestObserver(
                onMessage: { message in
                    delivered.withLockedValue { $0 += 1 }
                    writer.write(message)
                },
                onEnd: { writer.finish() })
        })
        let configuration = GRPCServerConfiguration(
            initialStreamWindowSize: 128 << 10, streamWriteHighWaterMark: 128 << 10, streamWriteLowWaterMark: 32 << 10)
        let client = try H2TestClient(router: router, configuration: configuration, windowSize: 64 << 10, manualWindowUpdates: true)
        let message = Array(repeating: UInt8(5), count: 16 << 10)
        let id = client.startCall("/test.Test/Echo", messages: Array(repeating: message, count: 40))
        try client.exchange()
        let early = delivered.withLockedValue { $0 }
        XCTAssertGreaterThan(early, 0)
        XCTAssertLessThan(early, 20, "requests wait while responses pile up unread")
        XCTAssertFalse(client.responses[id]?.ended ?? false)
        nghttp2_submit_window_update(client.session, 0, id, 8 << 20)
        nghttp2_submit_window_update(client.session, 0, 0, 8 << 20)
        try client.exchange()
        XCTAssertEqual(delivered.withLockedValue { $0 }, 40)
        XCTAssertEqual(client.responses[id]?.messages.count, 40)
        XCTAssertEqual(client.responses[id]?.grpcStatus, 0, "end of input is delivered after the buffered messages")
    }

    func testRequestEndingInsideAMessageIsInternal() throws {
        let client = try makeClient()
        let id = client.startCall("/test.Test/BidiEcho", messages: [], end: false)
        try client.exchange()
        client.sendMore(id, Array(H2TestClient.frame([1, 2, 3]).prefix(6)), end: true)
        try client.exchange()
        XCTAssertEqual(client.responses[id]?.grpcStatus, 13)
        XCTAssertEqual(client.responses[id]?.grpcMessage, "unexpected EOF")
        XCTAssertEqual(services.bidiCancellations.withLockedValue { $0 }, 1)
    }

    func testSilentNewConnectionIsClosedAfterTheSetupTimeout() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ProtocolSniffer(
                router: services.router, configuration: GRPCServerConfiguration(connectionSetupTimeout: .seconds(5)),
                http1Handler: nil, logger: .init(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "PRI * HTTP/2.0"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        XCTAssertTrue(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "half a preface is not a connection")
    }

    func testSniffedHTTP2ConnectionOutlivesTheSetupTimeout() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ProtocolSniffer(
                router: services.router, configuration: GRPCServerConfiguration(connectionSetupTimeout: .seconds(5)),
                http1Handler: nil, logger: .init(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        XCTAssertTrue(channel.isActive)
        XCTAssertNotNil(try channel.readOutbound(as: ByteBuffer.self), "the server sent its SETTINGS")
        _ = try channel.finish(acceptAlreadyClosed: true)
    }

    private func makeHTTP1Connection(idleTimeout: TimeAmount) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let ok: HTTP1Handler = { _, eventLoop in eventLoop.makeSucceededFuture(HTTP1Response(status: .ok)) }
        try channel.pipeline.syncOperations.addHandler(
            ProtocolSniffer(
                router: services.router, configuration: GRPCServerConfiguration(http1IdleTimeout: idleTimeout),
                http1Handler: ok, logger: .init(label: "test")))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    func testHTTP1RequestSentAByteAtATimeIsCutOffByTheIdleTimeout() throws {
        let channel = try makeHTTP1Connection(idleTimeout: .seconds(10))
        try channel.writeInbound(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "))
        for _ in 0..<9 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            try channel.writeInbound(ByteBuffer(string: "a"))
        }
        XCTAssertTrue(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "ten seconds without a whole request")
    }

    func testHTTP1KeepAliveConnectionLivesWhileRequestsComeAndClosesWhenIdle() throws {
        let channel = try makeHTTP1Connection(idleTimeout: .seconds(10))
        for _ in 0..<3 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(9))
            try channel.writeInbound(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"))
            let response = try XCTUnwrap(channel.readOutbound(as: ByteBuffer.self))
            XCTAssertTrue(String(buffer: response).hasPrefix("HTTP/1.1 200 OK"))
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
        }
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        XCTAssertTrue(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "idle for the timeout after its last response")
    }

    func testPublicContextForDirectServiceCalls() {
        let loop = EmbeddedEventLoop()
        let context = GRPCCallContext(path: "/etcdserverpb.KV/Range", eventLoop: loop, headers: [("token", "abc")])
        XCTAssertEqual(context.metadata("token"), "abc")
        XCTAssertNil(context.metadata("hasleader"))
        XCTAssertFalse(context.isCancelled)
    }
}
