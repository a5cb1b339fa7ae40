/// Hands out page ids in file order and writes each page as soon as it is complete, so a
/// file of any size is written holding one page (per tree level) in memory.
///
/// Not Sendable: owned by one `BoltWriter` on one thread.
final class BoltPageStore {
    let file: BoltFile
    /// The id the next page written gets; pages 0 and 1 are the meta pages, written last.
    private(set) var upcomingID: UInt64 = 2

    init(file: BoltFile) { self.file = file }

    /// Writes `bytes` (whole pages, header id already `upcomingID`) and returns its id.
    @discardableResult
    func append(_ bytes: [UInt8]) throws(BoltError) -> UInt64 {
        let id = upcomingID
        try file.write(bytes, at: Int(id) * BoltLayout.pageSize)
        upcomingID += UInt64(bytes.count / BoltLayout.pageSize)
        return id
    }

    func writeMeta(_ bytes: [UInt8], page: UInt64) throws(BoltError) {
        try file.write(bytes, at: Int(page) * BoltLayout.pageSize)
    }
}
