import COpenSSL
import Foundation
import MVCC
import Storage

/// A snapshot as `Maintenance.Snapshot` streams it and `etcdctl snapshot save` stores it: a
/// consistent, compacted copy of the store's file, then the SHA-256 of those bytes (etcd's
/// layout, so a saved file tells whether it is complete).
public enum SnapshotFile {
    static let trailerSize = 32
    /// Bytes per streamed message (etcd's `snapshotSendBufferSize`).
    static let chunkSize = 32 * 1024

    /// What `snapshot status` reports.
    public struct Status: Sendable {
        public var hash: UInt32
        public var revision: Int64
        public var totalKeys: Int
        public var totalSize: Int
    }

    /// Makes `dataDirectory` (which must not exist) a member data directory holding the
    /// snapshot's store; the member started on it begins a new log.
    public static func restore(from path: String, dataDirectory: String, skipHashCheck: Bool) throws {
        if FileManager.default.fileExists(atPath: dataDirectory) {
            throw SnapshotError("data-dir \"\(dataDirectory)\" exists")
        }
        let databaseSize = try verifiedDatabaseSize(path, skipHashCheck: skipHashCheck)
        let layout = DataDirectory(root: dataDirectory)
        try layout.prepare()
        try copyPrefix(of: path, length: databaseSize, to: LMDBEnvironment.dataFile(in: layout.storeDirectory))
        // Release the store before the caller's server opens the same directory.
        try { () throws in
            let store = try MVCCStore(directory: layout.storeDirectory)
            try store.resetAppliedIndex()
            try store.sync()
        }()
    }

    /// Hash (the store's HashKV), revision, key count and size of a snapshot file.
    public static func status(of path: String) throws -> Status {
        let databaseSize = try verifiedDatabaseSize(path, skipHashCheck: true)
        let scratch = NSTemporaryDirectory() + "swift-etcd-snapshot-status-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try copyPrefix(of: path, length: databaseSize, to: LMDBEnvironment.dataFile(in: scratch))
        let store = try MVCCStore(directory: scratch)
        let hash = try store.hashKV(revision: 0)
        return Status(
            hash: hash.hash, revision: try store.currentRevision(), totalKeys: try store.keyCount(),
            totalSize: databaseSize)
    }

    /// The length of the database part; checks the SHA-256 trailer when there is one (etcd: a
    /// file whose size is 32 past a multiple of 512 has one).
    static func verifiedDatabaseSize(_ path: String, skipHashCheck: Bool) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? Int) ?? 0
        guard size % 512 == trailerSize else {
            if !skipHashCheck { throw SnapshotError("snapshot missing hash but --skip-hash-check=false") }
            return size
        }
        let databaseSize = size - trailerSize
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SnapshotError("cannot open \(path)") }
        defer { try? handle.close() }
        var digest = SHA256()
        var left = databaseSize
        while left > 0 {
            guard let chunk = try handle.read(upToCount: min(left, 1 << 20)), !chunk.isEmpty else {
                throw SnapshotError("\(path) ended early")
            }
            digest.update(chunk)
            left -= chunk.count
        }
        let trailer = try handle.read(upToCount: trailerSize) ?? Data()
        let computed = digest.finish()
        if !skipHashCheck && Data(computed) != trailer {
            throw SnapshotError("expected sha256 \(Array(trailer)), got \(computed)")
        }
        return databaseSize
    }

    private static func copyPrefix(of path: String, length: Int, to destination: String) throws {
        guard let input = FileHandle(forReadingAtPath: path) else { throw SnapshotError("cannot open \(path)") }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]),
            let output = FileHandle(forWritingAtPath: destination)
        else { throw SnapshotError("cannot create \(destination)") }
        defer { try? output.close() }
        var left = length
        while left > 0 {
            guard let chunk = try input.read(upToCount: min(left, 1 << 20)), !chunk.isEmpty else {
                throw SnapshotError("\(path) ended early")
            }
            try output.write(contentsOf: chunk)
            left -= chunk.count
        }
        try output.synchronize()
    }
}

public struct SnapshotError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// SHA-256 through OpenSSL's EVP interface.
struct SHA256: ~Copyable {
    private let context: OpaquePointer

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > 0 { EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) }
    }

    mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    consuming func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest
    }
}
