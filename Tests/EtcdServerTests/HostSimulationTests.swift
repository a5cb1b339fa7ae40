// Host simulation: real `RaftReplicatedLog`s (raft thread, wall-clock ticks, WAL group commit on
// disk) in one process, each with its own WAL directory and its own ApplyLoop over a real
// MVCCStore, wired as `EtcdServer.start` wires them, connected by an in-memory transport that
// drops, duplicates, delays (so reorders) and partitions messages. Clients write and read linearizably on
// every member through each member's real `ServerCore` (`propose`, which waits on
// ProposalWaiters; `linearizableReadBarrier`, a read index then a wait for the applied index),
// while members are stopped and restarted from their WAL and store directories and leadership is
// moved; some clients also grant and revoke leases. At the end: every acknowledged write is in
// every member's store at its revision, all members have the same revision, HashKV and leases
// (store and lessor), no write was applied twice or after the log refused it, and the history of
// puts and linearizable reads checks linearizable (the checker is a copy of RaftTests').
//
// Knobs (environment variables):
//   HOST_SIM_SEED=n      run only seed n (replays a failing seed's fault schedule and client mix;
//                        thread timing is real, so a replay is likely, not certain, to fail again)
//   HOST_SIM_SEEDS=n     run n seeds: 0..<n, or HOST_SIM_SEED..<HOST_SIM_SEED+n (default: 3 for
//                        three members, 1 for one member)
//   HOST_SIM_SECONDS=s   length of each seed's fault phase (default 3; the whole file then runs in
//                        about 20–30 s on 2 cores)
//   HOST_SIM_VERBOSE=1   print the fault schedule and per-seed statistics
//   HOST_SIM_STALE_READS=1  negative control: reads skip the read index (serializable reads);
//                        the linearizability check is then expected to fail for most seeds
// Ticks are wall clock: heartbeat 10 ms, election 100 ms.

import EtcdProto
import Foundation
import GRPCTransport
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Linearizability
import ProtoWire
import Raft
import Storage
import XCTest

@testable import EtcdServer
@testable import MVCC

private let environment = ProcessInfo.processInfo.environment
private let verbose = environment["HOST_SIM_VERBOSE"] == "1"
private let staleReads = environment["HOST_SIM_STALE_READS"] == "1"
private let heartbeatMilliseconds = 10
private let electionMilliseconds = 100

func hostSimulationSeeds(default count: Int) -> [UInt64] {
    let first = environment["HOST_SIM_SEED"].flatMap(UInt64.init)
    let count = environment["HOST_SIM_SEEDS"].flatMap(Int.init) ?? (first == nil ? count : 1)
    let base = first ?? 0
    return (0..<UInt64(max(1, count))).map { base + $0 }
}

private var faultPhaseSeconds: Double { environment["HOST_SIM_SECONDS"].flatMap(Double.init) ?? 3 }

private func log(_ text: @autoclosure () -> String) {
    if verbose { print("[host-sim] \(text())") }
}

// MARK: - The network

/// Carries raft messages between the members' logs, with seeded drops, duplicates, delays and
/// partitions.
/// One delivery thread hands each message to the receiving member's current log when its delay
/// has passed; random delays reorder messages.
final class SimNetwork: @unchecked Sendable {
    // @unchecked: every var is touched only while `condition` is locked.
    private let condition = NSCondition()
    private var random: SplitMix64
    private var logs: [NodeID: RaftReplicatedLog] = [:]
    /// Partition group of each member (absent: group 0); messages cross no group boundary.
    private var groups: [NodeID: Int] = [:]
    private var dropRate = 0.0
    private var duplicateRate = 0.0
    private var maxDelayNanoseconds: UInt64 = 1_000_000
    private var inFlight: [(at: UInt64, message: Message)] = []
    private var closed = false
    private(set) var sent = 0
    private(set) var dropped = 0
    private let finished = DispatchSemaphore(value: 0)

    init(seed: UInt64) {
        random = SplitMix64(seed: seed ^ 0x5EED_0000)
        let thread = Thread { [self] in
            deliverLoop()
            finished.signal()
        }
        thread.name = "host-sim-network"
        thread.start()
    }

    func register(_ id: NodeID, _ log: RaftReplicatedLog?) {
        condition.lock()
        logs[id] = log
        condition.unlock()
    }

    func isolate(_ id: NodeID) {
        condition.lock()
        groups = [id: 1]
        condition.unlock()
    }

    func heal() {
        condition.lock()
        groups = [:]
        condition.unlock()
    }

    func setFaults(dropRate: Double, duplicateRate: Double = 0, maxDelayMilliseconds: Double) {
        condition.lock()
        self.dropRate = dropRate
        self.duplicateRate = duplicateRate
        maxDelayNanoseconds = UInt64(maxDelayMilliseconds * 1_000_000)
        condition.unlock()
    }

    var statistics: (sent: Int, dropped: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (sent, dropped)
    }

    private func reachable(_ from: NodeID, _ to: NodeID) -> Bool {
        groups[from, default: 0] == groups[to, default: 0]
    }

