// Shared by RaftTests (the pure Raft simulation) and EtcdServerTests (the host simulation).

/// A linearizability checker for key-value histories: Wing & Gong's search with Lowe's
/// memoization, applied per key (a KV history is linearizable iff each key's sub-history is:
/// P-compositionality, as in Porcupine).
///
/// Use: record operations with `KVHistory.invoke` / `complete` at logical times, then
/// `LinearizabilityChecker.check(history)`. Operations that never returned (a client timed out
/// or crashed) may or may not have taken effect; the checker allows both.
public struct KVHistory: Sendable {
    public enum Input: Hashable, Sendable {
        case put(key: String, value: String)
        case get(key: String)

        public var key: String {
            switch self {
            case .put(let key, _), .get(let key): return key
            }
        }
    }

    public enum Output: Hashable, Sendable {
        case ok
        /// A read's result; nil when the key was absent.
        case value(String?)
    }

    public struct Operation: Sendable {
        public var client: Int
        public var input: Input
        public var invokedAt: Int
        /// nil until it returns; an operation that never returned may have taken effect at any
        /// time after its invocation.
        public var returnedAt: Int?
        public var output: Output?
    }

    public private(set) var operations: [Operation] = []

    public init() {}

    public mutating func invoke(client: Int, _ input: Input, at time: Int) -> Int {
        operations.append(Operation(client: client, input: input, invokedAt: time))
        return operations.count - 1
    }

    public mutating func complete(_ id: Int, _ output: Output, at time: Int) {
        precondition(time >= operations[id].invokedAt, "an operation cannot return before it was invoked")
        operations[id].returnedAt = time
        operations[id].output = output
    }
}

public enum LinearizabilityResult: Equatable, Sendable {
    case linearizable
    /// No order of the key's operations explains every result; `operations` are the indexes
    /// (into the history) of that key's operations.
    case notLinearizable(key: String, operations: [Int])
    /// The search hit its budget before deciding.
    case unknown(key: String)
}

public enum LinearizabilityChecker {
    public static func check(_ history: KVHistory, maxStatesPerKey: Int = 1_000_000) -> LinearizabilityResult {
        // Operations that never returned and that no read observed cannot change the verdict
        // (a read constrains nothing until it returns; an unseen pending write may simply not
        // have happened), and each one left in would multiply the search space.
        var observed = Set<String>()
        for operation in history.operations {
            if case .get(let key) = operation.input, case .value(let value?)? = operation.output { observed.insert(key + "\u{0}" + value) }
        }
        var byKey: [String: [Int]] = [:]
        for (index, operation) in history.operations.enumerated() {
            if operation.returnedAt == nil {
                guard case .put(let key, let value) = operation.input, observed.contains(key + "\u{0}" + value) else { continue }
            }
            byKey[operation.input.key, default: []].append(index)
        }
        for key in byKey.keys.sorted() {
            let ids = byKey[key]!
            switch checkKey(ids.map { history.operations[$0] }, maxStates: maxStatesPerKey) {
            case .some(true): continue
            case .some(false): return .notLinearizable(key: key, operations: ids)
            case .none: return .unknown(key: key)
            }
        }
        return .linearizable
    }

    /// One register's history. An event list ordered by time holds each call and each return;
    /// the search tries, at each point, every operation that was called before any pending
    /// return, linearizes it if the model allows, and backtracks otherwise. Lowe's cache of
    /// (set of linearized operations, register value) cuts repeated sub-searches.
    /// Returns nil when the state budget runs out.
    private static func checkKey(_ operations: [KVHistory.Operation], maxStates: Int) -> Bool? {
        let count = operations.count
        if count == 0 { return true }
        // Pending operations return "at infinity": after everything else.
        let infinity = (operations.compactMap(\.returnedAt).max() ?? 0) + 1
        struct Event { var time: Int; var isReturn: Bool; var operation: Int }
        var events: [Event] = []
        for (index, operation) in operations.enumerated() {
            events.append(Event(time: operation.invokedAt, isReturn: false, operation: index))
            events.append(Event(time: operation.returnedAt ?? infinity, isReturn: true, operation: index))
        }
        // Calls sort before returns at the same time: operations that touch overlap.
        events.sort { ($0.time, $0.isReturn ? 1 : 0) < ($1.time, $1.isReturn ? 1 : 0) }

        var linearized = [Bool](repeating: false, count: count)
        var cache = Set<CacheKey>()
        var states = 0

        // Depth-first search over the remaining events; `value` is the register's value.
        func search(_ value: String?, _ remaining: Int) -> Bool? {
            if remaining == 0 { return true }
            states += 1
            if states > maxStates { return nil }
            // Candidates: operations called before the first return among unlinearized ones.
            var candidates: [Int] = []
            for event in events where !linearized[event.operation] {
                if event.isReturn { break }
                candidates.append(event.operation)
            }
            for candidate in candidates {
                let operation = operations[candidate]
                let next: String?
                switch operation.input {
                case .put(_, let written):
                    next = written
                case .get:
                    // A read that never returned constrains nothing.
                    if case .value(let observed)? = operation.output, observed != value { continue }
                    next = value
                }
                linearized[candidate] = true
                let key = CacheKey(linearized: linearized, value: next)
                if cache.insert(key).inserted {
                    switch search(next, remaining - 1) {
                    case .some(true): return true
                    case .none: return nil
                    case .some(false): break
                    }
                }
                linearized[candidate] = false
            }
            // A pending operation may also never take effect: drop it if it is first in line.
            for candidate in candidates where operations[candidate].returnedAt == nil {
                linearized[candidate] = true
                let key = CacheKey(linearized: linearized, value: value)
                if cache.insert(key).inserted {
                    switch search(value, remaining - 1) {
                    case .some(true): return true
                    case .none: return nil
                    case .some(false): break
                    }
                }
                linearized[candidate] = false
            }
            return false
        }
        return search(nil, count)
    }

    private struct CacheKey: Hashable {
        var linearized: [Bool]
        var value: String?
    }
}
