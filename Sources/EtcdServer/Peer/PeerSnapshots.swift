import Foundation
import GRPCTransport
import Logging
import NIOCore
import Raft
import Storage

/// A store copy made for a MsgSnap (`data.mdb` in a directory of its own), with the size and
/// CRC-32C the snapshot path announces before the bytes.
struct PeerSnapshotFile: Sendable {
    let directory: String
    let path: String
    let size: Int
    let checksum: UInt32

    /// Reads the copy once to checksum it (off the event loops: it may be large).
    init(directory: String) throws {
        self.directory = directory
        let path = LMDBEnvironment.dataFile(in: directory)
        self.path = path
        let descriptor = try FileIO.openFile(path, flags: O_RDONLY)
        defer { _ = try? FileIO.close(descriptor, path: path) }
        let size = try FileIO.size(descriptor, path: path)
        self.size = size
        var crc: UInt32 = 0
        var offset = 0
        while offset < size {
            let chunk = try FileIO.read(descriptor, count: min(PeerWire.snapshotChunkBytes, size - offset), at: offset, path: path)
            crc = chunk.withUnsafeBytes { CRC32C.update(crc, $0) }
            offset += chunk.count
        }
        checksum = crc
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// One MsgSnap arriving on the snapshot path (on its connection's event loop): the message,
/// then the store header, then the store copy, written to a temporary file as it comes and
/// checked at the end. Only a complete, matching, synced copy is kept — under the name the
/// apply loop installs it from — and only then is the message delivered.
final class PeerSnapshotReception {
    private enum Stage {
        case awaitingMessage
        case awaitingHeader(Raft.Message)
        case receiving(Raft.Message, Upload)
        case failed
    }

    private struct Upload {
        var descriptor: Int32
        var temporaryPath: String
        var finalPath: String
        var size: Int
        var checksum: UInt32
        var received = 0
        var crc: UInt32 = 0
    }

    private var stage = Stage.awaitingMessage
    private let sender: UInt64
    private let settings: SnapshotSettings
    private let logger: Logger
    private let decode: (ByteBuffer) -> Raft.Message?
    private let started = NIODeadline.now()

    init(sender: UInt64, settings: SnapshotSettings, logger: Logger, decode: @escaping (ByteBuffer) -> Raft.Message?) {
        self.sender = sender
        self.settings = settings
        self.logger = logger
        self.decode = decode
    }

    /// Takes one frame; a refusal ends the call.
    func receive(_ frame: ByteBuffer) -> GRPCStatus? {
        switch stage {
        case .failed:
            return nil
        case .awaitingMessage:
            guard let message = decode(frame), message.type == .snapshot, let snapshot = message.snapshot,
                snapshot.metadata.index > 0
            else {
                return fail("the first frame is not a MsgSnap")
            }
            stage = .awaitingHeader(message)
        case .awaitingHeader(let message):
            guard let header = PeerWire.parseSnapshotStoreHeader(frame.readableBytesView) else {
                return fail("malformed store header")
            }
            let index = message.snapshot!.metadata.index
            let finalPath = settings.receivedStoreFile(index: index)
            let temporaryPath = finalPath + ".tmp"
            do {
                try FileIO.createDirectories(settings.directory)
                let descriptor = try FileIO.openFile(temporaryPath, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
                stage = .receiving(message, Upload(
                    descriptor: descriptor, temporaryPath: temporaryPath, finalPath: finalPath,
                    size: header.size, checksum: header.checksum))
            } catch {
                return fail("cannot create \(temporaryPath): \(error)")
            }
            logger.info("receiving database snapshot", metadata: [
                "from": "\(PeerWire.hex(sender))", "snapshot-index": "\(index)", "bytes": "\(header.size)",
            ])
        case .receiving(let message, var upload):
            let count = frame.readableBytes
            guard upload.received + count <= upload.size else {
                return fail("more bytes than the store header announced (\(upload.size))")
            }
            do {
                try frame.readableBytesView.withUnsafeBytes { (bytes) throws(FileIOError) in
                    try FileIO.write(upload.descriptor, bytes, at: upload.received, path: upload.temporaryPath)
                    upload.crc = CRC32C.update(upload.crc, bytes)
                }
            } catch {
                return fail("writing the store copy failed: \(error)")
            }
            upload.received += count
            stage = .receiving(message, upload)
        }
        return nil
    }

    /// The sender ended its request: the delivered message if everything arrived intact, or the refusal.
    func finish() -> Result<Raft.Message, GRPCStatus> {
        guard case .receiving(let message, let upload) = stage else {
            if case .failed = stage { return .failure(refusal("refused earlier")) }
            return .failure(fail("the request ended before the store copy"))
        }
        guard upload.received == upload.size else {
            return .failure(fail("the store copy ended after \(upload.received) of \(upload.size) bytes"))
        }
        guard upload.crc == upload.checksum else {
            return .failure(fail("the store copy's CRC-32C does not match its header"))
        }
        do {
            try FileIO.syncAll(upload.descriptor, path: upload.temporaryPath)
            try FileIO.close(upload.descriptor, path: upload.temporaryPath)
            try FileIO.rename(upload.temporaryPath, to: upload.finalPath)
            try FileIO.syncDirectory(settings.directory)
        } catch {
            stage = .failed
            try? FileManager.default.removeItem(atPath: upload.temporaryPath)
            return .failure(refusal("keeping the store copy failed: \(error)"))
        }
        stage = .failed
        let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
        logger.info("received and saved database snapshot", metadata: [
            "from": "\(PeerWire.hex(sender))", "snapshot-index": "\(message.snapshot!.metadata.index)",
            "bytes": "\(upload.size)", "seconds": "\(seconds)",
        ])
        return .success(message)
    }

    /// The call ended early: nothing is kept.
    func cancel() {
        if case .receiving(_, let upload) = stage {
            _ = try? FileIO.close(upload.descriptor, path: upload.temporaryPath)
            try? FileManager.default.removeItem(atPath: upload.temporaryPath)
        }
        stage = .failed
    }

    private func fail(_ reason: String) -> GRPCStatus {
        cancel()
        logger.warning("refused a database snapshot: \(reason)", metadata: ["from": "\(PeerWire.hex(sender))"])
        return refusal(reason)
    }

    private func refusal(_ reason: String) -> GRPCStatus {
        GRPCStatus(code: .invalidArgument, message: "snapshot refused: \(reason)")
    }
}
