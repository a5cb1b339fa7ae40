import Foundation

/// A queue between two threads that hands the consumer everything pushed since its last pop,
/// so each wake-up processes a whole batch (the basis of group commit).
final class BlockingBatchQueue<Element: Sendable>: @unchecked Sendable {
    // @unchecked: every stored property is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var items: [Element] = []
    private var closed = false
    private var busy = false

    /// Returns false, dropping `item`, once the queue is closed.
    @discardableResult
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if closed {
            return false
        }
        items.append(item)
        condition.signal()
        return true
    }

    /// Blocks until there is something to take; nil once closed and empty. With `wait` false it
    /// returns an empty batch at once instead of blocking (the consumer has idle work to do).
    func popAll(wait: Bool = true) -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while wait && items.isEmpty && !closed {
            condition.wait()
        }
        if items.isEmpty {
            return closed ? nil : []
        }
        busy = true
        let batch = items
        items = []
        return batch
    }

    /// Like `popAll()`, but returns an empty batch once `deadline` passes with nothing to take
    /// (the consumer has timed work to do).
    func popAll(until deadline: Date) -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed {
            if !condition.wait(until: deadline) { break }
        }
        if items.isEmpty {
            return closed ? nil : []
        }
        busy = true
        let batch = items
        items = []
        return batch
    }

    /// The consumer has finished the batch it popped last.
    func markDrained() {
        condition.lock()
        busy = false
        condition.broadcast()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until every pushed item has been popped and processed.
    func waitUntilDrained() {
        condition.lock()
        while !items.isEmpty || busy {
            condition.wait()
        }
        condition.unlock()
    }
}
