import EtcdProto
import GRPCTransport
import MVCC
import NIOCore
import ProtoWire

/// `etcdserverpb.Auth`: every change is a log entry (its requester checked when applied, as
/// etcd's auth applier does); reads answer from the published auth store. Passwords are checked
/// and hashed on the auth thread pool before anything is proposed.
struct AuthService: Sendable {
    let server: ServerCore

    private var auth: ServerAuth { server.auth }

    func register(in router: inout GRPCRouter) {
        change("AuthEnable", AuthEnableRequest.self, AuthEnableResponse()) { _ in .enable }
        change("AuthDisable", AuthDisableRequest.self, AuthDisableResponse()) { _ in .disable }
        change("UserDelete", AuthUserDeleteRequest.self, AuthUserDeleteResponse()) { .userDelete(name: $0.name) }
        change("UserGrantRole", AuthUserGrantRoleRequest.self, AuthUserGrantRoleResponse()) {
            .userGrantRole(user: $0.user, role: $0.role)
        }
        change("UserRevokeRole", AuthUserRevokeRoleRequest.self, AuthUserRevokeRoleResponse()) {
            .userRevokeRole(user: $0.name, role: $0.role)
        }
        change("RoleAdd", AuthRoleAddRequest.self, AuthRoleAddResponse()) { .roleAdd(name: $0.name) }
        change("RoleDelete", AuthRoleDeleteRequest.self, AuthRoleDeleteResponse()) { .roleDelete(name: $0.role) }
        change("RoleRevokePermission", AuthRoleRevokePermissionRequest.self, AuthRoleRevokePermissionResponse()) {
            .roleRevokePermission(role: $0.role, key: $0.key, rangeEnd: $0.rangeEnd)
        }
        router.register("/etcdserverpb.Auth/RoleGrantPermission", .unary { body, context in
            run(context) { () throws(GRPCStatus) in
                let request = try AuthRoleGrantPermissionRequest(requestBody: body)
                guard let permission = request.perm else { throw EtcdErrors.permissionNotGiven }
                let requester = try auth.requesterName(context)
                return propose(
                    AuthLogEntry(requester: requester, operation: .roleGrantPermission(role: request.name, permission: permission)),
                    reply: AuthRoleGrantPermissionResponse(), on: context.eventLoop)
            }
        })
        router.register("/etcdserverpb.Auth/UserAdd", .unary { body, context in
            run(context) { () throws(GRPCStatus) in
                let request = try AuthUserAddRequest(requestBody: body)
                let requester = try auth.requesterName(context)
                // Refused before the costly hash when it would be refused anyway.
                if request.name.isEmpty { throw EtcdErrors.userEmpty }
                try auth.view.current.state.checkAdminStatus(requester)
                let noPassword = request.options?.noPassword ?? false
                let hashed = noPassword ? context.eventLoop.makeSucceededFuture("") : hash(request.password, on: context.eventLoop)
                return hashed.flatMap { hash in
                    propose(
                        AuthLogEntry(requester: requester, operation: .userAdd(name: request.name, hashedPassword: hash, noPassword: noPassword)),
                        reply: AuthUserAddResponse(), on: context.eventLoop)
                }
            }
        })
        router.register("/etcdserverpb.Auth/UserChangePassword", .unary { body, context in
            run(context) { () throws(GRPCStatus) in
                let request = try AuthUserChangePasswordRequest(requestBody: body)
                let requester = try auth.requesterName(context)
                try auth.view.current.state.checkAdminStatus(requester)
                return hash(request.password, on: context.eventLoop).flatMap { hash in
                    propose(
                        AuthLogEntry(requester: requester, operation: .userChangePassword(name: request.name, hashedPassword: hash)),
                        reply: AuthUserChangePasswordResponse(), on: context.eventLoop)
                }
            }
        })
        router.register("/etcdserverpb.Auth/Authenticate", .unary { body, context in
            run(context) { () throws(GRPCStatus) in
                let request = try AuthenticateRequest(requestBody: body)
                return authenticate(request, on: context.eventLoop)
            }
        })
        router.register("/etcdserverpb.Auth/AuthStatus", .unary { body, context in
            run(context) { () throws(GRPCStatus) in
                _ = try AuthStatusRequest(requestBody: body)
                let state = auth.view.current.state
                var response = AuthStatusResponse()
                response.enabled = state.enabled
                response.authRevision = state.revision
                return context.eventLoop.makeSucceededFuture(server.encodeReply(response))
            }
        })
        router.register("/etcdserverpb.Auth/UserGet", .unary { body, context in
            read(context) { (state, requester) throws(GRPCStatus) in
                let request = try AuthUserGetRequest(requestBody: body)
                // A user may read their own entry (etcd's auth applier).
                if let requester, requester.user != request.name { try requester.checkAdmin() }
                guard let user = state.users[request.name] else { throw EtcdErrors.userNotFound }
                var response = AuthUserGetResponse()
                response.roles = user.roles
                return server.encodeReply(response)
            }
        })
        router.register("/etcdserverpb.Auth/UserList", .unary { body, context in
            read(context) { (state, requester) throws(GRPCStatus) in
                _ = try AuthUserListRequest(requestBody: body)
                try requester?.checkAdmin()
                var response = AuthUserListResponse()
                response.users = state.userNames
                return server.encodeReply(response)
            }
        })
        router.register("/etcdserverpb.Auth/RoleGet", .unary { body, context in
            read(context) { (state, requester) throws(GRPCStatus) in
                let request = try AuthRoleGetRequest(requestBody: body)
                // A user may read a role they have.
                if let requester, !(state.users[requester.user]?.roles.contains(request.role) ?? false) {
                    try requester.checkAdmin()
                }
                guard let role = state.roles[request.role] else { throw EtcdErrors.roleNotFound }
                var response = AuthRoleGetResponse()
                response.perm = role.keyPermission
                return server.encodeReply(response)
            }
        })
        router.register("/etcdserverpb.Auth/RoleList", .unary { body, context in
            read(context) { (state, requester) throws(GRPCStatus) in
                _ = try AuthRoleListRequest(requestBody: body)
                try requester?.checkAdmin()
                var response = AuthRoleListResponse()
                response.roles = state.roleNames
                return server.encodeReply(response)
            }
        })

        func change<Request: ProtoMessage, Response: ResponseWithHeader>(
            _ method: String, _: Request.Type, _ reply: Response,
            _ operation: @escaping @Sendable (Request) -> AuthOperation
        ) {
            router.register("/etcdserverpb.Auth/\(method)", .unary { body, context in
                run(context) { () throws(GRPCStatus) in
                    let request = try Request(requestBody: body)
                    let requester = try auth.requesterName(context)
                    return propose(
                        AuthLogEntry(requester: requester, operation: operation(request)), reply: reply, on: context.eventLoop)
                }
            })
        }
    }

