/// One Raft log entry as the WAL stores it. `kind` is Raft's entry type (0 normal, 1 conf change, 2 conf change v2).
public struct WALEntry: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var kind: UInt8
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, kind: UInt8 = 0, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}

public struct WALHardState: Sendable, Equatable {
    public var term: UInt64
    public var vote: UInt64
    public var commit: UInt64

    public init(term: UInt64, vote: UInt64, commit: UInt64) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// Marks that a snapshot covering the log up to `index` exists; replay returns only entries after it.
public struct WALSnapshotMarker: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64

    public init(index: UInt64, term: UInt64) {
        self.index = index
        self.term = term
    }
}

/// On-disk record layout, every record starting at an 8-byte aligned offset:
///
///     u32 LE  body length (>= 1)
///     u32 LE  CRC-32C of the 4 length bytes followed by the body
///     body    u8 record type, then the type's payload
///     zeros   padding to the next multiple of 8
///
/// Segments are preallocated with zeros, so an all-zero header marks the end of the written
/// data; the CRC covers the length so that a damaged length is caught rather than followed.
enum WALRecord: Equatable {
    case metadata([UInt8])
    case entry(WALEntry)
    case hardState(WALHardState)
    case snapshot(WALSnapshotMarker)

    enum Kind: UInt8 {
        case metadata = 1, entry = 2, hardState = 3, snapshot = 4
    }

    static let headerSize = 8
    static let alignment = 8
    /// Larger records are refused on write and treated as damage on read.
    static let maximumBodySize = 1 << 30

    static func paddedSize(bodySize: Int) -> Int {
        headerSize + (bodySize + alignment - 1) & ~(alignment - 1)
    }

    static func bodySize(ofEntryData count: Int) -> Int { 1 + 17 + count }
    static let hardStateBodySize = 1 + 24
    static let snapshotBodySize = 1 + 16
    static func bodySize(ofMetadata count: Int) -> Int { 1 + count }

    var bodySize: Int {
        switch self {
        case .metadata(let bytes): return Self.bodySize(ofMetadata: bytes.count)
        case .entry(let entry): return Self.bodySize(ofEntryData: entry.data.count)
        case .hardState: return Self.hardStateBodySize
        case .snapshot: return Self.snapshotBodySize
        }
    }

    var encodedSize: Int { Self.paddedSize(bodySize: bodySize) }

    /// Appends the framed record to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        let start = buffer.count
        let bodySize = self.bodySize
        buffer.appendLittleEndian(UInt32(bodySize))
        buffer.appendLittleEndian(UInt32(0))
        switch self {
        case .metadata(let bytes):
            buffer.append(Kind.metadata.rawValue)
            buffer.append(contentsOf: bytes)
        case .entry(let entry):
            buffer.append(Kind.entry.rawValue)
            buffer.appendLittleEndian(entry.index)
            buffer.appendLittleEndian(entry.term)
            buffer.append(entry.kind)
            buffer.append(contentsOf: entry.data)
        case .hardState(let state):
            buffer.append(Kind.hardState.rawValue)
            buffer.appendLittleEndian(state.term)
            buffer.appendLittleEndian(state.vote)
            buffer.appendLittleEndian(state.commit)
        case .snapshot(let marker):
            buffer.append(Kind.snapshot.rawValue)
            buffer.appendLittleEndian(marker.index)
            buffer.appendLittleEndian(marker.term)
        }
        let checksum = buffer.withUnsafeBytes { bytes in
            let lengthCRC = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: bytes[start..<start + 4]))
            return CRC32C.update(lengthCRC, UnsafeRawBufferPointer(rebasing: bytes[(start + Self.headerSize)...]))
        }
        buffer.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: checksum.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
        let padding = Self.paddedSize(bodySize: bodySize) - (buffer.count - start)
        buffer.append(contentsOf: repeatElement(0, count: padding))
    }

    /// What is at an offset of a segment's bytes.
    enum Frame {
        /// A record whose CRC matches; `size` includes header and padding.
        case valid(body: Range<Int>, size: Int)
        /// An all-zero header: nothing was written here.
        case zero
        case damaged(String)
    }

    static func frame(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Frame {
        guard bytes.count - offset >= headerSize else {
            return bytes[offset...].allSatisfy({ $0 == 0 }) ? .zero : .damaged("incomplete record header")
        }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        let storedCRC = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        if length == 0 {
            return storedCRC == 0 ? .zero : .damaged("zero record length with a non-zero checksum")
        }
        guard length <= maximumBodySize else { return .damaged("record length \(length) exceeds the maximum") }
        let size = paddedSize(bodySize: length)
        guard bytes.count - offset >= headerSize + length else { return .damaged("incomplete record (length \(length))") }
        let body = offset + headerSize..<offset + headerSize + length
        let lengthCRC = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 4]))
        let actualCRC = CRC32C.update(lengthCRC, UnsafeRawBufferPointer(rebasing: bytes[body]))
        guard actualCRC == storedCRC else { return .damaged("checksum mismatch") }
        return .valid(body: body, size: size)
    }

    /// Decodes a body whose CRC already matched; nil if its content is not a record this version writes.
    static func decode(body: UnsafeRawBufferPointer) -> WALRecord? {
        guard let kind = Kind(rawValue: body[0]) else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: body[1...])
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: payload.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        switch kind {
        case .metadata:
            return .metadata(Array(payload))
        case .entry:
            guard payload.count >= 17 else { return nil }
            return .entry(WALEntry(index: u64(0), term: u64(8), kind: payload[16], data: Array(payload[17...])))
        case .hardState:
            guard payload.count == 24 else { return nil }
            return .hardState(WALHardState(term: u64(0), vote: u64(8), commit: u64(16)))
        case .snapshot:
            guard payload.count == 16 else { return nil }
            return .snapshot(WALSnapshotMarker(index: u64(0), term: u64(8)))
        }
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
