import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A gRPC server (HTTP/2 via nghttp2, h2c with prior knowledge or TLS with ALPN) that also
/// answers HTTP/1.1 on the same port.
///
/// ```swift
/// var router = GRPCRouter()
/// router.register("/etcdserverpb.KV/Range", .unary { request, context in
///     context.eventLoop.makeSucceededFuture(response)          // or a failed GRPCStatus
/// })
/// router.register("/etcdserverpb.Watch/Watch", .bidirectionalStreaming { context, writer in
///     GRPCRequestObserver(onMessage: { request in writer.write(reply) }, onEnd: { writer.finish() })
/// })
/// let server = GRPCServer(configuration: .init(host: "0.0.0.0", port: 2379), router: router,
///                         http1Handler: health, group: group)
/// let address = try server.start()
/// try server.shutdownGracefully().wait()
/// ```
///
/// Handlers run on the connection's event loop; they must not block it. Request messages are
/// `ByteBuffer` slices valid as long as the handler keeps them.
public final class GRPCServer: Sendable {
    private let configuration: GRPCServerConfiguration
    private let router: GRPCRouter
    private let http1Handler: HTTP1Handler?
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    public init(
        configuration: GRPCServerConfiguration, router: GRPCRouter, http1Handler: HTTP1Handler? = nil,
        group: any EventLoopGroup, logger: Logger = Logger(label: "swift-etcd.grpc")
    ) {
        self.configuration = configuration
        self.router = router
        self.http1Handler = http1Handler
        self.group = group
        self.logger = logger
    }

    /// Binds and starts accepting; returns the bound address (useful with port 0).
    /// Blocks until bound: call it from outside the event loops (or use the async variant).
    public func start() throws -> SocketAddress {
        try started(try bind().wait())
    }

    public func start() async throws -> SocketAddress {
        try started(try await bind().get())
    }

    private func bind() throws -> EventLoopFuture<any Channel> {
        let alreadyStarted = state.withLockedValue { $0.serverChannel != nil }
        if alreadyStarted { throw GRPCTransportError.alreadyStarted }
        let tlsContext = try configuration.tls.map { try TLSContext(server: $0) }
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 << 10, high: 1 << 20))
            .childChannelInitializer { [self] channel in
                self.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(TLSHandler(context: tlsContext, logger: self.logger))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ProtocolSniffer(
                            router: self.router, configuration: self.configuration,
                            http1Handler: self.http1Handler, logger: self.logger))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
    }

    private func started(_ channel: any Channel) throws -> SocketAddress {
        state.withLockedValue { $0.serverChannel = channel }
        guard let address = channel.localAddress else { throw GRPCTransportError.notStarted }
        return address
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let refused = state.withLockedValue { state -> Bool in
            if state.shuttingDown { return true }
            state.connections[id] = channel
            return false
        }
        if refused {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [state] _ in
            _ = state.withLockedValue { $0.connections.removeValue(forKey: id) }
        }
    }

    /// Stops accepting, sends GOAWAY on every connection, lets in-flight calls finish, and
    /// closes connections still open after the configured grace period.
    public func shutdownGracefully() -> EventLoopFuture<Void> {
        let (serverChannel, connections) = state.withLockedValue { state in
            state.shuttingDown = true
            return (state.serverChannel, Array(state.connections.values))
        }
        let eventLoop = group.next()
        let serverClosed = serverChannel?.close() ?? eventLoop.makeSucceededVoidFuture()
        let gracePeriod = configuration.shutdownGracePeriod
        let connectionsClosed = connections.map { channel -> EventLoopFuture<Void> in
            channel.pipeline.fireUserInboundEventTriggered(GRPCGracefulShutdownEvent())
            let forceClose = channel.eventLoop.scheduleTask(in: gracePeriod) { channel.close(promise: nil) }
            return channel.closeFuture.always { _ in forceClose.cancel() }
        }
        return serverClosed.recover { _ in }.flatMap {
            EventLoopFuture.andAllComplete(connectionsClosed, on: eventLoop)
        }
    }

    public func shutdownGracefully() async {
        try? await shutdownGracefully().get()
    }
}
