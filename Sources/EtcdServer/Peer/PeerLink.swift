import GRPCTransport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Raft
import Storage

/// Everything this member sends to one peer: the long-lived message stream (with its bounded
/// queue and reconnection), and a connection of its own for each snapshot.
///
/// `enqueue` runs on the raft thread and only takes a short lock; the connection state lives on
/// one event loop.
final class PeerLink: Sendable {
    /// etcd's stream buffer: messages queued for one peer beyond this are dropped.
    static let queueCapacity = 4096
    static let firstRetryDelay = TimeAmount.milliseconds(100)
    static let maxRetryDelay = TimeAmount.seconds(1)
    static let connectTimeout = TimeAmount.seconds(1)
    /// A snapshot not acknowledged within this long counts as lost.
    static let snapshotTimeout = TimeAmount.minutes(2)
    /// Drops are logged at most this often per peer.
    static let dropLogInterval = TimeAmount.seconds(1)

    let peerID: UInt64
    private let memberID: UInt64
    private let clusterID: UInt64
    let endpoints: [URLEndpoint]
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let handlers: PeerTransport.Handlers
    /// The client side of TLS, used on the peer's https URLs.
    private let tls: TLSContext
    private let outbox = NIOLockedValueBox(Outbox())
    private let connection: NIOLoopBoundBox<Connection>

    /// Messages waiting for the event loop, shared with the raft thread.
    private struct Outbox {
        var messages: [Raft.Message] = []
        /// When the stream was accepted by the peer, if it has not failed since.
        var connectedSince: NIODeadline?
        var connected: Bool { connectedSince != nil }
        var flushScheduled = false
        var stopped = false
        var lastDropLog: NIODeadline?
        var dropsSinceLog = 0
    }

    /// The stream's state, on the event loop only.
    private struct Connection {
        var channel: (any Channel)?
        var stream: HTTP2ClientStream?
        /// Bumped whenever a connection is given up, so late callbacks of an old one do nothing.
        var generation = 0
        var retryDelay = PeerLink.firstRetryDelay
        var retryTask: Scheduled<Void>?
        var nextEndpoint = 0
        var stopped = false
        /// A failure was logged and the link has not worked since: later failures stay quiet.
        var failureLogged = false
        var snapshotChannels: [ObjectIdentifier: any Channel] = [:]
    }

    init(
        peerID: UInt64, memberID: UInt64, clusterID: UInt64, endpoints: [URLEndpoint], eventLoop: any EventLoop,
        tls: TLSContext, logger: Logger, handlers: PeerTransport.Handlers
    ) {
        self.peerID = peerID
        self.memberID = memberID
        self.clusterID = clusterID
        self.endpoints = endpoints
        self.eventLoop = eventLoop
        self.tls = tls
        self.logger = logger
        self.handlers = handlers
        self.connection = NIOLoopBoundBox.makeBoxSendingValue(Connection(), eventLoop: eventLoop)
    }

    // MARK: Raft thread

    /// Queues `messages` for the stream, in order. Those that cannot be queued (not connected,
    /// queue full) are dropped and the peer is reported unreachable, once per call.
    func enqueue(_ messages: [Raft.Message]) {
        var dropped = 0
        var logDrops = 0
        let scheduleFlush = outbox.withLockedValue { outbox -> Bool in
            if outbox.stopped { return false }
            let room = outbox.connected ? Self.queueCapacity - outbox.messages.count : 0
            let accepted = min(messages.count, room)
            outbox.messages.append(contentsOf: messages.prefix(accepted))
            dropped = messages.count - accepted
            if dropped > 0 {
                outbox.dropsSinceLog += dropped
                let now = NIODeadline.now()
                if outbox.lastDropLog.map({ now - $0 >= Self.dropLogInterval }) ?? true {
                    outbox.lastDropLog = now
                    logDrops = outbox.dropsSinceLog
                    outbox.dropsSinceLog = 0
                }
            }
            guard !outbox.flushScheduled, !outbox.messages.isEmpty else { return false }
            outbox.flushScheduled = true
            return true
        }
        if scheduleFlush {
            eventLoop.execute { self.flush() }
        }
        if dropped > 0 {
            if logDrops > 0 {
                logger.warning(
                    "dropped raft messages to a peer: not connected or its queue is full",
                    metadata: ["peer": "\(PeerWire.hex(peerID))", "dropped": "\(logDrops)"])
            }
            handlers.reportUnreachable(peerID)
        }
    }

