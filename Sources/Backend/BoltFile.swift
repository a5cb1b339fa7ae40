#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read and written at page offsets with pread/pwrite.
///
/// Not Sendable: one writer or reader owns it on one thread.
final class BoltFile {
    let descriptor: Int32
    let path: String

    init(creating path: String) throws(BoltError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot create \(path)", errno) }
        self.descriptor = descriptor
        self.path = path
    }

    init(reading path: String) throws(BoltError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io("cannot open \(path)", errno) }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    var size: Int {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(BoltError) {
        let failure = bytes.withUnsafeBytes { buffer -> Int32? in
            var done = 0
            while done < buffer.count {
                let written = pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                guard written > 0 else { return errno }
                done += written
            }
            return nil
        }
        if let failure { throw .io("cannot write \(path)", failure) }
    }

    /// Reads exactly `count` bytes at `offset`, or fails (a file shorter than its pages say).
    func read(count: Int, at offset: Int) throws(BoltError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let done = bytes.withUnsafeMutableBytes { buffer -> Int in
            var done = 0
            while done < count {
                let read = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
                guard read > 0 else { break }
                done += read
            }
            return done
        }
        guard done == count else { throw BoltError("invalid database: \(path) ends inside page data at offset \(offset + done)") }
        return bytes
    }

    func synchronize() throws(BoltError) {
        guard fsync(descriptor) == 0 else { throw .io("cannot sync \(path)", errno) }
    }
}
