import EtcdProto
import MVCC
import Testing

@Suite struct EventHistoryTests {
    @Test func pastEventsInRevisionOrderWithPrevKv() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")  // 2
        try fixture.txn(txnRequest([], success: [op(putRequest("a", "2")), op(putRequest("b", "1"))]))  // 3
        try fixture.delete("a")  // 4
        let page = try fixture.store.events(fromRevision: 2, maxEvents: 100, withPrevKv: true)
        #expect(page.currentRevision == 4)
        #expect(page.nextRevision == 5)
        #expect(page.events.map(\.type) == [.put, .put, .put, .delete])
        #expect(page.events.map { $0.kv?.modRevision } == [2, 3, 3, 4])
        #expect(page.events.map { $0.prevKv?.value } == [nil, bytes("1"), nil, bytes("2")])
        #expect(page.events[3].kv?.key == bytes("a"))
        // The events the writes returned are the same as those read back (with prevKv).
        let empty = try fixture.store.events(fromRevision: 5, maxEvents: 10, withPrevKv: false)
        #expect(empty.events.isEmpty)
        #expect(empty.nextRevision == 5)
    }

    @Test func pagesKeepARevisionTogether() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")  // 2
        try fixture.txn(txnRequest([], success: [op(putRequest("b", "1")), op(putRequest("c", "1"))]))  // 3
        try fixture.put("d", "1")  // 4
        let first = try fixture.store.events(fromRevision: 0, maxEvents: 2, withPrevKv: false)
        #expect(first.events.map { $0.kv?.modRevision } == [2, 3, 3])
        #expect(first.nextRevision == 4)
        let second = try fixture.store.events(fromRevision: first.nextRevision, maxEvents: 2, withPrevKv: false)
        #expect(second.events.map { $0.kv?.key } == [bytes("d")])
    }

    @Test func pagesEndAtTheirByteBoundOnARevisionBoundary() throws {
        let fixture = try TemporaryStore()
        let big = String(repeating: "v", count: 100)
        try fixture.put("a", big)  // 2
        try fixture.txn(txnRequest([], success: [op(putRequest("b", big)), op(putRequest("c", big))]))  // 3
        try fixture.put("d", big)  // 4
        let first = try fixture.store.events(fromRevision: 0, maxEvents: 100, maxBytes: 150, withPrevKv: false)
        #expect(first.events.map { $0.kv?.modRevision } == [2, 3, 3], "past the bound within revision 3")
        #expect(first.nextRevision == 4)
        let second = try fixture.store.events(fromRevision: 4, maxEvents: 100, maxBytes: 1, withPrevKv: false)
        #expect(second.events.map { $0.kv?.key } == [bytes("d")], "a page holds at least one revision")
    }

    @Test func compactedStartIsAnError() throws {
        let fixture = try TemporaryStore()
        for value in ["1", "2", "3"] { try fixture.put("a", value) }
        _ = try fixture.apply(.compact(compactRequest(3))).response.get()
        #expect(throws: MVCCError.compacted) { try fixture.store.events(fromRevision: 2, maxEvents: 10, withPrevKv: false) }
        let page = try fixture.store.events(fromRevision: 3, maxEvents: 10, withPrevKv: true)
        #expect(page.events.map { $0.kv?.modRevision } == [3, 4])
        #expect(page.events.last?.prevKv?.value == bytes("2"))
    }
}
