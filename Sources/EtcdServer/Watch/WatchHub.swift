import EtcdProto
import GRPCTransport
import MVCC
import NIOConcurrencyHelpers
import NIOCore

/// Routes the events of applied writes to the watchers that cover them (etcd's watchableStore).
///
/// A watcher is either *synced* — in the index, given each applied batch's events as the
/// apply loop publishes them — or *unsynced*: its stream reads the events it lacks from the
/// store, then rejoins the index. `notifiedRevision` (the last revision published) decides the
/// handover under the lock, so no event is missed or delivered twice: a catch-up reads only up
/// to `notifiedRevision`, and a watcher rejoins only once its next revision lies beyond it.
/// While a stream is congested (its client reads slowly), the events of its synced watchers are
/// held and merged until it drains, so that client gets few large responses; past the stream's
/// byte bound its held watchers become unsynced instead. The apply loop never waits for a client.
final class WatchHub: Sendable {
    let store: MVCCStore
    let encoder: WatchResponseEncoder
    private let state: NIOLockedValueBox<State>

    private struct State {
        var notifiedRevision: Int64
        /// Synced single-key watchers by key.
        var singleKey: [[UInt8]: [ObjectIdentifier: Watcher]] = [:]
        /// Synced range watchers grouped by range, so many watchers of one prefix cost one test.
        var ranges: [WatchRange: [ObjectIdentifier: Watcher]] = [:]
        var streams: [ObjectIdentifier: WatchStream] = [:]
        var eventWaits: [ObjectIdentifier: EventWait] = [:]
        var closed = false

        mutating func index(_ watcher: Watcher) {
            watcher.isSynced = true
            if watcher.range.end == nil {
                singleKey[watcher.range.key, default: [:]][ObjectIdentifier(watcher)] = watcher
            } else {
                ranges[watcher.range, default: [:]][ObjectIdentifier(watcher)] = watcher
            }
        }

        mutating func unindex(_ watcher: Watcher) {
            guard watcher.isSynced else { return }
            watcher.isSynced = false
            let id = ObjectIdentifier(watcher)
            if watcher.range.end == nil {
                singleKey[watcher.range.key]?[id] = nil
                if singleKey[watcher.range.key]?.isEmpty == true { singleKey[watcher.range.key] = nil }
            } else {
                ranges[watcher.range]?[id] = nil
                if ranges[watcher.range]?.isEmpty == true { ranges[watcher.range] = nil }
            }
        }
    }

    init(store: MVCCStore, encoder: WatchResponseEncoder) throws {
        self.store = store
        self.encoder = encoder
        self.state = NIOLockedValueBox(State(notifiedRevision: try store.currentRevision()))
    }

    // MARK: The apply loop's side

    /// Hands the events of an applied batch (already committed to the store) to synced watchers.
    func publish(_ results: [MVCCWriteResult]) {
        guard let last = results.last else { return }
        state.withLockedValue { state in
            defer { state.notifiedRevision = max(state.notifiedRevision, last.revision) }
            if !state.eventWaits.isEmpty { Self.offer(results, to: &state.eventWaits) }
            if state.closed || (state.singleKey.isEmpty && state.ranges.isEmpty) { return }
            var touched: [Watcher] = []
            var overflowing: [WatchStream] = []
            for result in results {
                for event in result.events {
                    guard let key = event.kv?.key else { continue }
                    var withPrevKv: EncodedEvent?
                    var withoutPrevKv: EncodedEvent?
                    func offer(_ watchers: [ObjectIdentifier: Watcher]) {
                        for watcher in watchers.values where watcher.accepts(event) {
                            guard result.revision >= watcher.nextRevision else { continue }
                            let encoded: EncodedEvent
                            if watcher.wantsPrevKv {
                                if withPrevKv == nil { withPrevKv = EncodedEvent(event, includePrevKv: true) }
                                encoded = withPrevKv!
                            } else {
                                if withoutPrevKv == nil { withoutPrevKv = EncodedEvent(event, includePrevKv: false) }
                                encoded = withoutPrevKv!
                            }
                            if watcher.pending.isEmpty {
                                touched.append(watcher)
                            } else if watcher.isHeld, watcher.stream.holdsPastBound(after: encoded.bytes.readableBytes) {
                                overflowing.append(watcher.stream)
                            }
                            watcher.pending.append(encoded)
                        }
                    }
                    if let watchers = state.singleKey[key] { offer(watchers) }
                    for (range, watchers) in state.ranges where range.contains(key) { offer(watchers) }
                }
            }
            deliver(touched, revision: last.revision, state: &state)
            for stream in overflowing { unsyncHeld(on: stream, state: &state) }
        }
    }