    func send(_ messages: [Message]) {
        condition.lock()
        defer { condition.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        for message in messages {
            sent += 1
            let roll = Double(random.next() % 1_000_000) / 1_000_000
            if !reachable(message.from, message.to) || roll < dropRate {
                dropped += 1
                continue
            }
            let delay = maxDelayNanoseconds == 0 ? 0 : random.next() % maxDelayNanoseconds
            inFlight.append((now + delay, message))
            // Proposals are not duplicated: Raft does not deduplicate them (neither does
            // etcd-raft), and the peer transport (HTTP/2 over TCP) does not resend them.
            if message.type != .propose && Double(random.next() % 1_000_000) / 1_000_000 < duplicateRate {
                let again = maxDelayNanoseconds == 0 ? 0 : random.next() % (2 * maxDelayNanoseconds)
                inFlight.append((now + again, message))
            }
        }
        condition.signal()
    }

    private func deliverLoop() {
        condition.lock()
        while !closed {
            guard let earliest = inFlight.min(by: { $0.at < $1.at })?.at else {
                condition.wait()
                continue
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if earliest > now {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(earliest - now) / 1e9))
                continue
            }
            var due: [(RaftReplicatedLog, Message)] = []
            inFlight.removeAll { item in
                guard item.at <= now else { return false }
                // A partition that began while the message was in flight cuts it too.
                if reachable(item.message.from, item.message.to), let log = logs[item.message.to] {
                    due.append((log, item.message))
                } else {
                    dropped += 1
                }
                return true
            }
            condition.unlock()
            for (log, message) in due { log.receive(message) }
            condition.lock()
        }
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }
}

/// One member's view of the network.
struct SimSender: RaftMessageSender {
    let network: SimNetwork
    func send(_ messages: [Message]) { network.send(messages) }
}

// MARK: - A member

/// What one start of a member runs: as `EtcdServer.start` builds it, without the gRPC side.
final class SimIncarnation: Sendable {
    let log: RaftReplicatedLog
    let applyLoop: ApplyLoop
    let store: MVCCStore
    let waiters: ProposalWaiters
    let watchHub: WatchHub
    let lessor: Lessor
    /// The services' entry point: clients write with `propose` and read behind
    /// `linearizableReadBarrier`, as the KV service does.
    let core: ServerCore
    /// `EtcdServer`'s sweeper of replies past the request timeout.
    let sweeper: RepeatedTask

    init(log: RaftReplicatedLog, applyLoop: ApplyLoop, store: MVCCStore, waiters: ProposalWaiters, watchHub: WatchHub,
         lessor: Lessor, core: ServerCore) {
        self.log = log
        self.applyLoop = applyLoop
        self.store = store
        self.waiters = waiters
        self.watchHub = watchHub
        self.lessor = lessor
        self.core = core
        sweeper = testEventLoopGroup.next().scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) {
            [waiters] _ in waiters.failExpired()
        }
    }

    var appliedIndex: AppliedIndex { applyLoop.appliedIndex }
}

final class SimMember: @unchecked Sendable {
    // @unchecked: `incarnation` is touched only under `lock`.
    let id: UInt64
    let voters: [UInt64]
    let walDirectory: String
    let storeDirectory: String
    let network: SimNetwork
    private let lock = NSLock()
    private var incarnation: SimIncarnation?
    private(set) var starts = 0

    init(id: UInt64, voters: [UInt64], root: String, network: SimNetwork) {
        self.id = id
        self.voters = voters
        self.walDirectory = root + "/member-\(id.hex)/wal"
        self.storeDirectory = root + "/member-\(id.hex)/store"
        self.network = network
    }

    var current: SimIncarnation? { lock.withLock { incarnation } }

