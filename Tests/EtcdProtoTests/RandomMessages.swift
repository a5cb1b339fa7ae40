// Random values of every message, for the differential tests.
// First drafted mechanically from proto/, now maintained by hand: edit here, not in a generator.

import EtcdProto

extension KeyValue: RandomMessage {
    static let protoName = "mvccpb.KeyValue"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.createRevision = source.int64() }
        if source.present(depth: 0) { message.modRevision = source.int64() }
        if source.present(depth: 0) { message.version = source.int64() }
        if source.present(depth: 0) { message.value = source.bytes() }
        if source.present(depth: 0) { message.lease = source.int64() }
        return message
    }
}

extension Event: RandomMessage {
    static let protoName = "mvccpb.Event"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.type = Event.EventType(rawValue: source.enumValue(known: [0, 1])) }
        if source.present(depth: depth) { message.kv = KeyValue.random(using: &source, depth: depth + 1) }
        if source.present(depth: depth) { message.prevKv = KeyValue.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension UserAddOptions: RandomMessage {
    static let protoName = "authpb.UserAddOptions"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.noPassword = source.bool() }
        return message
    }
}

extension User: RandomMessage {
    static let protoName = "authpb.User"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.bytes() }
        if source.present(depth: 0) { message.password = source.bytes() }
        for _ in 0..<source.repeatCount(depth: 0) { message.roles.append(source.string()) }
        if source.present(depth: depth) { message.options = UserAddOptions.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension Permission: RandomMessage {
    static let protoName = "authpb.Permission"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.permType = Permission.PermissionType(rawValue: source.enumValue(known: [0, 1, 2])) }
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rangeEnd = source.bytes() }
        return message
    }
}

extension Role: RandomMessage {
    static let protoName = "authpb.Role"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.bytes() }
        for _ in 0..<source.repeatCount(depth: depth) { message.keyPermission.append(Permission.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension ResponseHeader: RandomMessage {
    static let protoName = "etcdserverpb.ResponseHeader"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.clusterId = source.uint64() }
        if source.present(depth: 0) { message.memberId = source.uint64() }
        if source.present(depth: 0) { message.revision = source.int64() }
        if source.present(depth: 0) { message.raftTerm = source.uint64() }
        return message
    }
}

extension RangeRequest: RandomMessage {
    static let protoName = "etcdserverpb.RangeRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rangeEnd = source.bytes() }
        if source.present(depth: 0) { message.limit = source.int64() }
        if source.present(depth: 0) { message.revision = source.int64() }
        if source.present(depth: 0) { message.sortOrder = RangeRequest.SortOrder(rawValue: source.enumValue(known: [0, 1, 2])) }
        if source.present(depth: 0) { message.sortTarget = RangeRequest.SortTarget(rawValue: source.enumValue(known: [0, 1, 2, 3, 4])) }
        if source.present(depth: 0) { message.serializable = source.bool() }
        if source.present(depth: 0) { message.keysOnly = source.bool() }
        if source.present(depth: 0) { message.countOnly = source.bool() }
        if source.present(depth: 0) { message.minModRevision = source.int64() }
        if source.present(depth: 0) { message.maxModRevision = source.int64() }
        if source.present(depth: 0) { message.minCreateRevision = source.int64() }
        if source.present(depth: 0) { message.maxCreateRevision = source.int64() }
        return message
    }
}

extension RangeResponse: RandomMessage {
    static let protoName = "etcdserverpb.RangeResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.kvs.append(KeyValue.random(using: &source, depth: depth + 1)) }
        if source.present(depth: 0) { message.more = source.bool() }
        if source.present(depth: 0) { message.count = source.int64() }
        return message
    }
}

extension PutRequest: RandomMessage {
    static let protoName = "etcdserverpb.PutRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.value = source.bytes() }
        if source.present(depth: 0) { message.lease = source.int64() }
        if source.present(depth: 0) { message.prevKv = source.bool() }
        if source.present(depth: 0) { message.ignoreValue = source.bool() }
        if source.present(depth: 0) { message.ignoreLease = source.bool() }
        return message
    }
}

