// Committed entries per second of a 3-member Raft cluster in memory, with batching: the
// leader takes `batch` proposals per round, messages are delivered at once, every Ready is
// persisted to MemoryStorage. Prints entries/s and Swift heap allocations per entry (all three
// members' work, counted during the measured run).
// Usage: swift run -c release raft-bench [entries] [batch] [payload bytes]
import Foundation
import Raft

let arguments = CommandLine.arguments.dropFirst().compactMap(Int.init)
let total = arguments.count > 0 ? arguments[0] : 2_000_000
let batch = arguments.count > 1 ? arguments[1] : 1000
let payloadSize = arguments.count > 2 ? arguments[2] : 16

func runBenchmark() throws {
    let ids: [NodeID] = [1, 2, 3]
    var storages: [NodeID: MemoryStorage] = [:]
    var nodes: [NodeID: RaftNode] = [:]
    for id in ids {
        storages[id] = MemoryStorage(confState: ConfState(voters: ids))
        var configuration = RaftConfiguration(id: id)
        configuration.maxSizePerMessage = 4 << 20
        configuration.maxInflightMessages = 4096
        nodes[id] = try RaftNode(configuration: configuration, storage: storages[id]!)
    }

    var applied: [NodeID: Int] = [1: 0, 2: 0, 3: 0]
    var mailbox: [Message] = []
    func pump() throws {
        var progress = true
        while progress {
            progress = false
            for id in ids {
                let node = nodes[id]!
                while let ready = node.ready() {
                    progress = true
                    let storage = storages[id]!
                    if let hardState = ready.hardState { storage.setHardState(hardState) }
                    storage.append(ready.entries)
                    mailbox.append(contentsOf: ready.messages)
                    applied[id]! += ready.committedEntries.count
                    node.advance(ready)
                }
            }
            if !mailbox.isEmpty {
                progress = true
                let delivering = mailbox
                mailbox.removeAll(keepingCapacity: true)
                for message in delivering { try nodes[message.to]!.step(message) }
            }
        }
    }

    nodes[1]!.campaign()
    try pump()
    precondition(nodes[1]!.role == .leader, "node 1 did not become leader")
    let payload = [UInt8](repeating: 7, count: payloadSize)
    let baseline = applied[1]!
    let allocationsBefore = AllocationCounter.count
    let start = DispatchTime.now().uptimeNanoseconds
    var proposed = 0
    while proposed < total {
        try nodes[1]!.propose(batch: [[UInt8]](repeating: payload, count: min(batch, total - proposed)))
        proposed += min(batch, total - proposed)
        try pump()
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let allocations = AllocationCounter.count - allocationsBefore
    let committed = applied[1]! - baseline
    print("raft-bench: \(committed) entries of \(payloadSize) B committed and applied on all 3 members in \(String(format: "%.2f", seconds)) s")
    print(String(format: "raft-bench: %.0f entries/s (batch %d)", Double(committed) / seconds, batch))
    if countingAllocations {
        print(String(format: "raft-bench: %.2f allocations/entry (%d Swift heap allocations)", Double(allocations) / Double(committed), allocations))
    }
}

let countingAllocations = AllocationCounter.install()
if !countingAllocations { print("raft-bench: this Swift runtime has no allocation hook; not counting allocations") }

try runBenchmark()