    /// Queues the responses of watchers given their first pending events by this batch, or holds
    /// them if their stream is congested (or already holding others, which then go out together).
    private func deliver(_ touched: [Watcher], revision: Int64, state: inout State) {
        var byStream: [ObjectIdentifier: [Watcher]] = [:]
        for watcher in touched { byStream[ObjectIdentifier(watcher.stream), default: []].append(watcher) }
        for watchers in byStream.values {
            let stream = watchers[0].stream
            if stream.held.watchers.isEmpty && !stream.isCongested {
                var responses: [ByteBuffer] = []
                responses.reserveCapacity(watchers.count)
                for watcher in watchers {
                    encoder.eventResponses(
                        watchID: watcher.id, revision: revision, events: watcher.pending[...],
                        fragment: watcher.wantsFragments, into: &responses)
                    watcher.sentEventsSinceProgress = true
                    watcher.pending.removeAll(keepingCapacity: true)
                }
                stream.enqueue(contentsOf: responses)
                continue
            }
            var bytes = 0
            for watcher in watchers {
                watcher.isHeld = true
                stream.held.watchers.append(watcher)
                for event in watcher.pending { bytes += event.bytes.readableBytes }
            }
            if stream.holdsPastBound(after: bytes) { unsyncHeld(on: stream, state: &state) }
        }
    }

    /// The stream holds more than its bound: its held watchers drop their held events and are
    /// caught up from the store from the first of them, once the stream has drained.
    private func unsyncHeld(on stream: WatchStream, state: inout State) {
        let held = stream.held
        for watcher in held.watchers {
            watcher.isHeld = false
            if !watcher.isCancelled {
                state.unindex(watcher)
                watcher.nextRevision = watcher.pending[0].revision
                stream.scheduleCatchUp(watcher)
            }
            watcher.pending.removeAll()
        }
        held.watchers.removeAll()
        held.bytes = 0
    }

    /// The store became a leader's snapshot at `revision` (the apply loop): no batch will bring
    /// the events between the last one published and it, so every synced watcher catches up
    /// from the new store, as an unsynced one does (from its compaction, if the leader compacted
    /// what it lacks).
    func storeReplaced(revision: Int64) {
        state.withLockedValue { state in
            var watchers: [Watcher] = []
            for byKey in state.singleKey.values { watchers += byKey.values }
            for byRange in state.ranges.values { watchers += byRange.values }
            for watcher in watchers where !watcher.isHeld {
                state.unindex(watcher)
                watcher.nextRevision = max(watcher.nextRevision, state.notifiedRevision + 1)
                watcher.stream.scheduleCatchUp(watcher)
            }
            for stream in state.streams.values where !stream.held.watchers.isEmpty {
                unsyncHeld(on: stream, state: &state)
            }
            state.notifiedRevision = max(state.notifiedRevision, revision)
        }
    }

    /// Ends every stream and event wait: the member is stopping.
    func close() {
        let (streams, waits) = state.withLockedValue { state -> ([WatchStream], [EventWait]) in
            state.closed = true
            state.singleKey = [:]
            state.ranges = [:]
            defer {
                state.streams = [:]
                state.eventWaits = [:]
            }
            for wait in state.eventWaits.values { wait.finished = true }
            return (Array(state.streams.values), Array(state.eventWaits.values))
        }
        for stream in streams { stream.finish(EtcdErrors.stopped) }
        for wait in waits { wait.promise.fail(EtcdErrors.stopped) }
    }

    // MARK: Event waits

    /// Adds a wait; returns the last published revision (where its history search ends), or
    /// nil once the hub is closed.
    func register(_ wait: EventWait) -> Int64? {
        state.withLockedValue { state in
            if state.closed { return nil }
            state.eventWaits[ObjectIdentifier(wait)] = wait
            return state.notifiedRevision
        }
    }

    /// The history search ended: its match wins, else a live match seen meanwhile, else the
    /// wait goes on receiving published events.
    func endSearch(_ wait: EventWait, found: Event?) {
        let outcome = state.withLockedValue { state -> Event? in
            guard !wait.finished else { return nil }
            wait.searching = false
            guard let event = found ?? wait.liveMatch else { return nil }
            wait.finished = true
            state.eventWaits[ObjectIdentifier(wait)] = nil
            return event
        }
        if let outcome { wait.promise.succeed(outcome) }
    }

    func finish(_ wait: EventWait, with result: Result<Event, GRPCStatus>) {
        let first = state.withLockedValue { state -> Bool in
            guard !wait.finished else { return false }
            wait.finished = true
            state.eventWaits[ObjectIdentifier(wait)] = nil
            return true
        }
        if first { wait.promise.completeWith(result.mapError { $0 as any Error }) }
    }

    // MARK: The streams' side (each on its own event loop)

    /// Registers a stream; false once the hub is closed.
    func attach(_ stream: WatchStream) -> Bool {
        state.withLockedValue { state in
            if state.closed { return false }
            state.streams[ObjectIdentifier(stream)] = stream
            return true
        }
    }

    func detach(_ stream: WatchStream, watchers: some Sequence<Watcher>) {
        state.withLockedValue { state in
            for watcher in watchers {
                watcher.isCancelled = true
                state.unindex(watcher)
            }
            state.streams[ObjectIdentifier(stream)] = nil
        }
    }

