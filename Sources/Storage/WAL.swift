#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A segment file name, `%016x-%016x.wal` (sequence, index of the first entry meant for it), as etcd names them.
struct WALSegmentName: Equatable {
    var sequence: UInt64
    var firstIndex: UInt64

    var fileName: String { hex16(sequence) + "-" + hex16(firstIndex) + ".wal" }

    init(sequence: UInt64, firstIndex: UInt64) {
        self.sequence = sequence
        self.firstIndex = firstIndex
    }

    init?(fileName: String) {
        let parts = fileName.utf8
        guard parts.count == 37, fileName.hasSuffix(".wal"), parts[parts.index(parts.startIndex, offsetBy: 16)] == UInt8(ascii: "-"),
              let sequence = UInt64(fileName.prefix(16), radix: 16),
              let firstIndex = UInt64(fileName.dropFirst(17).prefix(16), radix: 16),
              fileName.prefix(16).allSatisfy(\.isHexDigit), fileName.dropFirst(17).prefix(16).allSatisfy(\.isHexDigit)
        else { return nil }
        self.sequence = sequence
        self.firstIndex = firstIndex
    }
}

/// `value` as 16 lowercase hexadecimal digits, the form etcd names its WAL segments and snapshots by.
public func hex16(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}

/// The write-ahead log: Raft entries, hard states and snapshot markers, appended to preallocated
/// segment files and made durable by `sync()`.
///
/// Thread safety: not `Sendable`. One thread owns a `WAL` at a time (the server's writer thread);
/// nothing in it is synchronised.
///
/// Durability contract: `append` only writes into the page cache; a record is durable once a
/// following `sync()` returns. After any failed write or sync the WAL refuses further use
/// (the kernel may have dropped the dirty pages), and the owner must reopen it.
public final class WAL {
    public static let defaultSegmentSize = 64 << 20

    public let directory: String
    private let segmentSize: Int
    private let metadata: [UInt8]
    /// Held open for directory fsyncs and for the exclusive lock that keeps a second process out.
    private let directoryDescriptor: Int32

    /// Live segments, oldest first; the last one is being written.
    private var segments: [WALSegmentName]
    private var segmentDescriptor: Int32
    private var segmentPath: String
    /// Where the next record goes in the current segment.
    private var writeOffset: Int
    /// Bytes preallocated for the current segment.
    private var segmentCapacity: Int

    private var lastIndex: UInt64?
    private var latestHardState: WALHardState?
    private var latestSnapshot: WALSnapshotMarker?
    /// A segment was created since the last sync; its directory entry is not durable yet.
    private var directoryNeedsSync = false
    /// Records of the current call, encoded before one pwrite; reused to avoid per-call allocations.
    private var buffer: [UInt8] = []
    private var failure: WALError?
    private var isClosed = false

    private init(
        directory: String, segmentSize: Int, metadata: [UInt8], directoryDescriptor: Int32,
        segments: [WALSegmentName], segmentDescriptor: Int32, writeOffset: Int, segmentCapacity: Int,
        lastIndex: UInt64?, hardState: WALHardState?, snapshot: WALSnapshotMarker?
    ) {
        self.directory = directory
        self.segmentSize = segmentSize
        self.metadata = metadata
        self.directoryDescriptor = directoryDescriptor
        self.segments = segments
        self.segmentDescriptor = segmentDescriptor
        self.segmentPath = FileIO.join(directory, segments[segments.count - 1].fileName)
        self.writeOffset = writeOffset
        self.segmentCapacity = segmentCapacity
        self.lastIndex = lastIndex
        self.latestHardState = hardState
        self.latestSnapshot = snapshot
    }

    deinit {
        if !isClosed {
            _ = Glibc.close(segmentDescriptor)
            _ = Glibc.close(directoryDescriptor)
        }
    }

    // MARK: Creating and opening