    func start() throws {
        var logger = Logger(label: "host-sim-\(id.hex)")
        logger.logLevel = .warning
        let wal: WAL
        let replay: WALReplay?
        if WAL.exists(directory: walDirectory) {
            let (opened, replayed) = try WAL.open(directory: walDirectory)
            wal = opened
            replay = replayed
        } else {
            wal = try WAL.create(directory: walDirectory, metadata: Array("host-sim".utf8))
            replay = nil
        }
        try FileManager.default.createDirectory(atPath: storeDirectory, withIntermediateDirectories: true)
        var options = MVCCOptions()
        options.mapSize = 64 << 20
        let store = try MVCCStore(directory: storeDirectory, options: options)
        let waiters = ProposalWaiters(memberID: id, startMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000))
        // Snapshots stay off (the apply loop is given no settings): the log is never compacted.
        let snapshotDirectory = walDirectory + "/../snap"
        let log = try RaftReplicatedLog(
            wal: wal, snapshot: nil, entries: replay?.entries ?? [], hardState: replay?.hardState, memberID: id,
            configuration: ConfState(voters: voters), snapshotter: try Snapshotter(directory: snapshotDirectory),
            snapshots: SnapshotSettings(count: .max, directory: snapshotDirectory), catchUpEntries: 5_000,
            heartbeatMilliseconds: heartbeatMilliseconds, electionMilliseconds: electionMilliseconds, logger: logger)
        let watchHub = try WatchHub(store: store, encoder: WatchResponseEncoder(
            clusterID: 1, memberID: id, consensus: log.status, fragmentThreshold: 1 << 20))
        let lessor = Lessor(records: try store.leases(), minTTL: 1)
        let membership = Membership(bootstrap: voters.map { Member(id: $0) }, published: try store.publishedMembers())
        // Never started: these members hash no passwords.
        let auth = try ServerAuth(state: try store.authState(), configuration: ServerConfiguration(), hashing: NIOThreadPool(numberOfThreads: 1))
        let applyLoop = try ApplyLoop(
            store: store, waiters: waiters, watchHub: watchHub, lessor: lessor, membership: membership, auth: auth,
            logger: logger,
            // Weak, unlike `EtcdServer.start`: the log's handlers hold the apply loop, so a strong
            // capture here is a cycle that keeps the store (and its LMDB environment) open after
            // stop, and this member's next start would open the directory twice.
            configurationChangeApplied: { [weak log] change, _ in log?.configurationChangeApplied(change) })
        try applyLoop.replay(log.committedEntriesInWAL())
        log.attach(sender: SimSender(network: network))
        applyLoop.start()
        log.start(handlers: ReplicatedLogHandlers(
            deliver: { [applyLoop] entries in applyLoop.enqueue(entries) },
            proposalFailed: { [waiters] id, failure in waiters.take(id)?.fail(EtcdErrors.status(for: failure)) },
            leadershipChanged: { [lessor] isLeader in
                if isLeader { lessor.promote(grace: .milliseconds(Int64(electionMilliseconds))) }
            },
            leaderLost: { [waiters] in waiters.leaderLost() }))
        var configuration = ServerConfiguration()
        configuration.dataDirectory = walDirectory + "/.."
        configuration.heartbeatIntervalMilliseconds = heartbeatMilliseconds
        configuration.electionTimeoutMilliseconds = electionMilliseconds
        let core = ServerCore(
            configuration: configuration, identity: ClusterIdentity(clusterID: 1, memberID: id, members: voters.map { Member(id: $0) }),
            store: store, log: log, waiters: waiters, appliedIndex: applyLoop.appliedIndex, membership: membership,
            auth: auth, peerTransport: NIOLockedValueBox(nil))
        let started = SimIncarnation(
            log: log, applyLoop: applyLoop, store: store, waiters: waiters, watchHub: watchHub, lessor: lessor, core: core)
        lock.withLock {
            incarnation = started
            starts += 1
        }
        network.register(id, log)
    }

    /// Stops as `EtcdServer.shutdown` does (a leader hands over first), then waits until the
    /// store is released, so the next start may open its directory again (LMDB's rule).
    func stop(beforeFailingReplies: () -> Void = {}) throws {
        guard let stopping = lock.withLock({ () -> SimIncarnation? in
            defer { incarnation = nil }
            return incarnation
        }) else { return }
        stopping.sweeper.cancel()
        stopping.watchHub.close()
        stopping.log.stop()
        network.register(id, nil)
        stopping.applyLoop.stop()
        beforeFailingReplies()
        stopping.waiters.failAll(with: EtcdErrors.stopped)
        weak let store = stopping.store
        _ = consume stopping
        let deadline = Date(timeIntervalSinceNow: 10)
        while store != nil {
            if Date() > deadline { throw SimulationError("member \(id.hex): its store was not released after stop") }
            usleep(1000)
        }
    }
}

struct SimulationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Clients

enum SimOutcome<Value> {
    case ok(Value)
    /// Failed or timed out: a write may or may not have taken effect.
    case unknown(String)
}

enum SimClient {
    /// Waits for `future`, or gives up after `timeout` (the call's own deadline is longer).
    private static func wait<Value: Sendable>(_ future: EventLoopFuture<Value>, timeout: TimeAmount) throws -> Value {
        let promise = future.eventLoop.makePromise(of: Value.self)
        let timer = future.eventLoop.scheduleTask(in: timeout) { promise.fail(EtcdErrors.timeout) }
        future.cascade(to: promise)
        defer { timer.cancel() }
        return try promise.futureResult.wait()
    }

    /// A write through `ServerCore.propose`: the write's revision once applied here.
    static func write<M: ProtoMessage>(_ member: SimIncarnation, _ kind: InternalRequest.Kind, _ request: M, timeout: TimeAmount) -> SimOutcome<Int64> {
        let body = request.responseBody(allocator: ByteBufferAllocator())
        do {
            let result = try wait(member.core.propose(kind: kind, requestBody: body, on: testEventLoopGroup.next()), timeout: timeout)
            switch result.response {
            case .success: return .ok(result.revision)
            case .failure(let error): return .unknown("store refused: \(error)")
            }
        } catch {
            return .unknown("\(error)")
        }
    }

    static func put(_ member: SimIncarnation, key: String, value: String, timeout: TimeAmount) -> SimOutcome<Int64> {
        write(member, .put, PutRequest(key: Array(key.utf8), value: Array(value.utf8)), timeout: timeout)
    }

