// Reads the WAL an etcd 3.4/3.5 member writes (etcd's wal package), so that swift-etcd can take
// over its data directory. The layout, every frame starting at an 8-byte aligned offset:
//
//     u64 LE  length word: the low 56 bits are the record's length; when the top bit is set,
//             the next 3 bits count the zero bytes that pad the record to 8 bytes
//     record  walpb.Record {1: type (varint), 2: crc (varint, uint32), 3: data (bytes)}
//     padding
//
// The crc of a record is the CRC-32C of the data of every record before it, itself included,
// across segments: each segment starts with a crc record carrying the running value the
// previous segment ended with. Segments are preallocated with zeros, so a zero length word
// ends a segment's records.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One record of an etcd WAL. `file` and `offset` say where its frame starts.
public struct EtcdWALRecord: Sendable, Equatable {
    public enum Kind: UInt64, Sendable {
        /// etcdserverpb.Metadata {1: NodeID, 2: ClusterID}
        case metadata = 1
        /// raftpb.Entry
        case entry = 2
        /// raftpb.HardState
        case state = 3
        /// The running crc at the start of a segment; carries no data.
        case crc = 4
        /// walpb.Snapshot {1: index, 2: term}
        case snapshot = 5
    }

    public var kind: Kind
    public var data: [UInt8]
    public var file: String
    public var offset: Int

    public init(kind: Kind, data: [UInt8], file: String, offset: Int) {
        self.kind = kind
        self.data = data
        self.file = file
        self.offset = offset
    }
}

/// What a whole etcd WAL directory holds, oldest record first, crc records left out.
public struct EtcdWALContents: Sendable, Equatable {
    public var records: [EtcdWALRecord]
    /// Set when the last segment ends in a record that was being written when the member
    /// stopped (a sector of it still zero): etcd discards such a record on start, and so does
    /// the reader.
    public var tornTail: WALTailRepair?
}

public enum EtcdWALReader {
    static let frameHeaderSize = 8
    /// etcd refuses larger records (wal/decoder.go's maxWALEntrySizeLimit).
    static let maximumRecordSize = 10 * 1024 * 1024
    /// etcd's torn-write check works on disk sectors of this size.
    static let sectorSize = 512

    /// Whether `directory` holds an etcd WAL: its first segment starts with etcd's crc record
    /// (swift-etcd's segments start with a metadata record in its own framing).
    public static func holdsEtcdWAL(directory: String) -> Bool {
        guard let first = try? segmentNames(in: directory).first, let bytes = try? firstFrameBytes(FileIO.join(directory, first.fileName))
        else { return false }
        return bytes.withUnsafeBytes { raw in
            guard case .record(let record, _) = frame(in: raw, at: 0) else { return false }
            return record.kind == .crc
        }
    }

    /// Reads every segment of `directory`. A record that fails its checksum or does not decode,
    /// a file that ends inside a record, a break in the crc chain or in the segment sequence
    /// throws `WALError.Code.corrupt` naming the file and offset; only a torn last record of
    /// the last segment is tolerated (and reported).
    public static func read(directory: String) throws -> EtcdWALContents {
        let names = try segmentNames(in: directory)
        guard !names.isEmpty else { throw WALError.noSegments(directory: directory) }
        for (previous, next) in zip(names, names.dropFirst()) where next.sequence != previous.sequence + 1 {
            throw WALError.missingSegment(after: previous.fileName, expectedSequence: previous.sequence + 1)
        }
        // One segment in memory at a time: etcd preallocates each to 64 MB.
        return try read(segmentCount: names.count) { position in
            (names[position].fileName, try FileIO.readWholeFile(FileIO.join(directory, names[position].fileName)))
        }
    }

    /// Reads segments given in order, as `read(directory:)` does.
    static func read(segments: [(name: String, bytes: [UInt8])]) throws -> EtcdWALContents {
        try read(segmentCount: segments.count) { segments[$0] }
    }

    private static func read(segmentCount: Int, segment load: (Int) throws -> (name: String, bytes: [UInt8])) throws -> EtcdWALContents {
        var records: [EtcdWALRecord] = []
        var runningCRC: UInt32 = 0
        for position in 0..<segmentCount {
            let segment = try load(position)
            let isLast = position == segmentCount - 1
            let torn = try segment.bytes.withUnsafeBytes { (raw) throws -> WALTailRepair? in
                var offset = 0
                while true {
                    switch frame(in: raw, at: offset) {
                    case .end:
                        return nil
                    case .damaged(let reason, let mayBeTorn):
                        if isLast && mayBeTorn {
                            return WALTailRepair(file: segment.name, offset: offset, discardedBytes: raw.count - offset, reason: reason)
                        }
                        throw WALError.corrupt(file: segment.name, offset: offset, reason)
                    case .record(let record, let size):
                        if record.kind == .crc {
                            // A new WAL starts its chain at 0; otherwise it continues the previous segment's.
                            if runningCRC != 0 && record.crc != runningCRC {
                                throw WALError.corrupt(
                                    file: segment.name, offset: offset,
                                    "crc record holds \(record.crc) but the records before it sum to \(runningCRC)")
                            }
                            runningCRC = record.crc
                        } else {
                            let computed = record.data.withUnsafeBytes { CRC32C.update(runningCRC, $0) }
                            guard computed == record.crc else {
                                if isLast && isTorn(raw, frameAt: offset, size: size) {
                                    return WALTailRepair(
                                        file: segment.name, offset: offset, discardedBytes: raw.count - offset,
                                        reason: "checksum mismatch in a partly written record")
                                }
                                throw WALError.corrupt(file: segment.name, offset: offset, "checksum mismatch")
                            }
                            runningCRC = computed
                            records.append(EtcdWALRecord(kind: record.kind, data: record.data, file: segment.name, offset: offset))
                        }
                        offset += size
                    }
                }
            }
            if let torn { return EtcdWALContents(records: records, tornTail: torn) }
        }
        return EtcdWALContents(records: records, tornTail: nil)
    }