    /// Creates a WAL in `directory` (created if missing) whose first segment holds `metadata`.
    public static func create(directory: String, metadata: [UInt8], segmentSize: Int = defaultSegmentSize) throws -> WAL {
        try FileIO.createDirectories(directory)
        let directoryDescriptor = try FileIO.openDirectory(directory)
        do {
            try FileIO.lockExclusive(directoryDescriptor, path: directory)
            let names = try FileIO.listDirectory(directory)
            if names.contains(where: { $0.hasSuffix(".wal") }) { throw WALError.alreadyExists(directory: directory) }
            try removeTemporaryFiles(names, in: directory)
            var header: [UInt8] = []
            WALRecord.metadata(metadata).encode(into: &header)
            let first = WALSegmentName(sequence: 0, firstIndex: 0)
            let capacity = max(segmentSize, header.count)
            let descriptor = try createSegment(first, in: directory, capacity: capacity, initialRecords: header)
            do {
                try FileIO.syncAll(directoryDescriptor, path: directory)
            } catch {
                _ = Glibc.close(descriptor)
                throw error
            }
            return WAL(
                directory: directory, segmentSize: segmentSize, metadata: metadata, directoryDescriptor: directoryDescriptor,
                segments: [first], segmentDescriptor: descriptor, writeOffset: header.count, segmentCapacity: capacity,
                lastIndex: nil, hardState: nil, snapshot: nil)
        } catch {
            _ = Glibc.close(directoryDescriptor)
            throw error
        }
    }

    /// Whether `directory` holds a WAL (any segment file): decides between `create` and `open` at start-up.
    public static func exists(directory: String) -> Bool {
        guard let names = try? FileIO.listDirectory(directory) else { return false }
        return names.contains { $0.hasSuffix(".wal") }
    }

    /// Opens the WAL in `directory` and replays it. A torn tail of the last segment is truncated
    /// (reported in `WALReplay.repairedTail`); damage anywhere else throws `WALError.Code.corrupt`.
    public static func open(directory: String, segmentSize: Int = defaultSegmentSize) throws -> (WAL, WALReplay) {
        let directoryDescriptor = try FileIO.openDirectory(directory)
        do {
            try FileIO.lockExclusive(directoryDescriptor, path: directory)
            return try open(directory: directory, segmentSize: segmentSize, directoryDescriptor: directoryDescriptor)
        } catch {
            _ = Glibc.close(directoryDescriptor)
            throw error
        }
    }

