import COpenSSL
import Foundation
import MVCC

/// A snapshot as `Maintenance.Snapshot` streams it and `etcdctl snapshot save` stores it: an
/// etcd bbolt backend, then the SHA-256 of those bytes (etcd's layout, so a saved file tells
/// whether it is complete).
public enum SnapshotFile {
    static let trailerSize = 32
    /// Bytes per streamed message (etcd's `snapshotSendBufferSize`).
    static let chunkSize = 32 * 1024

    /// Makes `dataDirectory` (which must not exist) a member data directory holding the
    /// snapshot's store; the member started on it begins a new log. The store is built in a
    /// sibling directory and renamed into place, so a refused snapshot leaves nothing behind.
    public static func restore(from path: String, dataDirectory: String, skipHashCheck: Bool) throws {
        if FileManager.default.fileExists(atPath: dataDirectory) {
            throw SnapshotError("data-dir \"\(dataDirectory)\" exists")
        }
        _ = try verifiedDatabaseSize(path, skipHashCheck: skipHashCheck)
        let staging = dataDirectory + ".restoring-\(UUID().uuidString)"
        do {
            let layout = DataDirectory(root: staging)
            try layout.prepare()
            // Release the store before the caller's server opens the same directory.
            try { () throws in
                let store = try MVCCStore(directory: layout.storeDirectory)
                try store.importEtcdBackend(from: path, appliedIndex: 0)
                try store.sync()
            }()
            try FileManager.default.moveItem(atPath: staging, toPath: dataDirectory)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// What `snapshot status` reports, computed as etcdctl does.
    public static func status(of path: String) throws -> EtcdBackendStatus {
        _ = try verifiedDatabaseSize(path, skipHashCheck: true)
        return try EtcdBackendStatus(path: path)
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
