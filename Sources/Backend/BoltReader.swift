/// Reads a bbolt file page by page, checking as it goes: meta magic, version and checksum,
/// page ids inside the file and matching their header, element bounds, and that no page is
/// reached twice (which a cycle in the page tree would do).
///
/// Not Sendable: one thread reads one file.
public final class BoltReader {
    private let file: BoltFile
    public let meta: BoltMeta

    public init(path: String) throws(BoltError) {
        let file = try BoltFile(reading: path)
        self.file = file
        let size = file.size
        guard size >= BoltLayout.pageHeaderSize + BoltLayout.metaSize else {
            throw BoltError("invalid database: \(path) is too short (\(size) bytes) to be a bbolt file")
        }
        let first = Result { () throws(BoltError) in try BoltMeta(page: try file.read(count: BoltLayout.pageHeaderSize + BoltLayout.metaSize, at: 0)) }
        let secondOffset = (try? first.get())?.pageSize ?? BoltLayout.pageSize
        let second = Result { () throws(BoltError) in
            try BoltMeta(page: try file.read(count: BoltLayout.pageHeaderSize + BoltLayout.metaSize, at: secondOffset))
        }
        // bbolt uses the valid meta with the higher transaction id.
        let valid = [try? first.get(), try? second.get()].compactMap { $0 }
        guard let chosen = valid.max(by: { $0.txid < $1.txid }) else {
            _ = try first.get()
            throw BoltError("invalid database: no valid meta page")
        }
        guard [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536].contains(chosen.pageSize) else {
            throw BoltError("invalid database: page size \(chosen.pageSize)")
        }
        guard chosen.highWaterMark >= 3, chosen.root >= 2, chosen.root < chosen.highWaterMark else {
            throw BoltError("invalid database: root page \(chosen.root) outside the file's \(chosen.highWaterMark) pages")
        }
        guard size >= Int(chosen.highWaterMark) * chosen.pageSize else {
            throw BoltError("invalid database: \(path) is truncated (\(size) bytes, its meta says \(Int(chosen.highWaterMark) * chosen.pageSize))")
        }
        meta = chosen
    }

    /// The bytes bbolt's `tx.Size()` reports: every page below the high-water mark.
    public var size: Int { Int(meta.highWaterMark) * meta.pageSize }

    /// The top-level bucket names, in order.
    public func bucketNames() throws(BoltError) -> [[UInt8]] {
        var visited = Set<UInt64>()
        var names: [[UInt8]] = []
        try walk(page: meta.root, visited: &visited) { (key, _, flags) throws(BoltError) in
            if flags & BoltLayout.bucketLeafFlag != 0 { names.append(key) }
        }
        return names
    }

    /// Calls `body` with each key and value of the top-level bucket `name`, in key order;
    /// false if there is no such bucket.
    @discardableResult
    public func forEach(
        inBucket name: [UInt8], _ body: ([UInt8], [UInt8]) throws(BoltError) -> Void
    ) throws(BoltError) -> Bool {
        var visited = Set<UInt64>()
        var bucketValue: [UInt8]?
        try walk(page: meta.root, visited: &visited) { (key, value, flags) throws(BoltError) in
            if key == name && flags & BoltLayout.bucketLeafFlag != 0 { bucketValue = value }
        }
        guard let bucketValue else { return false }
        try forEachEntry(ofBucket: bucketValue, visited: &visited) { (key, value, _) throws(BoltError) in try body(key, value) }
        return true
    }

    /// bbolt's `tx.Check`: every page below the high-water mark is reached exactly once
    /// from the metas, the freelist or a bucket tree, or is free; no page is both.
    public func check() throws(BoltError) {
        var reached: Set<UInt64> = [0, 1]
        var free = Set<UInt64>()
        if meta.freelist != BoltLayout.noFreelist {
            let freelist = try page(meta.freelist)
            guard freelist.flags == BoltLayout.freelistPageFlag else {
                throw BoltError("invalid database: page \(meta.freelist) is not the freelist")
            }
            free = Set(try freelist.freelistIDs())
            for id in meta.freelist...(meta.freelist + UInt64(freelist.overflow)) { reached.insert(id) }
        }
        try checkBucket(root: meta.root, reached: &reached)
        for id in free where reached.contains(id) { throw BoltError("invalid database: page \(id) is both reachable and free") }
        // Without a freelist page (bbolt's NoFreelistSync, as etcd's snapshots have), the free
        // pages are by definition the unreachable ones.
        guard meta.freelist != BoltLayout.noFreelist else { return }
        let accounted = reached.union(free)
        for id in 0..<meta.highWaterMark where !accounted.contains(id) {
            throw BoltError("invalid database: page \(id) unreachable and not free")
        }
    }

    private func checkBucket(root: UInt64, reached: inout Set<UInt64>) throws(BoltError) {
        var nested: [[UInt8]] = []
        var visited = Set<UInt64>()
        try walk(page: root, visited: &visited) { (_, value, flags) throws(BoltError) in
            if flags & BoltLayout.bucketLeafFlag != 0 { nested.append(value) }
        }
        for id in visited {
            let overflow = try page(id).overflow
            for covered in id...(id + UInt64(overflow)) {
                guard reached.insert(covered).inserted else { throw BoltError("invalid database: page \(covered) referenced twice") }
            }
        }
        // An inline bucket has no pages and, in bbolt, never nested buckets.
        for value in nested {
            let header = try BoltPageView.bucketHeader(value)
            if header.root != 0 { try checkBucket(root: header.root, reached: &reached) }
        }
    }

    private func forEachEntry(
        ofBucket value: [UInt8], visited: inout Set<UInt64>, _ body: ([UInt8], [UInt8], UInt32) throws(BoltError) -> Void
    ) throws(BoltError) {
        let header = try BoltPageView.bucketHeader(value)
        if header.root == 0 {
            try BoltPageView(inline: value).forEachLeaf(body)
        } else {
            try walk(page: header.root, visited: &visited, body)
        }
    }

    private func walk(
        page id: UInt64, visited: inout Set<UInt64>, _ body: ([UInt8], [UInt8], UInt32) throws(BoltError) -> Void
    ) throws(BoltError) {
        guard visited.insert(id).inserted else {
            throw BoltError("invalid database: page \(id) reached twice (a cycle in the page tree)")
        }
        let current = try page(id)
        switch current.flags {
        case BoltLayout.leafPageFlag:
            try current.forEachLeaf(body)
        case BoltLayout.branchPageFlag:
            for child in try current.branchChildren() { try walk(page: child, visited: &visited, body) }
        default:
            throw BoltError("invalid database: page \(id) has type \(current.flags) where a branch or leaf belongs")
        }
    }

    private func page(_ id: UInt64) throws(BoltError) -> BoltPageView {
        guard id >= 2, id < meta.highWaterMark else {
            throw BoltError("invalid database: page id \(id) outside the file's \(meta.highWaterMark) pages")
        }
        let offset = Int(id) * meta.pageSize
        let header = try file.read(count: BoltLayout.pageHeaderSize, at: offset)
        let view = BoltPageView(header)
        guard view.id == id else { throw BoltError("invalid database: page \(id) carries id \(view.id)") }
        guard id + UInt64(view.overflow) < meta.highWaterMark else {
            throw BoltError("invalid database: page \(id) overflows past the file's \(meta.highWaterMark) pages")
        }
        return BoltPageView(try file.read(count: (Int(view.overflow) + 1) * meta.pageSize, at: offset))
    }
}
