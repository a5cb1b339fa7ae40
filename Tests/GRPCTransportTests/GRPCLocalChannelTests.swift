import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest

@testable import GRPCTransport

/// In-process calls (the JSON gateway's): the router's handlers, its admission and limits, and
/// a stream limit that makes calls beyond it wait, as a gRPC client's calls wait for quota.
final class GRPCLocalChannelTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private let services = TestServices()

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    override func tearDown() {
        try? group.syncShutdownGracefully()
    }

    /// What one call produced, once it finished.
    private final class Outcome: Sendable {
        let messages = NIOLockedValueBox<[String]>([])
        let status = NIOLockedValueBox<GRPCStatus?>(nil)
        let finished = DispatchSemaphore(value: 0)
    }

    private func call(
        _ channel: GRPCLocalChannel, _ path: String, _ requests: [String], closeSend: Bool = true,
        metadata: [(name: String, value: String)] = []
    ) -> (GRPCLocalCall, Outcome) {
        let outcome = Outcome()
        let call = channel.makeCall(
            path: path, metadata: metadata, deadline: nil, remoteAddress: nil, eventLoop: group.next(),
            onMessage: { message in outcome.messages.withLockedValue { $0.append(String(buffer: message)) } },
            onFinish: { status in
                outcome.status.withLockedValue { $0 = status }
                outcome.finished.signal()
            })
        for request in requests { call.send(ByteBuffer(string: request)) }
        if closeSend { call.closeSend() }
        return (call, outcome)
    }

    /// Found by fuzz-http1-gateway: a finished bidirectional call kept its handler's observer,
    /// which holds the call's writer, which holds the call, so every gateway watch or keep-alive
    /// leaked the call and what its callbacks capture.
    func testAFinishedStreamingCallReleasesItsCallbacks() throws {
        let channel = GRPCLocalChannel(router: services.router, configuration: GRPCServerConfiguration())
        weak var released: Outcome?
        try {
            let (_, bidi) = call(channel, "/test.Test/BidiEcho", ["a"])
            released = bidi
            XCTAssertEqual(bidi.finished.wait(timeout: .now() + 5), .success)
            try group.next().submit {}.wait()
        }()
        XCTAssertNil(released, "the finished call still holds its callbacks")
    }

    func testUnaryAndStreamingCallsReachTheRoutersHandlers() {
        let channel = GRPCLocalChannel(router: services.router, configuration: GRPCServerConfiguration())
        let (_, echo) = call(channel, "/test.Test/Echo", ["hello"])
        XCTAssertEqual(echo.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(echo.messages.withLockedValue { $0 }, ["hello"])
        XCTAssertEqual(echo.status.withLockedValue { $0 }, .ok)

        let (_, metadata) = call(channel, "/test.Test/EchoMetadata", [""], metadata: [("x-test-key", "token")])
        XCTAssertEqual(metadata.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(metadata.messages.withLockedValue { $0 }, ["token"])

        let (_, bidi) = call(channel, "/test.Test/BidiEcho", ["a", "b"])
        XCTAssertEqual(bidi.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(bidi.messages.withLockedValue { $0 }, ["a", "b"])

        let (_, failing) = call(channel, "/test.Test/Fail", ["5:not here"])
        XCTAssertEqual(failing.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(failing.status.withLockedValue { $0 }, GRPCStatus(code: .notFound, message: "not here"))
    }

    func testUnknownMethodsTooLargeRequestsAndAdmissionAreRefusedAsOnAConnection() {
        var router = services.router
        router.admission = { context in
            context.metadata("refuse") == nil ? nil : GRPCStatus(code: .unavailable, message: "refused")
        }
        var configuration = GRPCServerConfiguration()
        configuration.maxReceiveMessageBytes = 4
        let channel = GRPCLocalChannel(router: router, configuration: configuration)
        let (_, unknown) = call(channel, "/test.Test/Nope", ["x"])
        XCTAssertEqual(unknown.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(unknown.status.withLockedValue { $0 }, .unknownMethod("Nope", service: "test.Test"))
        let (_, large) = call(channel, "/test.Test/Echo", ["12345"])
        XCTAssertEqual(large.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(large.status.withLockedValue { $0 }, .messageTooLarge(received: 5, limit: 4))
        let (_, refused) = call(channel, "/test.Test/Echo", ["x"], metadata: [("refuse", "1")])
        XCTAssertEqual(refused.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(refused.status.withLockedValue { $0 }, GRPCStatus(code: .unavailable, message: "refused"))
    }

    func testACallBeyondTheStreamLimitWaitsUntilAnotherEnds() {
        var configuration = GRPCServerConfiguration()
        configuration.maxConcurrentStreams = 1
        let channel = GRPCLocalChannel(router: services.router, configuration: configuration)
        // An open stream holds the only slot.
        let (watch, watching) = call(channel, "/test.Test/BidiEcho", ["open"], closeSend: false)
        let (_, waiting) = call(channel, "/test.Test/Echo", ["queued"])
        XCTAssertEqual(waiting.finished.wait(timeout: .now() + 0.5), .timedOut)
        // Cancelling the stream (its client went away) frees the slot for the waiting call.
        watch.cancel()
        XCTAssertEqual(waiting.finished.wait(timeout: .now() + 5), .success)
        XCTAssertEqual(waiting.messages.withLockedValue { $0 }, ["queued"])
        XCTAssertEqual(watching.messages.withLockedValue { $0 }, ["open"])
        XCTAssertEqual(services.bidiCancellations.withLockedValue { $0 }, 1)
    }
}
