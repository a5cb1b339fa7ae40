/// The elements of one page's bytes, with every offset checked against the page's length.
struct BoltPageView {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The leaf page an inline bucket's value carries after its header.
    init(inline bucketValue: [UInt8]) throws(BoltError) {
        guard bucketValue.count >= BoltLayout.bucketHeaderSize + BoltLayout.pageHeaderSize else {
            throw BoltError("invalid database: inline bucket of \(bucketValue.count) bytes")
        }
        self.bytes = Array(bucketValue[BoltLayout.bucketHeaderSize...])
        guard flags == BoltLayout.leafPageFlag else { throw BoltError("invalid database: inline bucket is not a leaf") }
    }

    static func bucketHeader(_ value: [UInt8]) throws(BoltError) -> (root: UInt64, sequence: UInt64) {
        guard value.count >= BoltLayout.bucketHeaderSize else { throw BoltError("invalid database: bucket value of \(value.count) bytes") }
        return value.withUnsafeBytes { ($0.loadLittleEndian(UInt64.self, at: 0), $0.loadLittleEndian(UInt64.self, at: 8)) }
    }

    private func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        bytes.withUnsafeBytes { $0.loadLittleEndian(T.self, at: offset) }
    }

    var id: UInt64 { load(UInt64.self, at: 0) }
    var flags: UInt16 { load(UInt16.self, at: 8) }
    var count: Int { Int(load(UInt16.self, at: 10)) }
    var overflow: UInt32 { load(UInt32.self, at: 12) }

    private func slice(_ start: Int, _ length: Int) throws(BoltError) -> [UInt8] {
        guard start >= 0, length >= 0, start + length <= bytes.count else {
            throw BoltError("invalid database: page \(id) element points outside the page")
        }
        return Array(bytes[start..<(start + length)])
    }

    private func requireElements(_ size: Int) throws(BoltError) {
        guard BoltLayout.pageHeaderSize + count * size <= bytes.count else {
            throw BoltError("invalid database: page \(id) claims \(count) elements")
        }
    }

    func forEachLeaf(_ body: ([UInt8], [UInt8], UInt32) throws(BoltError) -> Void) throws(BoltError) {
        try requireElements(BoltLayout.leafElementSize)
        var previous: [UInt8]?
        for index in 0..<count {
            let element = BoltLayout.pageHeaderSize + index * BoltLayout.leafElementSize
            let flags = load(UInt32.self, at: element)
            let position = element + Int(load(UInt32.self, at: element + 4))
            let keySize = Int(load(UInt32.self, at: element + 8))
            let valueSize = Int(load(UInt32.self, at: element + 12))
            let key = try slice(position, keySize)
            if let previous, !previous.lexicographicallyPrecedes(key) { throw BoltError("invalid database: page \(id) keys out of order") }
            previous = key
            try body(key, try slice(position + keySize, valueSize), flags)
        }
    }

    func branchChildren() throws(BoltError) -> [UInt64] {
        try requireElements(BoltLayout.branchElementSize)
        guard count > 0 else { throw BoltError("invalid database: branch page \(id) is empty") }
        return (0..<count).map { index in load(UInt64.self, at: BoltLayout.pageHeaderSize + index * BoltLayout.branchElementSize + 8) }
    }

    func freelistIDs() throws(BoltError) -> [UInt64] {
        var total = count
        var start = BoltLayout.pageHeaderSize
        if total == BoltLayout.freelistCountOverflow {
            total = Int(load(UInt64.self, at: start))
            start += 8
        }
        guard start + total * 8 <= bytes.count else { throw BoltError("invalid database: freelist claims \(total) pages") }
        return (0..<total).map { load(UInt64.self, at: start + $0 * 8) }
    }
}
