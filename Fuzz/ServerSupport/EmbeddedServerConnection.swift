import Logging
import NIOCore
import NIOEmbedded

@testable import GRPCTransport

/// One client connection to the server's real pipeline (TLS if given a context, the protocol
/// sniffer, then nghttp2 and the gRPC layer, or NIOHTTP1), as `GRPCServer` builds it, over an
/// `EmbeddedChannel`: bytes in, everything the server
/// writes read and dropped, its timers run by advancing the embedded clock.
public final class EmbeddedServerConnection {
    public let channel: EmbeddedChannel

    public init(
        router: GRPCRouter, configuration: GRPCServerConfiguration = GRPCServerConfiguration(),
        http1Handler: HTTP1Handler? = nil, tls: TLSContext? = nil
    ) {
        channel = EmbeddedChannel()
        let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
        if let tls {
            try! channel.pipeline.syncOperations.addHandler(TLSHandler(context: tls, logger: logger))
        }
        try! channel.pipeline.syncOperations.addHandler(
            ProtocolSniffer(router: router, configuration: configuration, http1Handler: http1Handler, logger: logger))
        try! channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    /// Delivers `bytes` as one read; false once the server has closed the connection.
    @discardableResult
    public func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard channel.isActive else { return false }
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        // A server that closes the connection on bad input makes the write throw: that is an answer.
        _ = try? channel.writeInbound(buffer)
        settle()
        return channel.isActive
    }

    /// Delivers `bytes` in reads of `readSize` bytes, until they run out or the server closes.
    public func receive(_ bytes: UnsafeRawBufferPointer, inReadsOf readSize: Int) {
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + max(1, readSize))
            guard receive(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) else { return }
            offset = end
        }
    }

    /// Runs queued work, then drops what the server wrote.
    public func settle() {
        channel.embeddedEventLoop.run()
        while (try? channel.readOutbound(as: ByteBuffer.self)) ?? nil != nil {}
    }

    /// Lets `amount` of server time pass (keepalive, deadlines, setup timeout), then closes.
    public func close(after amount: TimeAmount = .seconds(30)) {
        channel.embeddedEventLoop.advanceTime(by: amount)
        settle()
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }
}

/// Handlers of every call shape, echoing what they get, so requests reach the gRPC layer's
/// every path: unary, server streaming, bidirectional, unknown methods and services.
public func echoRouter() -> GRPCRouter {
    var router = GRPCRouter()
    router.register("/fuzz.Fuzz/Unary", .unary { request, context in context.eventLoop.makeSucceededFuture(request) })
    router.register("/fuzz.Fuzz/Fail", .unary { _, context in
        context.eventLoop.makeFailedFuture(GRPCStatus(code: .invalidArgument, message: "fuzz: refused"))
    })
    router.register("/fuzz.Fuzz/ServerStream", .serverStreaming { request, _, writer in
        writer.write(request)
        writer.write(request)
        writer.finish()
    })
    router.register("/fuzz.Fuzz/Bidi", .bidirectionalStreaming { _, writer in
        GRPCRequestObserver(onMessage: { writer.write($0) }, onEnd: { writer.finish() })
    })
    router.register("/fuzz.Fuzz/Small", maxReceiveMessageBytes: 16, .unary { request, context in
        context.eventLoop.makeSucceededFuture(request)
    })
    return router
}

/// Answers every plain HTTP request with its body.
public let echoHTTP1Handler: HTTP1Handler = { request, eventLoop in
    eventLoop.makeSucceededFuture(HTTP1Response(status: .ok, body: request.body))
}
