import Foundation
import Logging
import Synchronization

/// This member's removal from its cluster, learnt from the entry that removed it or from a peer
/// refusing it: logged once in etcd's words, and then the member stops, as etcd's does.
final class RemovalNotice: Sendable {
    private let noticed = Atomic<Bool>(false)
    private let semaphore = DispatchSemaphore(value: 0)
    private let logger: Logger
    private let dataDirectory: String

    init(logger: Logger, dataDirectory: String) {
        self.logger = logger
        self.dataDirectory = dataDirectory
    }

    func removed() {
        guard !noticed.exchange(true, ordering: .relaxed) else { return }
        logger.warning("server error", metadata: ["error": "the member has been permanently removed from the cluster"])
        logger.warning("data-dir used by this member must be removed", metadata: ["data-dir": "\(dataDirectory)"])
        semaphore.signal()
    }

    /// Blocks until `removed` was called (and lets every later caller through at once).
    func wait() {
        semaphore.wait()
        semaphore.signal()
    }
}