    /// etcd's Authenticate: the password is checked here (bcrypt, on the auth threads), then
    /// the token is assigned through the log so every member knows it.
    private func authenticate(_ request: AuthenticateRequest, on eventLoop: any EventLoop) -> EventLoopFuture<ByteBuffer> {
        let state = auth.view.current.state
        guard state.enabled else { return eventLoop.makeFailedFuture(EtcdErrors.authNotEnabled) }
        guard let user = state.users[request.name], user.options?.noPassword != true else {
            return eventLoop.makeFailedFuture(EtcdErrors.authFailed)
        }
        let checked = auth.hashing.runIfActive(eventLoop: eventLoop) {
            Bcrypt.verify(request.password, hash: user.password)
        }
        return checked.flatMap { matches in
            guard matches else { return eventLoop.makeFailedFuture(EtcdErrors.authFailed) }
            guard let jwt = auth.jwt else {
                let token = auth.newToken()
                let entry = AuthLogEntry(requester: "", operation: .authenticate(name: request.name, token: token))
                return propose(entry, reply: AuthenticateResponse(token: token), on: eventLoop)
            }
            // The entry still goes through the log: it checks, in order with every other change,
            // that auth is on and the user exists; the token is signed at the revision then.
            let entry = AuthLogEntry(requester: "", operation: .authenticate(name: request.name, token: ""))
            return server.propose(kind: .auth, requestBody: entry.responseBody(allocator: ByteBufferAllocator()), on: eventLoop)
                .flatMapThrowing { result in
                    switch result.response {
                    case .success(.auth(let state)):
                        guard let token = jwt.sign(user: request.name, revision: state.revision) else {
                            throw GRPCStatus(code: .failedPrecondition, message: "etcdserver: token signing attempted with verify-only key")
                        }
                        return server.encodeReply(AuthenticateResponse(token: token))
                    case .success: throw EtcdErrors.unexpectedApplyResult
                    case .failure(let error): throw EtcdErrors.status(for: error)
                    }
                }
        }
    }

