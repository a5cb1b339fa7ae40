import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import GRPCTransport

/// The HTTP/2 client handler against the real server over loopback: both ends run on the
/// shared session core.
final class HTTP2ClientHandlerTests: XCTestCase {
    private static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// What one stream's response turned into, filled on the event loop.
    private struct Response {
        var headers: [(name: String, value: String)] = []
        var data = ByteBuffer()
        var trailers: [(name: String, value: String)] = []
        var end: HTTP2StreamEnd?

        var grpcStatus: String? {
            (trailers + headers).first { $0.name == "grpc-status" }?.value
        }
        /// The gRPC length-prefixed messages in the body.
        var messages: [ByteBuffer] {
            var body = data
            var result: [ByteBuffer] = []
            while body.readableBytes >= 5 {
                body.moveReaderIndex(forwardBy: 1)
                let length = Int(body.readInteger(as: UInt32.self)!)
                guard let message = body.readSlice(length: length) else { break }
                result.append(message)
            }
            return result
        }
    }

    private var server: GRPCServer!
    private var address: SocketAddress!

    override func setUpWithError() throws {
        server = GRPCServer(
            configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0), router: TestServices().router,
            group: Self.group)
        address = try server.start()
    }

    override func tearDown() {
        try? server.shutdownGracefully().wait()
    }

    private func connect() throws -> (any Channel, NIOLoopBound<HTTP2ClientHandler>) {
        let channel = try ClientBootstrap(group: Self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP2ClientHandler(logger: .init(label: "test")))
                }
            }
            .connect(to: address).wait()
        let handler = try channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self), eventLoop: channel.eventLoop)
        }.wait()
        return (channel, handler)
    }

    private static func grpcFrame(_ text: String) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(text.utf8.count))
        buffer.writeString(text)
        return buffer
    }

    /// Opens a stream, lets `body` write the request on the event loop, and waits for the end.
    private func call(
        _ path: String, on connection: (any Channel, NIOLoopBound<HTTP2ClientHandler>),
        _ body: @escaping @Sendable (HTTP2ClientStream) -> Void
    ) throws -> Response {
        let (channel, handler) = connection
        let promise = channel.eventLoop.makePromise(of: Response.self)
        try channel.eventLoop.submit {
            let response = NIOLoopBoundBox(Response(), eventLoop: channel.eventLoop)
            let observer = HTTP2ClientStreamObserver(
                onHeaders: { response.value.headers += $0 },
                onData: { var data = $0; response.value.data.writeBuffer(&data) },
                onTrailers: { response.value.trailers += $0 },
                onEnd: { end in
                    response.value.end = end
                    promise.succeed(response.value)
                })
            let headers = [
                (name: ":method", value: "POST"), (name: ":scheme", value: "http"), (name: ":path", value: path),
                (name: ":authority", value: "127.0.0.1"), (name: "content-type", value: "application/grpc"),
                (name: "te", value: "trailers"),
            ]
            guard let stream = handler.value.openStream(headers: headers, observer: observer) else {
                throw TestFailure("openStream refused")
            }
            body(stream)
        }.wait()
        return try promise.futureResult.wait()
    }

    func testUnaryCallOverTheClientHandler() throws {
        let connection = try connect()
        defer { try? connection.0.close().wait() }
        let response = try call("/test.Test/Echo", on: connection) { stream in
            stream.write(Self.grpcFrame("hello"))
            stream.end()
        }
        XCTAssertEqual(response.headers.first { $0.name == ":status" }?.value, "200")
        XCTAssertEqual(response.grpcStatus, "0")
        XCTAssertEqual(response.messages.map { String(buffer: $0) }, ["hello"])
        XCTAssertEqual(response.end, .closed(errorCode: 0))
    }

    func testBidirectionalStreamWithLargeMessagesHonoursFlowControl() throws {
        let connection = try connect()
        defer { try? connection.0.close().wait() }
        // 8 MiB in total: far beyond the server's 1 MiB stream window, so the body only gets
        // through as the server hands window back.
        let large = String(repeating: "x", count: 1 << 20)
        let response = try call("/test.Test/BidiEcho", on: connection) { stream in
            for _ in 0..<8 { stream.write(Self.grpcFrame(large)) }
            stream.write(Self.grpcFrame("last"))
            XCTAssertFalse(stream.isWritable)
            XCTAssertGreaterThan(stream.bufferedBytes, 1 << 20)
            stream.end()
        }
        XCTAssertEqual(response.grpcStatus, "0")
        let messages = response.messages
        XCTAssertEqual(messages.count, 9)
        XCTAssertEqual(messages.prefix(8).map(\.readableBytes), Array(repeating: 1 << 20, count: 8))
        XCTAssertEqual(messages.last.map { String(buffer: $0) }, "last")
    }

    func testUnknownMethodAnswersTrailersOnly() throws {
        let connection = try connect()
        defer { try? connection.0.close().wait() }
        let response = try call("/test.Test/Nope", on: connection) { stream in
            stream.write(Self.grpcFrame(""))
            stream.end()
        }
        XCTAssertEqual(response.grpcStatus, "12")
        XCTAssertTrue(response.trailers.isEmpty)
    }

    func testCancelResetsTheStreamAndCancelsTheCall() throws {
        let services = TestServices()
        let server = GRPCServer(
            configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0), router: services.router, group: Self.group)
        address = try server.start()
        defer { try? server.shutdownGracefully().wait() }
        let connection = try connect()
        defer { try? connection.0.close().wait() }
        let response = try call("/test.Test/BidiEcho", on: connection) { stream in
            stream.write(Self.grpcFrame("one"))
            // Once the request is under way: a stream cancelled before its HEADERS went out
            // never reaches the server.
            let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop!
            let bound = NIOLoopBound(stream, eventLoop: eventLoop)
            eventLoop.scheduleTask(in: .milliseconds(50)) { bound.value.cancel() }
        }
        XCTAssertEqual(response.end, .closed(errorCode: 8))  // CANCEL
        let deadline = Date().addingTimeInterval(2)
        while services.bidiCancellations.withLockedValue({ $0 }) == 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        XCTAssertEqual(services.bidiCancellations.withLockedValue { $0 }, 1)
    }

    func testPerMethodReceiveLimitsOverrideTheServers() throws {
        var router = GRPCRouter()
        let echo = GRPCMethod.unary { request, context in context.eventLoop.makeSucceededFuture(request) }
        router.register("/t.T/Small", maxReceiveMessageBytes: 16, echo)
        router.register("/t.T/Large", maxReceiveMessageBytes: 1 << 20, echo)
        router.register("/t.T/Default", echo)
        let server = GRPCServer(
            configuration: GRPCServerConfiguration(host: "127.0.0.1", port: 0, maxReceiveMessageBytes: 1024), router: router,
            group: Self.group)
        address = try server.start()
        defer { try? server.shutdownGracefully().wait() }
        let connection = try connect()
        defer { try? connection.0.close().wait() }
        func status(_ path: String, _ bytes: Int) throws -> String? {
            try call(path, on: connection) { stream in
                stream.write(Self.grpcFrame(String(repeating: "y", count: bytes)))
                stream.end()
            }.grpcStatus
        }
        XCTAssertEqual(try status("/t.T/Small", 16), "0")
        XCTAssertEqual(try status("/t.T/Small", 17), "8")
        XCTAssertEqual(try status("/t.T/Large", 100_000), "0")
        XCTAssertEqual(try status("/t.T/Default", 1024), "0")
        XCTAssertEqual(try status("/t.T/Default", 1025), "8")
    }

    func testConnectionLossEndsOpenStreams() throws {
        let connection = try connect()
        let response = try call("/test.Test/BidiEcho", on: connection) { stream in
            stream.write(Self.grpcFrame("one"))
            _ = connection.0.close()
        }
        XCTAssertEqual(response.end, .connectionLost)
    }
}
