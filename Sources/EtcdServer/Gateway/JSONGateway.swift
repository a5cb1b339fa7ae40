import GRPCTransport
import NIOCore
import NIOHTTP1
import ProtoWire

/// etcd 3.4's grpc-gateway: `POST /v3/…` with a JSON body calls the gRPC method of the route,
/// through the same router (admission, auth, limits) a gRPC client reaches, and answers in
/// grpc-gateway 1.x's JSON: results as jsonpb writes them, streams as newline-delimited
/// `{"result":…}`, errors as `{"error":…,"message":…,"code":…}` with its HTTP status.
struct JSONGateway: Sendable {
    let channel: GRPCLocalChannel
    /// Whether the client listener serves TLS. etcd then serves gRPC through Go's HTTP server,
    /// which shows in what its gateway passes on: the response's CORS headers and its
    /// `Trailer` declarations come back as call metadata, and errors are not trailers-only.
    let listenerIsSecure: Bool

    /// Answers `request`, whose path is already under `/v3/` (etcd rewrites `/v3beta/` to it).
    func respond(to request: HTTP1Request, path: String, on eventLoop: any EventLoop) -> EventLoopFuture<HTTP1Response> {
        guard let route = GatewayRoute.byPath[path] else {
            return eventLoop.makeSucceededFuture(.etcdText(status: .notFound, "Not Found\n"))
        }
        // Every route is a POST; grpc-gateway answers another method on it with a bare 405.
        guard request.head.method == .POST else {
            return eventLoop.makeSucceededFuture(.etcdText(status: .methodNotAllowed, "Method Not Allowed\n"))
        }
        var deadline: NIODeadline?
        if let timeout = request.head.headers.first(name: "grpc-timeout") {
            guard let amount = GRPCTimeoutValue.parse(timeout) else {
                return eventLoop.makeSucceededFuture(
                    Self.errorResponse(GRPCStatus(code: .invalidArgument, message: "invalid grpc-timeout: \(timeout)")))
            }
            deadline = .now() + amount
        }
        let body = Array(request.body.readableBytesView)
        var offset = 0
        var messages: [ByteBuffer] = []
        do throws(GatewayRequestError) {
            switch route.shape {
            case .unary, .serverStreaming:
                // grpc-gateway reads one JSON value; an empty body is an empty request.
                let value = try Self.nextValue(body, &offset, code: .invalidArgument) ?? .object([])
                messages.append(try Self.protobuf(value, route.request, code: .invalidArgument))
            case .bidirectionalStreaming:
                // A bad first request fails the call; a bad later one ends the requests there.
                if let first = try Self.nextValue(body, &offset, code: .unknown) {
                    messages.append(try Self.protobuf(first, route.request, code: .unknown))
                    while let value = try? Self.nextValue(body, &offset, code: .unknown),
                        let message = try? Self.protobuf(value, route.request, code: .unknown)
                    {
                        messages.append(message)
                    }
                }
            }
        } catch {
            return eventLoop.makeSucceededFuture(Self.errorResponse(error.status))
        }
        let (relay, response) = GatewayCallRelay.make(route: route, callHeaders: callHeaders, eventLoop: eventLoop)
        let call = channel.makeCall(
            path: route.grpcPath, metadata: Self.metadata(request.head.headers), deadline: deadline,
            remoteAddress: request.remoteAddress, eventLoop: eventLoop,
            onMessage: { relay.value.received($0) }, onFinish: { relay.value.finished($0) })
        request.onCancel { call.cancel() }
        for message in messages { call.send(message) }
        call.closeSend()
        return response
    }

    /// The server's header metadata as grpc-gateway passes it on (`Grpc-Metadata-` headers).
    private var callHeaders: HTTPHeaders {
        var headers: HTTPHeaders = [:]
        if listenerIsSecure {
            for (name, value) in HTTPHeaders.etcdCORS { headers.add(name: "grpc-metadata-" + name, value: value) }
        }
        headers.add(name: "grpc-metadata-content-type", value: "application/grpc")
        if listenerIsSecure {
            for trailer in ["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"] {
                headers.add(name: "grpc-metadata-trailer", value: trailer)
            }
        }
        return headers
    }

    /// grpc-gateway's metadata from HTTP headers: `Authorization` as `authorization` (etcd
    /// reads its token there), and `Grpc-Metadata-X` as `x`.
    static func metadata(_ headers: HTTPHeaders) -> [(name: String, value: String)] {
        var metadata: [(name: String, value: String)] = []
        let prefix = "grpc-metadata-"
        for (name, value) in headers {
            let lowercased = name.lowercased()
            if lowercased == "authorization" {
                metadata.append(("authorization", value))
            } else if lowercased.hasPrefix(prefix), lowercased.count > prefix.count {
                metadata.append((String(lowercased.dropFirst(prefix.count)), value))
            }
        }
        return metadata
    }