    /// The number of messages waiting for the stream (bounded by `queueCapacity`).
    var queuedMessages: Int {
        outbox.withLockedValue { $0.messages.count }
    }

    /// Whether the peer accepted the message stream and it has not failed since.
    var isConnected: Bool {
        outbox.withLockedValue { $0.connected }
    }

    /// Since when the stream has worked without failing (etcd's `ActiveSince`); nil while it does not.
    var connectedSince: NIODeadline? {
        outbox.withLockedValue { $0.connectedSince }
    }

    // MARK: Event loop: the message stream

    func start() {
        eventLoop.execute { self.connect() }
    }

    func stop() {
        outbox.withLockedValue { outbox in
            outbox.stopped = true
            outbox.connectedSince = nil
            outbox.messages = []
        }
        eventLoop.execute {
            self.connection.value.stopped = true
            self.connection.value.retryTask?.cancel()
            self.connection.value.channel?.close(promise: nil)
            for channel in self.connection.value.snapshotChannels.values {
                channel.close(promise: nil)
            }
        }
    }

    private var endpoint: URLEndpoint {
        endpoints[connection.value.nextEndpoint % endpoints.count]
    }

    private func connect() {
        guard !connection.value.stopped else { return }
        connection.value.retryTask = nil
        let generation = connection.value.generation
        let endpoint = endpoint
        makeChannel(to: endpoint).whenComplete { result in
            guard self.connection.value.generation == generation, !self.connection.value.stopped else {
                if case .success(let channel) = result { channel.close(promise: nil) }
                return
            }
            switch result {
            case .failure(let error):
                self.linkDown(generation, reason: "connecting to \(endpoint) failed: \(error)")
            case .success(let channel):
                self.connection.value.channel = channel
                channel.closeFuture.whenComplete { _ in
                    self.linkDown(generation, reason: "connection to \(endpoint) closed")
                }
                self.openStream(on: channel, generation: generation, endpoint: endpoint)
            }
        }
    }

    private func makeChannel(to endpoint: URLEndpoint) -> EventLoopFuture<any Channel> {
        Self.makeChannel(to: endpoint, tls: tls, on: eventLoop, timeout: Self.connectTimeout, logger: logger)
    }

