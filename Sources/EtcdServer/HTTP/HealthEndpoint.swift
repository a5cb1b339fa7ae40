import EtcdProto
import GRPCTransport
import NIOCore
import NIOHTTP1

/// etcd 3.5's `/health`: unhealthy while an alarm is raised (unless `?exclude=NAME`), while
/// there is no leader, or while a read cannot be served (`?serializable=true` skips the leader
/// check and makes the read local).
struct HealthEndpoint: Sendable {
    let core: ServerCore

    struct Verdict: Equatable {
        var healthy: Bool
        var reason: String

        static let healthy = Verdict(healthy: true, reason: "")

        /// etcd answers the JSON with 200 when healthy, and through `http.Error` (text/plain
        /// and a trailing newline) with 503 when not.
        var response: HTTP1Response {
            let json = #"{"health":"\#(healthy)","reason":"\#(reason)"}"#
            if !healthy { return .etcdText(status: .serviceUnavailable, json + "\n") }
            var headers = HTTPHeaders.etcdCORS
            // What Go's content sniffing makes of a JSON body.
            headers.add(name: "content-type", value: "text/plain; charset=utf-8")
            return HTTP1Response(status: .ok, headers: headers, body: ByteBuffer(string: json))
        }
    }

    func check(_ query: HTTPRequestTarget, on eventLoop: any EventLoop) -> EventLoopFuture<Verdict> {
        let excluded = Set(query.values(of: "exclude"))
        let serializable = query.values(of: "serializable").last == "true"
        let alarms: [AlarmMember]
        do {
            alarms = try core.store.alarms()
        } catch {
            // Alarms that cannot be read may be raised: etcd names an alarm it does not know so.
            return eventLoop.makeSucceededFuture(Verdict(healthy: false, reason: "ALARM UNKNOWN"))
        }
        if let alarm = alarms.first(where: { !excluded.contains(Substring($0.alarm.etcdName)) }) {
            let name = alarm.alarm == .nospace || alarm.alarm == .corrupt ? alarm.alarm.etcdName : "UNKNOWN"
            return eventLoop.makeSucceededFuture(Verdict(healthy: false, reason: "ALARM \(name)"))
        }
        if serializable { return eventLoop.makeSucceededFuture(.healthy) }
        if core.log.status.leader == 0 {
            return eventLoop.makeSucceededFuture(Verdict(healthy: false, reason: "RAFT NO LEADER"))
        }
        // etcd proves the member can serve by a linearizable read; the barrier is that read's
        // wait, bounded by the request timeout.
        guard let barrier = core.linearizableReadBarrier(on: eventLoop) else {
            return eventLoop.makeSucceededFuture(.healthy)
        }
        return barrier.map { Verdict.healthy }.recover { error in
            let message = (error as? GRPCStatus)?.message ?? "\(error)"
            return Verdict(healthy: false, reason: "RANGE ERROR:\(message)")
        }
    }
}