    /// A linearizable read of `key`, as the KV service serves one: behind
    /// `ServerCore.linearizableReadBarrier`, then from the store. The value, or nil if absent.
    static func read(_ member: SimIncarnation, key: String, timeout: TimeAmount) -> SimOutcome<String?> {
        do {
            if !staleReads, let barrier = member.core.linearizableReadBarrier(on: testEventLoopGroup.next()) {
                try wait(barrier, timeout: timeout)
            }
            let kv = try member.core.range(RangeRequest(key: Array(key.utf8))).kvs.first
            return .ok(kv.map { String(decoding: $0.value, as: UTF8.self) })
        } catch {
            return .unknown("\(error)")
        }
    }
}

/// Logical time for the history: every invocation and return takes the next tick, so the real
/// order of non-overlapping operations is kept.
final class HistoryRecorder: Sendable {
    private struct State {
        var clock = 0
        var history = KVHistory()
        var acknowledged: [(key: String, value: String, revision: Int64)] = []
        var reads = 0
        var unknown = 0
        var reasons: [String: Int] = [:]
        /// Values of puts refused before they reached the log ("no leader", "leader changed").
        var refused: Set<String> = []
    }

    private let state = NIOLockedValueBox(State())

    func invoke(client: Int, _ input: KVHistory.Input) -> Int {
        state.withLockedValue { state in
            state.clock += 1
            return state.history.invoke(client: client, input, at: state.clock)
        }
    }

    func complete(_ id: Int, _ output: KVHistory.Output, acknowledged: (String, String, Int64)? = nil) {
        state.withLockedValue { state in
            state.clock += 1
            state.history.complete(id, output, at: state.clock)
            if let acknowledged { state.acknowledged.append(acknowledged) }
            if case .value = output { state.reads += 1 }
        }
    }

    func failed(_ what: String, _ reason: String) {
        state.withLockedValue {
            $0.unknown += 1
            $0.reasons[what + ": " + reason, default: 0] += 1
        }
    }

    var reasons: [String: Int] { state.withLockedValue { $0.reasons } }

    func refused(_ value: String) { _ = state.withLockedValue { $0.refused.insert(value) } }
    var refusedValues: Set<String> { state.withLockedValue { $0.refused } }

    var history: KVHistory { state.withLockedValue { $0.history } }
    var acknowledged: [(key: String, value: String, revision: Int64)] { state.withLockedValue { $0.acknowledged } }
    var reads: Int { state.withLockedValue { $0.reads } }
    var unknown: Int { state.withLockedValue { $0.unknown } }
}

// MARK: - A cluster

final class SimCluster: @unchecked Sendable {
    // @unchecked: members and network are immutable after init; each is thread-safe.
    let root: String
    let network: SimNetwork
    let members: [SimMember]

    init(size: Int, seed: UInt64) throws {
        let root = makeTemporaryDirectory("host-sim-\(seed)")
        let network = SimNetwork(seed: seed)
        let ids = (1...UInt64(size)).map { $0 * 0x1111 }
        self.root = root
        self.network = network
        members = ids.map { SimMember(id: $0, voters: ids, root: root, network: network) }
        for member in members { try member.start() }
    }

    func member(_ id: UInt64) -> SimMember? { members.first { $0.id == id } }

    /// The leader every running member agrees on, if any.
    func agreedLeader() -> SimMember? {
        let running = members.compactMap(\.current)
        guard running.count == members.count else { return nil }
        let leaders = Set(running.map(\.log.status.leader))
        guard leaders.count == 1, let leader = leaders.first, leader != 0 else { return nil }
        return member(leader)
    }

    func waitForAgreedLeader(timeout: TimeInterval = 10) throws -> SimMember {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if let leader = agreedLeader(), leader.current?.log.status.isLeader == true { return leader }
            usleep(2000)
        }
        throw SimulationError("no agreed leader within \(timeout) s: leaders \(members.map { $0.current?.log.status.leader.hex ?? "down" })")
    }

    /// Heals the network, restarts stopped members, and waits until a write made after that is
    /// applied on every member.
    func quiesce() throws {
        network.heal()
        network.setFaults(dropRate: 0, maxDelayMilliseconds: 1)
        for member in members where member.current == nil { try member.start() }
        let deadline = Date(timeIntervalSinceNow: 20)
        var barrier: Int64?
        while barrier == nil {
            if Date() > deadline { throw SimulationError("the barrier write was not acknowledged") }
            guard let leader = try? waitForAgreedLeader(timeout: 5), let incarnation = leader.current else { continue }
            if case .ok(let revision) = SimClient.put(incarnation, key: "barrier", value: UUID().uuidString, timeout: .seconds(2)) {
                barrier = revision
            }
        }
        let leader = try waitForAgreedLeader()
        let target = leader.current!.appliedIndex.value
        for member in members {
            while member.current!.appliedIndex.value < target {
                if Date() > deadline { throw SimulationError("member \(member.id.hex) did not apply up to \(target)") }
                usleep(2000)
            }
        }
    }

    func shutdown() throws {
        for member in members { try member.stop() }
        network.close()
        try? FileManager.default.removeItem(atPath: root)
    }
}

// MARK: - The tests

final class HostSimulationTests: XCTestCase {
    private static let keys = ["k0", "k1", "k2", "k3"]

