import Foundation
import NIOConcurrencyHelpers
import NIOCore

@testable import GRPCTransport

/// Handlers shared by the embedded and the real-client tests.
final class TestServices: Sendable {
    /// Calls to /test.Test/Hang that are still waiting, so tests can observe cancellation.
    let hangingCalls = NIOLockedValueBox<[EventLoopPromise<ByteBuffer>]>([])
    let cancellations = NIOLockedValueBox(0)
    let bidiCancellations = NIOLockedValueBox(0)
    /// Calls to /test.Test/Gate waiting for enough company.
    let gate = NIOLockedValueBox<[(EventLoopPromise<ByteBuffer>, ByteBuffer)]>([])

    var router: GRPCRouter {
        var router = GRPCRouter()
        router.register("/test.Test/Echo", .unary { request, context in
            context.eventLoop.makeSucceededFuture(request)
        })
        router.register("/test.Test/EchoMetadata", .unary { _, context in
            let value = context.metadata("x-test-key") ?? "<missing>"
            return context.eventLoop.makeSucceededFuture(ByteBuffer(string: value))
        })
        router.register("/test.Test/PeerName", .unary { _, context in
            context.eventLoop.makeSucceededFuture(ByteBuffer(string: context.peerCertificateCommonName ?? "<none>"))
        })
        router.register("/test.Test/Fail", .unary { request, context in
            // The request is "<code>:<message>".
            let text = String(buffer: request)
            let parts = text.split(separator: ":", maxSplits: 1)
            let code = Int(parts.first ?? "") ?? 2
            let message = parts.count > 1 ? String(parts[1]) : ""
            return context.eventLoop.makeFailedFuture(GRPCStatus(code: .init(rawValue: code), message: message))
        })
        router.register("/test.Test/Throw", .unary { _, context in
            context.eventLoop.makeFailedFuture(TestFailure("plain error"))
        })
        router.register("/test.Test/OffLoop", .unary { request, context in
            // Completes on another thread: the transport must hop back.
            let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
            DispatchQueue.global().async { promise.succeed(request) }
            return promise.futureResult
        })
        router.register("/test.Test/Hang", .unary { [self] _, context in
            let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
            hangingCalls.withLockedValue { $0.append(promise) }
            context.onCancel { [self] in
                cancellations.withLockedValue { $0 += 1 }
                promise.fail(GRPCStatus(code: .cancelled))
            }
            return promise.futureResult
        })
        router.register("/test.Test/Gate", .unary { [self] request, context in
            // Completes only once as many Gate calls are open at the same time as the request's
            // first two bytes (big-endian) say: proves that many streams run concurrently.
            let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
            let needed = Int(request.getInteger(at: request.readerIndex, as: UInt16.self) ?? 0)
            let released = gate.withLockedValue { waiting -> [(EventLoopPromise<ByteBuffer>, ByteBuffer)] in
                waiting.append((promise, request))
                guard waiting.count >= needed else { return [] }
                defer { waiting = [] }
                return waiting
            }
            for (waiting, request) in released { waiting.succeed(request) }
            return promise.futureResult
        })
        router.register("/test.Test/Count", .serverStreaming { request, _, writer in
            // Streams N messages of the request's size, where N is the request's first byte.
            let count = Int(request.getInteger(at: request.readerIndex, as: UInt8.self) ?? 0)
            for index in 0..<count {
                var message = request
                message.setInteger(UInt8(index), at: message.readerIndex)
                writer.write(message)
            }
            writer.finish()
        })
        router.register("/test.Test/BidiEcho", .bidirectionalStreaming { [self] _, writer in
            GRPCRequestObserver(
                onMessage: { writer.write($0) },
                onEnd: { writer.finish() },
                onCancel: { [self] in bidiCancellations.withLockedValue { $0 += 1 } })
        })
        return router
    }
}
