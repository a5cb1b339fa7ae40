import NIOPosix
import Synchronization

/// A value read on every request and replaced rarely (the auth store, the token table).
///
/// Readers take no lock in the common case: each thread keeps its own copy tagged with the
/// generation it was read at, and a single atomic load tells it whether the copy is current.
/// Only a thread whose copy is stale takes the lock, once, to fetch the new value.
final class PublishedValue<Value: Sendable>: Sendable {
    private final class ThreadCopy: Sendable {
        let generation: UInt64
        let value: Value
        init(generation: UInt64, value: Value) {
            self.generation = generation
            self.value = value
        }
    }

    private let generation = Atomic<UInt64>(0)
    private let latest: Mutex<Value>
    private let copies = ThreadSpecificVariable<ThreadCopy>()

    init(_ value: Value) {
        latest = Mutex(value)
    }

    var current: Value {
        // The generation is read before the value: a copy is never tagged newer than it is.
        let generation = generation.load(ordering: .acquiring)
        if let copy = copies.currentValue, copy.generation == generation { return copy.value }
        let value = latest.withLock { $0 }
        copies.currentValue = ThreadCopy(generation: generation, value: value)
        return value
    }

    func update<Result>(_ body: (inout Value) -> Result) -> Result {
        latest.withLock { value in
            let result = body(&value)
            generation.add(1, ordering: .releasing)
            return result
        }
    }
}
