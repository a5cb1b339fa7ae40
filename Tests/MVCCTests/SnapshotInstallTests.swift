import EtcdProto
import Foundation
import MVCC
import Testing

/// A follower's store becomes the leader's copy (a Raft snapshot's): everything of the old
/// state goes, the copy's keys, history, leases and applied index come, and readers that were
/// inside the old state finish there.
@Suite struct SnapshotInstallTests {
    @Test func installedCopyReplacesTheWholeState() throws {
        let leader = try TemporaryStore()
        try leader.grant(7)
        for i in 0..<50 { try leader.put("k\(i)", "leader-\(i)", lease: i % 2 == 0 ? 7 : 0) }
        try leader.delete("k3")
        let copyDirectory = NSTemporaryDirectory() + "snapshot-copy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: copyDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: copyDirectory) }
        try leader.store.copy(toDirectory: copyDirectory)

        let follower = try TemporaryStore()
        try follower.put("only-on-the-follower", "gone after the install")
        let before = try follower.get("only-on-the-follower")
        try follower.store.installSnapshot(dataFile: copyDirectory + "/data.mdb")

        #expect(try follower.get("only-on-the-follower").kvs.isEmpty)
        #expect(try follower.store.currentRevision() == leader.store.currentRevision())
        #expect(try follower.store.appliedIndex() == leader.store.appliedIndex())
        #expect(try follower.get("k", end: "l").kvs == leader.get("k", end: "l").kvs)
        #expect(try follower.get("k3", revision: 3).kvs == leader.get("k3", revision: 3).kvs)
        #expect(try follower.store.leases().map(\.id) == [7])
        #expect(try follower.store.keys(attachedTo: 7) == leader.store.keys(attachedTo: 7))
        // The copy was moved into place, not copied.
        #expect(!FileManager.default.fileExists(atPath: copyDirectory + "/data.mdb"))
        #expect(before.kvs.count == 1)

        // The installed state takes the log's next entries and survives a reopen.
        _ = try follower.store.apply([.put(putRequest("after", "install"))], lastIndex: try follower.store.appliedIndex() + 1)
        try follower.reopen()
        #expect(try follower.get("after").kvs.map { String(decoding: $0.value, as: UTF8.self) } == ["install"])
        #expect(try follower.get("k0").kvs.map { String(decoding: $0.value, as: UTF8.self) } == ["leader-0"])
    }
}
