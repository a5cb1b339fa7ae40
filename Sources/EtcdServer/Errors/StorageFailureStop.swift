import Foundation
import Logging

/// Stops the member after its storage failed, as etcd's `lg.Fatal` does: the message and the
/// error (which names the file) are logged, and the process exits with status 1 at once.
/// `_exit` rather than `exit` or `fatalError`: nothing else may run after a failed write or
/// fsync (no atexit handler, no other thread's next reply), and a clean status with one log
/// line is what an operator and a supervisor need, not a crash report.
func stopAfterStorageFailure(_ logger: Logger, _ message: String, error: any Error) -> Never {
    logger.critical("\(message); stopping", metadata: ["error": "\(error)"])
    // All output streams: the log line must be out before the process is.
    fflush(nil)
    _exit(1)
}
