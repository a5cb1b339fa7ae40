import GRPCTransport
import NIOCore
import NIOHTTP1

/// What etcd serves on a `--listen-metrics-urls` listener: `/metrics` and `/health`, nothing else
/// (etcd's `HandleMetricsHealth` on a mux of its own). The client port serves these too.
struct MetricsListenerEndpoints: Sendable {
    let health: HealthEndpoint
    let metrics: MetricsEndpoint

    init(core: ServerCore, router: GRPCRouter) {
        health = HealthEndpoint(core: core)
        metrics = MetricsEndpoint(core: core, router: router)
    }

    var handler: HTTP1Handler {
        { request, eventLoop in respond(to: request, target: HTTPRequestTarget(request.head.uri), on: eventLoop) }
    }

    func respond(to request: HTTP1Request, target: HTTPRequestTarget, on eventLoop: any EventLoop) -> EventLoopFuture<HTTP1Response> {
        switch target.path {
        case "/health":
            guard request.head.method == .GET else { return eventLoop.makeSucceededFuture(.etcdMethodNotAllowed) }
            return health.check(target, on: eventLoop).map(HealthEndpoint.response(healthy:))
        case "/metrics":
            // Prometheus' Go handler answers every method.
            return eventLoop.makeSucceededFuture(metrics.scrape())
        default:
            return eventLoop.makeSucceededFuture(.etcdText(status: .notFound, "404 page not found\n"))
        }
    }
}