    private static func nextValue(
        _ body: [UInt8], _ offset: inout Int, code: GRPCStatus.Code
    ) throws(GatewayRequestError) -> JSONValue? {
        do {
            return try JSONReader.value(in: body, from: &offset)
        } catch {
            throw GatewayRequestError(status: GRPCStatus(code: code, message: error.message))
        }
    }

    private static func protobuf(
        _ value: JSONValue, _ schema: ProtoMessageSchema, code: GRPCStatus.Code
    ) throws(GatewayRequestError) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try ProtoJSONTranscoder.protobuf(from: value, as: schema))
        } catch {
            throw GatewayRequestError(status: GRPCStatus(code: code, message: error.message))
        }
    }

    /// grpc-gateway's `DefaultHTTPError` for a failure before any call was made.
    static func errorResponse(_ status: GRPCStatus) -> HTTP1Response {
        HTTP1Response(
            status: httpStatus(status.code), headers: jsonHeaders, body: ByteBuffer(bytes: errorBody(status)))
    }

    static var jsonHeaders: HTTPHeaders {
        var headers = HTTPHeaders.etcdCORS
        headers.add(name: "content-type", value: "application/json")
        return headers
    }

    /// `{"error":…,"message":…,"code":…}`, with jsonpb's omission of empty fields.
    static func errorBody(_ status: GRPCStatus) -> [UInt8] {
        var writer = JSONWriter()
        var fields: [(String, (inout JSONWriter) -> Void)] = []
        if !status.message.isEmpty {
            fields.append(("error", { $0.string(status.message) }))
            fields.append(("message", { $0.string(status.message) }))
        }
        if status.code != .ok { fields.append(("code", { $0.raw("\(status.code.rawValue)") })) }
        writeObject(fields, to: &writer)
        return writer.bytes
    }

    /// A stream's failure as grpc-gateway's `streamChunk` writes it.
    static func streamErrorChunk(_ status: GRPCStatus) -> [UInt8] {
        let http = httpStatus(status.code)
        var writer = JSONWriter()
        writer.raw(#"{"error":"#)
        var fields: [(String, (inout JSONWriter) -> Void)] = []
        if status.code != .ok { fields.append(("grpc_code", { $0.raw("\(status.code.rawValue)") })) }
        fields.append(("http_code", { $0.raw("\(http.code)") }))
        if !status.message.isEmpty { fields.append(("message", { $0.string(status.message) })) }
        fields.append(("http_status", { $0.string(http.reasonPhrase) }))
        writeObject(fields, to: &writer)
        writer.raw("}")
        return writer.bytes
    }

    private static func writeObject(_ fields: [(String, (inout JSONWriter) -> Void)], to writer: inout JSONWriter) {
        writer.raw("{")
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(name)
            writer.raw(":")
            value(&writer)
        }
        writer.raw("}")
    }

    /// grpc-gateway's `HTTPStatusFromCode`.
    static func httpStatus(_ code: GRPCStatus.Code) -> HTTPResponseStatus {
        switch code {
        case .ok: .ok
        case .cancelled: .requestTimeout
        case .invalidArgument, .outOfRange: .badRequest
        case .deadlineExceeded: .gatewayTimeout
        case .notFound: .notFound
        case .alreadyExists, .aborted: .conflict
        case .permissionDenied: .forbidden
        case .unauthenticated: .unauthorized
        case .resourceExhausted: .tooManyRequests
        case .failedPrecondition: .preconditionFailed
        case .unimplemented: .notImplemented
        case .unavailable: .serviceUnavailable
        default: .internalServerError
        }
    }
}

private struct GatewayRequestError: Error {
    var status: GRPCStatus
}

/// grpc-timeout as grpc-gateway reads it from the `Grpc-Timeout` header.
enum GRPCTimeoutValue {
    static func parse(_ text: String) -> TimeAmount? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "H": return .hours(value)
        case "M": return .minutes(value)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }
}

/// Turns one gateway call's responses into the HTTP response, on the connection's event loop:
/// a unary result once the call ends; a stream's head with its first result, as grpc-gateway
/// answers once the server has sent its headers.
private final class GatewayCallRelay {
    private let route: GatewayRoute
    /// The call's header metadata, which a result carries (and, on a TLS listener, an error).
    private let callHeaders: HTTPHeaders
    /// Let go of once answered: its future holds a stream's response, whose body closure holds
    /// this relay, so keeping it would make a cycle that outlives the connection.
    private var promise: EventLoopPromise<HTTP1Response>?
    private let eventLoop: any EventLoop
    private var unaryResult: ByteBuffer?
    private var responded: Bool { promise == nil }
    /// A stream's body: chunks wait here until the HTTP layer hands over its writer.
    private var bodyWriter: HTTP1BodyWriter?
    private var pendingChunks: [[UInt8]] = []
    private var ended = false