extension PutResponse: RandomMessage {
    static let protoName = "etcdserverpb.PutResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: depth) { message.prevKv = KeyValue.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension DeleteRangeRequest: RandomMessage {
    static let protoName = "etcdserverpb.DeleteRangeRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rangeEnd = source.bytes() }
        if source.present(depth: 0) { message.prevKv = source.bool() }
        return message
    }
}

extension DeleteRangeResponse: RandomMessage {
    static let protoName = "etcdserverpb.DeleteRangeResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.deleted = source.int64() }
        for _ in 0..<source.repeatCount(depth: depth) { message.prevKvs.append(KeyValue.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension RequestOp: RandomMessage {
    static let protoName = "etcdserverpb.RequestOp"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        switch source.choice(count: 5, depth: depth) {
        case 0: message.request = .requestRange(RangeRequest.random(using: &source, depth: depth + 1))
        case 1: message.request = .requestPut(PutRequest.random(using: &source, depth: depth + 1))
        case 2: message.request = .requestDeleteRange(DeleteRangeRequest.random(using: &source, depth: depth + 1))
        case 3: message.request = .requestTxn(TxnRequest.random(using: &source, depth: depth + 1))
        default: break
        }
        return message
    }
}

extension ResponseOp: RandomMessage {
    static let protoName = "etcdserverpb.ResponseOp"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        switch source.choice(count: 5, depth: depth) {
        case 0: message.response = .responseRange(RangeResponse.random(using: &source, depth: depth + 1))
        case 1: message.response = .responsePut(PutResponse.random(using: &source, depth: depth + 1))
        case 2: message.response = .responseDeleteRange(DeleteRangeResponse.random(using: &source, depth: depth + 1))
        case 3: message.response = .responseTxn(TxnResponse.random(using: &source, depth: depth + 1))
        default: break
        }
        return message
    }
}

extension Compare: RandomMessage {
    static let protoName = "etcdserverpb.Compare"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.result = Compare.CompareResult(rawValue: source.enumValue(known: [0, 1, 2, 3])) }
        if source.present(depth: 0) { message.target = Compare.CompareTarget(rawValue: source.enumValue(known: [0, 1, 2, 3, 4])) }
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rangeEnd = source.bytes() }
        switch source.choice(count: 6, depth: depth) {
        case 0: message.targetUnion = .version(source.int64())
        case 1: message.targetUnion = .createRevision(source.int64())
        case 2: message.targetUnion = .modRevision(source.int64())
        case 3: message.targetUnion = .value(source.bytes())
        case 4: message.targetUnion = .lease(source.int64())
        default: break
        }
        return message
    }
}

extension TxnRequest: RandomMessage {
    static let protoName = "etcdserverpb.TxnRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        for _ in 0..<source.repeatCount(depth: depth) { message.compare.append(Compare.random(using: &source, depth: depth + 1)) }
        for _ in 0..<source.repeatCount(depth: depth) { message.success.append(RequestOp.random(using: &source, depth: depth + 1)) }
        for _ in 0..<source.repeatCount(depth: depth) { message.failure.append(RequestOp.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension TxnResponse: RandomMessage {
    static let protoName = "etcdserverpb.TxnResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.succeeded = source.bool() }
        for _ in 0..<source.repeatCount(depth: depth) { message.responses.append(ResponseOp.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension CompactionRequest: RandomMessage {
    static let protoName = "etcdserverpb.CompactionRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.revision = source.int64() }
        if source.present(depth: 0) { message.physical = source.bool() }
        return message
    }
}

extension CompactionResponse: RandomMessage {
    static let protoName = "etcdserverpb.CompactionResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension HashRequest: RandomMessage {
    static let protoName = "etcdserverpb.HashRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension HashKVRequest: RandomMessage {
    static let protoName = "etcdserverpb.HashKVRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.revision = source.int64() }
        return message
    }
}

extension HashKVResponse: RandomMessage {
    static let protoName = "etcdserverpb.HashKVResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.hash = source.uint32() }
        if source.present(depth: 0) { message.compactRevision = source.int64() }
        if source.present(depth: 0) { message.hashRevision = source.int64() }
        return message
    }
}

extension HashResponse: RandomMessage {
    static let protoName = "etcdserverpb.HashResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.hash = source.uint32() }
        return message
    }
}

extension SnapshotRequest: RandomMessage {
    static let protoName = "etcdserverpb.SnapshotRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension SnapshotResponse: RandomMessage {
    static let protoName = "etcdserverpb.SnapshotResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.remainingBytes = source.uint64() }
        if source.present(depth: 0) { message.blob = source.bytes() }
        if source.present(depth: 0) { message.version = source.string() }
        return message
    }
}

extension WatchRequest: RandomMessage {
    static let protoName = "etcdserverpb.WatchRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        switch source.choice(count: 4, depth: depth) {
        case 0: message.requestUnion = .createRequest(WatchCreateRequest.random(using: &source, depth: depth + 1))
        case 1: message.requestUnion = .cancelRequest(WatchCancelRequest.random(using: &source, depth: depth + 1))
        case 2: message.requestUnion = .progressRequest(WatchProgressRequest.random(using: &source, depth: depth + 1))
        default: break
        }
        return message
    }
}

