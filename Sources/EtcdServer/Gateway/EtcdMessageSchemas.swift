// The messages of etcd 3.4.23's gateway routes as jsonpb sees them: Go type names, field names,
// numbers and types in declaration order, restated from etcd 3.4.23's .proto files
// (etcdserverpb, mvccpb, authpb, v3electionpb, v3lockpb). These, not proto/*.proto, because
// they are what etcd 3.4's gateway writes: fields later releases added stay out of its JSON.

extension ProtoEnumSchema {
    static let rangeRequestSortOrder: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.RangeRequest_SortOrder", [("NONE", 0), ("ASCEND", 1), ("DESCEND", 2)])
    static let rangeRequestSortTarget: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.RangeRequest_SortTarget", [("KEY", 0), ("VERSION", 1), ("CREATE", 2), ("MOD", 3), ("VALUE", 4)])
    static let compareCompareResult: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.Compare_CompareResult", [("EQUAL", 0), ("GREATER", 1), ("LESS", 2), ("NOT_EQUAL", 3)])
    static let compareCompareTarget: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.Compare_CompareTarget", [("VERSION", 0), ("CREATE", 1), ("MOD", 2), ("VALUE", 3), ("LEASE", 4)])
    static let watchCreateRequestFilterType: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.WatchCreateRequest_FilterType", [("NOPUT", 0), ("NODELETE", 1)])
    static let alarmType: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.AlarmType", [("NONE", 0), ("NOSPACE", 1), ("CORRUPT", 2)])
    static let alarmRequestAlarmAction: ProtoEnumSchema = ProtoEnumSchema("etcdserverpb.AlarmRequest_AlarmAction", [("GET", 0), ("ACTIVATE", 1), ("DEACTIVATE", 2)])
    static let mvccEventEventType: ProtoEnumSchema = ProtoEnumSchema("mvccpb.Event_EventType", [("PUT", 0), ("DELETE", 1)])
    static let authPermissionType: ProtoEnumSchema = ProtoEnumSchema("authpb.Permission_Type", [("READ", 0), ("WRITE", 1), ("READWRITE", 2)])
}