    private static func open(directory: String, segmentSize: Int, directoryDescriptor: Int32) throws -> (WAL, WALReplay) {
        let names = try FileIO.listDirectory(directory)
        try removeTemporaryFiles(names, in: directory)
        var segments: [WALSegmentName] = []
        for name in names where name.hasSuffix(".wal") {
            guard let segment = WALSegmentName(fileName: name) else { throw WALError.invalidSegmentName(name) }
            segments.append(segment)
        }
        segments.sort { $0.sequence < $1.sequence }
        guard !segments.isEmpty else { throw WALError.noSegments(directory: directory) }
        for (previous, next) in zip(segments, segments.dropFirst()) where next.sequence != previous.sequence + 1 {
            throw WALError.missingSegment(after: previous.fileName, expectedSequence: previous.sequence + 1)
        }

        var builder = WALReplayBuilder()
        var lastScan = WALSegmentScan(end: 0, damage: nil, lastNonZero: 0)
        var lastSize = 0
        for (position, segment) in segments.enumerated() {
            let bytes = try FileIO.readWholeFile(FileIO.join(directory, segment.fileName))
            let isLast = position == segments.count - 1
            lastScan = try bytes.withUnsafeBytes { raw throws(WALError) in
                try scanSegment(raw, fileName: segment.fileName, isLast: isLast, into: &builder)
            }
            lastSize = bytes.count
        }

        let lastSegment = segments[segments.count - 1]
        guard let metadata = builder.metadata else {
            throw WALError.corrupt(file: lastSegment.fileName, offset: 0, "no metadata record: the WAL was never completely created")
        }
        let lastPath = FileIO.join(directory, lastSegment.fileName)
        let descriptor = try FileIO.openFile(lastPath, flags: O_RDWR)
        var repair: WALTailRepair?
        let capacity = max(segmentSize, lastSize)
        do {
            if let damage = lastScan.damage {
                try FileIO.truncate(descriptor, length: lastScan.end, path: lastPath)
                try FileIO.allocate(descriptor, length: capacity, path: lastPath)
                try FileIO.syncAll(descriptor, path: lastPath)
                repair = WALTailRepair(
                    file: lastSegment.fileName, offset: lastScan.end,
                    discardedBytes: lastScan.lastNonZero - lastScan.end, reason: damage)
            } else if capacity > lastSize {
                try FileIO.allocate(descriptor, length: capacity, path: lastPath)
                try FileIO.syncAll(descriptor, path: lastPath)
            }
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
        let replay = builder.finish(metadata: metadata, repairedTail: repair)
        let wal = WAL(
            directory: directory, segmentSize: segmentSize, metadata: metadata,
            directoryDescriptor: directoryDescriptor, segments: segments, segmentDescriptor: descriptor,
            writeOffset: lastScan.end, segmentCapacity: capacity,
            lastIndex: builder.lastIndex ?? replay.snapshot?.index, hardState: replay.hardState, snapshot: replay.snapshot)
        do {
            if lastScan.end == 0 {
                // A segment created just before a crash lost all its records: give it the header every segment starts with.
                try wal.writeSegmentHeader()
                try wal.sync()
            } else if repair != nil {
                // The repaired segment may have lost part of its header; a fresh segment restates it in full.
                try wal.failOnError { try wal.cutSegment(reservingFor: 0) }
                try wal.sync()
            }
        } catch {
            wal.abandonSegment()
            throw error
        }
        return (wal, replay)
    }

    private static func removeTemporaryFiles(_ names: [String], in directory: String) throws {
        let temporary = names.filter { $0.hasSuffix(".tmp") }
        for name in temporary { try FileIO.remove(FileIO.join(directory, name)) }
        if !temporary.isEmpty { try FileIO.syncDirectory(directory) }
    }

    /// Creates a preallocated segment holding `initialRecords` under a temporary name, then renames it,
    /// so a crash never leaves a half-made file under a segment name. The caller syncs the directory.
    private static func createSegment(_ name: WALSegmentName, in directory: String, capacity: Int, initialRecords: [UInt8]) throws -> Int32 {
        let path = FileIO.join(directory, name.fileName)
        let temporaryPath = path + ".tmp"
        let descriptor = try FileIO.openFile(temporaryPath, flags: O_RDWR | O_CREAT | O_TRUNC)
        do {
            try FileIO.allocate(descriptor, length: capacity, path: temporaryPath)
            try FileIO.write(descriptor, initialRecords, at: 0, path: temporaryPath)
            try FileIO.syncAll(descriptor, path: temporaryPath)
            try FileIO.rename(temporaryPath, to: path)
            return descriptor
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
    }

    // MARK: Writing

    /// Writes `entries` (in order) and then `hardState` to the log, without syncing.
    /// An entry whose index is at or below an earlier one replaces it and everything after it.
    /// The whole batch is checked before anything is written: an invalid batch writes nothing.
    public func append(entries: [WALEntry], hardState: WALHardState?) throws {
        try checkUsable()
        var expectedLast = lastIndex
        for entry in entries {
            guard entry.index > 0 else { throw WALError.invalidEntry("entry index 0 (Raft log indexes start at 1)") }
            if let last = expectedLast, entry.index > last + 1 {
                throw WALError.invalidEntry("entry index \(entry.index) leaves a gap after index \(last)")
            }
            let size = WALRecord.bodySize(ofEntryData: entry.data.count)
            guard size <= WALRecord.maximumBodySize else { throw WALError.recordTooLarge(size: size) }
            expectedLast = entry.index
        }
        try failOnError {
            buffer.removeAll(keepingCapacity: true)
            for entry in entries {
                try add(.entry(entry))
                lastIndex = entry.index
            }
            if let hardState {
                try add(.hardState(hardState))
                latestHardState = hardState
            }
            try flush()
        }
    }

    /// Records that a snapshot up to `index` is saved, and syncs: segments before it may be
    /// released only once this marker is durable.
    public func saveSnapshotMarker(index: UInt64, term: UInt64) throws {
        try checkUsable()
        let marker = WALSnapshotMarker(index: index, term: term)
        try failOnError {
            buffer.removeAll(keepingCapacity: true)
            try add(.snapshot(marker))
            try flush()
        }
        latestSnapshot = marker
        // Entries already past the snapshot stay part of the log.
        if lastIndex.map({ index >= $0 }) ?? true { lastIndex = index }
        try sync()
    }

    /// Makes everything appended so far durable: one fdatasync of the current segment (earlier
    /// segments were synced when they were cut), plus the directory if a segment was created.
    public func sync() throws {
        try checkUsable()
        try failOnError {
            try FileIO.syncData(segmentDescriptor, path: segmentPath)
            if directoryNeedsSync {
                try FileIO.syncAll(directoryDescriptor, path: directory)
                directoryNeedsSync = false
            }
        }
    }

    /// Deletes the oldest segments whose entries all lie before `index`, which must not exceed the
    /// latest snapshot marker. The segment being written is never deleted.
    public func releaseSegments(before index: UInt64) throws {
        try checkUsable()
        guard let snapshot = latestSnapshot, index <= snapshot.index else {
            throw WALError.releaseBeyondSnapshot(index: index, snapshotIndex: latestSnapshot?.index)
        }
        // Entries of segment k that survive later overwrites all precede the first index of segment k+1.
        var removable = 0
        while removable + 1 < segments.count && segments[removable + 1].firstIndex <= index {
            removable += 1
        }
        guard removable > 0 else { return }
        // Oldest first, so a crash part-way leaves a contiguous run of segments.
        for segment in segments[..<removable] {
            try FileIO.remove(FileIO.join(directory, segment.fileName))
        }
        segments.removeFirst(removable)
        try FileIO.syncAll(directoryDescriptor, path: directory)
    }

    /// Syncs and closes the files. Further calls throw `WALError.Code.closed`.
    public func close() throws {
        guard !isClosed else { return }
        defer {
            isClosed = true
            _ = Glibc.close(segmentDescriptor)
            _ = Glibc.close(directoryDescriptor)
        }
        if failure == nil { try sync() }
    }

    /// Closes the segment file after a failed open; the directory descriptor stays with the caller that opened it.
    private func abandonSegment() {
        _ = Glibc.close(segmentDescriptor)
        isClosed = true
    }

    /// Names of the live segment files, oldest first.
    public var segmentFileNames: [String] { segments.map(\.fileName) }

    // MARK: Internals

    private func checkUsable() throws(WALError) {
        if isClosed { throw .closed }
        if let failure { throw failure }
    }

    /// Runs an I/O step; if it fails the on-disk state is unknown, so the WAL refuses all further use.
    private func failOnError(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            failure = .failed(after: error)
            throw error
        }
    }

    private func add(_ record: WALRecord) throws {
        let size = record.encodedSize
        if writeOffset + buffer.count + size > segmentCapacity {
            try flush()
            try cutSegment(reservingFor: size)
        }
        record.encode(into: &buffer)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try FileIO.write(segmentDescriptor, buffer, at: writeOffset, path: segmentPath)
        writeOffset += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Every segment starts with the metadata and the latest snapshot marker and hard state, so that
    /// replay stays complete after older segments are released.
    private func segmentHeader() -> [UInt8] {
        var header: [UInt8] = []
        WALRecord.metadata(metadata).encode(into: &header)
        if let latestSnapshot { WALRecord.snapshot(latestSnapshot).encode(into: &header) }
        if let latestHardState { WALRecord.hardState(latestHardState).encode(into: &header) }
        return header
    }

    private func writeSegmentHeader() throws {
        try failOnError {
            let header = segmentHeader()
            try FileIO.write(segmentDescriptor, header, at: 0, path: segmentPath)
            writeOffset = header.count
        }
    }

    /// Finishes the current segment (synced now, so a later segment never holds data an earlier one lacks)
    /// and continues in a new one big enough for the header and a record of `recordSize` bytes.
    private func cutSegment(reservingFor recordSize: Int) throws {
        try FileIO.syncData(segmentDescriptor, path: segmentPath)
        let header = segmentHeader()
        let name = WALSegmentName(sequence: segments[segments.count - 1].sequence + 1, firstIndex: (lastIndex ?? 0) + 1)
        let pageSize = 4096
        let capacity = max(segmentSize, (header.count + recordSize + pageSize - 1) / pageSize * pageSize)
        let descriptor = try Self.createSegment(name, in: directory, capacity: capacity, initialRecords: header)
        // The finished segment is already synced, so an error from its close cannot lose data.
        _ = Glibc.close(segmentDescriptor)
        segmentDescriptor = descriptor
        segmentPath = FileIO.join(directory, name.fileName)
        segments.append(name)
        writeOffset = header.count
        segmentCapacity = capacity
        directoryNeedsSync = true
    }
}

/// The outcome of reading one segment.
struct WALSegmentScan {
    /// Offset just after the last valid record.
    var end: Int
    /// Why reading stopped before the end of the file, when the stop is a torn tail.
    var damage: String?
    /// Offset after the last non-zero byte of the file (for reporting what a repair discards).
    var lastNonZero: Int
}

/// Reads every record of a segment into `builder`. A failure followed by a valid record, or any
/// failure in a segment that is not the last, is corruption; otherwise it is a torn tail.
func scanSegment(_ bytes: UnsafeRawBufferPointer, fileName: String, isLast: Bool, into builder: inout WALReplayBuilder) throws(WALError) -> WALSegmentScan {
    var offset = 0
    var records = 0
    while offset < bytes.count {
        let failure: String
        switch WALRecord.frame(in: bytes, at: offset) {
        case .valid(let body, let size):
            guard let record = WALRecord.decode(body: UnsafeRawBufferPointer(rebasing: bytes[body])) else {
                throw .corrupt(file: fileName, offset: offset, "record with a valid checksum but an unknown type or malformed payload")
            }
            if records == 0 {
                guard case .metadata = record else {
                    throw .corrupt(file: fileName, offset: offset, "segment does not start with a metadata record")
                }
            }
            try builder.apply(record, file: fileName, offset: offset)
            records += 1
            offset += size
            continue
        case .zero:
            guard let nonZero = firstNonZeroByte(bytes, from: offset) else {
                return try finishSegment(end: offset, records: records, fileName: fileName, isLast: isLast, lastNonZero: offset)
            }
            failure = "non-zero bytes at offset \(nonZero) after the end of the records"
        case .damaged(let reason):
            failure = reason
        }
        if let valid = nextValidRecord(bytes, after: offset) {
            throw .corrupt(file: fileName, offset: offset, "\(failure), followed by a valid record at offset \(valid)")
        }
        guard isLast else {
            throw .corrupt(file: fileName, offset: offset, "\(failure) in a segment that is not the last")
        }
        return WALSegmentScan(end: offset, damage: failure, lastNonZero: lastNonZeroByte(bytes))
    }
    return try finishSegment(end: offset, records: records, fileName: fileName, isLast: isLast, lastNonZero: offset)
}

private func finishSegment(end: Int, records: Int, fileName: String, isLast: Bool, lastNonZero: Int) throws(WALError) -> WALSegmentScan {
    if records == 0 && !isLast {
        throw .corrupt(file: fileName, offset: 0, "empty segment that is not the last")
    }
    return WALSegmentScan(end: end, damage: nil, lastNonZero: lastNonZero)
}

private func firstNonZeroByte(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Int? {
    var position = offset
    while bytes.count - position >= 8 {
        if bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self) != 0 { break }
        position += 8
    }
    while position < bytes.count {
        if bytes[position] != 0 { return position }
        position += 1
    }
    return nil
}

private func lastNonZeroByte(_ bytes: UnsafeRawBufferPointer) -> Int {
    var position = bytes.count
    while position > 0 && bytes[position - 1] == 0 { position -= 1 }
    return position
}

/// The first aligned offset after `offset` holding a record whose checksum matches.
private func nextValidRecord(_ bytes: UnsafeRawBufferPointer, after offset: Int) -> Int? {
    var candidate = offset + WALRecord.alignment
    while candidate < bytes.count {
        if case .valid = WALRecord.frame(in: bytes, at: candidate) { return candidate }
        candidate += WALRecord.alignment
    }
    return nil
}
