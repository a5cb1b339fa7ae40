import Dispatch
import EtcdProto
import GRPCTransport
import Logging
import MVCC
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProtoWire

// The peer HashKV query: etcd's `/members/hashkv` on the peer port (JSON over HTTP/1.1 there),
// here a third path of the peer router, so it shares the peer listener, its headers and checks.

extension PeerWire {
    /// `/raft/hashkv`: a unary gRPC-framed POST whose request is one `etcdserverpb.HashKVRequest`
    /// and whose answer is one `etcdserverpb.HashKVResponse` (header.revision: the answering
    /// member's current revision; hash and compact_revision at the requested revision), or a
    /// status: OUT_OF_RANGE with etcd's "compacted" / "future revision" message, or the stream
    /// path's FAILED_PRECONDITION when the caller is not a member of this cluster.
    static let hashKVPath = "/raft/hashkv"
}

/// How this member answers a peer's HashKV request (any thread).
typealias PeerHashKVProvider = @Sendable (HashKVRequest) -> Result<HashKVResponse, GRPCStatus>

extension PeerReceiver {
    /// Adds the HashKV path to the peer router.
    func registerHashKV(in router: inout GRPCRouter, provider: @escaping PeerHashKVProvider) {
        router.register(PeerWire.hashKVPath, .unary { [self] body, context in
            switch checkCaller(context) {
            case .failure(let refusal):
                return context.eventLoop.makeFailedFuture(refusal)
            case .success:
                let request: HashKVRequest
                do throws(GRPCStatus) {
                    request = try HashKVRequest(requestBody: body)
                } catch {
                    return context.eventLoop.makeFailedFuture(error)
                }
                // Hashing a large store takes a while: not on the event loop the raft streams share.
                let promise = context.eventLoop.makePromise(of: ByteBuffer.self)
                DispatchQueue.global().async {
                    switch provider(request) {
                    case .success(let response):
                        promise.succeed(response.responseBody(allocator: ByteBufferAllocator()))
                    case .failure(let status):
                        promise.fail(status)
                    }
                }
                return promise.futureResult
            }
        })
    }
}

extension MVCCStore {
    /// What a member answers to a HashKV at `revision` (0: current): etcd's `HashByRev`, with the
    /// compact revision -1 before the first compaction, as etcd reports it.
    func peerHashKV(revision: Int64, clusterID: UInt64, memberID: UInt64) -> Result<HashKVResponse, GRPCStatus> {
        do throws(MVCCError) {
            let hash = try hashKV(revision: revision)
            let compacted = try compactedRevision()
            let current = try currentRevision()
            var response = HashKVResponse()
            response.header = ResponseHeader(clusterId: clusterID, memberId: memberID, revision: current)
            response.hash = hash.hash
            response.compactRevision = compacted == 0 ? -1 : compacted
            response.hashRevision = hash.revision
            return .success(response)
        } catch {
            return .failure(EtcdErrors.status(for: error))
        }
    }
}

/// Why a peer's HashKV could not be had.
enum PeerHashKVError: Error, Equatable, CustomStringConvertible {
    /// The peer compacted the requested revision (etcd's rpctypes.ErrCompacted).
    case compacted
    /// The peer has not reached the requested revision (etcd's rpctypes.ErrFutureRev).
    case futureRevision
    case timedOut
    case refused(code: String, message: String)
    case failed(String)

    var description: String {
        switch self {
        case .compacted: EtcdErrors.compacted.message
        case .futureRevision: EtcdErrors.futureRevision.message
        case .timedOut: "context deadline exceeded"
        case .refused(let code, let message): "unknown error: grpc-status \(code): \(message)"
        case .failed(let reason): reason
        }
    }
}

/// Asks one peer endpoint for its HashKV, on a connection of its own, closed after the answer.
/// Plain HTTP/2 (h2c) unless `connect` is given one that sets up TLS.
struct PeerHashKVClient: Sendable {
    typealias Connect = @Sendable (URLEndpoint, any EventLoop) -> EventLoopFuture<any Channel>

    var memberID: UInt64
    var clusterID: UInt64
    var group: any EventLoopGroup
    var logger: Logger
    var connect: Connect?

    func hashKV(peerID: UInt64, endpoint: URLEndpoint, revision: Int64, timeout: TimeAmount)
        -> EventLoopFuture<HashKVResponse>
    {
        let eventLoop = group.next()
        return eventLoop.flatSubmit {
            startQuery(peerID: peerID, endpoint: endpoint, revision: revision, timeout: timeout, on: eventLoop)
        }
    }

    /// On `eventLoop`.
    private func startQuery(
        peerID: UInt64, endpoint: URLEndpoint, revision: Int64, timeout: TimeAmount, on eventLoop: any EventLoop
    ) -> EventLoopFuture<HashKVResponse> {
        let promise = eventLoop.makePromise(of: HashKVResponse.self)
        let channelFuture = connect?(endpoint, eventLoop) ?? plainChannel(to: endpoint, on: eventLoop, timeout: timeout)
        let channelBox = NIOLoopBoundBox<(any Channel)?>(nil, eventLoop: eventLoop)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(PeerHashKVError.timedOut)
            channelBox.value?.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in
            timer.cancel()
            channelBox.value?.close(promise: nil)
        }
        channelFuture.hop(to: eventLoop).whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(PeerHashKVError.failed("\(error)"))
            case .success(let channel):
                channelBox.value = channel
                send(on: channel, peerID: peerID, endpoint: endpoint, revision: revision, promise: promise)
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
        on channel: any Channel, peerID: UInt64, endpoint: URLEndpoint, revision: Int64,
        promise: EventLoopPromise<HashKVResponse>
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
        let headers = PeerWire.requestHeaders(
            path: PeerWire.hashKVPath, endpoint: endpoint, clusterID: clusterID,
            from: memberID, to: peerID)
        guard let handler = try? channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self),
            let stream = handler.openStream(headers: headers, observer: observer)
        else {
            promise.fail(PeerHashKVError.failed("opening a stream to \(endpoint) failed"))
            return
        }
        var request = ByteBuffer()
        PeerWire.appendFrame(HashKVRequest(revision: revision).serializedBytes(), to: &request)
        stream.write(request)
        stream.end()
    }

    /// The answer of a finished call: one gRPC frame holding a HashKVResponse with status 0, or
    /// the peer's error.
    static func outcome(
        status: (code: String, message: String)?, body: ByteBuffer, end: HTTP2StreamEnd
    ) -> Result<HashKVResponse, PeerHashKVError> {
        guard let status else {
            return .failure(.failed(end == .connectionLost ? "connection lost" : "answer without grpc-status"))
        }
        guard status.code == "0" else {
            let message = status.message.removingPercentEncodingIfPossible
            if message.contains("required revision has been compacted") { return .failure(.compacted) }
            if message.contains("required revision is a future revision") { return .failure(.futureRevision) }
            return .failure(.refused(code: status.code, message: message))
        }
        var body = body
        guard body.readableBytes >= PeerWire.frameHeaderBytes, let flag = body.readInteger(as: UInt8.self), flag == 0,
            let length = body.readInteger(as: UInt32.self), let bytes = body.readBytes(length: Int(length))
        else {
            return .failure(.failed("malformed HashKV answer"))
        }
        do {
            return .success(try HashKVResponse(serializedBytes: bytes))
        } catch {
            return .failure(.failed("undecodable HashKV answer: \(error)"))
        }
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
