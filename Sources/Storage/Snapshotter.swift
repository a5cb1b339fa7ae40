#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A Raft snapshot as stored on disk: the log position it covers, the membership at that point,
/// and the application's state.
public struct RaftSnapshot: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var membership: [UInt8]
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, membership: [UInt8], data: [UInt8]) {
        self.index = index
        self.term = term
        self.membership = membership
        self.data = data
    }
}

/// A snapshot file that `loadNewest` passed over, and why.
public struct SkippedSnapshot: Sendable, Equatable {
    public var file: String
    public var reason: String
}

public struct SnapshotLoadResult: Sendable, Equatable {
    /// The newest snapshot that reads back intact, or nil if there is none.
    public var snapshot: RaftSnapshot?
    /// Newer files that were damaged (the caller should log them).
    public var skipped: [SkippedSnapshot]
}

public struct SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var reason: String

    public var description: String { "snapshot \(file): \(reason)" }

    static func damaged(_ file: String, _ reason: String) -> SnapshotError {
        SnapshotError(file: file, reason: reason)
    }
}

/// Saves and loads Raft snapshots in one directory (`<data-dir>/member/snap`), one file per
/// snapshot named `%016x-%016x.snap` (term, index) like etcd.
///
/// File layout (integers little-endian):
///
///     8 bytes  magic "SWETCDSN"
///     u64      index
///     u64      term
///     u64      membership length
///     u64      data length
///     bytes    membership, then data
///     u32      CRC-32C of everything before it
public struct Snapshotter: Sendable {
    public let directory: String

    static let magic = Array("SWETCDSN".utf8)
    static let fixedSize = 8 + 4 * 8 + 4

    /// Uses `directory`, creating it if missing, and removes temporary files a crashed save left behind.
    public init(directory: String) throws {
        try FileIO.createDirectories(directory)
        self.directory = directory
        let temporary = try FileIO.listDirectory(directory).filter { $0.hasSuffix(".snap.tmp") }
        for name in temporary { try FileIO.remove(FileIO.join(directory, name)) }
        if !temporary.isEmpty { try FileIO.syncDirectory(directory) }
    }

    static func fileName(index: UInt64, term: UInt64) -> String {
        hex16(term) + "-" + hex16(index) + ".snap"
    }

    /// Writes the snapshot atomically: temporary file, fsync, rename, directory fsync.
    public func save(_ snapshot: RaftSnapshot) throws {
        let name = Self.fileName(index: snapshot.index, term: snapshot.term)
        let path = FileIO.join(directory, name)
        let temporaryPath = path + ".tmp"
        let bytes = Self.encode(snapshot)
        let descriptor = try FileIO.openFile(temporaryPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try FileIO.write(descriptor, bytes, at: 0, path: temporaryPath)
            try FileIO.syncAll(descriptor, path: temporaryPath)
            try FileIO.close(descriptor, path: temporaryPath)
        } catch {
            _ = Glibc.close(descriptor)
            _ = unlink(temporaryPath)
            throw error
        }
        try FileIO.rename(temporaryPath, to: path)
        try FileIO.syncDirectory(directory)
    }

    /// The newest intact snapshot (by index, then term); damaged newer files are skipped and reported.
    public func loadNewest() throws -> SnapshotLoadResult {
        var skipped: [SkippedSnapshot] = []
        for (name, _, _) in try snapshotFiles() {
            do {
                return SnapshotLoadResult(snapshot: try load(fileName: name), skipped: skipped)
            } catch let error as SnapshotError {
                skipped.append(SkippedSnapshot(file: name, reason: error.reason))
            }
        }
        return SnapshotLoadResult(snapshot: nil, skipped: skipped)
    }

    /// The snapshot at `index` of `term` (the one a WAL snapshot marker names).
    public func load(index: UInt64, term: UInt64) throws -> RaftSnapshot {
        try load(fileName: Self.fileName(index: index, term: term))
    }

    /// Reads one snapshot file, verifying its checksum and that its contents match its name.
    public func load(fileName: String) throws -> RaftSnapshot {
        let bytes = try FileIO.readWholeFile(FileIO.join(directory, fileName))
        let snapshot = try Self.decode(bytes, fileName: fileName)
        guard Self.fileName(index: snapshot.index, term: snapshot.term) == fileName else {
            throw SnapshotError.damaged(fileName, "contents are for term \(snapshot.term) index \(snapshot.index)")
        }
        return snapshot
    }

    /// Deletes all but the `count` newest snapshot files.
    public func removeAll(keepingNewest count: Int) throws {
        let files = try snapshotFiles()
        guard files.count > count else { return }
        for (name, _, _) in files[max(count, 0)...] {
            try FileIO.remove(FileIO.join(directory, name))
        }
        try FileIO.syncDirectory(directory)
    }

    /// Snapshot files, newest first.
    private func snapshotFiles() throws -> [(name: String, index: UInt64, term: UInt64)] {
        var files: [(name: String, index: UInt64, term: UInt64)] = []
        for name in try FileIO.listDirectory(directory) where name.hasSuffix(".snap") && name.utf8.count == 38 {
            guard let term = UInt64(name.prefix(16), radix: 16), let index = UInt64(name.dropFirst(17).prefix(16), radix: 16) else { continue }
            files.append((name, index, term))
        }
        return files.sorted { ($0.index, $0.term) > ($1.index, $1.term) }
    }

    static func encode(_ snapshot: RaftSnapshot) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fixedSize + snapshot.membership.count + snapshot.data.count)
        bytes.append(contentsOf: magic)
        bytes.appendLittleEndian(snapshot.index)
        bytes.appendLittleEndian(snapshot.term)
        bytes.appendLittleEndian(UInt64(snapshot.membership.count))
        bytes.appendLittleEndian(UInt64(snapshot.data.count))
        bytes.append(contentsOf: snapshot.membership)
        bytes.append(contentsOf: snapshot.data)
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    static func decode(_ bytes: [UInt8], fileName: String) throws(SnapshotError) -> RaftSnapshot {
        guard bytes.count >= fixedSize else { throw .damaged(fileName, "file of \(bytes.count) bytes is shorter than the header") }
        guard Array(bytes[0..<8]) == magic else { throw .damaged(fileName, "not a snapshot file (bad magic)") }
        let body = bytes.count - 4
        let checksum = bytes.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        func u64(_ at: Int) -> UInt64 { bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        let stored = bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: body, as: UInt32.self)) }
        guard checksum == stored else { throw .damaged(fileName, "checksum mismatch") }
        let membershipCount = u64(24)
        let dataCount = u64(32)
        guard membershipCount <= UInt64(bytes.count), dataCount <= UInt64(bytes.count),
              UInt64(fixedSize) + membershipCount + dataCount == UInt64(bytes.count) else {
            throw .damaged(fileName, "section lengths do not match the file size")
        }
        let membershipStart = fixedSize - 4
        let dataStart = membershipStart + Int(membershipCount)
        return RaftSnapshot(
            index: u64(8), term: u64(16),
            membership: Array(bytes[membershipStart..<dataStart]),
            data: Array(bytes[dataStart..<dataStart + Int(dataCount)]))
    }
}
