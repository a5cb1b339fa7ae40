import NIOCore
import Synchronization

/// etcd's `--auth-token simple`: random tokens known only to the members that applied the
/// Authenticate entry that assigned them, each valid for the TTL after its last use.
final class SimpleTokens: Sendable {
    private final class Entry: Sendable {
        let user: String
        /// Uptime nanoseconds after which the token is refused; pushed back on each use
        /// without a lock, by whichever request uses it.
        let expiry: Atomic<Int64>

        init(user: String, expiry: Int64) {
            self.user = user
            self.expiry = Atomic(expiry)
        }
    }

    private let table = PublishedValue<[String: Entry]>([:])
    let ttl: TimeAmount

    init(ttl: TimeAmount) {
        self.ttl = ttl
    }

    /// The user `token` was assigned to, if it is still valid; renews it.
    func user(for token: String) -> String? {
        guard let entry = table.current[token] else { return nil }
        let now = Int64(clamping: NIODeadline.now().uptimeNanoseconds)
        if entry.expiry.load(ordering: .relaxed) < now { return nil }
        entry.expiry.store(now + ttl.nanoseconds, ordering: .relaxed)
        return entry.user
    }

    func assign(_ token: String, to user: String) {
        let expiry = Int64(clamping: NIODeadline.now().uptimeNanoseconds) + ttl.nanoseconds
        table.update { $0[token] = Entry(user: user, expiry: expiry) }
    }

    /// A deleted user's or changed password's tokens stop working at once.
    func invalidate(user: String) {
        table.update { tokens in tokens = tokens.filter { $0.value.user != user } }
    }

    func removeAll() {
        table.update { $0 = [:] }
    }

    func removeExpired() {
        let now = Int64(clamping: NIODeadline.now().uptimeNanoseconds)
        guard table.current.values.contains(where: { $0.expiry.load(ordering: .relaxed) < now }) else { return }
        table.update { tokens in tokens = tokens.filter { $0.value.expiry.load(ordering: .relaxed) >= now } }
    }

    /// etcd's simple token: 16 random letters, a dot, and a number making it unique.
    static func newToken(sequence: UInt64) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var generator = SystemRandomNumberGenerator()
        let prefix = (0..<16).map { _ in letters[Int.random(in: 0..<letters.count, using: &generator)] }
        return String(decoding: prefix, as: UTF8.self) + "." + String(sequence)
    }
}
