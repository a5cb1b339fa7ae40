import Foundation
import GRPCTransport
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Raft
import XCTest

@testable import EtcdServer

/// Hand-made peer streams, written with the HTTP/2 client handler, against a transport's
/// listener: broken frames close the stream and deliver nothing of themselves.
final class PeerTransportFramingTests: XCTestCase {
    private typealias Support = PeerTestSupport

    private var recorder: PeerRecorder!
    private var member1: PeerTransport!
    private var port1 = 0

    override func setUpWithError() throws {
        port1 = try Support.freePort()
        recorder = PeerRecorder()
        // Member 2 never starts: only the hand-made streams below speak for it.
        member1 = try Support.transport(1, ports: [1: port1, 2: try Support.freePort()], recorder: recorder)
        _ = try member1.start()
    }

    override func tearDown() {
        member1.stop()
    }

    /// How the listener answered a stream.
    private struct Answer {
        var status: String?
        var end: HTTP2StreamEnd?
    }

    private static func frame(_ message: Raft.Message) -> ByteBuffer {
        var buffer = ByteBuffer()
        PeerWire.appendFrame(message.encoded(), to: &buffer)
        return buffer
    }

    /// Opens `/raft/stream` as member 2, writes `body` (ending the request if `end`), and waits
    /// for the listener to end the stream.
    private func stream(_ body: ByteBuffer, end: Bool) throws -> Answer {
        let channel = try ClientBootstrap(group: Support.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP2ClientHandler(logger: Support.logger))
                }
            }
            .connect(host: "127.0.0.1", port: port1).wait()
        defer { try? channel.close().wait() }
        let answered = channel.eventLoop.makePromise(of: Answer.self)
        let endpoint = Support.url(port1)
        try channel.eventLoop.submit {
            let answer = NIOLoopBoundBox(Answer(), eventLoop: channel.eventLoop)
            func record(_ fields: [(name: String, value: String)]) {
                if let status = fields.first(where: { $0.name == "grpc-status" }) { answer.value.status = status.value }
            }
            let observer = HTTP2ClientStreamObserver(
                onHeaders: record, onTrailers: record,
                onEnd: { end in
                    answer.value.end = end
                    answered.succeed(answer.value)
                })
            let headers = PeerWire.requestHeaders(
                path: PeerWire.streamPath, endpoint: endpoint, clusterID: Support.clusterID, from: 2, to: 1)
            let handler = try channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self)
            guard let stream = handler.openStream(headers: headers, observer: observer) else {
                throw PeerTestFailure("openStream refused")
            }
            stream.write(body)
            if end { stream.end() }
        }.wait()
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(5)) {
            answered.fail(PeerTestFailure("the listener did not end the stream"))
        }
        defer { timeout.cancel() }
        return try answered.futureResult.wait()
    }

    func testTruncatedFrameClosesTheStreamAndDeliversNothingOfIt() throws {
        var body = Self.frame(Support.heartbeat(from: 2, to: 1, commit: 1))
        // Misaddressed messages are dropped, the stream stays open.
        body.writeImmutableBuffer(Self.frame(Support.heartbeat(from: 3, to: 1, commit: 99)))
        body.writeImmutableBuffer(Self.frame(Support.heartbeat(from: 2, to: 5, commit: 98)))
        body.writeImmutableBuffer(Self.frame(Support.heartbeat(from: 2, to: 1, commit: 2)))
        // Then a frame cut short by the end of the stream.
        var truncated = Self.frame(Support.append(from: 2, to: 1, index: 5, entryBytes: 100))
        body.writeImmutableBuffer(truncated.readSlice(length: 40)!)
        let answer = try stream(body, end: true)
        XCTAssertNotNil(answer.status)
        XCTAssertNotEqual(answer.status, "0")
        XCTAssertEqual(recorder.delivered.withLockedValue { $0.map(\.commit) }, [1, 2])
    }

    func testOversizedFrameClosesTheStreamBeforeItsBytesArrive() throws {
        var body = Self.frame(Support.heartbeat(from: 2, to: 1, commit: 3))
        body.writeInteger(UInt8(0))
        body.writeInteger(UInt32(PeerWire.maxStreamMessageBytes + 1))
        body.writeBytes([UInt8](repeating: 0, count: 1000))
        // The request is not ended: the listener closes the stream on the length alone.
        let answer = try stream(body, end: false)
        XCTAssertEqual(answer.status, "8")
        XCTAssertEqual(recorder.delivered.withLockedValue { $0.map(\.commit) }, [3])
    }

    func testUndecodableFrameClosesTheStream() throws {
        var body = ByteBuffer()
        PeerWire.appendFrame([0xff, 0xff, 0xff, 0xff], to: &body)
        body.writeImmutableBuffer(Self.frame(Support.heartbeat(from: 2, to: 1, commit: 4)))
        let answer = try stream(body, end: false)
        XCTAssertEqual(answer.status, "3")
        XCTAssertTrue(recorder.delivered.withLockedValue { $0.isEmpty })
    }
}

struct PeerTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
