import EtcdProto
import Foundation
import GRPCTransport
import Logging
import MVCC
import NIOCore

/// Streams one `Maintenance.Snapshot`: writes the store as etcd's bbolt backend (one
/// consistent read, so writes go on), then sends that file in 32 KiB messages and the SHA-256
/// trailer, on its own thread, pacing itself by the stream's writability. A client that goes
/// away stops it; the file is removed.
struct SnapshotSender: Sendable {
    let store: MVCCStore
    let cluster: EtcdBackendCluster
    let scratchDirectory: String
    let writer: GRPCResponseWriter
    let context: GRPCCallContext
    let logger: Logger

    func start() {
        let thread = Thread { self.run() }
        thread.name = "swift-etcd-snapshot"
        thread.start()
    }

    private func run() {
        let directory = scratchDirectory + "/snapshot-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let file = directory + "/db"
            _ = try store.writeEtcdBackend(to: file, cluster: cluster)
            try send(file: file)
        } catch let status as GRPCStatus {
            writer.finish(status)
        } catch {
            logger.warning("snapshot failed", metadata: ["error": "\(error)"])
            writer.finish(GRPCStatus(code: .internal, message: "etcdserver: snapshot failed: \(error)"))
        }
    }

    private func send(file: String) throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw SnapshotError("cannot open the snapshot copy") }
        defer { try? handle.close() }
        let total = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        logger.info("sending database snapshot to client", metadata: ["total-bytes": "\(total)"])
        let writable = DispatchSemaphore(value: 0)
        writer.setWritabilityHandler { if $0 { writable.signal() } }
        defer { writer.setWritabilityHandler(nil) }
        var digest = SHA256()
        var sent = 0
        while sent < total {
            guard let chunk = try handle.read(upToCount: SnapshotFile.chunkSize), !chunk.isEmpty else {
                throw SnapshotError("the snapshot copy ended early")
            }
            sent += chunk.count
            digest.update(chunk)
            guard deliver(SnapshotResponse(remainingBytes: UInt64(total - sent), blob: Array(chunk)), writable) else {
                logger.info("snapshot stream closed by the client", metadata: ["sent-bytes": "\(sent)"])
                return
            }
        }
        guard deliver(SnapshotResponse(remainingBytes: 0, blob: digest.finish()), writable) else { return }
        writer.finish()
    }

    /// Writes one message, then waits while the transport is saturated; false once the call is
    /// gone.
    private func deliver(_ response: SnapshotResponse, _ writable: DispatchSemaphore) -> Bool {
        let message = response.responseBody(allocator: ByteBufferAllocator())
        let canContinue = try? writer.eventLoop.submit { () -> Bool in
            writer.write(message)
            return writer.isWritable
        }.wait()
        guard let canContinue else { return false }
        if canContinue { return !context.isCancelled }
        while !context.isCancelled {
            if writable.wait(timeout: .now() + .milliseconds(100)) == .success || writer.isWritable { return true }
        }
        return false
    }
}
