/// The fields of a bbolt meta page that a reader needs, and their encoding with checksum.
public struct BoltMeta: Equatable, Sendable {
    public var pageSize = BoltLayout.pageSize
    public var root: UInt64
    public var freelist: UInt64
    /// The first page id past the file's pages.
    public var highWaterMark: UInt64
    public var txid: UInt64

    init(root: UInt64, freelist: UInt64, highWaterMark: UInt64, txid: UInt64) {
        self.root = root
        self.freelist = freelist
        self.highWaterMark = highWaterMark
        self.txid = txid
    }

    func page(id: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: BoltLayout.pageSize)
        bytes.withUnsafeMutableBytes { page in
            BoltPageEncoding.writeHeader(page, id: id, flags: BoltLayout.metaPageFlag, count: 0, byteCount: BoltLayout.pageSize)
            let meta = UnsafeMutableRawBufferPointer(rebasing: page[BoltLayout.pageHeaderSize...])
            meta.storeLittleEndian(BoltLayout.magic, at: 0)
            meta.storeLittleEndian(BoltLayout.version, at: 4)
            meta.storeLittleEndian(UInt32(pageSize), at: 8)
            meta.storeLittleEndian(UInt32(0), at: 12)
            meta.storeLittleEndian(root, at: 16)
            meta.storeLittleEndian(UInt64(0), at: 24)
            meta.storeLittleEndian(freelist, at: 32)
            meta.storeLittleEndian(highWaterMark, at: 40)
            meta.storeLittleEndian(txid, at: 48)
            let checksum = BoltLayout.fnv1a64(UnsafeRawBufferPointer(rebasing: meta[0..<BoltLayout.metaChecksumOffset]))
            meta.storeLittleEndian(checksum, at: BoltLayout.metaChecksumOffset)
        }
        return bytes
    }

    /// Decodes the meta of a page; the error says which check failed.
    init(page: [UInt8]) throws(BoltError) {
        guard page.count >= BoltLayout.pageHeaderSize + BoltLayout.metaSize else { throw BoltError("invalid database: file too short for a meta page") }
        let parsed: Result<BoltMeta, BoltError> = page.withUnsafeBytes { bytes in
            let meta = UnsafeRawBufferPointer(rebasing: bytes[BoltLayout.pageHeaderSize..<(BoltLayout.pageHeaderSize + BoltLayout.metaSize)])
            guard meta.loadLittleEndian(UInt32.self, at: 0) == BoltLayout.magic else { return .failure(BoltError("invalid database: not a bbolt file (bad magic)")) }
            guard meta.loadLittleEndian(UInt32.self, at: 4) == BoltLayout.version else { return .failure(BoltError("invalid database: unsupported bbolt version")) }
            let checksum = BoltLayout.fnv1a64(UnsafeRawBufferPointer(rebasing: meta[0..<BoltLayout.metaChecksumOffset]))
            guard meta.loadLittleEndian(UInt64.self, at: BoltLayout.metaChecksumOffset) == checksum else {
                return .failure(BoltError("invalid database: meta page checksum error"))
            }
            var decoded = BoltMeta(
                root: meta.loadLittleEndian(UInt64.self, at: 16), freelist: meta.loadLittleEndian(UInt64.self, at: 32),
                highWaterMark: meta.loadLittleEndian(UInt64.self, at: 40), txid: meta.loadLittleEndian(UInt64.self, at: 48))
            decoded.pageSize = Int(meta.loadLittleEndian(UInt32.self, at: 8))
            return .success(decoded)
        }
        self = try parsed.get()
    }
}