    /// A running member to stop: the leader half of the time.
    private func pickVictim(_ cluster: SimCluster, _ random: inout SplitMix64) -> SimMember? {
        let running = cluster.members.filter { $0.current != nil }
        if random.next() % 2 == 0, let leader = running.first(where: { $0.current?.log.status.isLeader == true }) {
            return leader
        }
        return running.isEmpty ? nil : running[Int(random.next() % UInt64(running.count))]
    }

    /// Runs one seed: clients and the fault schedule for the fault phase, then the checks.
    private func runSimulation(size: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let started = Date()
        let cluster = try SimCluster(size: size, seed: seed)
        var completedShutdown = false
        defer { if !completedShutdown { try? cluster.shutdown() } }
        let recorder = HistoryRecorder()
        let running = NIOLockedValueBox(true)
        let clientCount = 4
        let clientsDone = DispatchGroup()
        for client in 0..<clientCount {
            clientsDone.enter()
            let thread = Thread {
                defer { clientsDone.leave() }
                var random = SplitMix64(seed: seed &* 1_000_003 &+ UInt64(client))
                var sequence = 0
                var leases: [Int64] = []
                while running.withLockedValue({ $0 }) {
                    let member = cluster.members[Int(random.next() % UInt64(cluster.members.count))]
                    guard let incarnation = member.current else {
                        usleep(2000)
                        continue
                    }
                    let key = Self.keys[Int(random.next() % UInt64(Self.keys.count))]
                    let roll = random.next() % 10
                    if roll == 0 {
                        // Leases (no keys attached: a revocation would delete keys the history
                        // model does not know of). Every member must end with the same leases.
                        if leases.isEmpty || random.next() % 2 == 0 {
                            sequence += 1
                            let id = Int64(bitPattern: (seed & 0xFFFF) << 32 | UInt64(client) << 24 | UInt64(sequence))
                            if case .ok = SimClient.write(incarnation, .leaseGrant, LeaseGrantRequest(ttl: 3600, id: id), timeout: .milliseconds(800)) {
                                leases.append(id)
                            }
                        } else {
                            _ = SimClient.write(incarnation, .leaseRevoke, LeaseRevokeRequest(id: leases.removeFirst()), timeout: .milliseconds(800))
                        }
                    } else if roll <= 5 {
                        sequence += 1
                        let value = "c\(client)-\(sequence)"
                        let op = recorder.invoke(client: client, .put(key: key, value: value))
                        switch SimClient.put(incarnation, key: key, value: value, timeout: .milliseconds(800)) {
                        case .ok(let revision): recorder.complete(op, .ok, acknowledged: (key, value, revision))
                        case .unknown(let reason):
                            recorder.failed("put", reason)  // stays pending: it may have happened
                            // ...except when the log refused it, which it does only before appending.
                            if reason.contains("etcdserver: no leader") || reason.contains("etcdserver: leader changed") {
                                recorder.refused(value)
                            }
                        }
                    } else {
                        let op = recorder.invoke(client: client, .get(key: key))
                        switch SimClient.read(incarnation, key: key, timeout: .milliseconds(800)) {
                        case .ok(let value): recorder.complete(op, .value(value))
                        case .unknown(let reason): recorder.failed("read", reason)
                        }
                    }
                    usleep(UInt32(random.next() % 3000))
                }
            }
            thread.name = "host-sim-client-\(client)"
            thread.start()
        }

        // The fault schedule, on this thread.
        var random = SplitMix64(seed: seed)
        var transfers = (asked: 0, succeeded: 0)
        let transferResults = NIOLockedValueBox<[Bool]>([])
        var restarts = 0
        let faultsEnd = Date(timeIntervalSinceNow: faultPhaseSeconds)
        while Date() < faultsEnd {
            usleep(UInt32(50_000 + random.next() % 250_000))
            let action = size == 1 ? 2 + random.next() % 2 : random.next() % 6
            switch action {
            case 0:
                // The leader half of the time: its clients' writes and reads must then fail or wait.
                let leader = cluster.members.first { $0.current?.log.status.isLeader == true }
                let victim = random.next() % 2 == 0 && leader != nil ? leader!.id : cluster.members[Int(random.next() % UInt64(size))].id
                log("seed \(seed): isolate \(victim.hex)")
                cluster.network.isolate(victim)
            case 1:
                log("seed \(seed): heal")
                cluster.network.heal()
            case 2:
                // Stop a member (often the leader, to exercise the hand-over) and restart it from
                // its directories after a short pause.
                guard let victim = pickVictim(cluster, &random) else { continue }
                log("seed \(seed): stop \(victim.id.hex)")
                try victim.stop()
                usleep(UInt32(20_000 + random.next() % 200_000))
                log("seed \(seed): restart \(victim.id.hex)")
                try victim.start()
                restarts += 1
            case 3:
                // Stop a member and leave it down until a later step (a second one down too
                // leaves no quorum for a while), or restart the members that are down.
                let down = cluster.members.filter { $0.current == nil }
                if !down.isEmpty && (random.next() % 2 == 0 || down.count == size) {
                    for member in down {
                        log("seed \(seed): restart \(member.id.hex)")
                        try member.start()
                        restarts += 1
                    }
                } else if let victim = pickVictim(cluster, &random) {
                    log("seed \(seed): stop \(victim.id.hex), leaving it down")
                    try victim.stop()
                }
            case 4:
                let running = cluster.members.compactMap(\.current)
                guard let leader = running.first(where: { $0.log.status.isLeader }) else { continue }
                let target = cluster.members[Int(random.next() % UInt64(size))].id
                log("seed \(seed): transfer leadership \(leader.log.status.memberID.hex) -> \(target.hex)")
                transfers.asked += 1
                leader.log.transferLeadership(to: target) { result in
                    transferResults.withLockedValue { $0.append((try? result.get()) != nil) }
                }
            default:
                let drop = [0, 0.02, 0.1, 0.3][Int(random.next() % 4)]
                let duplicate = [0, 0.05][Int(random.next() % 2)]
                let delay = [1.0, 5, 20][Int(random.next() % 3)]
                log("seed \(seed): drop \(drop), duplicate \(duplicate), delay up to \(delay) ms")
                cluster.network.setFaults(dropRate: drop, duplicateRate: duplicate, maxDelayMilliseconds: delay)
            }
        }
        running.withLockedValue { $0 = false }
        clientsDone.wait()
        try cluster.quiesce()
        transfers.succeeded = transferResults.withLockedValue { $0.filter { $0 }.count }

        // Scoped: the stores must be released before the members stop.
        let revision = try checkConvergence(cluster, recorder: recorder, seed: seed, file: file, line: line)
        let acknowledged = recorder.acknowledged
        // Every member down at once, then up again from its WAL and store: the same state, and
        // the cluster elects a leader and takes writes.
        for member in cluster.members { try member.stop() }
        for member in cluster.members { try member.start() }
        try cluster.quiesce()
        let afterRestart = try checkConvergence(cluster, recorder: recorder, seed: seed, file: file, line: line)
        XCTAssertEqual(afterRestart, revision + 1, "seed \(seed): after a full restart only the barrier write is new", file: file, line: line)
        let history = recorder.history
        switch LinearizabilityChecker.check(history) {
        case .linearizable: break
        case .notLinearizable(let key, let operations):
            XCTFail("seed \(seed): the history of key \(key) (\(operations.count) of \(history.operations.count) operations) is not linearizable", file: file, line: line)
            if verbose {
                for index in operations {
                    let operation = history.operations[index]
                    print("  #\(index) client \(operation.client) \(operation.input) [\(operation.invokedAt), \(operation.returnedAt.map(String.init) ?? "∞")] -> \(operation.output.map { "\($0)" } ?? "pending")")
                }
            }
        case .unknown(let key):
            XCTFail("seed \(seed): the checker ran out of budget on key \(key)", file: file, line: line)
        }
        XCTAssertGreaterThan(acknowledged.count, 10, "seed \(seed): too little progress to judge", file: file, line: line)
        XCTAssertGreaterThan(recorder.reads, 10, "seed \(seed): too few reads to judge", file: file, line: line)
        let network = cluster.network.statistics
        let summary = "seed \(seed), \(size) member(s): \(acknowledged.count) writes acknowledged, \(recorder.reads) reads, \(recorder.unknown) unknown; \(restarts) restarts, transfers \(transfers.succeeded)/\(transfers.asked); \(network.sent) messages, \(network.dropped) dropped; revision \(revision); \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        log(summary)
        for (reason, count) in recorder.reasons.sorted(by: { $0.value > $1.value }) { log("  \(count) × \(reason)") }
        try cluster.shutdown()
        completedShutdown = true
    }

