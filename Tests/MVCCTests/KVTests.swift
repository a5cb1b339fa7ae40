import EtcdProto
import MVCC
import Testing

@Suite struct RevisionTests {
    @Test func newStoreStartsAtRevisionOneAndFirstPutIsTwo() throws {
        let fixture = try TemporaryStore()
        #expect(try fixture.store.currentRevision() == 1)
        #expect(try fixture.store.compactedRevision() == 0)
        #expect(try fixture.store.appliedIndex() == 0)
        let response = try fixture.put("a", "1")
        #expect(response.header?.revision == 2)
        #expect(try fixture.store.currentRevision() == 2)
    }

    @Test func createModVersionFollowEtcd() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")  // rev 2
        try fixture.put("a", "2")  // rev 3
        let kv = try #require(try fixture.get("a").kvs.first)
        #expect(kv.createRevision == 2)
        #expect(kv.modRevision == 3)
        #expect(kv.version == 2)
        #expect(kv.value == bytes("2"))

        let deleted = try fixture.delete("a")  // rev 4
        #expect(deleted.deleted == 1)
        #expect(deleted.header?.revision == 4)
        try fixture.put("a", "3")  // rev 5: a new generation
        let recreated = try #require(try fixture.get("a").kvs.first)
        #expect(recreated.createRevision == 5)
        #expect(recreated.version == 1)
    }

    @Test func deletingNothingDoesNotBumpTheRevision() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let response = try fixture.delete("zzz")
        #expect(response.deleted == 0)
        #expect(response.header?.revision == 2)
        #expect(try fixture.store.currentRevision() == 2)
    }

    @Test func oneRevisionPerTxnWithSubRevisions() throws {
        let fixture = try TemporaryStore()
        let result = try fixture.apply(.txn(txnRequest([], success: [op(putRequest("a", "1")), op(putRequest("b", "2"))])))
        #expect(result.revision == 2)
        #expect(result.events.map { $0.kv?.modRevision } == [2, 2])
        #expect(try fixture.get("a", end: "c").kvs.map(\.modRevision) == [2, 2])
        #expect(try fixture.store.currentRevision() == 2)
    }

    @Test func readOnlyOrEmptyTxnDoesNotBumpTheRevision() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let response = try fixture.txn(txnRequest([], success: [op(rangeRequest("a"))]))
        #expect(response.header?.revision == 2)
        let empty = try fixture.txn(txnRequest([], success: []))
        #expect(empty.succeeded)
        #expect(empty.header?.revision == 2)
        #expect(try fixture.store.currentRevision() == 2)
    }
}

@Suite struct RangeTests {
    /// Keys a, b, c, d with values 1..4 at revisions 2..5; "b" rewritten at 6.
    func fixture() throws -> TemporaryStore {
        let fixture = try TemporaryStore()
        for (index, key) in ["a", "b", "c", "d"].enumerated() { try fixture.put(key, "\(index + 1)") }
        try fixture.put("b", "9")
        return fixture
    }

    @Test(arguments: [
        ("b", "", ["b"]),
        ("b", "d", ["b", "c"]),
        ("b", "\0", ["b", "c", "d"]),
        ("\0", "\0", ["a", "b", "c", "d"]),
        ("x", "", []),
        ("c", "b", []),
        ("a", "b", ["a"]),
    ])
    func rangeEndForms(key: String, end: String, expected: [String]) throws {
        let response = try self.fixture().get(key, end: end)
        #expect(keys(response) == expected)
        #expect(response.count == Int64(expected.count))
        #expect(response.header?.revision == 6)
    }

    @Test func limitCountAndMore() throws {
        let fixture = try self.fixture()
        var request = rangeRequest("a", end: "\0")
        request.limit = 2
        var response = try fixture.store.range(request)
        #expect(keys(response) == ["a", "b"])
        #expect(response.count == 4)
        #expect(response.more)
        request.limit = 4
        response = try fixture.store.range(request)
        #expect(response.kvs.count == 4)
        #expect(!response.more)
        request.limit = Int64.max
        response = try fixture.store.range(request)
        #expect(response.kvs.count == 4)
        #expect(!response.more)
        request.limit = -1  // etcd treats a negative limit as none
        #expect(try fixture.store.range(request).kvs.count == 4)
    }

