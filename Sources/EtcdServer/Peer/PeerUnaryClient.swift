import GRPCTransport
import Logging
import NIOCore
import NIOPosix

/// Why a unary call to a peer got no answer.
enum PeerCallError: Error, Equatable, CustomStringConvertible {
    case timedOut
    /// The peer answered a non-zero grpc-status (message percent-decoded).
    case refused(code: String, message: String)
    case failed(String)

    var description: String {
        switch self {
        case .timedOut: "context deadline exceeded"
        case .refused(let code, let message): "unknown error: grpc-status \(code): \(message)"
        case .failed(let reason): reason
        }
    }
}

/// One unary call on the peer router (the HashKV query, the members list, a promotion), on a
/// connection of its own, closed after the answer. Plain HTTP/2 (h2c) unless `connect` is given
/// one that sets up TLS.
struct PeerUnaryClient: Sendable {
    typealias Connect = @Sendable (URLEndpoint, any EventLoop) -> EventLoopFuture<any Channel>

    var memberID: UInt64
    var clusterID: UInt64
    var group: any EventLoopGroup
    var logger: Logger
    var connect: Connect?

    /// Sends `request` (one message encoding) to `path` of `peerID` at `endpoint` and answers
    /// the one message encoding of the reply.
    func call(path: String, peerID: UInt64, endpoint: URLEndpoint, request: [UInt8], timeout: TimeAmount)
        -> EventLoopFuture<[UInt8]>
    {
        let eventLoop = group.next()
        return eventLoop.flatSubmit {
            startCall(path: path, peerID: peerID, endpoint: endpoint, request: request, timeout: timeout, on: eventLoop)
        }
    }

    /// On `eventLoop`.
    private func startCall(
        path: String, peerID: UInt64, endpoint: URLEndpoint, request: [UInt8], timeout: TimeAmount,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<[UInt8]> {
        let promise = eventLoop.makePromise(of: [UInt8].self)
        let channelFuture = connect?(endpoint, eventLoop) ?? plainChannel(to: endpoint, on: eventLoop, timeout: timeout)
        let channelBox = NIOLoopBoundBox<(any Channel)?>(nil, eventLoop: eventLoop)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(PeerCallError.timedOut)
            channelBox.value?.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in
            timer.cancel()
            channelBox.value?.close(promise: nil)
        }
        channelFuture.hop(to: eventLoop).whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(PeerCallError.failed("\(error)"))
            case .success(let channel):
                channelBox.value = channel
                send(on: channel, path: path, peerID: peerID, endpoint: endpoint, request: request, promise: promise)
            }
        }
        return promise.futureResult
    }

    private func plainChannel(to endpoint: URLEndpoint, on eventLoop: any EventLoop, timeout: TimeAmount)
        -> EventLoopFuture<any Channel>
    {
        let logger = logger
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP2ClientHandler(logger: logger))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
    }

    private func send(
        on channel: any Channel, path: String, peerID: UInt64, endpoint: URLEndpoint, request: [UInt8],
        promise: EventLoopPromise<[UInt8]>
    ) {
        let eventLoop = channel.eventLoop
        let body = NIOLoopBoundBox(ByteBuffer(), eventLoop: eventLoop)
        let status = NIOLoopBoundBox<(code: String, message: String)?>(nil, eventLoop: eventLoop)
        func noteStatus(_ fields: [(name: String, value: String)]) {
            if let code = fields.first(where: { $0.name == "grpc-status" })?.value {
                status.value = (code, fields.first { $0.name == "grpc-message" }?.value ?? "")
            }
        }
        let observer = HTTP2ClientStreamObserver(
            onHeaders: { noteStatus($0) },
            onData: { bytes in
                var bytes = bytes
                body.value.writeBuffer(&bytes)
            },
            onTrailers: { noteStatus($0) },
            onEnd: { end in
                promise.completeWith(Self.outcome(status: status.value, body: body.value, end: end).mapError { $0 as any Error })
            })
        let headers = PeerWire.requestHeaders(path: path, endpoint: endpoint, clusterID: clusterID, from: memberID, to: peerID)
        guard let handler = try? channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self),
            let stream = handler.openStream(headers: headers, observer: observer)
        else {
            promise.fail(PeerCallError.failed("opening a stream to \(endpoint) failed"))
            return
        }
        var frame = ByteBuffer()
        PeerWire.appendFrame(request, to: &frame)
        stream.write(frame)
        stream.end()
    }

    /// The answer of a finished call: one gRPC frame with status 0, or the peer's error.
    static func outcome(
        status: (code: String, message: String)?, body: ByteBuffer, end: HTTP2StreamEnd
    ) -> Result<[UInt8], PeerCallError> {
        guard let status else {
            return .failure(.failed(end == .connectionLost ? "connection lost" : "answer without grpc-status"))
        }
        guard status.code == "0" else {
            return .failure(.refused(code: status.code, message: status.message.removingPercentEncodingIfPossible))
        }
        var body = body
        guard body.readableBytes >= PeerWire.frameHeaderBytes, let flag = body.readInteger(as: UInt8.self), flag == 0,
            let length = body.readInteger(as: UInt32.self), let bytes = body.readBytes(length: Int(length))
        else {
            return .failure(.failed("malformed answer"))
        }
        return .success(bytes)
    }
}

extension String {
    /// gRPC percent-decoding of grpc-message (only `%XX` sequences are encoded).
    fileprivate var removingPercentEncodingIfPossible: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
