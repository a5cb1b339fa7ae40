// The lock-free part of `LMDBEnvironment`: which environment generation readers use, who is
// reading each one, and the pooled read transactions of each.

import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Two environment generations, the index of the current one, and for each generation a striped
/// reader count and a striped pool of reset read transactions — all in one block of atomic words,
/// so the read path takes no lock and touches no reference count.
///
/// Why two generations: `LMDBEnvironment.compactInPlace` opens the rewritten file as a second
/// `MDB_env` while readers still finish on the first, so at most two are open at a time (a
/// replacement closes the generation it retired before it returns, and replacements run one at a
/// time). Generation 0 is opened as a directory (lock file `lock.mdb`), generation 1 as the data
/// file itself with `MDB_NOSUBDIR` (lock file `data.mdb-lock`): two environments of one process
/// must not share a lock file, because LMDB's reader table lives there and its POSIX record locks
/// are per process (closing one environment would drop the other's).
///
/// Layout (words of 8 bytes, lines of 8 words = 64 bytes, one cache line each):
/// - line 0: word 0 is the index (0 or 1) of the current generation;
/// - per generation, a header line — word 0 `retired` (0: open and admitting readers; 1: retired
///   or closed), word 1 the `MDB_env*` bit pattern (0 when closed) — then `stripes` lines, each
///   holding word 0: readers inside this generation whose thread was given this stripe, and words
///   1…7: pooled read transactions (0 = empty cell).
///
/// The reader protocol (the proof of the claims below):
/// 1. Load the current index (acquiring), pick the generation.
/// 2. Increment the stripe's count, then load `retired`, both sequentially consistent. If it is
///    retired, decrement and go back to 1 (the replacement stored the new current index before it
///    retired this generation, and seeing its retirement store orders that index store before our
///    reload, so one retry per replacement at most: lock-free).
/// 3. Use the generation's environment (take a pooled transaction with an atomic exchange, which
///    hands exactly one caller the pointer; renew it or begin a new one), then reset the
///    transaction, put it back in an empty cell with a compare-exchange (or abort it if the stripe
///    is full) and decrement the count (releasing) — the decrement comes after every use.
///
/// The replacement (writer side, which may wait): store the new index, store `retired = 1`
/// (sequentially consistent), then wait until every stripe count of the old generation reads 0
/// (sequentially consistent loads), then abort its pooled transactions and close it. A reader
/// whose step-2 load saw `retired == 0` has its increment before that load, hence before the
/// retirement store in the single total order of sequentially consistent operations, hence before
/// the waiting loads, which therefore see it until its step-3 decrement: no environment is closed
/// under a reader. Readers arriving later see `retired == 1` and never touch the environment
/// (their brief increments only make the wait longer). Reopening a generation writes its
/// environment word, then stores `retired = 0`; a reader that sees 0 from that store has
/// synchronized with it, so it sees the new environment word.
///
/// Each thread is given a stripe at its first read (round-robin, kept in a pthread-specific slot),
/// so threads use distinct cache lines (no counter bounced between cores on every read) and find
/// the transaction they put back last. Threads beyond `stripes` share lines: slower, still correct.
struct LMDBReaderTable: ~Copyable {
    static let wordsPerLine = 8
    static let stripes = 32
    static let cellsPerStripe = wordsPerLine - 1
    static let wordsPerGeneration = wordsPerLine * (1 + stripes)
    static let wordCount = wordsPerLine + 2 * wordsPerGeneration

    private let words: UnsafeMutablePointer<Atomic<UInt>>

    init() {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: Self.wordCount * MemoryLayout<Atomic<UInt>>.stride, alignment: 64)
        self.words = raw.bindMemory(to: Atomic<UInt>.self, capacity: Self.wordCount)
        for index in 0..<Self.wordCount { (self.words + index).initialize(to: Atomic(0)) }
        // Generation 1 starts closed.
        self.generation(1).retiredWord.pointee.store(1, ordering: .sequentiallyConsistent)
    }

    deinit {
        self.words.deinitialize(count: Self.wordCount)
        UnsafeMutableRawPointer(self.words).deallocate()
    }

    func generation(_ index: Int) -> LMDBGeneration {
        LMDBGeneration(index: index, base: self.words + Self.wordsPerLine + index * Self.wordsPerGeneration)
    }

    var currentIndex: Int { Int(self.words.pointee.load(ordering: .acquiring)) }

    /// Makes generation `index` current (after it was opened and published).
    func makeCurrent(_ index: Int) {
        self.words.pointee.store(UInt(index), ordering: .sequentiallyConsistent)
    }

    /// Enters the current generation as a reader (steps 1–2 above); never waits.
    @inline(__always)
    func enter(stripe: Int) -> LMDBGeneration {
        while true {
            let generation = self.generation(self.currentIndex)
            if generation.enter(stripe: stripe) { return generation }
        }
    }

    /// The stripe of the calling thread: given out round-robin at the thread's first read and
    /// kept in a thread-specific slot, so up to `stripes` threads get a line each.
    @inline(__always)
    static func currentStripe() -> Int {
        if let stored = pthread_getspecific(stripeKey) { return Int(bitPattern: UInt(bitPattern: stored)) - 1 }
        let stripe = nextStripe.wrappingAdd(1, ordering: .relaxed).oldValue % stripes
        pthread_setspecific(stripeKey, UnsafeRawPointer(bitPattern: stripe + 1))
        return stripe
    }
}

