import GRPCTransport
import NIOCore
import NIOHTTP1

/// The plain HTTP/1.1 endpoints etcd serves beside gRPC on the client port: `/health`,
/// `/version`, `/metrics` and the JSON gateway under `/v3/`. Anything else is answered as
/// etcd's Go mux answers it.
///
/// etcd 3.4 serves no `/livez` or `/readyz`; neither does this.
struct ClientHTTPEndpoints: Sendable {
    let healthAndMetrics: MetricsListenerEndpoints
    let gateway: JSONGateway

    init(core: ServerCore, router: GRPCRouter, gatewayChannel: GRPCLocalChannel, listenerIsSecure: Bool) {
        healthAndMetrics = MetricsListenerEndpoints(core: core, router: router)
        gateway = JSONGateway(channel: gatewayChannel, listenerIsSecure: listenerIsSecure)
    }

    var handler: HTTP1Handler {
        { request, eventLoop in respond(to: request, on: eventLoop) }
    }

    func respond(to request: HTTP1Request, on eventLoop: any EventLoop) -> EventLoopFuture<HTTP1Response> {
        let target = HTTPRequestTarget(request.head.uri)
        // etcd's access controller answers every OPTIONS request itself (CORS preflight).
        if request.head.method == .OPTIONS {
            return eventLoop.makeSucceededFuture(HTTP1Response(status: .ok, headers: .etcdCORS))
        }
        // etcd 3.4 still serves the gateway's old prefix, by rewriting it.
        if target.path.hasPrefix("/v3beta/") {
            return gateway.respond(to: request, path: "/v3/" + target.path.dropFirst("/v3beta/".count), on: eventLoop)
        }
        if target.path.hasPrefix("/v3/") {
            return gateway.respond(to: request, path: String(target.path), on: eventLoop)
        }
        guard target.path == "/version" else { return healthAndMetrics.respond(to: request, target: target, on: eventLoop) }
        guard request.head.method == .GET else { return eventLoop.makeSucceededFuture(.etcdMethodNotAllowed) }
        return eventLoop.makeSucceededFuture(Self.version)
    }

    /// etcd's `/version` body; the keys are in the order etcd writes them.
    static var version: HTTP1Response {
        var headers = HTTPHeaders.etcdCORS
        headers.add(name: "content-type", value: "application/json")
        let body = #"{"etcdserver":"\#(reportedEtcdVersion)","etcdcluster":"\#(clusterVersion)"}"#
        return HTTP1Response(status: .ok, headers: headers, body: ByteBuffer(string: body))
    }
}

/// A request URI split into its path and its query parameters.
struct HTTPRequestTarget {
    var path: Substring
    var query: [(name: Substring, value: Substring)]

    init(_ uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts[0]
        query = parts.count < 2 ? [] : parts[1].split(separator: "&").map { pair in
            let nameAndValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (nameAndValue[0], nameAndValue.count < 2 ? "" : nameAndValue[1])
        }
    }

    func values(of name: String) -> [Substring] {
        query.filter { $0.name == name }.map(\.value)
    }
}

extension HTTPHeaders {
    /// etcd's client listener wraps every handler in its CORS handler, which with the default
    /// `--cors '*'` adds these to every response.
    static let etcdCORS: HTTPHeaders = [
        "access-control-allow-headers": "accept, content-type, authorization",
        "access-control-allow-methods": "POST, GET, OPTIONS, PUT, DELETE",
        "access-control-allow-origin": "*",
    ]
}

extension HTTP1Response {
    /// A text reply written the way Go's `http.Error` writes it.
    static func etcdText(status: HTTPResponseStatus, _ text: String, extraHeaders: HTTPHeaders = [:]) -> HTTP1Response {
        var headers = HTTPHeaders.etcdCORS
        headers.add(contentsOf: extraHeaders)
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "x-content-type-options", value: "nosniff")
        return HTTP1Response(status: status, headers: headers, body: ByteBuffer(string: text))
    }

    static var etcdMethodNotAllowed: HTTP1Response {
        etcdText(status: .methodNotAllowed, "Method Not Allowed\n", extraHeaders: ["allow": "GET"])
    }
}