extension WatchCreateRequest: RandomMessage {
    static let protoName = "etcdserverpb.WatchCreateRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rangeEnd = source.bytes() }
        if source.present(depth: 0) { message.startRevision = source.int64() }
        if source.present(depth: 0) { message.progressNotify = source.bool() }
        for _ in 0..<source.repeatCount(depth: 0) { message.filters.append(WatchCreateRequest.FilterType(rawValue: source.enumValue(known: [0, 1]))) }
        if source.present(depth: 0) { message.prevKv = source.bool() }
        if source.present(depth: 0) { message.watchId = source.int64() }
        if source.present(depth: 0) { message.fragment = source.bool() }
        return message
    }
}

extension WatchCancelRequest: RandomMessage {
    static let protoName = "etcdserverpb.WatchCancelRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.watchId = source.int64() }
        return message
    }
}

extension WatchProgressRequest: RandomMessage {
    static let protoName = "etcdserverpb.WatchProgressRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension WatchResponse: RandomMessage {
    static let protoName = "etcdserverpb.WatchResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.watchId = source.int64() }
        if source.present(depth: 0) { message.created = source.bool() }
        if source.present(depth: 0) { message.canceled = source.bool() }
        if source.present(depth: 0) { message.compactRevision = source.int64() }
        if source.present(depth: 0) { message.cancelReason = source.string() }
        if source.present(depth: 0) { message.fragment = source.bool() }
        for _ in 0..<source.repeatCount(depth: depth) { message.events.append(Event.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension LeaseGrantRequest: RandomMessage {
    static let protoName = "etcdserverpb.LeaseGrantRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.ttl = source.int64() }
        if source.present(depth: 0) { message.id = source.int64() }
        return message
    }
}

extension LeaseGrantResponse: RandomMessage {
    static let protoName = "etcdserverpb.LeaseGrantResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.id = source.int64() }
        if source.present(depth: 0) { message.ttl = source.int64() }
        if source.present(depth: 0) { message.error = source.string() }
        return message
    }
}

extension LeaseRevokeRequest: RandomMessage {
    static let protoName = "etcdserverpb.LeaseRevokeRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.int64() }
        return message
    }
}

extension LeaseRevokeResponse: RandomMessage {
    static let protoName = "etcdserverpb.LeaseRevokeResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension LeaseCheckpoint: RandomMessage {
    static let protoName = "etcdserverpb.LeaseCheckpoint"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.int64() }
        if source.present(depth: 0) { message.remainingTtl = source.int64() }
        return message
    }
}

extension LeaseCheckpointRequest: RandomMessage {
    static let protoName = "etcdserverpb.LeaseCheckpointRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        for _ in 0..<source.repeatCount(depth: depth) { message.checkpoints.append(LeaseCheckpoint.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension LeaseCheckpointResponse: RandomMessage {
    static let protoName = "etcdserverpb.LeaseCheckpointResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension LeaseKeepAliveRequest: RandomMessage {
    static let protoName = "etcdserverpb.LeaseKeepAliveRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.int64() }
        return message
    }
}