/// The thread-specific slot holding a thread's stripe plus one (nil: none given yet).
private let stripeKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
    return key
}()

/// The next stripe to give a thread (modulo the stripe count).
private let nextStripe = Atomic<Int>(0)

/// One environment generation inside an `LMDBReaderTable` (a view of its words; no ownership).
struct LMDBGeneration {
    let index: Int
    let base: UnsafeMutablePointer<Atomic<UInt>>

    var retiredWord: UnsafeMutablePointer<Atomic<UInt>> { self.base }
    private var environmentWord: UnsafeMutablePointer<Atomic<UInt>> { self.base + 1 }

    @inline(__always)
    private func countWord(_ stripe: Int) -> UnsafeMutablePointer<Atomic<UInt>> {
        self.base + LMDBReaderTable.wordsPerLine * (1 + stripe)
    }

    /// The open environment. Only for a caller inside the generation (a reader that entered, or
    /// the writer side, which opens and closes generations).
    var environment: OpaquePointer {
        OpaquePointer(bitPattern: self.environmentWord.pointee.load(ordering: .relaxed))!
    }

    var isOpen: Bool { self.environmentWord.pointee.load(ordering: .acquiring) != 0 }

    @inline(__always)
    func enter(stripe: Int) -> Bool {
        let count = self.countWord(stripe)
        count.pointee.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if self.retiredWord.pointee.load(ordering: .sequentiallyConsistent) == 0 { return true }
        count.pointee.wrappingSubtract(1, ordering: .releasing)
        return false
    }

    @inline(__always)
    func leave(stripe: Int) {
        self.countWord(stripe).pointee.wrappingSubtract(1, ordering: .releasing)
    }

    /// A pooled (reset) read transaction of this stripe, now owned by the caller.
    @inline(__always)
    func takePooled(stripe: Int) -> OpaquePointer? {
        let line = self.countWord(stripe)
        for cell in 1...LMDBReaderTable.cellsPerStripe {
            let word = line + cell
            if word.pointee.load(ordering: .relaxed) != 0 {
                let taken = word.pointee.exchange(0, ordering: .acquiring)
                if taken != 0 { return OpaquePointer(bitPattern: taken) }
            }
        }
        return nil
    }

    /// A pooled transaction of any stripe (when LMDB's reader table is full).
    func takePooledAnywhere() -> OpaquePointer? {
        for stripe in 0..<LMDBReaderTable.stripes {
            if let transaction = self.takePooled(stripe: stripe) { return transaction }
        }
        return nil
    }

    /// Puts a reset read transaction back in the pool; false if the stripe is full.
    @inline(__always)
    func pool(_ transaction: OpaquePointer, stripe: Int) -> Bool {
        let line = self.countWord(stripe)
        let value = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(transaction)))
        for cell in 1...LMDBReaderTable.cellsPerStripe {
            let word = line + cell
            if word.pointee.load(ordering: .relaxed) == 0
                && word.pointee.compareExchange(expected: 0, desired: value, ordering: .releasing).exchanged
            {
                return true
            }
        }
        return false
    }

    /// Writer side: makes `environment` this generation's and admits readers.
    func publish(_ environment: OpaquePointer) {
        let value = UInt(bitPattern: Int(bitPattern: UnsafeMutableRawPointer(environment)))
        self.environmentWord.pointee.store(value, ordering: .sequentiallyConsistent)
        self.retiredWord.pointee.store(0, ordering: .sequentiallyConsistent)
    }

    /// Writer side: admits no more readers (those inside finish).
    func retire() {
        self.retiredWord.pointee.store(1, ordering: .sequentiallyConsistent)
    }

    /// Writer side, after `retire`: whether every reader has left.
    func isDrained() -> Bool {
        for stripe in 0..<LMDBReaderTable.stripes where self.countWord(stripe).pointee.load(ordering: .sequentiallyConsistent) != 0 {
            return false
        }
        return true
    }

    /// Writer side, once retired and drained (or at teardown): aborts the pooled transactions and
    /// closes the environment.
    func close() {
        guard self.isOpen else { return }
        for stripe in 0..<LMDBReaderTable.stripes {
            while let transaction = self.takePooled(stripe: stripe) { mdb_txn_abort(transaction) }
        }
        mdb_env_close(self.environment)
        self.environmentWord.pointee.store(0, ordering: .sequentiallyConsistent)
    }
}