extension ProtoMessageSchema {
    static let responseHeader: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.ResponseHeader",
        [
            ProtoFieldSchema("cluster_id", 1, .uint64),
            ProtoFieldSchema("member_id", 2, .uint64),
            ProtoFieldSchema("revision", 3, .int64),
            ProtoFieldSchema("raft_term", 4, .uint64),
        ])
    static let rangeRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.RangeRequest",
        [
            ProtoFieldSchema("key", 1, .bytes),
            ProtoFieldSchema("range_end", 2, .bytes),
            ProtoFieldSchema("limit", 3, .int64),
            ProtoFieldSchema("revision", 4, .int64),
            ProtoFieldSchema("sort_order", 5, .enumeration(.rangeRequestSortOrder)),
            ProtoFieldSchema("sort_target", 6, .enumeration(.rangeRequestSortTarget)),
            ProtoFieldSchema("serializable", 7, .bool),
            ProtoFieldSchema("keys_only", 8, .bool),
            ProtoFieldSchema("count_only", 9, .bool),
            ProtoFieldSchema("min_mod_revision", 10, .int64),
            ProtoFieldSchema("max_mod_revision", 11, .int64),
            ProtoFieldSchema("min_create_revision", 12, .int64),
            ProtoFieldSchema("max_create_revision", 13, .int64),
        ])
    static let rangeResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.RangeResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("kvs", 2, .message({ .mvccKeyValue }), repeated: true),
            ProtoFieldSchema("more", 3, .bool),
            ProtoFieldSchema("count", 4, .int64),
        ])
    static let putRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.PutRequest",
        [
            ProtoFieldSchema("key", 1, .bytes),
            ProtoFieldSchema("value", 2, .bytes),
            ProtoFieldSchema("lease", 3, .int64),
            ProtoFieldSchema("prev_kv", 4, .bool),
            ProtoFieldSchema("ignore_value", 5, .bool),
            ProtoFieldSchema("ignore_lease", 6, .bool),
        ])
    static let putResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.PutResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("prev_kv", 2, .message({ .mvccKeyValue })),
        ])
    static let deleteRangeRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.DeleteRangeRequest",
        [
            ProtoFieldSchema("key", 1, .bytes),
            ProtoFieldSchema("range_end", 2, .bytes),
            ProtoFieldSchema("prev_kv", 3, .bool),
        ])
    static let deleteRangeResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.DeleteRangeResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("deleted", 2, .int64),
            ProtoFieldSchema("prev_kvs", 3, .message({ .mvccKeyValue }), repeated: true),
        ])
    static let requestOp: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.RequestOp",
        [
            ProtoFieldSchema("request_range", 1, .message({ .rangeRequest }), oneof: "request"),
            ProtoFieldSchema("request_put", 2, .message({ .putRequest }), oneof: "request"),
            ProtoFieldSchema("request_delete_range", 3, .message({ .deleteRangeRequest }), oneof: "request"),
            ProtoFieldSchema("request_txn", 4, .message({ .txnRequest }), oneof: "request"),
        ])
    static let responseOp: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.ResponseOp",
        [
            ProtoFieldSchema("response_range", 1, .message({ .rangeResponse }), oneof: "response"),
            ProtoFieldSchema("response_put", 2, .message({ .putResponse }), oneof: "response"),
            ProtoFieldSchema("response_delete_range", 3, .message({ .deleteRangeResponse }), oneof: "response"),
            ProtoFieldSchema("response_txn", 4, .message({ .txnResponse }), oneof: "response"),
        ])
    static let compare: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.Compare",
        [
            ProtoFieldSchema("result", 1, .enumeration(.compareCompareResult)),
            ProtoFieldSchema("target", 2, .enumeration(.compareCompareTarget)),
            ProtoFieldSchema("key", 3, .bytes),
            ProtoFieldSchema("version", 4, .int64, oneof: "target_union"),
            ProtoFieldSchema("create_revision", 5, .int64, oneof: "target_union"),
            ProtoFieldSchema("mod_revision", 6, .int64, oneof: "target_union"),
            ProtoFieldSchema("value", 7, .bytes, oneof: "target_union"),
            ProtoFieldSchema("lease", 8, .int64, oneof: "target_union"),
            ProtoFieldSchema("range_end", 64, .bytes),
        ])
    static let txnRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.TxnRequest",
        [
            ProtoFieldSchema("compare", 1, .message({ .compare }), repeated: true),
            ProtoFieldSchema("success", 2, .message({ .requestOp }), repeated: true),
            ProtoFieldSchema("failure", 3, .message({ .requestOp }), repeated: true),
        ])
    static let txnResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.TxnResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("succeeded", 2, .bool),
            ProtoFieldSchema("responses", 3, .message({ .responseOp }), repeated: true),
        ])
    static let compactionRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.CompactionRequest",
        [
            ProtoFieldSchema("revision", 1, .int64),
            ProtoFieldSchema("physical", 2, .bool),
        ])
    static let compactionResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.CompactionResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let hashRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.HashRequest", [])
    static let hashResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.HashResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("hash", 2, .uint32),
        ])
    static let snapshotRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.SnapshotRequest", [])
    static let snapshotResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.SnapshotResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("remaining_bytes", 2, .uint64),
            ProtoFieldSchema("blob", 3, .bytes),
        ])
    static let watchRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.WatchRequest",
        [
            ProtoFieldSchema("create_request", 1, .message({ .watchCreateRequest }), oneof: "request_union"),
            ProtoFieldSchema("cancel_request", 2, .message({ .watchCancelRequest }), oneof: "request_union"),
            ProtoFieldSchema("progress_request", 3, .message({ .watchProgressRequest }), oneof: "request_union"),
        ])
    static let watchCreateRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.WatchCreateRequest",
        [
            ProtoFieldSchema("key", 1, .bytes),
            ProtoFieldSchema("range_end", 2, .bytes),
            ProtoFieldSchema("start_revision", 3, .int64),
            ProtoFieldSchema("progress_notify", 4, .bool),
            ProtoFieldSchema("filters", 5, .enumeration(.watchCreateRequestFilterType), repeated: true),
            ProtoFieldSchema("prev_kv", 6, .bool),
            ProtoFieldSchema("watch_id", 7, .int64),
            ProtoFieldSchema("fragment", 8, .bool),
        ])
    static let watchCancelRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.WatchCancelRequest",
        [
            ProtoFieldSchema("watch_id", 1, .int64),
        ])
    static let watchProgressRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.WatchProgressRequest", [])
    static let watchResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.WatchResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("watch_id", 2, .int64),
            ProtoFieldSchema("created", 3, .bool),
            ProtoFieldSchema("canceled", 4, .bool),
            ProtoFieldSchema("compact_revision", 5, .int64),
            ProtoFieldSchema("cancel_reason", 6, .string),
            ProtoFieldSchema("fragment", 7, .bool),
            ProtoFieldSchema("events", 11, .message({ .mvccEvent }), repeated: true),
        ])
    static let leaseGrantRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseGrantRequest",
        [
            ProtoFieldSchema("TTL", 1, .int64),
            ProtoFieldSchema("ID", 2, .int64),
        ])
    static let leaseGrantResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseGrantResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("ID", 2, .int64),
            ProtoFieldSchema("TTL", 3, .int64),
            ProtoFieldSchema("error", 4, .string),
        ])
    static let leaseRevokeRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseRevokeRequest",
        [
            ProtoFieldSchema("ID", 1, .int64),
        ])
    static let leaseRevokeResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseRevokeResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let leaseKeepAliveRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseKeepAliveRequest",
        [
            ProtoFieldSchema("ID", 1, .int64),
        ])
    static let leaseKeepAliveResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseKeepAliveResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("ID", 2, .int64),
            ProtoFieldSchema("TTL", 3, .int64),
        ])
    static let leaseTimeToLiveRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseTimeToLiveRequest",
        [
            ProtoFieldSchema("ID", 1, .int64),
            ProtoFieldSchema("keys", 2, .bool),
        ])
    static let leaseTimeToLiveResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseTimeToLiveResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("ID", 2, .int64),
            ProtoFieldSchema("TTL", 3, .int64),
            ProtoFieldSchema("grantedTTL", 4, .int64),
            ProtoFieldSchema("keys", 5, .bytes, repeated: true),
        ])
    static let leaseLeasesRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.LeaseLeasesRequest", [])
    static let leaseStatus: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseStatus",
        [
            ProtoFieldSchema("ID", 1, .int64),
        ])
    static let leaseLeasesResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.LeaseLeasesResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("leases", 2, .message({ .leaseStatus }), repeated: true),
        ])
    static let member: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.Member",
        [
            ProtoFieldSchema("ID", 1, .uint64),
            ProtoFieldSchema("name", 2, .string),
            ProtoFieldSchema("peerURLs", 3, .string, repeated: true),
            ProtoFieldSchema("clientURLs", 4, .string, repeated: true),
            ProtoFieldSchema("isLearner", 5, .bool),
        ])
    static let memberAddRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberAddRequest",
        [
            ProtoFieldSchema("peerURLs", 1, .string, repeated: true),
            ProtoFieldSchema("isLearner", 2, .bool),
        ])
    static let memberAddResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberAddResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("member", 2, .message({ .member })),
            ProtoFieldSchema("members", 3, .message({ .member }), repeated: true),
        ])
    static let memberRemoveRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberRemoveRequest",
        [
            ProtoFieldSchema("ID", 1, .uint64),
        ])
    static let memberRemoveResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberRemoveResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("members", 2, .message({ .member }), repeated: true),
        ])
    static let memberUpdateRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberUpdateRequest",
        [
            ProtoFieldSchema("ID", 1, .uint64),
            ProtoFieldSchema("peerURLs", 2, .string, repeated: true),
        ])
    static let memberUpdateResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberUpdateResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("members", 2, .message({ .member }), repeated: true),
        ])
    static let memberListRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.MemberListRequest", [])
    static let memberListResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberListResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("members", 2, .message({ .member }), repeated: true),
        ])
    static let memberPromoteRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberPromoteRequest",
        [
            ProtoFieldSchema("ID", 1, .uint64),
        ])
    static let memberPromoteResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MemberPromoteResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("members", 2, .message({ .member }), repeated: true),
        ])
    static let defragmentRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.DefragmentRequest", [])
    static let defragmentResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.DefragmentResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let moveLeaderRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MoveLeaderRequest",
        [
            ProtoFieldSchema("targetID", 1, .uint64),
        ])
    static let moveLeaderResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.MoveLeaderResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let alarmRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AlarmRequest",
        [
            ProtoFieldSchema("action", 1, .enumeration(.alarmRequestAlarmAction)),
            ProtoFieldSchema("memberID", 2, .uint64),
            ProtoFieldSchema("alarm", 3, .enumeration(.alarmType)),
        ])
    static let alarmMember: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AlarmMember",
        [
            ProtoFieldSchema("memberID", 1, .uint64),
            ProtoFieldSchema("alarm", 2, .enumeration(.alarmType)),
        ])
    static let alarmResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AlarmResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("alarms", 2, .message({ .alarmMember }), repeated: true),
        ])
    static let statusRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.StatusRequest", [])
    static let statusResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.StatusResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("version", 2, .string),
            ProtoFieldSchema("dbSize", 3, .int64),
            ProtoFieldSchema("leader", 4, .uint64),
            ProtoFieldSchema("raftIndex", 5, .uint64),
            ProtoFieldSchema("raftTerm", 6, .uint64),
            ProtoFieldSchema("raftAppliedIndex", 7, .uint64),
            ProtoFieldSchema("errors", 8, .string, repeated: true),
            ProtoFieldSchema("dbSizeInUse", 9, .int64),
            ProtoFieldSchema("isLearner", 10, .bool),
        ])
    static let authEnableRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.AuthEnableRequest", [])
    static let authDisableRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.AuthDisableRequest", [])
    static let authenticateRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthenticateRequest",
        [
            ProtoFieldSchema("name", 1, .string),
            ProtoFieldSchema("password", 2, .string),
        ])
    static let authUserAddRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserAddRequest",
        [
            ProtoFieldSchema("name", 1, .string),
            ProtoFieldSchema("password", 2, .string),
            ProtoFieldSchema("options", 3, .message({ .authUserAddOptions })),
        ])
    static let authUserGetRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserGetRequest",
        [
            ProtoFieldSchema("name", 1, .string),
        ])
    static let authUserDeleteRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserDeleteRequest",
        [
            ProtoFieldSchema("name", 1, .string),
        ])
    static let authUserChangePasswordRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserChangePasswordRequest",
        [
            ProtoFieldSchema("name", 1, .string),
            ProtoFieldSchema("password", 2, .string),
        ])
    static let authUserGrantRoleRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserGrantRoleRequest",
        [
            ProtoFieldSchema("user", 1, .string),
            ProtoFieldSchema("role", 2, .string),
        ])
    static let authUserRevokeRoleRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserRevokeRoleRequest",
        [
            ProtoFieldSchema("name", 1, .string),
            ProtoFieldSchema("role", 2, .string),
        ])
    static let authRoleAddRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleAddRequest",
        [
            ProtoFieldSchema("name", 1, .string),
        ])
    static let authRoleGetRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleGetRequest",
        [
            ProtoFieldSchema("role", 1, .string),
        ])
    static let authUserListRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.AuthUserListRequest", [])
    static let authRoleListRequest: ProtoMessageSchema = ProtoMessageSchema("etcdserverpb.AuthRoleListRequest", [])
    static let authRoleDeleteRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleDeleteRequest",
        [
            ProtoFieldSchema("role", 1, .string),
        ])
    static let authRoleGrantPermissionRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleGrantPermissionRequest",
        [
            ProtoFieldSchema("name", 1, .string),
            ProtoFieldSchema("perm", 2, .message({ .authPermission })),
        ])
    static let authRoleRevokePermissionRequest: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleRevokePermissionRequest",
        [
            ProtoFieldSchema("role", 1, .string),
            ProtoFieldSchema("key", 2, .bytes),
            ProtoFieldSchema("range_end", 3, .bytes),
        ])
    static let authEnableResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthEnableResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authDisableResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthDisableResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authenticateResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthenticateResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("token", 2, .string),
        ])
    static let authUserAddResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserAddResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authUserGetResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserGetResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("roles", 2, .string, repeated: true),
        ])
    static let authUserDeleteResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserDeleteResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authUserChangePasswordResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserChangePasswordResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authUserGrantRoleResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserGrantRoleResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authUserRevokeRoleResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserRevokeRoleResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authRoleAddResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleAddResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authRoleGetResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleGetResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("perm", 2, .message({ .authPermission }), repeated: true),
        ])
    static let authRoleListResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleListResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("roles", 2, .string, repeated: true),
        ])
    static let authUserListResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthUserListResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("users", 2, .string, repeated: true),
        ])
    static let authRoleDeleteResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleDeleteResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authRoleGrantPermissionResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleGrantPermissionResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let authRoleRevokePermissionResponse: ProtoMessageSchema = ProtoMessageSchema(
        "etcdserverpb.AuthRoleRevokePermissionResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let mvccKeyValue: ProtoMessageSchema = ProtoMessageSchema(
        "mvccpb.KeyValue",
        [
            ProtoFieldSchema("key", 1, .bytes),
            ProtoFieldSchema("create_revision", 2, .int64),
            ProtoFieldSchema("mod_revision", 3, .int64),
            ProtoFieldSchema("version", 4, .int64),
            ProtoFieldSchema("value", 5, .bytes),
            ProtoFieldSchema("lease", 6, .int64),
        ])
    static let mvccEvent: ProtoMessageSchema = ProtoMessageSchema(
        "mvccpb.Event",
        [
            ProtoFieldSchema("type", 1, .enumeration(.mvccEventEventType)),
            ProtoFieldSchema("kv", 2, .message({ .mvccKeyValue })),
            ProtoFieldSchema("prev_kv", 3, .message({ .mvccKeyValue })),
        ])
    static let authUserAddOptions: ProtoMessageSchema = ProtoMessageSchema(
        "authpb.UserAddOptions",
        [
            ProtoFieldSchema("no_password", 1, .bool),
        ])
    static let authPermission: ProtoMessageSchema = ProtoMessageSchema(
        "authpb.Permission",
        [
            ProtoFieldSchema("permType", 1, .enumeration(.authPermissionType)),
            ProtoFieldSchema("key", 2, .bytes),
            ProtoFieldSchema("range_end", 3, .bytes),
        ])
    static let electionCampaignRequest: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.CampaignRequest",
        [
            ProtoFieldSchema("name", 1, .bytes),
            ProtoFieldSchema("lease", 2, .int64),
            ProtoFieldSchema("value", 3, .bytes),
        ])
    static let electionCampaignResponse: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.CampaignResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("leader", 2, .message({ .electionLeaderKey })),
        ])
    static let electionLeaderKey: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.LeaderKey",
        [
            ProtoFieldSchema("name", 1, .bytes),
            ProtoFieldSchema("key", 2, .bytes),
            ProtoFieldSchema("rev", 3, .int64),
            ProtoFieldSchema("lease", 4, .int64),
        ])
    static let electionLeaderRequest: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.LeaderRequest",
        [
            ProtoFieldSchema("name", 1, .bytes),
        ])
    static let electionLeaderResponse: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.LeaderResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("kv", 2, .message({ .mvccKeyValue })),
        ])
    static let electionResignRequest: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.ResignRequest",
        [
            ProtoFieldSchema("leader", 1, .message({ .electionLeaderKey })),
        ])
    static let electionResignResponse: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.ResignResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let electionProclaimRequest: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.ProclaimRequest",
        [
            ProtoFieldSchema("leader", 1, .message({ .electionLeaderKey })),
            ProtoFieldSchema("value", 2, .bytes),
        ])
    static let electionProclaimResponse: ProtoMessageSchema = ProtoMessageSchema(
        "v3electionpb.ProclaimResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
    static let lockLockRequest: ProtoMessageSchema = ProtoMessageSchema(
        "v3lockpb.LockRequest",
        [
            ProtoFieldSchema("name", 1, .bytes),
            ProtoFieldSchema("lease", 2, .int64),
        ])
    static let lockLockResponse: ProtoMessageSchema = ProtoMessageSchema(
        "v3lockpb.LockResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
            ProtoFieldSchema("key", 2, .bytes),
        ])
    static let lockUnlockRequest: ProtoMessageSchema = ProtoMessageSchema(
        "v3lockpb.UnlockRequest",
        [
            ProtoFieldSchema("key", 1, .bytes),
        ])
    static let lockUnlockResponse: ProtoMessageSchema = ProtoMessageSchema(
        "v3lockpb.UnlockResponse",
        [
            ProtoFieldSchema("header", 1, .message({ .responseHeader })),
        ])
}
