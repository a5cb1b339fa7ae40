import GRPCTransport
import MVCC
import NIOCore
import NIOPosix
import Synchronization

/// This member's side of auth: the published auth store, the simple tokens it assigned, and
/// the threads that run bcrypt (so neither event loops nor the apply loop ever do).
final class ServerAuth: Sendable {
    let view: PublishedValue<AuthView>
    let tokens: SimpleTokens
    /// Set with `--auth-token jwt,…`: tokens are then signed JWTs instead of simple tokens.
    let jwt: JWTTokens?
    let bcryptCost: Int
    /// When set (`--client-cert-auth`), a client certificate's CommonName names the user of a
    /// request without a token.
    let certificateNamesUser: Bool
    let hashing: NIOThreadPool
    private let tokenSequence = Atomic<UInt64>(0)

    /// `hashing` runs bcrypt; the caller starts it and shuts it down (`shutdown`).
    init(state: AuthState, configuration: ServerConfiguration, hashing: NIOThreadPool) throws(ConfigurationError) {
        let parts = configuration.authToken.split(separator: ",", maxSplits: 1).map(String.init)
        jwt = parts.first == "jwt" ? try JWTTokens(options: parts.count > 1 ? parts[1] : "") : nil
        view = PublishedValue(AuthView(state))
        tokens = SimpleTokens(ttl: .seconds(Int64(configuration.authTokenTTLSeconds)))
        bcryptCost = configuration.bcryptCost
        certificateNamesUser = configuration.clientTLS.clientCertAuth
        self.hashing = hashing
    }

    func shutdown() {
        try? hashing.syncShutdownGracefully()
    }

    /// The sender of a request, or nil while auth is off (nothing to check). A token that is
    /// not (or no longer) valid is refused with etcd's error.
    func requester(_ context: GRPCCallContext) throws(GRPCStatus) -> Requester? {
        let view = self.view.current
        guard view.state.enabled else { return nil }
        if let token = context.metadata("token") ?? context.metadata("authorization") {
            if let jwt {
                guard let (user, revision) = jwt.verify(token) else { throw EtcdErrors.invalidAuthToken }
                return Requester(view: view, user: user, isStale: revision < view.state.revision)
            }
            guard let user = tokens.user(for: token) else { throw EtcdErrors.invalidAuthToken }
            return Requester(view: view, user: user)
        }
        if certificateNamesUser, let commonName = context.peerCertificateCommonName, !commonName.isEmpty {
            return Requester(view: view, user: commonName)
        }
        return Requester(view: view, user: "")
    }

    /// The user name a change is proposed under ("" while auth is off or none was given).
    func requesterName(_ context: GRPCCallContext) throws(GRPCStatus) -> String {
        try requester(context)?.user ?? ""
    }

    /// Methods only a user with the root role may call once auth is on (etcd's maintenance and
    /// membership checks).
    static let rootOnlyMethods: [String: RefusalWording] = [
        "/etcdserverpb.Maintenance/Hash": .auth, "/etcdserverpb.Maintenance/HashKV": .auth,
        "/etcdserverpb.Maintenance/Snapshot": .auth, "/etcdserverpb.Maintenance/Defragment": .auth,
        "/etcdserverpb.Maintenance/MoveLeader": .etcdserver, "/etcdserverpb.Maintenance/Downgrade": .etcdserver,
        "/etcdserverpb.Cluster/MemberAdd": .etcdserver, "/etcdserverpb.Cluster/MemberRemove": .etcdserver,
        "/etcdserverpb.Cluster/MemberUpdate": .etcdserver, "/etcdserverpb.Cluster/MemberPromote": .etcdserver,
    ]

    /// etcd's maintenance service returns its auth package's errors untranslated (status
    /// Unknown, "auth: …"); everything else answers the `etcdserver: …` gRPC errors.
    enum RefusalWording: Sendable { case auth, etcdserver }

    func newToken() -> String {
        SimpleTokens.newToken(sequence: tokenSequence.add(1, ordering: .relaxed).newValue)
    }

    /// The store became a leader's snapshot (the apply loop): its auth state is published as is.
    func restored(state: AuthState) {
        let compiled = AuthView(state)
        view.update { $0 = compiled }
    }

    /// Publishes the store's auth state after an apply batch, and applies what an applied
    /// change means for tokens (etcd's token provider hooks).
    func applied(_ entry: AuthLogEntry, state: AuthState) {
        switch entry.operation {
        // A JWT is signed once the entry is applied, and never stored.
        case .authenticate(let name, let token) where !token.isEmpty: tokens.assign(token, to: name)
        case .userDelete(let name), .userChangePassword(let name, _): tokens.invalidate(user: name)
        case .disable: tokens.removeAll()
        default: break
        }
        if state != view.current.state {
            let compiled = AuthView(state)
            view.update { $0 = compiled }
        }
    }
}

extension ServerCore {
    /// etcd's `checkLeasePuts`: a lease may be attached to a key, or revoked, only by a user who
    /// may write every key already attached to it.
    func checkLeaseKeysWritable(_ lease: Int64, by requester: Requester) throws(GRPCStatus) {
        guard lease != 0 else { return }
        let keys: [[UInt8]]
        do throws(MVCCError) { keys = try store.keys(attachedTo: lease) } catch { throw EtcdErrors.status(for: error) }
        for key in keys { try requester.check(.write, key: key) }
    }
}

extension GRPCStatus {
    /// The same refusal as etcd's auth package words it, as a gRPC status Unknown.
    var asAuthPackageError: GRPCStatus {
        let prefix = "etcdserver: "
        guard message.hasPrefix(prefix) else { return self }
        let reason = message.dropFirst(prefix.count)
        // The auth package words one of them differently from its gRPC error.
        let worded = reason == "user name not found" ? "user not found" : String(reason)
        return GRPCStatus(code: .unknown, message: "auth: " + worded)
    }
}
