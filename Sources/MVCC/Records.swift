// The on-disk layout of the MVCC store (DESIGN.md §3, persisted key index):
//   latest:  key → LatestRecord          the current key-value; absent once deleted
//   history: Revision (16 bytes) → HistoryRecord   every put and tombstone, in revision order
//   keyRevs: key → KeyRevision (17 bytes, dup-sorted)   the revisions of each key, in order
//   meta:    name → little-endian Int64   revisions, applied index, compaction progress, downgrade job

import EtcdProto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A (main, sub) revision; big-endian on disk so byte order is revision order.
struct Revision: Hashable, Comparable {
    var main: Int64
    var sub: Int64

    static let encodedSize = 16

    static func < (lhs: Revision, rhs: Revision) -> Bool {
        (lhs.main, lhs.sub) < (rhs.main, rhs.sub)
    }

    init(main: Int64, sub: Int64) {
        self.main = main
        self.sub = sub
    }

    init(decoding bytes: UnsafeRawBufferPointer) {
        self.main = Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        self.sub = Int64(bitPattern: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    func write(to buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: UInt64(bitPattern: self.main).bigEndian, toByteOffset: 0, as: UInt64.self)
        buffer.storeBytes(of: UInt64(bitPattern: self.sub).bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// Calls `body` with the 16-byte encoding on the stack.
    func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        var storage: (UInt64, UInt64) = (UInt64(bitPattern: self.main).bigEndian, UInt64(bitPattern: self.sub).bigEndian)
        return try withUnsafeBytes(of: &storage) { (bytes) throws(Failure) -> Result in try body(bytes) }
    }
}

/// An entry of `keyRevs`: a revision plus whether it is a tombstone.
struct KeyRevision {
    var revision: Revision
    var isTombstone: Bool

    static let encodedSize = 17

    init(revision: Revision, isTombstone: Bool) {
        self.revision = revision
        self.isTombstone = isTombstone
    }

    init(decoding bytes: UnsafeRawBufferPointer) {
        self.revision = Revision(decoding: bytes)
        self.isTombstone = bytes[16] != 0
    }

    func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        var storage: (UInt64, UInt64, UInt8) = (
            UInt64(bitPattern: self.revision.main).bigEndian, UInt64(bitPattern: self.revision.sub).bigEndian,
            self.isTombstone ? 1 : 0
        )
        return try withUnsafeBytes(of: &storage) { (bytes) throws(Failure) -> Result in
            try body(UnsafeRawBufferPointer(rebasing: bytes[0..<KeyRevision.encodedSize]))
        }
    }
}

/// `latest` values: createRevision, modRevision, version, lease (little-endian), then the value.
enum LatestRecord {
    static let headerSize = 32

    static func size(valueCount: Int) -> Int { headerSize + valueCount }

    static func write(_ kv: KeyValue, to buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: kv.createRevision.littleEndian, toByteOffset: 0, as: Int64.self)
        buffer.storeBytes(of: kv.modRevision.littleEndian, toByteOffset: 8, as: Int64.self)
        buffer.storeBytes(of: kv.version.littleEndian, toByteOffset: 16, as: Int64.self)
        buffer.storeBytes(of: kv.lease.littleEndian, toByteOffset: 24, as: Int64.self)
        copyBytes(kv.value, to: buffer, at: headerSize)
    }

    /// Decodes a record; nil if it is malformed (a corrupt store).
    static func decode(key: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer, withValue: Bool) -> KeyValue? {
        guard bytes.count >= headerSize else { return nil }
        var kv = KeyValue()
        kv.key = Array(key)
        kv.createRevision = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self))
        kv.modRevision = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        kv.version = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: Int64.self))
        kv.lease = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: Int64.self))
        if withValue { kv.value = Array(UnsafeRawBufferPointer(rebasing: bytes[headerSize...])) }
        return kv
    }
}

/// `history` values: tombstone flag, createRevision, version, lease, key length (UInt32), key, value.
/// The mod revision is the entry's own revision (the LMDB key).
enum HistoryRecord {
    static let headerSize = 1 + 8 + 8 + 8 + 4

    static func size(keyCount: Int, valueCount: Int) -> Int { headerSize + keyCount + valueCount }

