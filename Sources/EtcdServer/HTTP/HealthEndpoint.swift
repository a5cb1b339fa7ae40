import EtcdProto
import GRPCTransport
import NIOCore
import NIOHTTP1

/// etcd 3.4's `/health`: unhealthy while an alarm is raised (unless `?exclude=NAME`), while
/// there is no leader, or while a quorum read cannot be served. The body says only
/// `{"health":"true"}` or `{"health":"false"}`: the reason field came with etcd 3.5.
struct HealthEndpoint: Sendable {
    let core: ServerCore

    /// etcd answers the JSON with 200 when healthy, and through `http.Error` (text/plain
    /// and a trailing newline) with 503 when not.
    static func response(healthy: Bool) -> HTTP1Response {
        let json = #"{"health":"\#(healthy)"}"#
        if !healthy { return .etcdText(status: .serviceUnavailable, json + "\n") }
        var headers = HTTPHeaders.etcdCORS
        // What Go's content sniffing makes of a JSON body.
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        return HTTP1Response(status: .ok, headers: headers, body: ByteBuffer(string: json))
    }

    func check(_ query: HTTPRequestTarget, on eventLoop: any EventLoop) -> EventLoopFuture<Bool> {
        let excluded = Set(query.values(of: "exclude"))
        let alarms: [AlarmMember]
        do {
            alarms = try core.store.alarms()
        } catch {
            // Alarms that cannot be read may be raised.
            return eventLoop.makeSucceededFuture(false)
        }
        if alarms.contains(where: { !excluded.contains(Substring($0.alarm.etcdName)) }) {
            return eventLoop.makeSucceededFuture(false)
        }
        if core.log.status.leader == 0 { return eventLoop.makeSucceededFuture(false) }
        // etcd proves the member can serve by a quorum read through the log; the barrier is a
        // linearizable read's wait, bounded by the request timeout.
        guard let barrier = core.linearizableReadBarrier(on: eventLoop) else {
            return eventLoop.makeSucceededFuture(true)
        }
        return barrier.map { true }.recover { _ in false }
    }
}