    private func hash(_ password: String, on eventLoop: any EventLoop) -> EventLoopFuture<String> {
        let cost = auth.bcryptCost
        return auth.hashing.runIfActive(eventLoop: eventLoop) { () throws -> String in
            guard let hash = Bcrypt.hash(password, cost: cost) else {
                throw GRPCStatus(code: .internal, message: "etcdserver: failed to hash the password")
            }
            return hash
        }
    }

    private func propose<Response: ResponseWithHeader>(
        _ entry: AuthLogEntry, reply: Response, on eventLoop: any EventLoop
    ) -> EventLoopFuture<ByteBuffer> {
        let body = entry.responseBody(allocator: ByteBufferAllocator())
        return server.propose(kind: .auth, requestBody: body, on: eventLoop).flatMapThrowing { result in
            switch result.response {
            case .success(.auth): return server.encodeReply(reply)
            case .success: throw EtcdErrors.unexpectedApplyResult
            case .failure(let error): throw EtcdErrors.status(for: error)
            }
        }
    }

    private func run(
        _ context: GRPCCallContext, _ body: () throws(GRPCStatus) -> EventLoopFuture<ByteBuffer>
    ) -> EventLoopFuture<ByteBuffer> {
        do {
            return try body()
        } catch {
            return context.eventLoop.makeFailedFuture(error)
        }
    }

    /// A read of the auth store, answered once every change acknowledged before it is applied
    /// here (etcd sends these through its log for the same guarantee).
    private func read(
        _ context: GRPCCallContext, _ answer: @escaping @Sendable (AuthState, Requester?) throws(GRPCStatus) -> ByteBuffer
    ) -> EventLoopFuture<ByteBuffer> {
        let respond = { @Sendable [auth] () throws(GRPCStatus) -> ByteBuffer in
            try answer(auth.view.current.state, try auth.requester(context))
        }
        if let barrier = server.linearizableReadBarrier(on: context.eventLoop) {
            return barrier.flatMapThrowing { try respond() }
        }
        do {
            return context.eventLoop.makeSucceededFuture(try respond())
        } catch {
            return context.eventLoop.makeFailedFuture(error)
        }
    }
}

extension AuthState {
    fileprivate func checkAdminStatus(_ user: String) throws(GRPCStatus) {
        do throws(MVCCError) { try checkAdmin(user) } catch { throw EtcdErrors.status(for: error) }
    }
}

extension AuthenticateResponse {
    init(token: String) {
        self.init()
        self.token = token
    }
}

extension AuthEnableResponse: ResponseWithHeader {}
extension AuthDisableResponse: ResponseWithHeader {}
extension AuthStatusResponse: ResponseWithHeader {}
extension AuthenticateResponse: ResponseWithHeader {}
extension AuthUserAddResponse: ResponseWithHeader {}
extension AuthUserGetResponse: ResponseWithHeader {}
extension AuthUserDeleteResponse: ResponseWithHeader {}
extension AuthUserChangePasswordResponse: ResponseWithHeader {}
extension AuthUserGrantRoleResponse: ResponseWithHeader {}
extension AuthUserRevokeRoleResponse: ResponseWithHeader {}
extension AuthUserListResponse: ResponseWithHeader {}
extension AuthRoleAddResponse: ResponseWithHeader {}
extension AuthRoleGetResponse: ResponseWithHeader {}
extension AuthRoleListResponse: ResponseWithHeader {}
extension AuthRoleDeleteResponse: ResponseWithHeader {}
extension AuthRoleGrantPermissionResponse: ResponseWithHeader {}
extension AuthRoleRevokePermissionResponse: ResponseWithHeader {}