    static func write(_ kv: KeyValue, isTombstone: Bool, to buffer: UnsafeMutableRawBufferPointer) {
        buffer.storeBytes(of: isTombstone ? 1 : 0, toByteOffset: 0, as: UInt8.self)
        buffer.storeBytes(of: kv.createRevision.littleEndian, toByteOffset: 1, as: Int64.self)
        buffer.storeBytes(of: kv.version.littleEndian, toByteOffset: 9, as: Int64.self)
        buffer.storeBytes(of: kv.lease.littleEndian, toByteOffset: 17, as: Int64.self)
        buffer.storeBytes(of: UInt32(kv.key.count).littleEndian, toByteOffset: 25, as: UInt32.self)
        copyBytes(kv.key, to: buffer, at: headerSize)
        copyBytes(kv.value, to: buffer, at: headerSize + kv.key.count)
    }

    static func isTombstone(_ bytes: UnsafeRawBufferPointer) -> Bool { bytes.count > 0 && bytes[0] != 0 }

    static func key(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard bytes.count >= headerSize else { return nil }
        let keyCount = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 25, as: UInt32.self)))
        guard bytes.count >= headerSize + keyCount else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[headerSize..<(headerSize + keyCount)])
    }

    /// Decodes a put record (for a tombstone: the key and mod revision only, as etcd's delete events carry).
    static func decode(_ bytes: UnsafeRawBufferPointer, revision: Revision, withValue: Bool) -> KeyValue? {
        guard let key = key(bytes) else { return nil }
        var kv = KeyValue()
        kv.key = Array(key)
        kv.modRevision = revision.main
        if isTombstone(bytes) { return kv }
        kv.createRevision = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 1, as: Int64.self))
        kv.version = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 9, as: Int64.self))
        kv.lease = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 17, as: Int64.self))
        if withValue { kv.value = Array(UnsafeRawBufferPointer(rebasing: bytes[(headerSize + key.count)...])) }
        return kv
    }
}

/// Names of the `meta` entries.
enum MetaKey: String {
    case currentRevision = "currentRevision"
    case compactedRevision = "compactedRevision"
    case appliedIndex = "appliedIndex"
    /// Compaction target whose physical deletion is still in progress (absent when none).
    case compactionTarget = "compactionTarget"
    /// Main revision of the next history entry the pending compaction examines.
    case compactionCursorMain = "compactionCursorMain"
    case compactionCursorSub = "compactionCursorSub"
    /// The last compaction revision whose physical deletion finished.
    case finishedCompactionRevision = "finishedCompactionRevision"
    /// The target cluster version of the enabled downgrade job (both absent when none; see Downgrade.swift).
    case downgradeTargetMajor = "downgradeTargetMajor"
    case downgradeTargetMinor = "downgradeTargetMinor"
}

@inline(__always)
func copyBytes(_ bytes: [UInt8], to buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
    guard !bytes.isEmpty, let base = buffer.baseAddress else { return }
    bytes.withUnsafeBytes { source in
        (base + offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
    }
}

/// Lexicographic byte order, as etcd orders keys.
@inline(__always)
func compareBytes(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Int {
    let common = min(lhs.count, rhs.count)
    if common > 0 {
        let result = memcmp(lhs.baseAddress!, rhs.baseAddress!, common)
        if result != 0 { return Int(result) }
    }
    return lhs.count - rhs.count
}

/// The keys a request covers: one key, or the interval [start, end) where a nil end means "to the end".
struct KeyInterval {
    var start: [UInt8]
    /// nil: single key `start`. `.some([])`: no upper bound. Otherwise: exclusive upper bound.
    var end: [UInt8]?

    /// etcd's reading of (key, range_end): empty end = single key, "\0" = every key ≥ key.
    init(key: [UInt8], rangeEnd: [UInt8]) {
        self.start = key
        if rangeEnd.isEmpty {
            self.end = nil
        } else if rangeEnd == [0] {
            self.end = []
        } else {
            self.end = rangeEnd
        }
    }

    var isSingleKey: Bool { self.end == nil }

    /// Whether `key` (≥ start) is still below the end bound.
    func isBelowEnd(_ key: UnsafeRawBufferPointer) -> Bool {
        guard let end = self.end else { return false }
        if end.isEmpty { return true }
        return end.withUnsafeBytes { compareBytes(key, $0) < 0 }
    }

    func isAtOrAfterStart(_ key: UnsafeRawBufferPointer) -> Bool {
        self.start.withUnsafeBytes { compareBytes(key, $0) >= 0 }
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps the body's typed error.
    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome = self.withUnsafeBytes { bytes in Swift.Result { () throws(Failure) -> Result in try body(bytes) } }
        return try outcome.get()
    }
}
