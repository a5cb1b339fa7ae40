// bbolt's on-disk layout (go.etcd.io/bbolt page.go, meta in db.go), little-endian as on the
// amd64/arm64 machines etcd runs on:
//   page header: id u64 | flags u16 | count u16 | overflow u32        (16 bytes)
//   meta (after the header): magic u32 | version u32 | pageSize u32 | flags u32 |
//         root bucket (root pgid u64, sequence u64) | freelist pgid u64 | pgid (high-water) u64 |
//         txid u64 | checksum u64 (FNV-1a 64 of the 56 bytes before it)
//   leaf element:   flags u32 | pos u32 | ksize u32 | vsize u32       (pos: from the element to its key)
//   branch element: pos u32 | ksize u32 | pgid u64
//   bucket value: root pgid u64 | sequence u64, then for an inline bucket (root 0) a leaf page.

enum BoltLayout {
    /// etcd opens bbolt with the OS page size; 4096 on every platform etcd ships for.
    static let pageSize = 4096
    static let pageHeaderSize = 16
    static let leafElementSize = 16
    static let branchElementSize = 16
    static let bucketHeaderSize = 16
    static let metaSize = 64
    static let metaChecksumOffset = 56

    static let branchPageFlag: UInt16 = 0x01
    static let leafPageFlag: UInt16 = 0x02
    static let metaPageFlag: UInt16 = 0x04
    static let freelistPageFlag: UInt16 = 0x10

    /// Leaf element flag of a nested bucket.
    static let bucketLeafFlag: UInt32 = 0x01

    static let magic: UInt32 = 0xED0C_DAED
    static let version: UInt32 = 2

    /// bbolt keeps a bucket inline in its parent when it has no nested buckets and its leaf
    /// fits in a quarter page.
    static let maxInlineBucketSize = pageSize / 4

    /// The freelist page id of a file written without a freelist (bbolt's NoFreelistSync).
    static let noFreelist = UInt64.max

    /// The count field is 16 bits; bbolt then stores the real count in the first u64.
    static let freelistCountOverflow = 0xFFFF

    static func fnv1a64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

extension UnsafeMutableRawBufferPointer {
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