    /// A decoded frame before its checksum is checked.
    struct DecodedRecord {
        var kind: EtcdWALRecord.Kind
        var crc: UInt32
        var data: [UInt8]
    }

    enum Frame {
        case record(DecodedRecord, size: Int)
        /// A zero length word or the end of the file: no more records in this segment.
        case end
        /// `mayBeTorn`: the frame is a partly written record (etcd's torn-write test).
        case damaged(String, mayBeTorn: Bool)
    }

    static func frame(in bytes: UnsafeRawBufferPointer, at offset: Int) -> Frame {
        let remaining = bytes.count - offset
        if remaining == 0 { return .end }
        guard remaining >= frameHeaderSize else {
            return bytes[offset...].allSatisfy({ $0 == 0 }) ? .end : .damaged("file ends inside a frame's length word", mayBeTorn: false)
        }
        let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        if word == 0 { return .end }
        let length = Int(word & 0x00FF_FFFF_FFFF_FFFF)
        let flags = UInt8(word >> 56)
        guard flags == 0 || flags & 0xF8 == 0x80 else {
            return .damaged("length word \(String(word, radix: 16)) has unknown flag bits", mayBeTorn: false)
        }
        let padding = flags == 0 ? 0 : Int(flags & 0x07)
        guard length < maximumRecordSize - padding else {
            return .damaged("record length \(length) exceeds etcd's limit of \(maximumRecordSize) bytes", mayBeTorn: false)
        }
        let size = frameHeaderSize + length + padding
        guard size <= remaining else {
            return .damaged("file ends inside a record of \(length) bytes (the WAL is truncated)", mayBeTorn: false)
        }
        let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + frameHeaderSize)..<(offset + frameHeaderSize + length)])
        guard let record = decodeRecord(body) else {
            return .damaged("record does not decode as a walpb.Record", mayBeTorn: isTorn(bytes, frameAt: offset, size: size))
        }
        return .record(record, size: size)
    }

    /// etcd's `isTornEntry`: some 512-byte sector of the record (and its padding) is all zeros,
    /// so the write of the record never completed.
    static func isTorn(_ bytes: UnsafeRawBufferPointer, frameAt offset: Int, size: Int) -> Bool {
        var position = offset + frameHeaderSize
        let end = offset + size
        while position < end {
            let sectorEnd = min(end, (position / sectorSize + 1) * sectorSize)
            if bytes[position..<sectorEnd].allSatisfy({ $0 == 0 }) { return true }
            position = sectorEnd
        }
        return false
    }

    /// walpb.Record; nil for malformed protobuf or an unknown type.
    static func decodeRecord(_ bytes: UnsafeRawBufferPointer) -> DecodedRecord? {
        var type: UInt64 = 0
        var crc: UInt64 = 0
        var data: [UInt8] = []
        var position = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while position < bytes.count && shift < 64 {
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while position < bytes.count {
            guard let tag = varint() else { return nil }
            switch (tag >> 3, tag & 7) {
            case (1, 0): guard let value = varint() else { return nil }; type = value
            case (2, 0): guard let value = varint(), value <= UInt64(UInt32.max) else { return nil }; crc = value
            case (3, 2):
                guard let length = varint(), length <= UInt64(bytes.count - position) else { return nil }
                data = Array(bytes[position..<(position + Int(length))])
                position += Int(length)
            default:
                // etcd writes no other fields; anything else means these are not its bytes.
                return nil
            }
        }
        guard let kind = EtcdWALRecord.Kind(rawValue: type) else { return nil }
        return DecodedRecord(kind: kind, crc: UInt32(crc), data: data)
    }

    /// Whether another process holds the lock etcd takes on the WAL segments it has open (a
    /// write lock on the whole file, an open file description lock): etcd runs on this WAL.
    public static func isInUse(directory: String) -> Bool {
        guard let last = try? segmentNames(in: directory).last,
            let descriptor = try? FileIO.openFile(FileIO.join(directory, last.fileName), flags: O_RDONLY)
        else { return false }
        defer { _ = Glibc.close(descriptor) }
        var query = flock()
        query.l_type = Int16(F_WRLCK)
        query.l_whence = Int16(SEEK_SET)
        // F_OFD_GETLK (Linux 3.15+): also sees classic POSIX locks, which etcd falls back to.
        let openFileDescriptionGetLock: Int32 = 36
        guard fcntl(descriptor, openFileDescriptionGetLock, &query) == 0 else { return false }
        return query.l_type != Int16(F_UNLCK)
    }

    /// Enough of a segment for its first record (a crc record is at most 8 + 12 bytes): start-up
    /// asks this of every WAL, so it reads no more.
    private static func firstFrameBytes(_ path: String) throws -> [UInt8] {
        let descriptor = try FileIO.openFile(path, flags: O_RDONLY)
        defer { try? FileIO.close(descriptor, path: path) }
        return try FileIO.read(descriptor, count: min(32, try FileIO.size(descriptor, path: path)), at: 0, path: path)
    }

    private static func segmentNames(in directory: String) throws -> [WALSegmentName] {
        try FileIO.listDirectory(directory).filter { $0.hasSuffix(".wal") }.map { name in
            guard let segment = WALSegmentName(fileName: name) else { throw WALError.invalidSegmentName(name) }
            return segment
        }.sorted { $0.sequence < $1.sequence }
    }
}
