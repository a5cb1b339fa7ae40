import Logging
import NIOCore
import NIOHTTP1

/// Looks at the first bytes of a connection: the HTTP/2 client preface selects the gRPC
/// (nghttp2) pipeline, anything else the HTTP/1.1 pipeline. Removes itself afterwards.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let router: GRPCRouter
    private let configuration: GRPCServerConfiguration
    private let http1Handler: HTTP1Handler?
    private let logger: Logger
    private var buffered: ByteBuffer?
    private var decided = false
    private var setupTimeout: Scheduled<Void>?

    init(router: GRPCRouter, configuration: GRPCServerConfiguration, http1Handler: HTTP1Handler?, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.http1Handler = http1Handler
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        setupTimeout = context.eventLoop.scheduleTask(in: configuration.connectionSetupTimeout) {
            channel.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        setupTimeout?.cancel()
        setupTimeout = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if decided {
            context.fireChannelRead(data)
            return
        }
        if buffered == nil {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
        let seen = buffered!.readableBytesView
        let compared = min(seen.count, Self.preface.count)
        let isHTTP2 = seen.prefix(compared).elementsEqual(Self.preface.prefix(compared))
        if isHTTP2 && compared < Self.preface.count { return }
        decided = true
        do {
            if isHTTP2 {
                try context.pipeline.syncOperations.addHandler(
                    HTTP2ServerHandler(
                        router: router, configuration: configuration, http1Handler: http1Handler, logger: logger))
            } else {
                try context.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try context.pipeline.syncOperations.addHandler(
                    HTTP1RequestHandler(
                        handler: http1Handler, maxBodyBytes: configuration.maxHTTP1RequestBodyBytes,
                        idleTimeout: configuration.http1IdleTimeout))
            }
        } catch {
            logger.error("configuring connection failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        let first = buffered!
        buffered = nil
        context.fireChannelRead(wrapInboundOut(first))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A connection that has not yet said which protocol it speaks has no calls to finish.
        if event is GRPCGracefulShutdownEvent, !decided {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
