import Foundation

/// The layout of `--data-dir`, etcd-style: everything of the member under `member/`.
struct DataDirectory {
    let root: String

    var memberDirectory: String { root + "/member" }
    var walDirectory: String { memberDirectory + "/wal" }
    /// The LMDB environment (etcd keeps its bbolt file in `member/snap/db`).
    var storeDirectory: String { memberDirectory + "/db" }
    /// Raft snapshot files and the store copies that travel with them (etcd's `member/snap`).
    var snapshotDirectory: String { memberDirectory + "/snap" }

    /// Creates the directories with etcd's permissions (0700).
    func prepare() throws {
        for directory in [root, memberDirectory, storeDirectory] {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }
}
