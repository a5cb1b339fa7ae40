import FuzzServerSupport
import FuzzSupport
import GRPCTransport
import NIOCore

@testable import EtcdServer

// A plain HTTP/1.1 connection to the client port: NIOHTTP1's parser, the server's request
// collection (body limit, pipelining) and the JSON gateway, whose calls reach echo handlers of
// every gateway route (so the request's protobuf comes back as the response to transcode).
// The first byte picks how the input is cut into reads; the rest is the byte stream.
func gatewayEchoRouter() -> GRPCRouter {
    var router = GRPCRouter()
    for route in GatewayRoute.byPath.values {
        switch route.shape {
        case .unary:
            router.register(route.grpcPath, .unary { request, context in context.eventLoop.makeSucceededFuture(request) })
        case .serverStreaming:
            router.register(route.grpcPath, .serverStreaming { request, _, writer in
                writer.write(request)
                writer.finish()
            })
        case .bidirectionalStreaming:
            router.register(route.grpcPath, .bidirectionalStreaming { _, writer in
                GRPCRequestObserver(onMessage: { writer.write($0) }, onEnd: { writer.finish() })
            })
        }
    }
    return router
}

let configuration = GRPCServerConfiguration(maxReceiveMessageBytes: 64 << 10)
let gateway = JSONGateway(channel: GRPCLocalChannel(router: gatewayEchoRouter(), configuration: configuration), listenerIsSecure: false)

/// The client port's routing of plain requests (ClientHTTPEndpoints), with the gateway's paths
/// only: the others need a running member.
let handler: HTTP1Handler = { request, eventLoop in
    let path = HTTPRequestTarget(request.head.uri).path
    if path.hasPrefix("/v3beta/") {
        return gateway.respond(to: request, path: "/v3/" + path.dropFirst("/v3beta/".count), on: eventLoop)
    }
    if path.hasPrefix("/v3/") {
        return gateway.respond(to: request, path: String(path), on: eventLoop)
    }
    return echoHTTP1Handler(request, eventLoop)
}

fuzzMain { input in
    guard let selector = input.first else { return }
    let connection = EmbeddedServerConnection(router: GRPCRouter(), configuration: configuration, http1Handler: handler)
    let bytes = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let readSize = selector == 0 ? max(bytes.count, 1) : Int(selector) * 4
    connection.receive(bytes, inReadsOf: readSize)
    connection.close()
}