    /// A connection to `endpoint` with the HTTP/2 client in its pipeline, behind TLS (`tls`'s
    /// client side) when the URL is https.
    static func makeChannel(
        to endpoint: URLEndpoint, tls: TLSContext, on eventLoop: any EventLoop, timeout: TimeAmount, logger: Logger
    ) -> EventLoopFuture<any Channel> {
        let tls = endpoint.scheme == .https ? tls : nil
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // The handshake runs before the HTTP/2 preface, which TLS holds back till then.
                        try channel.pipeline.syncOperations.addTLSClientHandler(
                            context: tls, serverHostname: endpoint.host, logger: logger)
                    }
                    try channel.pipeline.syncOperations.addHandler(HTTP2ClientHandler(logger: logger))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
    }

    private func openStream(on channel: any Channel, generation: Int, endpoint: URLEndpoint) {
        // A refusal comes in the headers of a refused stream, or in the trailers of an accepted
        // one the peer ends (this member was removed meanwhile).
        let checkRefusal = { (fields: [(name: String, value: String)]) in
            if let status = fields.first(where: { $0.name == "grpc-status" }), status.value != "0" {
                let message = fields.first { $0.name == "grpc-message" }?.value ?? ""
                if status.value == "\(PeerWire.removedMemberRefusal.code.rawValue)" { self.handlers.removedFromCluster() }
                self.linkDown(generation, reason: "peer refused the stream: grpc-status \(status.value) \(message)")
            }
        }
        let observer = HTTP2ClientStreamObserver(
            onHeaders: checkRefusal,
            onData: { _ in
                // The first (empty) message says the peer accepted the stream; nothing else comes.
                self.streamAccepted(generation)
            },
            onTrailers: checkRefusal,
            onEnd: { _ in self.linkDown(generation, reason: "stream to \(endpoint) ended") },
            onWritable: { self.flush() })
        let headers = PeerWire.requestHeaders(
            path: PeerWire.streamPath, endpoint: endpoint, clusterID: clusterID,
            from: memberID, to: peerID)
        guard let handler = try? channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self),
            let stream = handler.openStream(headers: headers, observer: observer)
        else {
            linkDown(generation, reason: "opening the stream to \(endpoint) failed")
            return
        }
        connection.value.stream = stream
    }

    private func streamAccepted(_ generation: Int) {
        guard connection.value.generation == generation, !connection.value.stopped else { return }
        let wasConnected = outbox.withLockedValue { outbox in
            defer { if outbox.connectedSince == nil { outbox.connectedSince = .now() } }
            return outbox.connected
        }
        guard !wasConnected else { return }
        connection.value.retryDelay = Self.firstRetryDelay
        if connection.value.failureLogged {
            logger.info("peer stream is working again", metadata: ["peer": "\(PeerWire.hex(peerID))"])
        }
        connection.value.failureLogged = false
    }

    /// The connection or stream of `generation` failed: drop what was queued (reporting the
    /// peer unreachable), and try again after the back-off delay.
    private func linkDown(_ generation: Int, reason: String) {
        guard connection.value.generation == generation else { return }
        connection.value.generation += 1
        connection.value.stream = nil
        connection.value.channel?.close(promise: nil)
        connection.value.channel = nil
        let dropped = outbox.withLockedValue { outbox -> Int in
            outbox.connectedSince = nil
            defer { outbox.messages.removeAll() }
            return outbox.messages.count
        }
        if dropped > 0 { handlers.reportUnreachable(peerID) }
        guard !connection.value.stopped else { return }
        if !connection.value.failureLogged {
            connection.value.failureLogged = true
            logger.warning(
                "peer stream is down; reconnecting", metadata: ["peer": "\(PeerWire.hex(peerID))", "reason": "\(reason)"])
        }
        connection.value.nextEndpoint += 1
        let delay = connection.value.retryDelay
        connection.value.retryDelay = min(delay * 2, Self.maxRetryDelay)
        connection.value.retryTask = eventLoop.scheduleTask(in: delay) { self.connect() }
    }

    /// Writes every queued message into the stream as one buffer, unless the stream holds more
    /// unsent bytes than its high water mark (then `onWritable` flushes again).
    private func flush() {
        let stream = connection.value.stream
        let writable = stream?.isWritable ?? false
        let batch = outbox.withLockedValue { outbox -> [Raft.Message] in
            outbox.flushScheduled = false
            guard writable, outbox.connected else { return [] }
            defer { outbox.messages.removeAll(keepingCapacity: true) }
            return outbox.messages
        }
        guard let stream, !batch.isEmpty else { return }
        var buffer = ByteBuffer()
        var oversized = 0
        for message in batch {
            let encoded = message.encoded()
            if encoded.count > PeerWire.maxStreamMessageBytes {
                oversized += 1
                continue
            }
            if buffer.writableBytes < PeerWire.frameHeaderBytes + encoded.count {
                buffer.reserveCapacity(minimumWritableBytes: max(PeerWire.frameHeaderBytes + encoded.count, buffer.capacity))
            }
            PeerWire.appendFrame(encoded, to: &buffer)
        }
        if oversized > 0 {
            logger.error(
                "dropped raft messages larger than the stream's limit",
                metadata: [
                    "peer": "\(PeerWire.hex(peerID))", "count": "\(oversized)", "limit": "\(PeerWire.maxStreamMessageBytes)",
                ])
            handlers.reportUnreachable(peerID)
        }
        stream.write(buffer)
    }

    // MARK: Event loop: snapshots

    /// Sends a MsgSnap with the store copy `file` on a connection of its own, so it never
    /// delays the stream (nor heartbeats); the copy is read as the peer's flow control allows
    /// and removed afterwards. Reports the outcome with `reportSnapshot`.
    func sendSnapshot(_ message: Raft.Message, file: PeerSnapshotFile) {
        eventLoop.execute { self.startSnapshot(message, file: file) }
    }

    private func startSnapshot(_ message: Raft.Message, file: PeerSnapshotFile) {
        guard !connection.value.stopped else {
            file.remove()
            handlers.reportSnapshot(peerID, false)
            return
        }
        let endpoint = endpoint
        makeChannel(to: endpoint).whenComplete { result in
            switch result {
            case .failure(let error):
                self.logger.warning(
                    "sending a snapshot failed", metadata: ["peer": "\(PeerWire.hex(self.peerID))", "error": "\(error)"])
                file.remove()
                self.snapshotFinished(success: false)
            case .success(let channel):
                self.sendSnapshot(message.encoded(), file: file, on: channel, endpoint: endpoint)
            }
        }
    }

    private func sendSnapshot(_ encoded: [UInt8], file: PeerSnapshotFile, on channel: any Channel, endpoint: URLEndpoint) {
        let id = ObjectIdentifier(channel)
        guard !connection.value.stopped, let descriptor = try? FileIO.openFile(file.path, flags: O_RDONLY) else {
            channel.close(promise: nil)
            file.remove()
            snapshotFinished(success: false)
            return
        }
        connection.value.snapshotChannels[id] = channel
        let started = NIODeadline.now()
        let timeout = eventLoop.scheduleTask(in: Self.snapshotTimeout) { channel.close(promise: nil) }
        let status = NIOLoopBoundBox<String?>(nil, eventLoop: eventLoop)
        let upload = NIOLoopBoundBox<(stream: HTTP2ClientStream?, offset: Int, failed: Bool)>((nil, 0, false), eventLoop: eventLoop)
        let peer = PeerWire.hex(peerID)
        /// Writes chunks while the stream takes them, then ends the request.
        func pump() {
            guard let stream = upload.value.stream, !upload.value.failed else { return }
            while stream.isWritable && upload.value.offset < file.size {
                let count = min(PeerWire.snapshotChunkBytes, file.size - upload.value.offset)
                guard let chunk = try? FileIO.read(descriptor, count: count, at: upload.value.offset, path: file.path) else {
                    upload.value.failed = true
                    stream.cancel()
                    return
                }
                var frame = ByteBuffer()
                frame.reserveCapacity(PeerWire.frameHeaderBytes + count)
                PeerWire.appendFrame(chunk, to: &frame)
                stream.write(frame)
                upload.value.offset += count
                if upload.value.offset == file.size { stream.end() }
            }
        }
        let observer = HTTP2ClientStreamObserver(
            onHeaders: { headers in
                if let value = headers.first(where: { $0.name == "grpc-status" })?.value { status.value = value }
            },
            onTrailers: { trailers in
                if let value = trailers.first(where: { $0.name == "grpc-status" })?.value { status.value = value }
            },
            onEnd: { _ in
                timeout.cancel()
                _ = try? FileIO.close(descriptor, path: file.path)
                file.remove()
                self.connection.value.snapshotChannels.removeValue(forKey: id)
                channel.close(promise: nil)
                let success = status.value == "0" && !upload.value.failed
                if success {
                    let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
                    self.logger.info(
                        "sent database snapshot to peer",
                        metadata: ["peer": "\(peer)", "bytes": "\(file.size)", "seconds": "\(seconds)"])
                } else {
                    self.logger.warning(
                        "peer did not accept a snapshot",
                        metadata: ["peer": "\(peer)", "grpc-status": "\(status.value ?? "none")"])
                }
                self.snapshotFinished(success: success)
            },
            onWritable: { pump() })
        let headers = PeerWire.requestHeaders(
            path: PeerWire.snapshotPath, endpoint: endpoint, clusterID: clusterID,
            from: memberID, to: peerID)
        guard let handler = try? channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self),
            let stream = handler.openStream(headers: headers, observer: observer)
        else {
            timeout.cancel()
            _ = try? FileIO.close(descriptor, path: file.path)
            file.remove()
            connection.value.snapshotChannels.removeValue(forKey: id)
            channel.close(promise: nil)
            snapshotFinished(success: false)
            return
        }
        var head = ByteBuffer()
        PeerWire.appendFrame(encoded, to: &head)
        PeerWire.appendFrame(PeerWire.snapshotStoreHeader(size: file.size, checksum: file.checksum), to: &head)
        stream.write(head)
        upload.value.stream = stream
        if file.size == 0 { stream.end() }
        pump()
    }

    private func snapshotFinished(success: Bool) {
        if !success { handlers.reportUnreachable(peerID) }
        handlers.reportSnapshot(peerID, success)
    }
}
