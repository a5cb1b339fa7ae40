import EtcdProto
import GRPCTransport
import MVCC
import NIOConcurrencyHelpers
import NIOCore

/// One `Watch/Watch` call: its watchers, and an ordered outbox of encoded responses that the
/// connection's event loop drains as fast as the client reads.
///
/// While responses wait in the outbox or the transport pushes back, the stream is congested:
/// the hub holds its watchers' new events and merges them until the outbox has drained, and a
/// stream that would hold more than its bound has those watchers caught up from the store
/// instead (etcd's unsynced/victim watchers). So a slow client gets few large responses, costs
/// memory up to the bound, and never blocks the apply loop or other streams.
final class WatchStream: Sendable {
    let eventLoop: any EventLoop
    let limits: WatchLimits
    /// Watchers whose events wait for this stream to drain (the hub's, under its lock).
    let held = HeldWatchers()
    private let hub: WatchHub
    private let writer: GRPCResponseWriter
    private let outbox = NIOLockedValueBox(Outbox())
    private let loopState: NIOLoopBoundBox<LoopState>

    private struct Outbox {
        var responses = CircularBuffer<ByteBuffer>()
        var bytes = 0
        var flushScheduled = false
        var closed = false

        /// Appends unless the call has ended.
        mutating func append(contentsOf more: some Collection<ByteBuffer>) {
            if closed { return }
            for response in more {
                responses.append(response)
                bytes += response.readableBytes
            }
        }
    }

    /// State touched only on `eventLoop`.
    private struct LoopState {
        var watchers: [Int64: Watcher] = [:]
        var nextWatchID: Int64 = 0
        var catchUp: [Watcher] = []
        var catchUpScheduled = false
        var progressRequested = false
        var progressTimer: RepeatedTask?
        var closed = false
    }

    /// Why a create request may not be served (auth), nil when it may.
    private let refusal: @Sendable (WatchCreateRequest) -> String?

    init(
        hub: WatchHub, writer: GRPCResponseWriter, eventLoop: any EventLoop, limits: WatchLimits,
        refusal: @escaping @Sendable (WatchCreateRequest) -> String? = { _ in nil }
    ) {
        self.refusal = refusal
        self.hub = hub
        self.writer = writer
        self.eventLoop = eventLoop
        self.limits = limits
        self.loopState = NIOLoopBoundBox(LoopState(), eventLoop: eventLoop)
    }

    /// Starts serving; called on the event loop right after the call arrives.
    func start() {
        guard hub.attach(self) else {
            writer.finish(EtcdErrors.stopped)
            return
        }
        writer.setWritabilityHandler { [self] writable in
            if writable { self.flush() }
        }
        writer.setClientBacklogHandler { [self] behind in
            if !behind { self.flush() }
        }
    }

    // MARK: Requests (event loop)

    func receive(_ body: ByteBuffer) {
        let request: WatchRequest
        do {
            request = try WatchRequest(streamMessage: body)
        } catch {
            finish(error)
            return
        }
        guard !loopState.value.closed else { return }
        switch request.requestUnion {
        case .createRequest(let create)?: self.create(create)
        case .cancelRequest(let cancel)?:
            // etcd ignores a cancel of a watch it does not know.
            guard let watcher = loopState.value.watchers.removeValue(forKey: cancel.watchId) else { return }
            hub.cancel(watcher)
        case .progressRequest?:
            loopState.value.progressRequested = true
            answerProgressRequest()
        case nil:
            // etcd ignores a request with no known member set rather than ending the stream.
            return
        }
    }

    private func create(_ request: WatchCreateRequest) {
        let range = WatchRange(key: request.key, rangeEnd: request.rangeEnd)
        if range.isEmpty {
            hub.refuse(on: self, reason: "mvcc: watcher range is empty")
            return
        }
        if let reason = refusal(request) {
            hub.refuse(on: self, reason: reason)
            return
        }
        var id = request.watchId
        if id == 0 {
            // etcd's AutoWatchID: the next unused id, counting from 0.
            while loopState.value.watchers[loopState.value.nextWatchID] != nil { loopState.value.nextWatchID += 1 }
            id = loopState.value.nextWatchID
            loopState.value.nextWatchID += 1
        } else if loopState.value.watchers[id] != nil {
            hub.refuse(on: self, reason: "mvcc: duplicate watch ID provided on the WatchStream")
            return
        }
        let watcher = Watcher(id: id, stream: self, request: request)
        loopState.value.watchers[id] = watcher
        if request.progressNotify { startProgressTimer() }
        if hub.add(watcher, startRevision: request.startRevision) {
            scheduleCatchUp(watcher)
        }
    }

