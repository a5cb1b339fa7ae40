// `snapshot status` of an etcd backend, computed as etcdctl computes it: a CRC-32C over every
// bucket name, key and value in order, the main revision of the `key` bucket's last key, and
// the number of entries in all buckets.

import Backend
import Storage

public struct EtcdBackendStatus: Sendable, Equatable {
    public var hash: UInt32
    public var revision: Int64
    public var totalKeys: Int
    public var totalSize: Int

    /// Reads and checks the backend at `path` (bbolt's integrity check first, as etcdctl does).
    public init(path: String) throws(EtcdBackendError) {
        do throws(BoltError) {
            let reader = try BoltReader(path: path)
            try reader.check()
            var crc: UInt32 = 0
            var revision: Int64 = 0
            var totalKeys = 0
            for name in try reader.bucketNames() {
                crc = name.withUnsafeBytes { Storage.CRC32C.update(crc, $0) }
                let isKeyBucket = name == EtcdBackendFormat.keyBucket
                try reader.forEach(inBucket: name) { (key, value) throws(BoltError) in
                    crc = key.withUnsafeBytes { Storage.CRC32C.update(crc, $0) }
                    crc = value.withUnsafeBytes { Storage.CRC32C.update(crc, $0) }
                    if isKeyBucket {
                        guard let parsed = EtcdBackendFormat.parseRevisionKey(key) else {
                            throw BoltError("not an etcd backend: key bucket entry \(key) is not a revision")
                        }
                        revision = parsed.main
                    }
                    totalKeys += 1
                }
            }
            self.hash = crc
            self.revision = revision
            self.totalKeys = totalKeys
            self.totalSize = reader.size
        } catch {
            throw .bolt(error)
        }
    }
}
