import Foundation
import Synchronization

/// Counts Swift heap allocations (`swift_allocObject`: class instances and the buffers of
/// arrays, dictionaries, sets and strings) through the hook the Swift runtime keeps for
/// Instruments. Allocations made with `malloc` directly are not counted; the Raft library
/// makes none.
enum AllocationCounter {
    private typealias AllocObject = @convention(c) (UnsafeRawPointer, Int, Int) -> UnsafeMutableRawPointer

    /// False when this runtime has no allocation hook.
    static func install() -> Bool {
        guard let hook = dlsym(nil, "_swift_allocObject"),
            let enable = dlsym(nil, "_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly")
        else { return false }
        let slot = hook.assumingMemoryBound(to: AllocObject.self)
        runtimeAllocObject = slot.pointee
        slot.pointee = { metadata, size, alignmentMask in
            allocations.add(1, ordering: .relaxed)
            return runtimeAllocObject!(metadata, size, alignmentMask)
        }
        enable.storeBytes(of: true, as: Bool.self)
        return true
    }

    static var count: Int { allocations.load(ordering: .relaxed) }
}

private let allocations = Atomic<Int>(0)
/// Written once, before the hook that reads it is installed.
nonisolated(unsafe) private var runtimeAllocObject: (@convention(c) (UnsafeRawPointer, Int, Int) -> UnsafeMutableRawPointer)?
