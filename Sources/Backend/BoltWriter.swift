/// Writes a new bbolt file whose root holds top-level buckets, each filled with keys in
/// ascending order (as etcd's backend has them: no deeper nesting). Pages go to disk as they
/// fill; a small bucket stays inline in the root, as bbolt keeps it.
///
/// Not Sendable: one thread writes one file.
public final class BoltWriter {
    private let file: BoltFile
    private let pages: BoltPageStore
    private var buckets: [BoltLeafEntry] = []
    private var open: OpenBucket?
    private var finished = false

    /// A bucket being filled: inline entries until they outgrow a quarter page, then a tree.
    private struct OpenBucket {
        var name: [UInt8]
        var inline: [BoltLeafEntry] = []
        var inlineSize = BoltLayout.pageHeaderSize
        var tree: BoltTreeBuilder?
        var lastKey: [UInt8]?
    }

    /// Creates `path`, which must not exist.
    public init(path: String) throws(BoltError) {
        file = try BoltFile(creating: path)
        pages = BoltPageStore(file: file)
    }

    public func beginBucket(_ name: [UInt8]) throws(BoltError) {
        guard open == nil, !finished else { throw BoltError("bucket \(String(decoding: name, as: UTF8.self)) begun inside another") }
        guard !name.isEmpty, !buckets.contains(where: { $0.key == name }) else {
            throw BoltError("bucket name \(String(decoding: name, as: UTF8.self)) is empty or repeated")
        }
        open = OpenBucket(name: name)
    }

    /// Adds a key to the open bucket; keys must come in strictly ascending byte order.
    public func put(key: [UInt8], value: [UInt8]) throws(BoltError) {
        guard var bucket = open else { throw BoltError("put outside a bucket") }
        open = nil
        if let last = bucket.lastKey, !last.lexicographicallyPrecedes(key) {
            throw BoltError("keys out of order in bucket \(String(decoding: bucket.name, as: UTF8.self))")
        }
        guard !key.isEmpty else { throw BoltError("empty key") }
        bucket.lastKey = key
        let entry = BoltLeafEntry(key: key, value: value)
        if let tree = bucket.tree {
            try tree.add(entry)
        } else if bucket.inlineSize + entry.encodedSize <= BoltLayout.maxInlineBucketSize {
            bucket.inline.append(entry)
            bucket.inlineSize += entry.encodedSize
        } else {
            let tree = BoltTreeBuilder(pages: pages)
            for buffered in bucket.inline { try tree.add(buffered) }
            try tree.add(entry)
            bucket.inline = []
            bucket.tree = tree
        }
        open = bucket
    }

    public func endBucket() throws(BoltError) {
        guard let bucket = open else { throw BoltError("no open bucket") }
        open = nil
        let value: [UInt8]
        if let tree = bucket.tree {
            value = BoltPageEncoding.bucketValue(root: try tree.finish(), inline: nil)
        } else {
            value = BoltPageEncoding.bucketValue(root: 0, inline: bucket.inline)
        }
        buckets.append(BoltLeafEntry(key: bucket.name, value: value, flags: BoltLayout.bucketLeafFlag))
    }

    /// Writes the root, an empty freelist and both meta pages, syncs, and returns the file's size.
    @discardableResult
    public func finish() throws(BoltError) -> Int {
        guard open == nil, !finished else { throw BoltError("finish with an open bucket") }
        finished = true
        let root = BoltTreeBuilder(pages: pages)
        for bucket in buckets.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) { try root.add(bucket) }
        let rootPage = try root.finish()
        var freelist = [UInt8](repeating: 0, count: BoltLayout.pageSize)
        freelist.withUnsafeMutableBytes {
            BoltPageEncoding.writeHeader(
                $0, id: pages.upcomingID, flags: BoltLayout.freelistPageFlag, count: 0, byteCount: BoltLayout.pageSize)
        }
        let freelistPage = try pages.append(freelist)
        let highWaterMark = pages.upcomingID
        for metaPage in [UInt64(0), 1] {
            let meta = BoltMeta(root: rootPage, freelist: freelistPage, highWaterMark: highWaterMark, txid: metaPage + 1)
            try pages.writeMeta(meta.page(id: metaPage), page: metaPage)
        }
        try file.synchronize()
        return Int(highWaterMark) * BoltLayout.pageSize
    }
}