extension LeaseKeepAliveResponse: RandomMessage {
    static let protoName = "etcdserverpb.LeaseKeepAliveResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.id = source.int64() }
        if source.present(depth: 0) { message.ttl = source.int64() }
        return message
    }
}

extension LeaseTimeToLiveRequest: RandomMessage {
    static let protoName = "etcdserverpb.LeaseTimeToLiveRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.int64() }
        if source.present(depth: 0) { message.keys = source.bool() }
        return message
    }
}

extension LeaseTimeToLiveResponse: RandomMessage {
    static let protoName = "etcdserverpb.LeaseTimeToLiveResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.id = source.int64() }
        if source.present(depth: 0) { message.ttl = source.int64() }
        if source.present(depth: 0) { message.grantedTtl = source.int64() }
        for _ in 0..<source.repeatCount(depth: 0) { message.keys.append(source.bytes()) }
        return message
    }
}

extension LeaseLeasesRequest: RandomMessage {
    static let protoName = "etcdserverpb.LeaseLeasesRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension LeaseStatus: RandomMessage {
    static let protoName = "etcdserverpb.LeaseStatus"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.int64() }
        return message
    }
}

extension LeaseLeasesResponse: RandomMessage {
    static let protoName = "etcdserverpb.LeaseLeasesResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.leases.append(LeaseStatus.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension Member: RandomMessage {
    static let protoName = "etcdserverpb.Member"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.uint64() }
        if source.present(depth: 0) { message.name = source.string() }
        for _ in 0..<source.repeatCount(depth: 0) { message.peerUrls.append(source.string()) }
        for _ in 0..<source.repeatCount(depth: 0) { message.clientUrls.append(source.string()) }
        if source.present(depth: 0) { message.isLearner = source.bool() }
        return message
    }
}

extension MemberAddRequest: RandomMessage {
    static let protoName = "etcdserverpb.MemberAddRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        for _ in 0..<source.repeatCount(depth: 0) { message.peerUrls.append(source.string()) }
        if source.present(depth: 0) { message.isLearner = source.bool() }
        return message
    }
}

extension MemberAddResponse: RandomMessage {
    static let protoName = "etcdserverpb.MemberAddResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: depth) { message.member = Member.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.members.append(Member.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension MemberRemoveRequest: RandomMessage {
    static let protoName = "etcdserverpb.MemberRemoveRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.uint64() }
        return message
    }
}

extension MemberRemoveResponse: RandomMessage {
    static let protoName = "etcdserverpb.MemberRemoveResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.members.append(Member.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension MemberUpdateRequest: RandomMessage {
    static let protoName = "etcdserverpb.MemberUpdateRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.uint64() }
        for _ in 0..<source.repeatCount(depth: 0) { message.peerUrls.append(source.string()) }
        return message
    }
}

extension MemberUpdateResponse: RandomMessage {
    static let protoName = "etcdserverpb.MemberUpdateResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.members.append(Member.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension MemberListRequest: RandomMessage {
    static let protoName = "etcdserverpb.MemberListRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.linearizable = source.bool() }
        return message
    }
}

extension MemberListResponse: RandomMessage {
    static let protoName = "etcdserverpb.MemberListResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.members.append(Member.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension MemberPromoteRequest: RandomMessage {
    static let protoName = "etcdserverpb.MemberPromoteRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.id = source.uint64() }
        return message
    }
}

extension MemberPromoteResponse: RandomMessage {
    static let protoName = "etcdserverpb.MemberPromoteResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.members.append(Member.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension DefragmentRequest: RandomMessage {
    static let protoName = "etcdserverpb.DefragmentRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension DefragmentResponse: RandomMessage {
    static let protoName = "etcdserverpb.DefragmentResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension MoveLeaderRequest: RandomMessage {
    static let protoName = "etcdserverpb.MoveLeaderRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.targetId = source.uint64() }
        return message
    }
}

extension MoveLeaderResponse: RandomMessage {
    static let protoName = "etcdserverpb.MoveLeaderResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AlarmRequest: RandomMessage {
    static let protoName = "etcdserverpb.AlarmRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.action = AlarmRequest.AlarmAction(rawValue: source.enumValue(known: [0, 1, 2])) }
        if source.present(depth: 0) { message.memberId = source.uint64() }
        if source.present(depth: 0) { message.alarm = AlarmType(rawValue: source.enumValue(known: [0, 1, 2])) }
        return message
    }
}