    /// Every member: the same revision, the same HashKV, every acknowledged write at its revision.
    private func checkConvergence(
        _ cluster: SimCluster, recorder: HistoryRecorder, seed: UInt64, file: StaticString, line: UInt
    ) throws -> Int64 {
        let stores = cluster.members.map { $0.current!.store }
        let revisions = try stores.map { try $0.currentRevision() }
        XCTAssertEqual(Set(revisions).count, 1, "seed \(seed): revisions differ: \(revisions)", file: file, line: line)
        let revision = revisions.min()!
        let hashes = try stores.map { try $0.hashKV(revision: revision) }
        XCTAssertEqual(Set(hashes).count, 1, "seed \(seed): HashKV differs: \(hashes)", file: file, line: line)
        let acknowledged = recorder.acknowledged
        XCTAssertEqual(Set(acknowledged.map(\.revision)).count, acknowledged.count,
                       "seed \(seed): two acknowledged writes share a revision", file: file, line: line)
        for (index, store) in stores.enumerated() {
            for write in acknowledged {
                var request = RangeRequest(key: Array(write.key.utf8))
                request.revision = write.revision
                let kv = try store.range(request).kvs.first
                if kv?.modRevision != write.revision || kv?.value != Array(write.value.utf8) {
                    XCTFail("seed \(seed): member \(cluster.members[index].id.hex) lacks acknowledged \(write.key)=\(write.value) at revision \(write.revision): has \(kv.map { "\(String(decoding: $0.value, as: UTF8.self))@\($0.modRevision)" } ?? "nothing")",
                            file: file, line: line)
                    break
                }
            }
        }
        // Every member: the same leases in the store, and its lessor knows exactly those (the
        // lessor hears of an entry just after the applied index moves: allow it a moment).
        let storeLeases = try stores.map { Set(try $0.leases().map(\.id)) }
        XCTAssertEqual(Set(storeLeases).count, 1, "seed \(seed): members' leases differ: \(storeLeases.map(\.count))", file: file, line: line)
        log("seed \(seed): \(storeLeases[0].count) leases on every member")
        for (index, member) in cluster.members.enumerated() {
            let lessor = member.current!.lessor
            let deadline = Date(timeIntervalSinceNow: 1)
            while Set(lessor.leaseIDs) != storeLeases[index] && Date() < deadline { usleep(1000) }
            XCTAssertEqual(Set(lessor.leaseIDs), storeLeases[index], "seed \(seed): member \(member.id.hex)'s lessor disagrees with its store", file: file, line: line)
        }
        // Every member's history: each written value once (no proposal applied twice), and
        // none that the log refused.
        let refused = recorder.refusedValues
        for (index, store) in stores.enumerated() {
            var seen = Set<String>()
            var next: Int64 = 1
            scan: while true {
                let page = try store.events(fromRevision: next, maxEvents: 1000, withPrevKv: false)
                for event in page.events where event.type == .put {
                    guard let kv = event.kv, kv.key != Array("barrier".utf8) else { continue }
                    let value = String(decoding: kv.value, as: UTF8.self)
                    if !seen.insert(value).inserted {
                        XCTFail("seed \(seed): member \(cluster.members[index].id.hex) applied the write of \(value) twice", file: file, line: line)
                    }
                    if refused.contains(value) {
                        XCTFail("seed \(seed): member \(cluster.members[index].id.hex) applied \(value), whose proposal was refused", file: file, line: line)
                    }
                }
                if page.events.isEmpty || page.nextRevision > revision { break scan }
                next = page.nextRevision
            }
            let missing = acknowledged.filter { !seen.contains($0.value) }.count
            XCTAssertEqual(missing, 0, "seed \(seed): member \(cluster.members[index].id.hex)'s history lacks acknowledged values", file: file, line: line)
        }
        return revision
    }