    private func answerProgressRequest() {
        guard loopState.value.progressRequested else { return }
        if hub.sendProgress(on: self, watchers: loopState.value.watchers.values) {
            loopState.value.progressRequested = false
        }
    }

    private func startProgressTimer() {
        guard loopState.value.progressTimer == nil else { return }
        let interval = limits.progressNotifyInterval
        loopState.value.progressTimer = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) {
            [self] _ in
            hub.notifyProgress(on: self, watchers: loopState.value.watchers.values)
        }
    }

    /// The call ended (client cancel, connection closed, or `finish`): forget every watcher.
    func close() {
        guard !loopState.value.closed else { return }
        loopState.value.closed = true
        loopState.value.progressTimer?.cancel()
        // The handlers hold this stream: letting go of them ends the writer's reference cycle.
        writer.setWritabilityHandler(nil)
        writer.setClientBacklogHandler(nil)
        outbox.withLockedValue { outbox in
            outbox.closed = true
            outbox.responses.removeAll()
            outbox.bytes = 0
        }
        hub.detach(self, watchers: loopState.value.watchers.values)
        loopState.value.watchers = [:]
        loopState.value.catchUp = []
    }

    /// Ends the call with `status` (any thread).
    func finish(_ status: GRPCStatus) {
        eventLoop.execute { [self] in
            close()
            writer.finish(status)
        }
    }

    // MARK: The outbox (any thread)

    /// Counts `bytes` more of held events (under the hub's lock); true when that takes the held
    /// bytes past `limits.maxBufferedBytes`, once per crossing.
    func holdsPastBound(after bytes: Int) -> Bool {
        let wasWithinBound = held.bytes <= limits.maxBufferedBytes
        held.bytes += bytes
        return wasWithinBound && held.bytes > limits.maxBufferedBytes
    }

    /// Responses wait to be written, the transport holds more than its high-water mark, or the
    /// client has not read what was sent: events sent now would only queue behind.
    var isCongested: Bool {
        outbox.withLockedValue { !$0.responses.isEmpty } || !writer.isWritable || writer.clientIsBehind
    }

    /// Queues responses (any thread): control messages, events of watchers not held, and
    /// catch-up reads, which are only made while the outbox is below its low-water mark.
    func enqueue(_ response: ByteBuffer) {
        enqueue(contentsOf: CollectionOfOne(response))
    }

    func enqueue(contentsOf responses: some Collection<ByteBuffer>) {
        let schedule = outbox.withLockedValue { outbox -> Bool in
            outbox.append(contentsOf: responses)
            return Self.claimFlush(&outbox)
        }
        // Deferred even on the event loop, so responses queued while handling one request go out together.
        if schedule { eventLoop.execute { self.flush() } }
    }

    private static func claimFlush(_ outbox: inout Outbox) -> Bool {
        if outbox.flushScheduled || outbox.responses.isEmpty { return false }
        outbox.flushScheduled = true
        return true
    }

    /// Queues the responses the hub releases from `flush`, which goes on writing them.
    func enqueueWhileFlushing(contentsOf responses: [ByteBuffer]) {
        outbox.withLockedValue { $0.append(contentsOf: responses) }
    }

    /// Writes queued responses while the transport accepts more, then the events held meanwhile,
    /// then continues catch-ups.
    private func flush() {
        repeat {
            writeQueued()
        } while writer.isWritable && !writer.clientIsBehind && hub.releaseHeld(on: self)
        answerProgressRequest()
        runCatchUpIfRoom()
    }

    private func writeQueued() {
        while writer.isWritable {
            let next = outbox.withLockedValue { outbox -> ByteBuffer? in
                guard let response = outbox.responses.popFirst() else {
                    outbox.flushScheduled = false
                    return nil
                }
                outbox.bytes -= response.readableBytes
                return response
            }
            guard let next else { break }
            writer.write(next)
        }
        if !writer.isWritable {
            // The writability handler calls flush again once the client has read.
            outbox.withLockedValue { $0.flushScheduled = false }
        }
    }

    /// Below half of both bounds, and the client reading: room for a catch-up page.
    private var hasRoomForCatchUp: Bool {
        !writer.clientIsBehind
            && outbox.withLockedValue {
                $0.bytes <= limits.maxBufferedBytes / 2 && $0.responses.count <= limits.maxBufferedResponses / 2
            }
    }

    // MARK: Catch-up (event loop)

    /// Brings an unsynced watcher up to date from the store (any thread).
    func scheduleCatchUp(_ watcher: Watcher) {
        if eventLoop.inEventLoop {
            enqueueCatchUp(watcher)
        } else {
            eventLoop.execute { self.enqueueCatchUp(watcher) }
        }
    }

    private func enqueueCatchUp(_ watcher: Watcher) {
        guard !loopState.value.closed else { return }
        loopState.value.catchUp.append(watcher)
        scheduleCatchUpRun()
    }

    private func scheduleCatchUpRun() {
        guard !loopState.value.catchUpScheduled else { return }
        loopState.value.catchUpScheduled = true
        eventLoop.execute { [self] in
            loopState.value.catchUpScheduled = false
            runCatchUpIfRoom()
        }
    }

    /// Reads at most a few pages per turn of the event loop, and only while the outbox is
    /// below its low-water mark, so catching up neither starves other calls nor floods memory.
    private func runCatchUpIfRoom() {
        var pages = 0
        while !loopState.value.closed, let watcher = loopState.value.catchUp.first {
            if !hasRoomForCatchUp { return }
            if pages == limits.catchUpPagesPerTurn {
                scheduleCatchUpRun()
                return
            }
            switch hub.nextCatchUpStep(watcher) {
            case .finished:
                loopState.value.catchUp.removeFirst()
                answerProgressRequest()
            case .read(let from, let through):
                pages += 1
                readPage(for: watcher, from: from, through: through)
            }
        }
    }

    private func readPage(for watcher: Watcher, from: Int64, through: Int64) {
        let page: MVCCEventPage
        do {
            page = try hub.store.events(
                fromRevision: from, maxEvents: limits.catchUpPageEvents, maxBytes: limits.catchUpPageBytes,
                withPrevKv: watcher.wantsPrevKv)
        } catch {
            if error.code == .compacted {
                loopState.value.catchUp.removeFirst()
                loopState.value.watchers[watcher.id] = nil
                hub.cancelCompacted(watcher, compactRevision: (try? hub.store.compactedRevision()) ?? 0)
            } else {
                finish(EtcdErrors.status(for: error))
            }
            return
        }
        var events: [EncodedEvent] = []
        for event in page.events {
            guard let kv = event.kv, kv.modRevision <= through else { break }
            if watcher.range.contains(kv.key) && watcher.accepts(event) {
                events.append(EncodedEvent(event, includePrevKv: watcher.wantsPrevKv))
            }
        }
        let covered = min(page.nextRevision - 1, through)
        hub.deliverCatchUp(watcher, events: events, through: covered)
    }
}

/// Bounds of watch streams.
struct WatchLimits: Sendable {
    /// Event bytes a congested stream holds for a slow client before its watchers fall back to
    /// catching up from the store; catch-up pages are read while the outbox is below half of it.
    var maxBufferedBytes = 4 << 20
    /// Catch-up pages are read while the outbox is below half of this many responses too.
    var maxBufferedResponses = 128
    var catchUpPageEvents = 1000
    /// A page of 1,000 events of 64 KiB values would be 64 MiB read before the outbox is checked.
    var catchUpPageBytes = 1 << 20
    var catchUpPagesPerTurn = 4
    /// How often `progress_notify` watchers hear the current revision (etcd: 10 minutes).
    var progressNotifyInterval: TimeAmount = .minutes(10)
}