extension AlarmMember: RandomMessage {
    static let protoName = "etcdserverpb.AlarmMember"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.memberId = source.uint64() }
        if source.present(depth: 0) { message.alarm = AlarmType(rawValue: source.enumValue(known: [0, 1, 2])) }
        return message
    }
}

extension AlarmResponse: RandomMessage {
    static let protoName = "etcdserverpb.AlarmResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.alarms.append(AlarmMember.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension DowngradeRequest: RandomMessage {
    static let protoName = "etcdserverpb.DowngradeRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.action = DowngradeRequest.DowngradeAction(rawValue: source.enumValue(known: [0, 1, 2])) }
        if source.present(depth: 0) { message.version = source.string() }
        return message
    }
}

extension DowngradeResponse: RandomMessage {
    static let protoName = "etcdserverpb.DowngradeResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.version = source.string() }
        return message
    }
}

extension StatusRequest: RandomMessage {
    static let protoName = "etcdserverpb.StatusRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension StatusResponse: RandomMessage {
    static let protoName = "etcdserverpb.StatusResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.version = source.string() }
        if source.present(depth: 0) { message.dbSize = source.int64() }
        if source.present(depth: 0) { message.leader = source.uint64() }
        if source.present(depth: 0) { message.raftIndex = source.uint64() }
        if source.present(depth: 0) { message.raftTerm = source.uint64() }
        if source.present(depth: 0) { message.raftAppliedIndex = source.uint64() }
        for _ in 0..<source.repeatCount(depth: 0) { message.errors.append(source.string()) }
        if source.present(depth: 0) { message.dbSizeInUse = source.int64() }
        if source.present(depth: 0) { message.isLearner = source.bool() }
        if source.present(depth: 0) { message.storageVersion = source.string() }
        if source.present(depth: 0) { message.dbSizeQuota = source.int64() }
        if source.present(depth: depth) { message.downgradeInfo = DowngradeInfo.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension DowngradeInfo: RandomMessage {
    static let protoName = "etcdserverpb.DowngradeInfo"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.enabled = source.bool() }
        if source.present(depth: 0) { message.targetVersion = source.string() }
        return message
    }
}

extension AuthEnableRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthEnableRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension AuthDisableRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthDisableRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension AuthStatusRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthStatusRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension AuthenticateRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthenticateRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        if source.present(depth: 0) { message.password = source.string() }
        return message
    }
}

extension AuthUserAddRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserAddRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        if source.present(depth: 0) { message.password = source.string() }
        if source.present(depth: depth) { message.options = UserAddOptions.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.hashedPassword = source.string() }
        return message
    }
}

extension AuthUserGetRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserGetRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        return message
    }
}

extension AuthUserDeleteRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserDeleteRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        return message
    }
}

extension AuthUserChangePasswordRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserChangePasswordRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        if source.present(depth: 0) { message.password = source.string() }
        if source.present(depth: 0) { message.hashedPassword = source.string() }
        return message
    }
}

extension AuthUserGrantRoleRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserGrantRoleRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.user = source.string() }
        if source.present(depth: 0) { message.role = source.string() }
        return message
    }
}

extension AuthUserRevokeRoleRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserRevokeRoleRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        if source.present(depth: 0) { message.role = source.string() }
        return message
    }
}

extension AuthRoleAddRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleAddRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        return message
    }
}

extension AuthRoleGetRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleGetRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.role = source.string() }
        return message
    }
}

extension AuthUserListRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserListRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension AuthRoleListRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleListRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        let message = Self()
        return message
    }
}

extension AuthRoleDeleteRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleDeleteRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.role = source.string() }
        return message
    }
}

extension AuthRoleGrantPermissionRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleGrantPermissionRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.string() }
        if source.present(depth: depth) { message.perm = Permission.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthRoleRevokePermissionRequest: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleRevokePermissionRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.role = source.string() }
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rangeEnd = source.bytes() }
        return message
    }
}

