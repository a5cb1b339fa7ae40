import Foundation
import Logging
import MVCC
import XCTest

@testable import EtcdServer

/// What `EtcdServer.shutdown` leaves behind: nothing that holds the data directory, so the same
/// process may start a member on it again (LMDB forbids two handles on one environment in a
/// process; `EtcdctlTests.testRestartBringsBackEveryWriteAndStartsANewTerm` relies on this).
final class ServerShutdownTests: XCTestCase {
    func testShutdownReleasesTheStoreTheLogAndTheApplyLoop() throws {
        let directory = NSTemporaryDirectory() + "swift-etcd-shutdown-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = ServerConfiguration.loneMemberForTests(name: "shutdown", directory: directory)
        let logger = Logger.quietForTests

        weak var store: MVCCStore?
        weak var log: AnyObject?
        try {
            let server = try EtcdServer.start(configuration: configuration, logger: logger)
            store = server.core.store
            log = server.core.log
            server.shutdown()
        }()
        // Threads end just after shutdown returns: give them a moment to drop their references.
        let deadline = Date(timeIntervalSinceNow: 5)
        while (store != nil || log != nil) && Date() < deadline { usleep(1000) }
        XCTAssertNil(log, "the replicated log outlives its server")
        XCTAssertNil(store, "the store (its LMDB environment) outlives its server")
    }
}
