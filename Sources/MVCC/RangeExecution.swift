// KV.Range exactly as etcd 3.4's applierV3backend.Range + storeTxnRead.rangeKeys.

import EtcdProto
import Storage

extension StoreView {
    /// Answers `request` as seen at `currentRevision` (the view's revision, including a write
    /// txn's own changes), with `compactedRevision` as the oldest readable revision.
    func rangeResponse(
        _ request: RangeRequest, currentRevision: Int64, compactedRevision: Int64
    ) throws(MVCCError) -> RangeResponse {
        var revision = request.revision
        if revision > currentRevision { throw .futureRevision }
        if revision <= 0 { revision = currentRevision }
        if revision < compactedRevision { throw .compacted }

        let sorts = request.sortOrder != .none || request.sortTarget != .key
        let filters = request.minModRevision != 0 || request.maxModRevision != 0
            || request.minCreateRevision != 0 || request.maxCreateRevision != 0
        // etcd fetches one extra to learn `more`, or everything when it sorts or filters afterwards.
        var fetchLimit = 0
        if request.sortOrder == .none && !filters && request.limit > 0 && request.limit < Int64(Int.max) {
            fetchLimit = Int(request.limit) + 1
        }

        var (kvs, count): ([KeyValue], Int)
        do {
            (kvs, count) = try self.range(
                KeyInterval(key: request.key, rangeEnd: request.rangeEnd), revision: revision,
                isLatest: revision == currentRevision, limit: fetchLimit, countOnly: request.countOnly,
                withValue: !request.keysOnly || (sorts && request.sortTarget == .value))
        } catch {
            throw .storage(error)
        }

        if request.maxModRevision != 0 { kvs.removeAll { $0.modRevision > request.maxModRevision } }
        if request.minModRevision != 0 { kvs.removeAll { $0.modRevision < request.minModRevision } }
        if request.maxCreateRevision != 0 { kvs.removeAll { $0.createRevision > request.maxCreateRevision } }
        if request.minCreateRevision != 0 { kvs.removeAll { $0.createRevision < request.minCreateRevision } }

        var sortOrder = request.sortOrder
        if request.sortTarget != .key && sortOrder == .none { sortOrder = .ascend }
        if sortOrder == .ascend || sortOrder == .descend {
            Self.sort(&kvs, by: request.sortTarget, descending: sortOrder == .descend)
        }

        var response = RangeResponse()
        if request.limit > 0 && kvs.count > Int(request.limit) {
            kvs.removeSubrange(Int(request.limit)...)
            response.more = true
        }
        if request.keysOnly {
            for index in kvs.indices { kvs[index].value = [] }
        }
        var header = ResponseHeader()
        header.revision = currentRevision
        response.header = header
        response.count = Int64(count)
        response.kvs = kvs
        return response
    }

    /// Stable sort (ties keep key order); etcd's sort is not stable, so ties in large results
    /// may come out in another order there (for up to 12 items its insertion sort agrees).
    static func sort(_ kvs: inout [KeyValue], by target: RangeRequest.SortTarget, descending: Bool) {
        func ordered(_ lhs: KeyValue, _ rhs: KeyValue) -> Int {
            switch target {
            case .version: return lhs.version < rhs.version ? -1 : (lhs.version > rhs.version ? 1 : 0)
            case .create: return lhs.createRevision < rhs.createRevision ? -1 : (lhs.createRevision > rhs.createRevision ? 1 : 0)
            case .mod: return lhs.modRevision < rhs.modRevision ? -1 : (lhs.modRevision > rhs.modRevision ? 1 : 0)
            case .value: return lhs.value.lexicographicallyPrecedes(rhs.value) ? -1 : (lhs.value == rhs.value ? 0 : 1)
            case .key: return lhs.key.lexicographicallyPrecedes(rhs.key) ? -1 : (lhs.key == rhs.key ? 0 : 1)
            default: return 0  // an unknown target: etcd leaves the order as fetched
            }
        }
        let indexed = kvs.enumerated().sorted { lhs, rhs in
            let result = descending ? ordered(rhs.element, lhs.element) : ordered(lhs.element, rhs.element)
            return result != 0 ? result < 0 : lhs.offset < rhs.offset
        }
        kvs = indexed.map(\.element)
    }
}
