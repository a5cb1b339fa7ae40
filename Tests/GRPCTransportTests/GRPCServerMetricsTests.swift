import NIOCore
import XCTest

@testable import GRPCTransport

/// The counters behind `grpc_server_*_total` and etcd's client byte totals, counted as
/// go-grpc-prometheus and etcd's codec count them.
final class GRPCServerMetricsTests: XCTestCase {
    /// One router for the test: each `TestServices.router` is a new one, with counters of its own.
    private let router = TestServices().router

    private func counters(_ method: String) throws -> GRPCMethodCounters {
        try XCTUnwrap(router.methodCounters.first { $0.method == method })
    }

    func testEveryRegisteredMethodHasCountersWithItsServiceAndType() throws {
        let all = router.methodCounters
        XCTAssertEqual(all.map(\.method), all.map(\.method).sorted())
        XCTAssertEqual(try counters("Echo").service, "test.Test")
        XCTAssertEqual(try counters("Echo").type, .unary)
        XCTAssertEqual(try counters("Count").type, .serverStream)
        XCTAssertEqual(try counters("BidiEcho").type, .bidiStream)
    }

    func testCallsAreCountedByMethodAndCodeAndRefusedOnesNotAtAll() throws {
        let client = try H2TestClient(router: router, configuration: GRPCServerConfiguration())
        _ = client.startCall("/test.Test/Echo", messages: [[1, 2, 3]])
        _ = client.startCall("/test.Test/Echo", messages: [[4]])
        _ = client.startCall("/test.Test/Fail", messages: [Array("9:no".utf8)])
        _ = client.startCall("/test.Test/Nope", messages: [[1]])
        _ = client.startCall("/test.Test/Count", messages: [[3, 7]])
        let hung = client.startCall("/test.Test/Hang", messages: [[1]], extraHeaders: [("grpc-timeout", "10m")])
        let bidi = client.startCall("/test.Test/BidiEcho", messages: [[1], [2, 2]], end: false)
        try client.exchange()
        client.reset(bidi)
        client.channel.embeddedEventLoop.advanceTime(by: .milliseconds(10))
        try client.exchange()
        XCTAssertEqual(client.responses[hung]?.grpcStatus, 4)

        let echo = try counters("Echo")
        XCTAssertEqual([echo.startedTotal, echo.handledTotal(.ok), echo.receivedTotal, echo.sentTotal], [2, 2, 2, 2])
        let fail = try counters("Fail")
        XCTAssertEqual([fail.startedTotal, fail.handledTotal(.failedPrecondition), fail.receivedTotal, fail.sentTotal], [1, 1, 1, 0])
        let count = try counters("Count")
        XCTAssertEqual([count.startedTotal, count.handledTotal(.ok), count.receivedTotal, count.sentTotal], [1, 1, 1, 3])
        let hang = try counters("Hang")
        XCTAssertEqual([hang.startedTotal, hang.handledTotal(.deadlineExceeded), hang.sentTotal], [1, 1, 0])
        let echoes = try counters("BidiEcho")
        XCTAssertEqual([echoes.startedTotal, echoes.handledTotal(.cancelled), echoes.receivedTotal, echoes.sentTotal], [1, 1, 2, 2])
        let handled = router.methodCounters.map { counters in
            (0...16).reduce(UInt64(0)) { $0 + counters.handledTotal(GRPCStatus.Code(rawValue: $1)) }
        }.reduce(0, +)
        XCTAssertEqual(handled, 6, "the unknown method is not counted")

        // Message bytes without the 5-byte prefixes: requests 3+1, 4, 2, 1 and 1+2; responses 3+1, 3×2 and 1+2.
        XCTAssertEqual(router.traffic.receivedBytes, 14)
        XCTAssertEqual(router.traffic.sentBytes, 13)
    }

    func testGoNamesTheCodes() {
        XCTAssertEqual(GRPCStatus.Code.cancelled.goName, "Canceled")
        XCTAssertEqual(GRPCStatus.Code.deadlineExceeded.goName, "DeadlineExceeded")
        XCTAssertEqual(GRPCStatus.Code.unauthenticated.goName, "Unauthenticated")
    }
}
