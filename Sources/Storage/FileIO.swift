#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed file-system call: which operation, on which path, and the errno it returned.
public struct FileIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Operation: String, Sendable {
        case open, close, read, write, sync, allocate, truncate, rename, remove
        case createDirectory = "create directory"
        case listDirectory = "list directory"
        case stat, lock
    }

    public var operation: Operation
    public var path: String
    /// The errno of the failed call; 0 when the failure is not an errno (e.g. an early end of file).
    public var errno: Int32
    public var reason: String

    public var description: String {
        "\(operation.rawValue) \(path): \(reason)"
    }

    public static func system(_ operation: Operation, path: String, errno: Int32) -> FileIOError {
        FileIOError(operation: operation, path: path, errno: errno, reason: String(cString: strerror(errno)) + " (errno \(errno))")
    }

    public static func unexpectedEndOfFile(path: String, offset: Int) -> FileIOError {
        FileIOError(operation: .read, path: path, errno: 0, reason: "unexpected end of file at offset \(offset)")
    }

    public static func locked(path: String) -> FileIOError {
        FileIOError(operation: .lock, path: path, errno: EWOULDBLOCK, reason: "already locked by another process or handle")
    }
}

/// Thin wrappers over the POSIX calls Storage needs: EINTR is retried, short transfers are
/// completed, and every failure becomes a `FileIOError` naming the path.
public enum FileIO {
    public static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(FileIOError) -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, mode)
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw .system(.open, path: path, errno: errno) }
        }
    }

    public static func openDirectory(_ path: String) throws(FileIOError) -> Int32 {
        try openFile(path, flags: O_RDONLY | O_DIRECTORY)
    }

    public static func close(_ descriptor: Int32, path: String) throws(FileIOError) {
        // Linux always releases the descriptor, even on EINTR, so retrying would be wrong.
        if Glibc.close(descriptor) != 0 && errno != EINTR {
            throw .system(.close, path: path, errno: errno)
        }
    }

    public static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(FileIOError) {
        var count = bytes.count
        var injectedError: Int32?
        if let faults = activeDiskFaults, let failure = faults.failure(of: .write, path: path) {
            switch failure {
            case .error(let code): throw .system(.write, path: path, errno: code)
            case .shortWrite: (count, injectedError) = (bytes.count / 2, ENOSPC)
            }
        }
        var written = 0
        while written < count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, count - written, off_t(offset + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw .system(.write, path: path, errno: errno)
            }
            written += result
        }
        if let injectedError { throw .system(.write, path: path, errno: injectedError) }
    }

    public static func write(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(FileIOError) {
        // Array.withUnsafeBytes only rethrows untyped errors, so carry the typed one out in a Result.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(FileIOError) in try write(descriptor, buffer, at: offset, path: path) }
        }.get()
    }

    /// Reads exactly `count` bytes at `offset`; an end of file before that is an error.
    public static func read(_ descriptor: Int32, count: Int, at offset: Int, path: String) throws(FileIOError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        try result.withUnsafeMutableBytes { buffer in
            Result { () throws(FileIOError) in try readExactly(descriptor, into: buffer, at: offset, path: path) }
        }.get()
        return result
    }

    private static func readExactly(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(FileIOError) {
        let count = buffer.count
        var done = 0
        while done < count {
            let got = pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw .system(.read, path: path, errno: errno)
            }
            if got == 0 { throw .unexpectedEndOfFile(path: path, offset: offset + done) }
            done += got
        }
    }

    public static func readWholeFile(_ path: String) throws(FileIOError) -> [UInt8] {
        let descriptor = try openFile(path, flags: O_RDONLY)
        defer { _ = Glibc.close(descriptor) }
        return try read(descriptor, count: size(descriptor, path: path), at: 0, path: path)
    }

    public static func size(_ descriptor: Int32, path: String) throws(FileIOError) -> Int {
        var status = stat()
        if fstat(descriptor, &status) != 0 { throw .system(.stat, path: path, errno: errno) }
        return Int(status.st_size)
    }

    /// Flushes the file's data and the metadata needed to read it back (not timestamps).
    public static func syncData(_ descriptor: Int32, path: String) throws(FileIOError) {
        try injectFault(of: .fsync, operation: .sync, path: path)
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { throw .system(.sync, path: path, errno: errno) }
        }
    }

    public static func syncAll(_ descriptor: Int32, path: String) throws(FileIOError) {
        try injectFault(of: .fsync, operation: .sync, path: path)
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw .system(.sync, path: path, errno: errno) }
        }
    }

    /// Reserves disk blocks for `[0, length)`, extending the file with zeros if it is shorter.
    public static func allocate(_ descriptor: Int32, length: Int, path: String) throws(FileIOError) {
        try injectFault(of: .allocate, operation: .allocate, path: path)
        while true {
            let result = posix_fallocate(descriptor, 0, off_t(length))
            if result == 0 { return }
            if result != EINTR { throw .system(.allocate, path: path, errno: result) }
        }
    }

    public static func truncate(_ descriptor: Int32, length: Int, path: String) throws(FileIOError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw .system(.truncate, path: path, errno: errno) }
        }
    }

    public static func rename(_ source: String, to destination: String) throws(FileIOError) {
        if Glibc.rename(source, destination) != 0 {
            throw .system(.rename, path: "\(source) -> \(destination)", errno: errno)
        }
    }

    public static func remove(_ path: String) throws(FileIOError) {
        if unlink(path) != 0 { throw .system(.remove, path: path, errno: errno) }
    }

    /// Flushes a file that is not open (all of it: data and metadata).
    public static func syncFile(_ path: String) throws(FileIOError) {
        let descriptor = try openFile(path, flags: O_RDONLY)
        defer { _ = Glibc.close(descriptor) }
        try syncAll(descriptor, path: path)
    }

    /// Makes creations, renames and removals of the directory's entries durable.
    public static func syncDirectory(_ path: String) throws(FileIOError) {
        let descriptor = try openDirectory(path)
        defer { _ = Glibc.close(descriptor) }
        try syncAll(descriptor, path: path)
    }

    public static func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// `mkdir -p`, fsyncing each parent whose entry list changed so the new directories survive a crash.
    public static func createDirectories(_ path: String, mode: mode_t = 0o700) throws(FileIOError) {
        var status = stat()
        if stat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR { return }
            throw .system(.createDirectory, path: path, errno: ENOTDIR)
        }
        let parent = parentDirectory(of: path)
        if parent != path { try createDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw .system(.createDirectory, path: path, errno: errno)
        }
        try syncDirectory(parent)
    }

    public static func listDirectory(_ path: String) throws(FileIOError) -> [String] {
        guard let directory = opendir(path) else { throw .system(.listDirectory, path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw .system(.listDirectory, path: path, errno: errno) }
                return names
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }

    /// Takes an exclusive advisory lock on an open descriptor without waiting; released on close.
    public static func lockExclusive(_ descriptor: Int32, path: String) throws(FileIOError) {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { throw .locked(path: path) }
            throw .system(.lock, path: path, errno: errno)
        }
    }

    /// Fails the call as `SWIFT_ETCD_FAULTS` asks (see `DiskFaultPlan`); nothing when it is unset.
    @inline(__always)
    private static func injectFault(of call: DiskFaultPlan.Call, operation: FileIOError.Operation, path: String) throws(FileIOError) {
        if let faults = activeDiskFaults, case .error(let code) = faults.failure(of: call, path: path) {
            throw .system(operation, path: path, errno: code)
        }
    }

    public static func parentDirectory(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    public static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
