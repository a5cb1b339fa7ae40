import EtcdProto
import Foundation

/// The keys a watcher covers, normalised as etcd's watch server does: an empty key means
/// "\0" (the smallest key), no end means one key, an end of "\0" means every key ≥ `key`.
struct WatchRange: Hashable, Sendable {
    let key: [UInt8]
    /// nil: the single key `key`; empty: every key ≥ `key`; otherwise [key, end).
    let end: [UInt8]?

    init(key: [UInt8], rangeEnd: [UInt8]) {
        self.key = key.isEmpty ? [0] : key
        if rangeEnd.isEmpty {
            self.end = nil
        } else if rangeEnd == [0] {
            self.end = []
        } else {
            self.end = rangeEnd
        }
    }

    /// etcd refuses a range whose key is not below its end ("mvcc: watcher range is empty").
    var isEmpty: Bool {
        guard let end, !end.isEmpty else { return false }
        return compareBytes(key, end) >= 0
    }

    func contains(_ candidate: [UInt8]) -> Bool {
        guard let end else { return candidate == key }
        if compareBytes(candidate, key) < 0 { return false }
        return end.isEmpty || compareBytes(candidate, end) < 0
    }
}

/// Lexicographic byte order, as Go's `bytes.Compare`.
func compareBytes(_ left: [UInt8], _ right: [UInt8]) -> Int {
    left.withUnsafeBytes { leftBytes in
        right.withUnsafeBytes { rightBytes in
            let common = min(leftBytes.count, rightBytes.count)
            if common > 0 {
                let order = memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, common)
                if order != 0 { return Int(order) }
            }
            return leftBytes.count - rightBytes.count
        }
    }
}

/// One watch created on a stream.
///
/// `@unchecked Sendable`: the `let`s are immutable; every `var` is read and written only while
/// holding the `WatchHub` state lock (the hub is the only code that touches them).
final class Watcher: @unchecked Sendable {
    let id: Int64
    unowned let stream: WatchStream
    let range: WatchRange
    let excludesPuts: Bool
    let excludesDeletes: Bool
    let wantsPrevKv: Bool
    let wantsFragments: Bool
    let wantsProgressNotify: Bool

    /// The first revision whose events this watcher has not been given.
    var nextRevision: Int64 = 0
    /// In the hub's index, receiving live events; otherwise its stream catches it up from the store.
    var isSynced = false
    var isCancelled = false
    /// Events were sent since the last progress tick (etcd then skips that tick's notification).
    var sentEventsSinceProgress = false
    /// Events given to this synced watcher and not yet in a response: those of the batch being
    /// published, plus, while it is held, those of earlier batches.
    var pending: [EncodedEvent] = []
    /// Its events wait in `pending` for its congested stream to drain (listed in `stream.held`).
    var isHeld = false

    init(id: Int64, stream: WatchStream, request: WatchCreateRequest) {
        self.id = id
        self.stream = stream
        self.range = WatchRange(key: request.key, rangeEnd: request.rangeEnd)
        self.excludesPuts = request.filters.contains(.noput)
        self.excludesDeletes = request.filters.contains(.nodelete)
        self.wantsPrevKv = request.prevKv
        self.wantsFragments = request.fragment
        self.wantsProgressNotify = request.progressNotify
    }

    /// Whether `event` passes this watcher's filters (its range is checked by the caller).
    func accepts(_ event: Event) -> Bool {
        event.type == .delete ? !excludesDeletes : !excludesPuts
    }
}

/// The watchers of one stream whose events are held while the stream is congested.
///
/// `@unchecked Sendable`: both `var`s are read and written only while holding the `WatchHub`
/// state lock.
final class HeldWatchers: @unchecked Sendable {
    var watchers: [Watcher] = []
    /// Bytes of the held events, counted once per watcher holding them: the stream's bound.
    var bytes = 0
}
