/// Builds one B+tree bottom-up from keys in ascending order: a leaf page is written when the
/// next entry would not fit, and its first key goes up to the branch level above, which is
/// written the same way. Memory is one unfinished page per level.
///
/// Not Sendable: used by one `BoltWriter` on one thread.
final class BoltTreeBuilder {
    private let pages: BoltPageStore
    private var leafEntries: [BoltLeafEntry] = []
    private var leafSize = BoltLayout.pageHeaderSize
    /// Unfinished branch pages, lowest level first, and whether each level has written a page.
    private var levels: [(entries: [BoltBranchEntry], size: Int, wrotePage: Bool)] = []

    init(pages: BoltPageStore) { self.pages = pages }

    func add(_ entry: BoltLeafEntry) throws(BoltError) {
        if !leafEntries.isEmpty && leafSize + entry.encodedSize > BoltLayout.pageSize {
            try flushLeaf()
        }
        leafEntries.append(entry)
        leafSize += entry.encodedSize
    }

    /// Writes what is left and returns the root page's id.
    func finish() throws(BoltError) -> UInt64 {
        if !leafEntries.isEmpty || levels.isEmpty { try flushLeaf() }
        var level = 0
        while true {
            let current = levels[level]
            if level == levels.count - 1 && !current.wrotePage && current.entries.count == 1 {
                return current.entries[0].child
            }
            try flushBranch(level)
            level += 1
        }
    }

    private func flushLeaf() throws(BoltError) {
        let id = try pages.append(BoltPageEncoding.leaf(leafEntries, id: pages.upcomingID, padded: true))
        try addBranch(BoltBranchEntry(key: leafEntries.first?.key ?? [], child: id), level: 0)
        leafEntries.removeAll(keepingCapacity: true)
        leafSize = BoltLayout.pageHeaderSize
    }

    private func addBranch(_ entry: BoltBranchEntry, level: Int) throws(BoltError) {
        if level == levels.count { levels.append(([], BoltLayout.pageHeaderSize, false)) }
        if !levels[level].entries.isEmpty && levels[level].size + entry.encodedSize > BoltLayout.pageSize {
            try flushBranch(level)
        }
        levels[level].entries.append(entry)
        levels[level].size += entry.encodedSize
    }

    private func flushBranch(_ level: Int) throws(BoltError) {
        let entries = levels[level].entries
        let id = try pages.append(BoltPageEncoding.branch(entries, id: pages.upcomingID))
        levels[level].entries.removeAll(keepingCapacity: true)
        levels[level].size = BoltLayout.pageHeaderSize
        levels[level].wrotePage = true
        try addBranch(BoltBranchEntry(key: entries[0].key, child: id), level: level + 1)
    }
}
