/// A route of etcd 3.4's gateway: a `POST /v3/…` path and the gRPC method it calls.
struct GatewayRoute: Sendable {
    enum Shape: Sendable {
        case unary
        /// One request, a stream of results (Snapshot, Observe).
        case serverStreaming
        /// Every JSON value of the body is a request; a stream of results (Watch, LeaseKeepAlive).
        case bidirectionalStreaming
    }

    let grpcPath: String
    let request: ProtoMessageSchema
    let response: ProtoMessageSchema
    let shape: Shape

    init(_ grpcPath: String, _ request: ProtoMessageSchema, _ response: ProtoMessageSchema, _ shape: Shape = .unary) {
        self.grpcPath = grpcPath
        self.request = request
        self.response = response
        self.shape = shape
    }

    /// The `google.api.http` options of etcd 3.4.23's rpc.proto, v3lock.proto and
    /// v3election.proto. HashKV shares `/v3/maintenance/hash` with Hash, which grpc-gateway
    /// registers first, so that path is Hash's.
    static let byPath: [String: GatewayRoute] = [
        "/v3/kv/range": GatewayRoute("/etcdserverpb.KV/Range", .rangeRequest, .rangeResponse),
        "/v3/kv/put": GatewayRoute("/etcdserverpb.KV/Put", .putRequest, .putResponse),
        "/v3/kv/deleterange": GatewayRoute("/etcdserverpb.KV/DeleteRange", .deleteRangeRequest, .deleteRangeResponse),
        "/v3/kv/txn": GatewayRoute("/etcdserverpb.KV/Txn", .txnRequest, .txnResponse),
        "/v3/kv/compaction": GatewayRoute("/etcdserverpb.KV/Compact", .compactionRequest, .compactionResponse),
        "/v3/watch": GatewayRoute("/etcdserverpb.Watch/Watch", .watchRequest, .watchResponse, .bidirectionalStreaming),
        "/v3/lease/grant": GatewayRoute("/etcdserverpb.Lease/LeaseGrant", .leaseGrantRequest, .leaseGrantResponse),
        "/v3/lease/revoke": GatewayRoute("/etcdserverpb.Lease/LeaseRevoke", .leaseRevokeRequest, .leaseRevokeResponse),
        "/v3/kv/lease/revoke": GatewayRoute("/etcdserverpb.Lease/LeaseRevoke", .leaseRevokeRequest, .leaseRevokeResponse),
        "/v3/lease/keepalive": GatewayRoute(
            "/etcdserverpb.Lease/LeaseKeepAlive", .leaseKeepAliveRequest, .leaseKeepAliveResponse, .bidirectionalStreaming),
        "/v3/lease/timetolive": GatewayRoute(
            "/etcdserverpb.Lease/LeaseTimeToLive", .leaseTimeToLiveRequest, .leaseTimeToLiveResponse),
        "/v3/kv/lease/timetolive": GatewayRoute(
            "/etcdserverpb.Lease/LeaseTimeToLive", .leaseTimeToLiveRequest, .leaseTimeToLiveResponse),
        "/v3/lease/leases": GatewayRoute("/etcdserverpb.Lease/LeaseLeases", .leaseLeasesRequest, .leaseLeasesResponse),
        "/v3/kv/lease/leases": GatewayRoute("/etcdserverpb.Lease/LeaseLeases", .leaseLeasesRequest, .leaseLeasesResponse),
        "/v3/cluster/member/add": GatewayRoute("/etcdserverpb.Cluster/MemberAdd", .memberAddRequest, .memberAddResponse),
        "/v3/cluster/member/remove": GatewayRoute(
            "/etcdserverpb.Cluster/MemberRemove", .memberRemoveRequest, .memberRemoveResponse),
        "/v3/cluster/member/update": GatewayRoute(
            "/etcdserverpb.Cluster/MemberUpdate", .memberUpdateRequest, .memberUpdateResponse),
        "/v3/cluster/member/list": GatewayRoute("/etcdserverpb.Cluster/MemberList", .memberListRequest, .memberListResponse),
        "/v3/cluster/member/promote": GatewayRoute(
            "/etcdserverpb.Cluster/MemberPromote", .memberPromoteRequest, .memberPromoteResponse),
        "/v3/maintenance/alarm": GatewayRoute("/etcdserverpb.Maintenance/Alarm", .alarmRequest, .alarmResponse),
        "/v3/maintenance/status": GatewayRoute("/etcdserverpb.Maintenance/Status", .statusRequest, .statusResponse),
        "/v3/maintenance/defragment": GatewayRoute(
            "/etcdserverpb.Maintenance/Defragment", .defragmentRequest, .defragmentResponse),
        "/v3/maintenance/hash": GatewayRoute("/etcdserverpb.Maintenance/Hash", .hashRequest, .hashResponse),
        "/v3/maintenance/snapshot": GatewayRoute(
            "/etcdserverpb.Maintenance/Snapshot", .snapshotRequest, .snapshotResponse, .serverStreaming),
        "/v3/maintenance/transfer-leadership": GatewayRoute(
            "/etcdserverpb.Maintenance/MoveLeader", .moveLeaderRequest, .moveLeaderResponse),
        "/v3/auth/enable": GatewayRoute("/etcdserverpb.Auth/AuthEnable", .authEnableRequest, .authEnableResponse),
        "/v3/auth/disable": GatewayRoute("/etcdserverpb.Auth/AuthDisable", .authDisableRequest, .authDisableResponse),
        "/v3/auth/authenticate": GatewayRoute(
            "/etcdserverpb.Auth/Authenticate", .authenticateRequest, .authenticateResponse),
        "/v3/auth/user/add": GatewayRoute("/etcdserverpb.Auth/UserAdd", .authUserAddRequest, .authUserAddResponse),
        "/v3/auth/user/get": GatewayRoute("/etcdserverpb.Auth/UserGet", .authUserGetRequest, .authUserGetResponse),
        "/v3/auth/user/list": GatewayRoute("/etcdserverpb.Auth/UserList", .authUserListRequest, .authUserListResponse),
        "/v3/auth/user/delete": GatewayRoute("/etcdserverpb.Auth/UserDelete", .authUserDeleteRequest, .authUserDeleteResponse),
        "/v3/auth/user/changepw": GatewayRoute(
            "/etcdserverpb.Auth/UserChangePassword", .authUserChangePasswordRequest, .authUserChangePasswordResponse),
        "/v3/auth/user/grant": GatewayRoute(
            "/etcdserverpb.Auth/UserGrantRole", .authUserGrantRoleRequest, .authUserGrantRoleResponse),
        "/v3/auth/user/revoke": GatewayRoute(
            "/etcdserverpb.Auth/UserRevokeRole", .authUserRevokeRoleRequest, .authUserRevokeRoleResponse),
        "/v3/auth/role/add": GatewayRoute("/etcdserverpb.Auth/RoleAdd", .authRoleAddRequest, .authRoleAddResponse),
        "/v3/auth/role/get": GatewayRoute("/etcdserverpb.Auth/RoleGet", .authRoleGetRequest, .authRoleGetResponse),
        "/v3/auth/role/list": GatewayRoute("/etcdserverpb.Auth/RoleList", .authRoleListRequest, .authRoleListResponse),
        "/v3/auth/role/delete": GatewayRoute("/etcdserverpb.Auth/RoleDelete", .authRoleDeleteRequest, .authRoleDeleteResponse),
        "/v3/auth/role/grant": GatewayRoute(
            "/etcdserverpb.Auth/RoleGrantPermission", .authRoleGrantPermissionRequest, .authRoleGrantPermissionResponse),
        "/v3/auth/role/revoke": GatewayRoute(
            "/etcdserverpb.Auth/RoleRevokePermission", .authRoleRevokePermissionRequest, .authRoleRevokePermissionResponse),
        "/v3/lock/lock": GatewayRoute("/v3lockpb.Lock/Lock", .lockLockRequest, .lockLockResponse),
        "/v3/lock/unlock": GatewayRoute("/v3lockpb.Lock/Unlock", .lockUnlockRequest, .lockUnlockResponse),
        "/v3/election/campaign": GatewayRoute(
            "/v3electionpb.Election/Campaign", .electionCampaignRequest, .electionCampaignResponse),
        "/v3/election/proclaim": GatewayRoute(
            "/v3electionpb.Election/Proclaim", .electionProclaimRequest, .electionProclaimResponse),
        "/v3/election/leader": GatewayRoute("/v3electionpb.Election/Leader", .electionLeaderRequest, .electionLeaderResponse),
        "/v3/election/observe": GatewayRoute(
            "/v3electionpb.Election/Observe", .electionLeaderRequest, .electionLeaderResponse, .serverStreaming),
        "/v3/election/resign": GatewayRoute("/v3electionpb.Election/Resign", .electionResignRequest, .electionResignResponse),
    ]
}
