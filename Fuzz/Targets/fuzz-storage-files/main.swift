import FuzzSupport
import Glibc

@testable import Storage

// The files a member reads back on start. The first input byte picks the file kind and whether
// the harness first makes its checksums right (random bytes almost never carry a valid CRC, so
// without that the decoders behind the checks would go unexercised); the rest is the file.

/// A scratch directory on tmpfs, so a WAL open's fsyncs and preallocation cost little.
let scratch: String = {
    let path = "/dev/shm/fuzz-storage-files.\(getpid())"
    try! FileIO.createDirectories(path)
    atexit { _ = system("rm -rf /dev/shm/fuzz-storage-files.\(getpid())") }
    return path
}()

/// Rewrites the CRC of every record the length words frame, as our WAL writes them.
func withValidRecordChecksums(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    var offset = 0
    bytes.withUnsafeMutableBytes { raw in
        while raw.count - offset >= WALRecord.headerSize {
            let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            guard length > 0, length <= raw.count - offset - WALRecord.headerSize else { return }
            let lengthCRC = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 4]))
            let bodyStart = offset + WALRecord.headerSize
            let crc = CRC32C.update(lengthCRC, UnsafeRawBufferPointer(rebasing: raw[bodyStart..<bodyStart + length]))
            raw.storeBytes(of: crc.littleEndian, toByteOffset: offset + 4, as: UInt32.self)
            offset += WALRecord.paddedSize(bodySize: length)
        }
    }
    return bytes
}

/// Opens `segment` as the only segment of a WAL, twice: the first open repairs a torn tail, and
/// the second must then find a clean log with the same contents.
func replayOurWAL(_ segment: [UInt8]) {
    let directory = scratch
    for name in try! FileIO.listDirectory(directory) { try! FileIO.remove(FileIO.join(directory, name)) }
    let path = FileIO.join(directory, WALSegmentName(sequence: 0, firstIndex: 0).fileName)
    let descriptor = try! FileIO.openFile(path, flags: O_RDWR | O_CREAT | O_TRUNC)
    try! FileIO.write(descriptor, segment, at: 0, path: path)
    try! FileIO.close(descriptor, path: path)
    guard let (wal, first) = try? WAL.open(directory: directory, segmentSize: 4096) else { return }
    try! wal.close()
    let second: WALReplay
    do {
        let (reopened, replay) = try WAL.open(directory: directory, segmentSize: 4096)
        try reopened.close()
        second = replay
    } catch {
        fatalError("a WAL that opened does not open again: \(error)")
    }
    guard second.repairedTail == nil, second.entries == first.entries, second.hardState == first.hardState,
        second.snapshot == first.snapshot, second.metadata == first.metadata
    else {
        fatalError("the second open of a WAL replays differently: \(first) then \(second)")
    }
}

/// An etcd WAL segment from records `[kind][length: 1 byte][data]…`, each framed as etcd writes
/// them: walpb.Record {type, crc, data} with the running CRC-32C, after an 8-byte length word.
func etcdSegment(fromRecords input: [UInt8]) -> [UInt8] {
    var segment: [UInt8] = []
    var runningCRC: UInt32 = 0
    var position = 0
    while input.count - position >= 2 {
        let kind = UInt64(input[position] % 5)
        let length = min(Int(input[position + 1]), input.count - position - 2)
        let data = Array(input[(position + 2)..<(position + 2 + length)])
        position += 2 + length
        if kind != EtcdWALRecord.Kind.crc.rawValue { runningCRC = data.withUnsafeBytes { CRC32C.update(runningCRC, $0) } }
        var record: [UInt8] = [0x08]
        appendVarint(kind, to: &record)
        record.append(0x10)
        appendVarint(UInt64(runningCRC), to: &record)
        if !data.isEmpty {
            record.append(0x1A)
            appendVarint(UInt64(data.count), to: &record)
            record.append(contentsOf: data)
        }
        let padding = (8 - record.count % 8) % 8
        let word = UInt64(record.count) | (padding == 0 ? 0 : (0x80 | UInt64(padding)) << 56)
        withUnsafeBytes(of: word.littleEndian) { segment.append(contentsOf: $0) }
        segment.append(contentsOf: record)
        segment.append(contentsOf: repeatElement(0, count: padding))
    }
    return segment
}

func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
        rest >>= 7
    }
    bytes.append(UInt8(rest))
}

/// A snapshot file, with its trailing CRC made right when `fixChecksum`.
func loadSnapshot(_ input: [UInt8], fixChecksum: Bool) {
    var bytes = input
    let body = bytes.count - 4
    if fixChecksum, body >= 0 {
        let crc = bytes.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[..<body])) }
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: body, as: UInt32.self) }
    }
    _ = try? Snapshotter.decode(bytes, fileName: "fuzz.snap")
}

fuzzMain { input in
    guard let selector = input.first else { return }
    let file = Array(input.dropFirst())
    switch selector % 6 {
    case 0: replayOurWAL(file)
    case 1: replayOurWAL(withValidRecordChecksums(file))
    case 2: _ = try? EtcdWALReader.read(segments: [(name: "0000000000000000-0000000000000000.wal", bytes: file)])
    case 3:
        let segment = etcdSegment(fromRecords: file)
        _ = try? EtcdWALReader.read(segments: [(name: "0000000000000000-0000000000000000.wal", bytes: segment)])
    case 4: loadSnapshot(file, fixChecksum: false)
    default: loadSnapshot(file, fixChecksum: true)
    }
}
