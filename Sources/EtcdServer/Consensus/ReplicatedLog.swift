/// One entry the log has committed, as the apply loop receives it.
public struct CommittedEntry: Sendable {
    public var index: UInt64
    public var term: UInt64
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, data: [UInt8]) {
        self.index = index
        self.term = term
        self.data = data
    }
}

/// The seam the Raft library fills: proposals go in, committed entries come out in index order
/// on one thread. `SingleNodeLog` fills it for a one-member cluster; a Raft-backed log replaces
/// that one type and nothing else.
public protocol ReplicatedLog: AnyObject, Sendable {
    /// The term reported in every response header (`raft_term`).
    var currentTerm: UInt64 { get }
    /// The index of the last entry made durable.
    var lastIndex: UInt64 { get }
    /// Queues `data` for replication; never blocks on disk. Fails once the log has stopped.
    func propose(_ data: [UInt8]) -> Bool
    /// Starts delivering committed entries, in order, to `deliver`, from the log's own thread.
    func start(deliver: @escaping @Sendable ([CommittedEntry]) -> Void)
    /// Stops after making everything already proposed durable and delivered.
    func stop()
}
