import GRPCTransport

/// `etcdserverpb.Watch`: one `WatchStream` per call; the hub feeds it events.
struct WatchService: Sendable {
    let hub: WatchHub
    let limits: WatchLimits

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Watch/Watch", .bidirectionalStreaming { context, writer in
            let stream = WatchStream(hub: hub, writer: writer, eventLoop: context.eventLoop, limits: limits)
            stream.start()
            // A client's half-close does not end an etcd watch stream: its watches go on.
            return GRPCRequestObserver(
                onMessage: { stream.receive($0) },
                onCancel: { stream.close() })
        })
    }
}
