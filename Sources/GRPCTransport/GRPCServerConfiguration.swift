import NIOCore

public struct GRPCServerConfiguration: Sendable {
    public var host: String
    /// 0 binds an ephemeral port; `GRPCServer.start()` returns the bound address.
    public var port: Int
    /// Larger request messages end the call with RESOURCE_EXHAUSTED. etcd's default is its
    /// --max-request-bytes (1.5 MiB) plus 512 KiB of gRPC overhead.
    public var maxReceiveMessageBytes: Int
    /// Longer HTTP/1.1 request bodies are refused (413). JSON carries a request message in
    /// base64 with escapes, so this allows several times `maxReceiveMessageBytes`.
    public var maxHTTP1RequestBodyBytes: Int { 4 * maxReceiveMessageBytes }
    /// SETTINGS_MAX_HEADER_LIST_SIZE, enforced: a stream whose request headers decode to more is
    /// reset. grpc-go's server default (16 MiB), which etcd keeps.
    public var maxHeaderListBytes: Int
    /// SETTINGS_MAX_CONCURRENT_STREAMS; etcd and grpc-go default to no practical limit.
    public var maxConcurrentStreams: UInt32
    /// SETTINGS_INITIAL_WINDOW_SIZE: request bytes a client may send on one stream ahead of us.
    public var initialStreamWindowSize: Int32
    /// Connection-level receive window.
    public var connectionWindowSize: Int32
    /// A streaming writer reports not writable above this many unsent bytes on its stream,
    /// and writable again below `streamWriteLowWaterMark`.
    public var streamWriteHighWaterMark: Int
    public var streamWriteLowWaterMark: Int
    /// A streaming writer reports the client behind (`GRPCResponseWriter.clientIsBehind`) once
    /// more than this many response bytes are certainly unread by the client's application, as
    /// the stream window it hands back shows.
    public var clientBacklogThreshold: Int
    /// A client reported behind that hands back no window for this long is assumed to follow
    /// another window policy, and is not reported behind until it next hands some back. Long,
    /// because a loaded grpc-go client takes seconds to read the quarter of a 16 MiB window
    /// after which it hands window back: a short trust lets its held watch events go early.
    public var clientBacklogTrust: TimeAmount
    public var keepalive: KeepalivePolicy
    /// `shutdownGracefully` closes connections whose calls have not finished after this long.
    public var shutdownGracePeriod: TimeAmount
    /// nil serves plaintext (h2c with prior knowledge, and HTTP/1.1).
    public var tls: GRPCTLSConfiguration?
    /// A connection that has not finished its TLS handshake and sent its first request bytes
    /// within this time is closed (grpc-go's connection timeout is 120 s).
    public var connectionSetupTimeout: TimeAmount
    /// An HTTP/1.1 connection with no request being answered is closed when no whole request has
    /// arrived within this time: a slowloris sending its request a byte at a time, or a keep-alive
    /// connection left idle. Go's server (etcd's) sets no limit; nginx's client_header_timeout
    /// and keepalive_timeout are 60 and 75 s.
    public var http1IdleTimeout: TimeAmount

    /// grpc-go's keepalive enforcement policy: a client pinging more often than `minTime`
    /// (or at all without active calls, unless `permitWithoutCalls`) gets GOAWAY
    /// ENHANCE_YOUR_CALM "too_many_pings" after three strikes. etcd sets minTime from
    /// --grpc-keepalive-min-time (5 s) and does not permit pings without calls.
    ///
    /// The server also pings a connection that has been silent for `pingInterval` and closes it
    /// when nothing arrives within `pingTimeout` after that (etcd's --grpc-keepalive-interval,
    /// 2 h, and --grpc-keepalive-timeout, 20 s).
    public struct KeepalivePolicy: Sendable {
        public var minTime: TimeAmount
        public var permitWithoutCalls: Bool
        public var pingInterval: TimeAmount?
        public var pingTimeout: TimeAmount

        public init(
            minTime: TimeAmount = .seconds(5), permitWithoutCalls: Bool = false,
            pingInterval: TimeAmount? = .hours(2), pingTimeout: TimeAmount = .seconds(20)
        ) {
            self.minTime = minTime
            self.permitWithoutCalls = permitWithoutCalls
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
        }
    }

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maxReceiveMessageBytes: Int = 1_572_864 + 524_288,
        maxHeaderListBytes: Int = 16 << 20,
        maxConcurrentStreams: UInt32 = .max,
        initialStreamWindowSize: Int32 = 1 << 20,
        connectionWindowSize: Int32 = 16 << 20,
        streamWriteHighWaterMark: Int = 1 << 20,
        streamWriteLowWaterMark: Int = 256 << 10,
        clientBacklogThreshold: Int = 256 << 10,
        clientBacklogTrust: TimeAmount = .seconds(5),
        keepalive: KeepalivePolicy = KeepalivePolicy(),
        shutdownGracePeriod: TimeAmount = .seconds(10),
        tls: GRPCTLSConfiguration? = nil,
        connectionSetupTimeout: TimeAmount = .seconds(120),
        http1IdleTimeout: TimeAmount = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.maxReceiveMessageBytes = maxReceiveMessageBytes
        self.maxHeaderListBytes = maxHeaderListBytes
        self.maxConcurrentStreams = maxConcurrentStreams
        self.initialStreamWindowSize = initialStreamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.streamWriteHighWaterMark = streamWriteHighWaterMark
        self.streamWriteLowWaterMark = streamWriteLowWaterMark
        self.clientBacklogThreshold = clientBacklogThreshold
        self.clientBacklogTrust = clientBacklogTrust
        self.keepalive = keepalive
        self.shutdownGracePeriod = shutdownGracePeriod
        self.tls = tls
        self.connectionSetupTimeout = connectionSetupTimeout
        self.http1IdleTimeout = http1IdleTimeout
    }
}