extension AuthEnableResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthEnableResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthDisableResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthDisableResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthStatusResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthStatusResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.enabled = source.bool() }
        if source.present(depth: 0) { message.authRevision = source.uint64() }
        return message
    }
}

extension AuthenticateResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthenticateResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.token = source.string() }
        return message
    }
}

extension AuthUserAddResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserAddResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthUserGetResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserGetResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: 0) { message.roles.append(source.string()) }
        return message
    }
}

extension AuthUserDeleteResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserDeleteResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthUserChangePasswordResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserChangePasswordResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthUserGrantRoleResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserGrantRoleResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthUserRevokeRoleResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserRevokeRoleResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthRoleAddResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleAddResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthRoleGetResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleGetResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: depth) { message.perm.append(Permission.random(using: &source, depth: depth + 1)) }
        return message
    }
}

extension AuthRoleListResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleListResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: 0) { message.roles.append(source.string()) }
        return message
    }
}

extension AuthUserListResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthUserListResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        for _ in 0..<source.repeatCount(depth: 0) { message.users.append(source.string()) }
        return message
    }
}

extension AuthRoleDeleteResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleDeleteResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthRoleGrantPermissionResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleGrantPermissionResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension AuthRoleRevokePermissionResponse: RandomMessage {
    static let protoName = "etcdserverpb.AuthRoleRevokePermissionResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension CampaignRequest: RandomMessage {
    static let protoName = "v3electionpb.CampaignRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.bytes() }
        if source.present(depth: 0) { message.lease = source.int64() }
        if source.present(depth: 0) { message.value = source.bytes() }
        return message
    }
}

extension CampaignResponse: RandomMessage {
    static let protoName = "v3electionpb.CampaignResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: depth) { message.leader = LeaderKey.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension LeaderKey: RandomMessage {
    static let protoName = "v3electionpb.LeaderKey"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.bytes() }
        if source.present(depth: 0) { message.key = source.bytes() }
        if source.present(depth: 0) { message.rev = source.int64() }
        if source.present(depth: 0) { message.lease = source.int64() }
        return message
    }
}

extension LeaderRequest: RandomMessage {
    static let protoName = "v3electionpb.LeaderRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.bytes() }
        return message
    }
}

extension LeaderResponse: RandomMessage {
    static let protoName = "v3electionpb.LeaderResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: depth) { message.kv = KeyValue.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension ResignRequest: RandomMessage {
    static let protoName = "v3electionpb.ResignRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.leader = LeaderKey.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension ResignResponse: RandomMessage {
    static let protoName = "v3electionpb.ResignResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension ProclaimRequest: RandomMessage {
    static let protoName = "v3electionpb.ProclaimRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.leader = LeaderKey.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.value = source.bytes() }
        return message
    }
}

extension ProclaimResponse: RandomMessage {
    static let protoName = "v3electionpb.ProclaimResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension LockRequest: RandomMessage {
    static let protoName = "v3lockpb.LockRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.name = source.bytes() }
        if source.present(depth: 0) { message.lease = source.int64() }
        return message
    }
}

extension LockResponse: RandomMessage {
    static let protoName = "v3lockpb.LockResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        if source.present(depth: 0) { message.key = source.bytes() }
        return message
    }
}

extension UnlockRequest: RandomMessage {
    static let protoName = "v3lockpb.UnlockRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.key = source.bytes() }
        return message
    }
}

extension UnlockResponse: RandomMessage {
    static let protoName = "v3lockpb.UnlockResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: depth) { message.header = ResponseHeader.random(using: &source, depth: depth + 1) }
        return message
    }
}

extension HealthCheckRequest: RandomMessage {
    static let protoName = "grpc.health.v1.HealthCheckRequest"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.service = source.string() }
        return message
    }
}

extension HealthCheckResponse: RandomMessage {
    static let protoName = "grpc.health.v1.HealthCheckResponse"

    static func random(using source: inout RandomSource, depth: Int) -> Self {
        var message = Self()
        if source.present(depth: 0) { message.status = HealthCheckResponse.ServingStatus(rawValue: source.enumValue(known: [0, 1, 2, 3])) }
        return message
    }
}

