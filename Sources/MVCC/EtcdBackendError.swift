import Backend
import Storage

/// Why an etcd backend file could not be written from the store or read into one.
public struct EtcdBackendError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    static func bolt(_ error: BoltError) -> EtcdBackendError { EtcdBackendError(error.description) }
    static func storage(_ error: LMDBError) -> EtcdBackendError { EtcdBackendError("storage failure: \(error.reason)") }
}
