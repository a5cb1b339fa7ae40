import EtcdProto
import GRPCTransport

/// `etcdserverpb.Watch`: one `WatchStream` per call; the hub feeds it events.
struct WatchService: Sendable {
    let hub: WatchHub
    let limits: WatchLimits
    let auth: ServerAuth

    func register(in router: inout GRPCRouter) {
        router.register("/etcdserverpb.Watch/Watch", .bidirectionalStreaming { context, writer in
            // etcd checks each watch as it is created, with the stream's token at that time.
            let refusal: @Sendable (WatchCreateRequest) -> String? = { [auth] request in
                do throws(GRPCStatus) {
                    try auth.requester(context)?.check(.read, key: request.key, rangeEnd: request.rangeEnd)
                    return nil
                } catch {
                    return error.goErrorString
                }
            }
            let stream = WatchStream(
                hub: hub, writer: writer, eventLoop: context.eventLoop, limits: limits, refusal: refusal)
            stream.start()
            // A client's half-close does not end an etcd watch stream: its watches go on.
            return GRPCRequestObserver(
                onMessage: { stream.receive($0) },
                onCancel: { stream.close() })
        })
    }
}

extension GRPCStatus {
    /// How grpc-go prints a status error (`rpc error: code = … desc = …`): etcd puts that text
    /// in a denied watch's cancel reason.
    var goErrorString: String {
        let name =
            switch code {
            case .permissionDenied: "PermissionDenied"
            case .unauthenticated: "Unauthenticated"
            case .invalidArgument: "InvalidArgument"
            case .failedPrecondition: "FailedPrecondition"
            default: "Unknown"
            }
        return "rpc error: code = \(name) desc = \(message)"
    }
}