    func testThreeMembersUnderFaultsConvergeAndStayLinearizable() throws {
        for seed in hostSimulationSeeds(default: 3) {
            try runSimulation(size: 3, seed: seed)
        }
    }

    func testOneMemberRestartedKeepsEveryAcknowledgedWrite() throws {
        for seed in hostSimulationSeeds(default: 1) {
            try runSimulation(size: 1, seed: seed)
        }
    }

    func testLeadershipTransferMovesTheLeaderToTheTarget() throws {
        let cluster = try SimCluster(size: 3, seed: 100)
        defer { try? cluster.shutdown() }
        var leader = try cluster.waitForAgreedLeader()
        for _ in 0..<3 {
            let target = cluster.members.first { $0.id != leader.id }!
            let done = DispatchSemaphore(value: 0)
            let outcome = NIOLockedValueBox<Result<Void, ProposalFailure>?>(nil)
            let started = Date()
            leader.current!.log.transferLeadership(to: target.id) { result in
                outcome.withLockedValue { $0 = result }
                done.signal()
            }
            XCTAssertEqual(done.wait(timeout: .now() + 5), .success)
            XCTAssertNotNil(try outcome.withLockedValue { $0 }?.get(), "transfer to \(target.id.hex) failed")
            let elapsed = Date().timeIntervalSince(started)
            leader = try cluster.waitForAgreedLeader()
            XCTAssertEqual(leader.id, target.id)
            log("transfer took \(String(format: "%.0f", elapsed * 1000)) ms")
            // The new leader serves writes and linearizable reads.
            guard case .ok = SimClient.put(leader.current!, key: "t", value: "\(target.id)", timeout: .seconds(2)) else {
                return XCTFail("write after the transfer failed")
            }
            for member in cluster.members {
                guard case .ok(let value) = SimClient.read(member.current!, key: "t", timeout: .seconds(2)) else {
                    return XCTFail("read after the transfer failed")
                }
                XCTAssertEqual(value, "\(target.id)")
            }
        }
        // To itself: done at once; from a follower: refused.
        let same = DispatchSemaphore(value: 0)
        leader.current!.log.transferLeadership(to: leader.id) { result in
            XCTAssertNotNil(try? result.get())
            same.signal()
        }
        XCTAssertEqual(same.wait(timeout: .now() + 2), .success)
        let follower = cluster.members.first { $0.id != leader.id }!
        let refused = DispatchSemaphore(value: 0)
        follower.current!.log.transferLeadership(to: follower.id) { result in
            if case .failure(let failure) = result { XCTAssertEqual(failure, .leaderChanged) } else { XCTFail("a follower started a transfer") }
            refused.signal()
        }
        XCTAssertEqual(refused.wait(timeout: .now() + 2), .success)
    }

