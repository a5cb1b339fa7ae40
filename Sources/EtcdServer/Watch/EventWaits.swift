import EtcdProto
import MVCC
import NIOConcurrencyHelpers
import NIOCore

/// A one-shot wait for the first event on a range at or after a revision: how the server's own
/// lock and election recipes watch keys (etcd runs them as a client with watches).
///
/// Gap-free like a watcher: it is registered first, then the store's history up to the
/// revision published at registration is searched, while later revisions reach it from
/// `publish`. An event found in the history wins over a live one, which is necessarily later.
///
/// `@unchecked Sendable`: every `var` is touched only under the `WatchHub` state lock.
final class EventWait: @unchecked Sendable {
    let range: WatchRange
    let fromRevision: Int64
    let matches: @Sendable (Event) -> Bool
    let promise: EventLoopPromise<Event>
    /// Still searching the history: a live match is kept aside until the search ends.
    var searching = true
    var liveMatch: Event?
    var finished = false

    init(range: WatchRange, fromRevision: Int64, matches: @escaping @Sendable (Event) -> Bool, promise: EventLoopPromise<Event>) {
        self.range = range
        self.fromRevision = fromRevision
        self.matches = matches
        self.promise = promise
    }
}

extension WatchHub {
    /// The first event on `range` with revision ≥ `revision` that `matches` accepts; `cancel`
    /// fails the future with `cancelled` (the waiting call went away).
    func nextEvent(
        in range: WatchRange, from revision: Int64, on eventLoop: any EventLoop,
        where matches: @escaping @Sendable (Event) -> Bool
    ) -> (event: EventLoopFuture<Event>, cancel: @Sendable () -> Void) {
        let wait = EventWait(range: range, fromRevision: revision, matches: matches, promise: eventLoop.makePromise())
        let cancel: @Sendable () -> Void = { [self] in finish(wait, with: .failure(EtcdErrors.cancelled)) }
        guard let searchThrough = register(wait) else {
            wait.promise.fail(EtcdErrors.stopped)
            return (wait.promise.futureResult, cancel)
        }
        var next = revision
        var found: Event?
        do throws(MVCCError) {
            search: while next <= searchThrough {
                let page = try store.events(fromRevision: next, maxEvents: 1000, maxBytes: 1 << 20, withPrevKv: false)
                for event in page.events {
                    guard let kv = event.kv, kv.modRevision <= searchThrough else { break search }
                    if range.contains(kv.key) && matches(event) {
                        found = event
                        break search
                    }
                }
                if page.events.isEmpty { break }
                next = page.nextRevision
            }
        } catch {
            finish(wait, with: .failure(EtcdErrors.status(for: error)))
            return (wait.promise.futureResult, cancel)
        }
        endSearch(wait, found: found)
        return (wait.promise.futureResult, cancel)
    }

    /// Offers the published events to the waits (called by `publish` under the lock).
    static func offer(_ results: [MVCCWriteResult], to waits: inout [ObjectIdentifier: EventWait]) {
        for result in results {
            for event in result.events {
                guard let kv = event.kv else { continue }
                for (id, wait) in waits where kv.modRevision >= wait.fromRevision && wait.range.contains(kv.key) {
                    guard wait.matches(event) else { continue }
                    if wait.searching {
                        if wait.liveMatch == nil { wait.liveMatch = event }
                    } else {
                        wait.finished = true
                        waits[id] = nil
                        wait.promise.succeed(event)
                    }
                }
            }
        }
    }
}