    /// A relay and its HTTP response, which the relay does not keep (see `promise`).
    static func make(
        route: GatewayRoute, callHeaders: HTTPHeaders, eventLoop: any EventLoop
    ) -> (relay: NIOLoopBound<GatewayCallRelay>, response: EventLoopFuture<HTTP1Response>) {
        let promise = eventLoop.makePromise(of: HTTP1Response.self)
        let relay = GatewayCallRelay(route: route, callHeaders: callHeaders, promise: promise, eventLoop: eventLoop)
        return (NIOLoopBound(relay, eventLoop: eventLoop), promise.futureResult)
    }

    private init(
        route: GatewayRoute, callHeaders: HTTPHeaders, promise: EventLoopPromise<HTTP1Response>, eventLoop: any EventLoop
    ) {
        self.route = route
        self.callHeaders = callHeaders
        self.eventLoop = eventLoop
        self.promise = promise
    }

    /// Lets go of the promise before succeeding it, so what its callbacks do sees `responded`.
    private func answer(_ response: HTTP1Response) {
        guard let promise else { return }
        self.promise = nil
        promise.succeed(response)
    }

    func received(_ message: ByteBuffer) {
        guard route.shape != .unary else {
            unaryResult = message
            return
        }
        var chunk: [UInt8] = Array(#"{"result":"#.utf8)
        chunk += json(message)
        chunk += Array("}\n".utf8)
        streamChunk(chunk, status: .ok)
    }

    func finished(_ status: GRPCStatus) {
        guard route.shape != .unary else {
            respondToUnary(status)
            return
        }
        if status != .ok || !responded {
            // A stream that ends before its first result is an error to grpc-gateway.
            let failure = status == .ok ? GRPCStatus(code: .unknown, message: "empty response") : status
            streamChunk(JSONGateway.streamErrorChunk(failure), status: JSONGateway.httpStatus(failure.code))
        }
        ended = true
        bodyWriter?.finish()
    }

    private func streamChunk(_ chunk: [UInt8], status: HTTPResponseStatus) {
        if let bodyWriter {
            bodyWriter.write(ByteBuffer(bytes: chunk))
            return
        }
        pendingChunks.append(chunk)
        guard !responded else { return }
        var headers = JSONGateway.jsonHeaders
        headers.add(contentsOf: callHeaders)
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        answer(HTTP1Response(status: status, headers: headers) { writer in bound.value.attach(writer) })
    }

    /// The head is out: what the call produced so far follows it.
    private func attach(_ writer: HTTP1BodyWriter) {
        bodyWriter = writer
        for chunk in pendingChunks { writer.write(ByteBuffer(bytes: chunk)) }
        pendingChunks = []
        if ended { writer.finish() }
    }

    private func respondToUnary(_ status: GRPCStatus) {
        guard !responded else { return }
        var headers = JSONGateway.jsonHeaders
        if status == .ok, let result = unaryResult {
            headers.add(contentsOf: callHeaders)
            answer(HTTP1Response(status: .ok, headers: headers, body: ByteBuffer(bytes: json(result))))
            return
        }
        let body = JSONGateway.errorBody(status)
        if callHeaders.contains(name: "grpc-metadata-trailer") {
            headers.add(contentsOf: callHeaders)
            answer(HTTP1Response(status: JSONGateway.httpStatus(status.code), headers: headers, body: ByteBuffer(bytes: body)))
            return
        }
        // The server ended the call with trailers only: grpc-gateway passes their content-type
        // on as an HTTP trailer.
        headers.add(name: "trailer", value: "Grpc-Trailer-Content-Type")
        answer(
            HTTP1Response(status: JSONGateway.httpStatus(status.code), headers: headers) { writer in
                writer.write(ByteBuffer(bytes: body))
                writer.finish(trailers: ["Grpc-Trailer-Content-Type": "application/grpc"])
            })
    }

    private func json(_ message: ByteBuffer) -> [UInt8] {
        let rendered = message.withUnsafeReadableBytes { bytes in
            Result { () throws(ProtoDecodingError) -> [UInt8] in
                try ProtoJSONTranscoder.json(fromProtobuf: bytes, as: route.response)
            }
        }
        switch rendered {
        case .success(let json): return json
        case .failure(let error): return JSONGateway.errorBody(GRPCStatus(code: .internal, message: "\(error)"))
        }
    }
}