    /// A transfer to a member that cannot take over ends with `timedOut` after about an election
    /// timeout, and the leader then takes writes again (etcd aborts the transfer).
    func testTransferToAStoppedMemberTimesOutAndTheLeaderWritesAgain() throws {
        let cluster = try SimCluster(size: 3, seed: 400)
        defer { try? cluster.shutdown() }
        let leader = try cluster.waitForAgreedLeader()
        let target = cluster.members.first { $0.id != leader.id }!
        try target.stop()
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<Void, ProposalFailure>?>(nil)
        let started = Date()
        leader.current!.log.transferLeadership(to: target.id) { result in
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 5), .success, "the transfer never ended")
        let took = Date().timeIntervalSince(started)
        guard case .failure(let failure)? = outcome.withLockedValue({ $0 }) else {
            return XCTFail("a transfer to a stopped member succeeded")
        }
        XCTAssertEqual(failure, .timedOut)
        XCTAssertLessThan(took, 2, "the transfer took \(took) s to give up")
        XCTAssertTrue(leader.current!.log.status.isLeader)
        guard case .ok = SimClient.put(leader.current!, key: "after-transfer", value: "1", timeout: .seconds(2)) else {
            return XCTFail("the leader does not take writes after the failed transfer")
        }
        try target.start()
    }

    /// A leader cut off from the others stops anyway: the hand-over gives up after its bound.
    func testAnIsolatedLeaderStopsWithinTheHandOverBound() throws {
        let cluster = try SimCluster(size: 3, seed: 500)
        defer { try? cluster.shutdown() }
        let leader = try cluster.waitForAgreedLeader()
        cluster.network.isolate(leader.id)
        let started = Date()
        try leader.stop()
        let took = Date().timeIntervalSince(started)
        // Two election timeouts (the hand-over wait), plus scheduling slack on a shared machine.
        XCTAssertLessThan(took, 1.5, "stop took \(took) s")
        cluster.network.heal()
        try leader.start()
        let successor = try cluster.waitForAgreedLeader()
        guard case .ok = SimClient.put(successor.current!, key: "after-isolated-stop", value: "1", timeout: .seconds(2)) else {
            return XCTFail("no writes after the isolated leader's stop")
        }
    }

    /// `stop` makes everything already proposed durable and applied: a lone member's proposals
    /// made just before it stops are all answered by the apply loop, none by the shutdown.
    func testStoppingALoneMemberAppliesWhatWasProposed() throws {
        let cluster = try SimCluster(size: 1, seed: 300)
        defer { try? cluster.shutdown() }
        let member = cluster.members[0]
        _ = try cluster.waitForAgreedLeader()
        let succeeded = ManagedAtomicCounter()
        let loop = testEventLoopGroup.next()
        let count = 300
        do {
            // Scoped: the store must be released before the member starts again.
            let core = member.current!.core
            for index in 0..<count {
                let body = PutRequest(key: Array("s\(index % 7)".utf8), value: Array("\(index)".utf8)).responseBody(allocator: ByteBufferAllocator())
                core.propose(kind: .put, requestBody: body, on: loop).whenSuccess { _ in succeeded.increment() }
            }
        }
        try member.stop(beforeFailingReplies: {
            let deadline = Date(timeIntervalSinceNow: 5)
            while succeeded.value < count && Date() < deadline { usleep(1000) }
        })
        XCTAssertEqual(succeeded.value, count, "proposals made before stop were not applied by it")
        try member.start()
        XCTAssertEqual(try member.current!.store.currentRevision(), Int64(count) + 1, "the restart replays all of them")
    }

    func testStoppedLeaderHandsOverBeforeAnElectionTimeout() throws {
        let cluster = try SimCluster(size: 3, seed: 200)
        defer { try? cluster.shutdown() }
        for round in 0..<2 {
            let leader = try cluster.waitForAgreedLeader()
            let term = leader.current!.log.status.term
            guard case .ok = SimClient.put(leader.current!, key: "h", value: "\(round)", timeout: .seconds(2)) else {
                return XCTFail("write before the stop failed")
            }
            let stopStarted = Date()
            try leader.stop()
            let stopTook = Date().timeIntervalSince(stopStarted)
            // The hand-over finished inside stop(): a successor already leads, well before the
            // followers' election timeout could have made one.
            let others = cluster.members.filter { $0.id != leader.id }
            let deadline = Date(timeIntervalSinceNow: Double(electionMilliseconds) / 1000 / 2)
            var successor: UInt64 = 0
            while Date() < deadline {
                let leading = others.filter { $0.current?.log.status.isLeader == true }
                if let first = leading.first {
                    successor = first.id
                    break
                }
                usleep(500)
            }
            XCTAssertNotEqual(successor, 0, "round \(round): no successor leads within half an election timeout of the stop (stop took \(stopTook) s)")
            if successor != 0 {
                XCTAssertGreaterThan(cluster.member(successor)!.current!.log.status.term, term)
                // The successor has the write the old leader acknowledged.
                guard case .ok(let value) = SimClient.read(cluster.member(successor)!.current!, key: "h", timeout: .seconds(2)) else {
                    return XCTFail("read on the successor failed")
                }
                XCTAssertEqual(value, "\(round)")
            }
            log("round \(round): stop took \(String(format: "%.0f", stopTook * 1000)) ms; successor \(successor.hex)")
            try leader.start()
        }
    }
}