let allMessageTypes: [any RandomMessage.Type] = [
    KeyValue.self,
    Event.self,
    UserAddOptions.self,
    User.self,
    Permission.self,
    Role.self,
    ResponseHeader.self,
    RangeRequest.self,
    RangeResponse.self,
    PutRequest.self,
    PutResponse.self,
    DeleteRangeRequest.self,
    DeleteRangeResponse.self,
    RequestOp.self,
    ResponseOp.self,
    Compare.self,
    TxnRequest.self,
    TxnResponse.self,
    CompactionRequest.self,
    CompactionResponse.self,
    HashRequest.self,
    HashKVRequest.self,
    HashKVResponse.self,
    HashResponse.self,
    SnapshotRequest.self,
    SnapshotResponse.self,
    WatchRequest.self,
    WatchCreateRequest.self,
    WatchCancelRequest.self,
    WatchProgressRequest.self,
    WatchResponse.self,
    LeaseGrantRequest.self,
    LeaseGrantResponse.self,
    LeaseRevokeRequest.self,
    LeaseRevokeResponse.self,
    LeaseCheckpoint.self,
    LeaseCheckpointRequest.self,
    LeaseCheckpointResponse.self,
    LeaseKeepAliveRequest.self,
    LeaseKeepAliveResponse.self,
    LeaseTimeToLiveRequest.self,
    LeaseTimeToLiveResponse.self,
    LeaseLeasesRequest.self,
    LeaseStatus.self,
    LeaseLeasesResponse.self,
    Member.self,
    MemberAddRequest.self,
    MemberAddResponse.self,
    MemberRemoveRequest.self,
    MemberRemoveResponse.self,
    MemberUpdateRequest.self,
    MemberUpdateResponse.self,
    MemberListRequest.self,
    MemberListResponse.self,
    MemberPromoteRequest.self,
    MemberPromoteResponse.self,
    DefragmentRequest.self,
    DefragmentResponse.self,
    MoveLeaderRequest.self,
    MoveLeaderResponse.self,
    AlarmRequest.self,
    AlarmMember.self,
    AlarmResponse.self,
    DowngradeRequest.self,
    DowngradeResponse.self,
    StatusRequest.self,
    StatusResponse.self,
    DowngradeInfo.self,
    AuthEnableRequest.self,
    AuthDisableRequest.self,
    AuthStatusRequest.self,
    AuthenticateRequest.self,
    AuthUserAddRequest.self,
    AuthUserGetRequest.self,
    AuthUserDeleteRequest.self,
    AuthUserChangePasswordRequest.self,
    AuthUserGrantRoleRequest.self,
    AuthUserRevokeRoleRequest.self,
    AuthRoleAddRequest.self,
    AuthRoleGetRequest.self,
    AuthUserListRequest.self,
    AuthRoleListRequest.self,
    AuthRoleDeleteRequest.self,
    AuthRoleGrantPermissionRequest.self,
    AuthRoleRevokePermissionRequest.self,
    AuthEnableResponse.self,
    AuthDisableResponse.self,
    AuthStatusResponse.self,
    AuthenticateResponse.self,
    AuthUserAddResponse.self,
    AuthUserGetResponse.self,
    AuthUserDeleteResponse.self,
    AuthUserChangePasswordResponse.self,
    AuthUserGrantRoleResponse.self,
    AuthUserRevokeRoleResponse.self,
    AuthRoleAddResponse.self,
    AuthRoleGetResponse.self,
    AuthRoleListResponse.self,
    AuthUserListResponse.self,
    AuthRoleDeleteResponse.self,
    AuthRoleGrantPermissionResponse.self,
    AuthRoleRevokePermissionResponse.self,
    CampaignRequest.self,
    CampaignResponse.self,
    LeaderKey.self,
    LeaderRequest.self,
    LeaderResponse.self,
    ResignRequest.self,
    ResignResponse.self,
    ProclaimRequest.self,
    ProclaimResponse.self,
    LockRequest.self,
    LockResponse.self,
    UnlockRequest.self,
    UnlockResponse.self,
    HealthCheckRequest.self,
    HealthCheckResponse.self,
]
