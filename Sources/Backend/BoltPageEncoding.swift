/// One key/value of a leaf page; `flags` is `BoltLayout.bucketLeafFlag` for a nested bucket.
struct BoltLeafEntry {
    var key: [UInt8]
    var value: [UInt8]
    var flags: UInt32 = 0

    var encodedSize: Int { BoltLayout.leafElementSize + key.count + value.count }
}

/// A branch page's pointer to a child page and the child's first key.
struct BoltBranchEntry {
    var key: [UInt8]
    var child: UInt64

    var encodedSize: Int { BoltLayout.branchElementSize + key.count }
}

/// Lays out leaf and branch pages as bbolt reads them.
enum BoltPageEncoding {
    /// Bytes `count` pages of `size` take, padded to whole pages.
    static func paddedSize(_ size: Int) -> Int {
        (size + BoltLayout.pageSize - 1) / BoltLayout.pageSize * BoltLayout.pageSize
    }

    /// The page header; `byteCount` spans the page and its overflow pages.
    static func writeHeader(
        _ page: UnsafeMutableRawBufferPointer, id: UInt64, flags: UInt16, count: Int, byteCount: Int
    ) {
        page.storeLittleEndian(id, at: 0)
        page.storeLittleEndian(flags, at: 8)
        page.storeLittleEndian(UInt16(count), at: 10)
        let overflow = byteCount <= BoltLayout.pageSize ? 0 : byteCount / BoltLayout.pageSize - 1
        page.storeLittleEndian(UInt32(overflow), at: 12)
    }

    /// A leaf page; `padded` false gives the exact bytes an inline bucket carries (id 0).
    static func leaf(_ entries: [BoltLeafEntry], id: UInt64, padded: Bool) -> [UInt8] {
        let size = BoltLayout.pageHeaderSize + entries.reduce(0) { $0 + $1.encodedSize }
        var bytes = [UInt8](repeating: 0, count: padded ? paddedSize(size) : size)
        bytes.withUnsafeMutableBytes { page in
            writeHeader(page, id: id, flags: BoltLayout.leafPageFlag, count: entries.count, byteCount: page.count)
            var data = BoltLayout.pageHeaderSize + entries.count * BoltLayout.leafElementSize
            for (index, entry) in entries.enumerated() {
                let element = BoltLayout.pageHeaderSize + index * BoltLayout.leafElementSize
                page.storeLittleEndian(entry.flags, at: element)
                page.storeLittleEndian(UInt32(data - element), at: element + 4)
                page.storeLittleEndian(UInt32(entry.key.count), at: element + 8)
                page.storeLittleEndian(UInt32(entry.value.count), at: element + 12)
                copy(entry.key, into: page, at: data)
                copy(entry.value, into: page, at: data + entry.key.count)
                data += entry.key.count + entry.value.count
            }
        }
        return bytes
    }

    static func branch(_ entries: [BoltBranchEntry], id: UInt64) -> [UInt8] {
        let size = BoltLayout.pageHeaderSize + entries.reduce(0) { $0 + $1.encodedSize }
        var bytes = [UInt8](repeating: 0, count: paddedSize(size))
        bytes.withUnsafeMutableBytes { page in
            writeHeader(page, id: id, flags: BoltLayout.branchPageFlag, count: entries.count, byteCount: page.count)
            var data = BoltLayout.pageHeaderSize + entries.count * BoltLayout.branchElementSize
            for (index, entry) in entries.enumerated() {
                let element = BoltLayout.pageHeaderSize + index * BoltLayout.branchElementSize
                page.storeLittleEndian(UInt32(data - element), at: element)
                page.storeLittleEndian(UInt32(entry.key.count), at: element + 4)
                page.storeLittleEndian(entry.child, at: element + 8)
                copy(entry.key, into: page, at: data)
                data += entry.key.count
            }
        }
        return bytes
    }

    /// A bucket's value in its parent: the header, then the leaf itself when inline.
    static func bucketValue(root: UInt64, inline entries: [BoltLeafEntry]?) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: BoltLayout.bucketHeaderSize)
        header.withUnsafeMutableBytes { $0.storeLittleEndian(root, at: 0) }
        guard let entries else { return header }
        return header + leaf(entries, id: 0, padded: false)
    }

    private static func copy(_ source: [UInt8], into page: UnsafeMutableRawBufferPointer, at offset: Int) {
        guard !source.isEmpty else { return }
        source.withUnsafeBytes { page.baseAddress!.advanced(by: offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}