    /// Starts `watcher` at `startRevision` (0: after the current revision) and queues its
    /// `created` response before any of its events. Returns whether it needs a catch-up.
    func add(_ watcher: Watcher, startRevision: Int64) -> Bool {
        state.withLockedValue { state in
            let current = state.notifiedRevision
            watcher.stream.enqueue(encoder.control(
                WatchResponse(watchId: watcher.id, created: true), revision: current))
            if startRevision == 0 || startRevision > current {
                watcher.nextRevision = max(startRevision, current + 1)
                state.index(watcher)
                return false
            }
            watcher.nextRevision = startRevision
            return true
        }
    }

    /// Queues the `created` and `canceled` answer to a create request etcd refuses.
    func refuse(on stream: WatchStream, reason: String) {
        state.withLockedValue { state in
            stream.enqueue(encoder.control(
                WatchResponse(watchId: -1, created: true, canceled: true, cancelReason: reason),
                revision: state.notifiedRevision))
        }
    }

    func cancel(_ watcher: Watcher) {
        state.withLockedValue { state in
            watcher.isCancelled = true
            state.unindex(watcher)
            watcher.stream.enqueue(encoder.control(
                WatchResponse(watchId: watcher.id, canceled: true), revision: state.notifiedRevision))
        }
    }

    /// Queues, one response per watcher, the events held while `stream` was congested; called
    /// by the stream once it has drained. Returns whether anything was queued.
    func releaseHeld(on stream: WatchStream) -> Bool {
        state.withLockedValue { state in
            let held = stream.held
            guard !held.watchers.isEmpty else { return false }
            var responses: [ByteBuffer] = []
            responses.reserveCapacity(held.watchers.count)
            for watcher in held.watchers {
                watcher.isHeld = false
                if !watcher.isCancelled {
                    // Every event of its range up to the notified revision is among these.
                    encoder.eventResponses(
                        watchID: watcher.id, revision: state.notifiedRevision, events: watcher.pending[...],
                        fragment: watcher.wantsFragments, into: &responses)
                    watcher.sentEventsSinceProgress = true
                }
                watcher.pending.removeAll(keepingCapacity: true)
            }
            held.watchers.removeAll(keepingCapacity: true)
            held.bytes = 0
            stream.enqueueWhileFlushing(contentsOf: responses)
            return !responses.isEmpty
        }
    }

    /// What an unsynced watcher's catch-up does next.
    enum CatchUpStep {
        /// Done: synced again, or cancelled.
        case finished
        /// Read the events of revisions `from...through` from the store.
        case read(from: Int64, through: Int64)
    }

    func nextCatchUpStep(_ watcher: Watcher) -> CatchUpStep {
        state.withLockedValue { state in
            if watcher.isCancelled || state.closed { return .finished }
            if watcher.nextRevision > state.notifiedRevision {
                state.index(watcher)
                return .finished
            }
            return .read(from: watcher.nextRevision, through: state.notifiedRevision)
        }
    }

    /// Queues what a catch-up read found and moves the watcher past it.
    func deliverCatchUp(_ watcher: Watcher, events: [EncodedEvent], through revision: Int64) {
        state.withLockedValue { state in
            guard !watcher.isCancelled, !state.closed else { return }
            if !events.isEmpty {
                var responses: [ByteBuffer] = []
                encoder.eventResponses(
                    watchID: watcher.id, revision: revision, events: events[...],
                    fragment: watcher.wantsFragments, into: &responses)
                watcher.stream.enqueue(contentsOf: responses)
                watcher.sentEventsSinceProgress = true
            }
            watcher.nextRevision = revision + 1
        }
    }

    /// The watcher's start revision was compacted: etcd answers with the compaction revision
    /// (and a zero header revision) and cancels it.
    func cancelCompacted(_ watcher: Watcher, compactRevision: Int64) {
        state.withLockedValue { state in
            guard !watcher.isCancelled else { return }
            watcher.isCancelled = true
            state.unindex(watcher)
            watcher.stream.enqueue(encoder.control(
                WatchResponse(watchId: watcher.id, canceled: true, compactRevision: compactRevision), revision: 0))
        }
    }

    /// Answers a `WatchProgressRequest` if every watcher of the stream is synced and holds no
    /// events (so every event up to the reported revision has been queued before it); false
    /// means "ask again later".
    func sendProgress(on stream: WatchStream, watchers: some Sequence<Watcher>) -> Bool {
        state.withLockedValue { state in
            guard watchers.allSatisfy({ ($0.isSynced && !$0.isHeld) || $0.isCancelled }) else { return false }
            stream.enqueue(encoder.control(WatchResponse(watchId: -1), revision: state.notifiedRevision))
            return true
        }
    }

    /// The periodic `progress_notify`: each synced watcher that asked for it and was sent no
    /// events since the previous tick learns the current revision.
    func notifyProgress(on stream: WatchStream, watchers: some Sequence<Watcher>) {
        state.withLockedValue { state in
            for watcher in watchers where watcher.wantsProgressNotify {
                if watcher.isSynced && !watcher.isHeld && !watcher.sentEventsSinceProgress {
                    stream.enqueue(encoder.control(
                        WatchResponse(watchId: watcher.id), revision: state.notifiedRevision))
                }
                watcher.sentEventsSinceProgress = false
            }
        }
    }
}
