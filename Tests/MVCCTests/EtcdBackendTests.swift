import EtcdProto
import Foundation
import Testing
import MVCC

/// The store written as an etcd backend and read back into a new store holds the same
/// history; bad backends are refused without writing anything.
@Suite struct EtcdBackendTests {
    static let cluster = EtcdBackendCluster(
        members: [Member(id: 0xbdae_9bbc_11dd_390d, name: "one", peerUrls: ["http://127.0.0.1:2380"], clientUrls: ["http://127.0.0.1:2379"])],
        removedMemberIDs: [7], clusterVersion: "3.4.0")

    /// A history with puts, a delete, a lease, a compaction and large values (overflow pages).
    static func history() throws -> TemporaryStore {
        let fixture = try TemporaryStore()
        try fixture.grant(42, ttl: 600)
        for index in 0..<3_000 { try fixture.put("key\(index % 700)", String(repeating: "v", count: index % 97)) }
        try fixture.put("large", String(repeating: "x", count: 20_000))
        try fixture.put("leased", "1", lease: 42)
        try fixture.delete("key1", end: "key2")
        _ = try fixture.apply(.compact(compactRequest(1_500)))
        try fixture.put("after-compaction", "yes")
        return fixture
    }

    static func scratch(_ name: String) -> String { NSTemporaryDirectory() + "etcd-backend-\(name)-\(UUID().uuidString)" }

    @Test func roundTripKeepsHistoryLeasesAndCompaction() throws {
        let original = try Self.history()
        let file = Self.scratch("db")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let size = try original.store.writeEtcdBackend(to: file, cluster: Self.cluster)
        let status = try EtcdBackendStatus(path: file)
        #expect(status.totalSize == size)
        #expect(status.revision == (try original.store.currentRevision()))

        let restored = try TemporaryStore()
        try restored.store.importEtcdBackend(from: file, appliedIndex: 0)
        #expect(try restored.store.currentRevision() == original.store.currentRevision())
        #expect(try restored.store.compactedRevision() == 1_500)
        #expect(try restored.store.hashKV(revision: 0) == original.store.hashKV(revision: 0))
        #expect(try restored.get("\0", end: "\0") == original.get("\0", end: "\0"))
        #expect(try restored.store.leases() == original.store.leases())
        #expect(try restored.store.keys(attachedTo: 42) == [bytes("leased")])
        #expect(throws: (any Error).self) { try restored.get("key5", revision: 1_400) }

    }

    @Test func aNonEmptyStoreAndNonEtcdFilesAreRefused() throws {
        let original = try Self.history()
        let file = Self.scratch("db")
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try original.store.writeEtcdBackend(to: file, cluster: Self.cluster)
        #expect(throws: EtcdBackendError.self) { try original.store.importEtcdBackend(from: file, appliedIndex: 0) }

        let text = Self.scratch("text")
        defer { try? FileManager.default.removeItem(atPath: text) }
        try Data(repeating: 0x20, count: 8_192).write(to: URL(fileURLWithPath: text))
        let empty = try TemporaryStore()
        #expect(throws: EtcdBackendError.self) { try empty.store.importEtcdBackend(from: text, appliedIndex: 0) }
        #expect(try empty.store.currentRevision() == 1)
    }
}
