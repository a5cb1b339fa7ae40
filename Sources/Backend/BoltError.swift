/// Why a bbolt file could not be written or was refused.
public struct BoltError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) { self.description = description }

    static func io(_ what: String, _ code: Int32) -> BoltError {
        BoltError("\(what): errno \(code)")
    }
}