    @Test func countOnlyAndKeysOnly() throws {
        let fixture = try self.fixture()
        var request = rangeRequest("a", end: "\0")
        request.countOnly = true
        var response = try fixture.store.range(request)
        #expect(response.kvs.isEmpty)
        #expect(response.count == 4)
        request.countOnly = false
        request.keysOnly = true
        response = try fixture.store.range(request)
        #expect(keys(response) == ["a", "b", "c", "d"])
        #expect(response.kvs.allSatisfy { $0.value.isEmpty })
    }

    @Test func sortOrders() throws {
        let fixture = try self.fixture()
        var request = rangeRequest("a", end: "\0")
        request.sortOrder = .descend
        #expect(keys(try fixture.store.range(request)) == ["d", "c", "b", "a"])
        // A target without an order sorts ascending by that target (etcd's default).
        request.sortOrder = .none
        request.sortTarget = .mod
        #expect(keys(try fixture.store.range(request)) == ["a", "c", "d", "b"])
        request.sortOrder = .descend
        request.sortTarget = .value
        #expect(values(try fixture.store.range(request)) == ["9", "4", "3", "1"])
        request.sortTarget = .version
        request.sortOrder = .descend
        // Ties keep key order.
        #expect(keys(try fixture.store.range(request)) == ["b", "a", "c", "d"])
        request.sortTarget = .create
        request.sortOrder = .ascend
        request.limit = 2
        let limited = try fixture.store.range(request)
        #expect(keys(limited) == ["a", "b"])
        #expect(limited.more)
        #expect(limited.count == 4)
    }

    @Test func sortTargetWithoutOrderSortsOnlyTheFetchedPage() throws {
        // etcd fetches limit+1 keys in key order when no order is given, then sorts them.
        let fixture = try self.fixture()
        var request = rangeRequest("a", end: "\0")
        request.sortTarget = .mod
        request.limit = 2
        let response = try fixture.store.range(request)
        #expect(keys(response) == ["a", "c"])
        #expect(response.more)
    }

    @Test func revisionFiltersApplyAfterTheFetch() throws {
        let fixture = try self.fixture()
        var request = rangeRequest("a", end: "\0")
        request.minModRevision = 4
        var response = try fixture.store.range(request)
        #expect(keys(response) == ["b", "c", "d"])
        #expect(response.count == 4)  // count is before the filters, as in etcd
        request.limit = 2
        response = try fixture.store.range(request)
        #expect(keys(response) == ["b", "c"])
        #expect(response.more)
        request = rangeRequest("a", end: "\0")
        request.maxCreateRevision = 3
        request.minCreateRevision = 3
        #expect(keys(try fixture.store.range(request)) == ["b"])
        request = rangeRequest("a", end: "\0")
        request.maxModRevision = 4
        request.countOnly = true
        response = try fixture.store.range(request)
        #expect(response.count == 4)
        #expect(response.kvs.isEmpty)
    }

    @Test func readsAtPastRevisions() throws {
        let fixture = try self.fixture()
        try fixture.delete("c")  // rev 7
        #expect(values(try fixture.get("a", end: "\0", revision: 3)) == ["1", "2"])
        #expect(values(try fixture.get("a", end: "\0", revision: 5)) == ["1", "2", "3", "4"])
        #expect(values(try fixture.get("a", end: "\0", revision: 6)) == ["1", "9", "3", "4"])
        let latest = try fixture.get("a", end: "\0")
        #expect(values(latest) == ["1", "9", "4"])
        #expect(latest.header?.revision == 7)
        let old = try #require(try fixture.get("b", revision: 4).kvs.first)
        #expect(old.modRevision == 3 && old.createRevision == 3 && old.version == 1)
        #expect(try fixture.get("c", revision: 7).kvs.isEmpty)
        #expect(try fixture.get("c", revision: 6).count == 1)
        #expect(try fixture.get("a", revision: 1).kvs.isEmpty)
        // The revision header is the current one even for past reads.
        #expect(try fixture.get("a", revision: 3).header?.revision == 7)
        #expect(throws: MVCCError.futureRevision) { try fixture.get("a", revision: 8) }
    }
}

@Suite struct PutTests {
    @Test func prevKvAndIgnoreFlags() throws {
        let fixture = try TemporaryStore()
        try fixture.grant(7)
        try fixture.grant(9)
        try fixture.put("a", "1", lease: 7)
        let previous = try fixture.put("a", "2", prevKv: true)
        #expect(previous.prevKv?.value == bytes("1"))
        #expect(previous.prevKv?.lease == 7)
        #expect(try fixture.put("new", "x", prevKv: true).prevKv == nil)

        var keepValue = putRequest("a", "")
        keepValue.ignoreValue = true
        keepValue.lease = 9
        _ = try fixture.apply(.put(keepValue)).response.get()
        var kv = try #require(try fixture.get("a").kvs.first)
        #expect(kv.value == bytes("2") && kv.lease == 9)

        var keepLease = putRequest("a", "3")
        keepLease.ignoreLease = true
        _ = try fixture.apply(.put(keepLease)).response.get()
        kv = try #require(try fixture.get("a").kvs.first)
        #expect(kv.value == bytes("3") && kv.lease == 9)
    }

    @Test func ignoreFlagErrors() throws {
        let fixture = try TemporaryStore()
        var request = putRequest("missing", "")
        request.ignoreValue = true
        var result = try fixture.apply(.put(request))
        #expect(throws: MVCCError.keyNotFound) { try result.response.get() }
        #expect(result.revision == 1)
        #expect(result.events.isEmpty)

        request = putRequest("a", "v")
        request.ignoreValue = true
        result = try fixture.apply(.put(request))
        #expect(throws: MVCCError.valueProvided) { try result.response.get() }
        request = putRequest("a", "")
        request.ignoreLease = true
        request.lease = 5
        result = try fixture.apply(.put(request))
        #expect(throws: MVCCError.leaseProvided) { try result.response.get() }
        result = try fixture.apply(.put(putRequest("", "v")))
        #expect(throws: MVCCError.emptyKey) { try result.response.get() }
        result = try fixture.apply(.txn(txnRequest([], success: [op(putRequest("", "v"))])))
        #expect(throws: MVCCError.emptyKey) { try result.response.get() }
        #expect(try fixture.store.currentRevision() == 1)
    }

    @Test func putsAttachOnlyGrantedLeases() throws {
        let fixture = try TemporaryStore()
        try fixture.grant(7)
        let result = try fixture.apply(.put(putRequest("a", "1", lease: 42)))
        #expect(throws: MVCCError.leaseNotFound) { try result.response.get() }
        let accepted = try fixture.apply(.put(putRequest("a", "1", lease: 7)))
        #expect(throws: Never.self) { try accepted.response.get() }
    }

    @Test func longKeys() throws {
        let fixture = try TemporaryStore()
        let limit = fixture.store.maxKeySize
        let longest = String(repeating: "k", count: limit)
        try fixture.put(longest, "ok")
        #expect(try fixture.get(longest).kvs.count == 1)
        let tooLong = longest + "k"
        let result = try fixture.apply(.put(putRequest(tooLong, "x")))
        #expect(throws: MVCCError.keyTooLong(limit + 1, limit: limit)) { try result.response.get() }
        // Ranges may name longer keys: they simply hold nothing there.
        #expect(try fixture.get(tooLong).kvs.isEmpty)
        let longStart = String(repeating: "k", count: limit - 1) + "a" + "zzzz"
        #expect(keys(try fixture.get(longStart, end: "\0")) == [longest])
    }

    @Test func eventsCarryKvAndPrevKv() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        let put = try fixture.apply(.put(putRequest("a", "2")))
        #expect(put.events.count == 1)
        #expect(put.events[0].type == .put)
        #expect(put.events[0].kv?.value == bytes("2"))
        #expect(put.events[0].prevKv?.value == bytes("1"))
        let delete = try fixture.apply(.deleteRange(deleteRequest("a", end: "\0")))
        #expect(delete.events.count == 1)
        #expect(delete.events[0].type == .delete)
        #expect(delete.events[0].kv?.key == bytes("a"))
        #expect(delete.events[0].kv?.modRevision == 4)
        #expect(delete.events[0].kv?.value == [])
        #expect(delete.events[0].prevKv?.value == bytes("2"))
    }

    @Test func deleteRangeWithPrevKvs() throws {
        let fixture = try TemporaryStore()
        for key in ["a", "b", "c"] { try fixture.put(key, key) }
        let response = try fixture.delete("a", end: "c", prevKv: true)
        #expect(response.deleted == 2)
        #expect(response.prevKvs.map(\.key) == [bytes("a"), bytes("b")])
        #expect(keys(try fixture.get("\0", end: "\0")) == ["c"])
        let result = try fixture.apply(.deleteRange(deleteRequest("a", end: "c")))
        #expect(result.revision == 5)
    }
}
