import EtcdProto
import Foundation
import MVCC

/// A store in a fresh temporary directory, removed when the fixture goes away.
final class TemporaryStore {
    let directory: String
    private var openStore: MVCCStore?
    var store: MVCCStore { self.openStore! }
    private var nextIndex: UInt64 = 1

    /// Tests use a 256 MiB map unless `keepMapSize`.
    init(options: MVCCOptions = MVCCOptions(), keepMapSize: Bool = false) throws {
        self.directory = NSTemporaryDirectory() + "mvcc-test-" + UUID().uuidString
        var options = options
        if !keepMapSize { options.mapSize = 256 << 20 }
        self.openStore = try MVCCStore(directory: self.directory, options: options)
    }

    deinit { try? FileManager.default.removeItem(atPath: self.directory) }

    func reopen() throws {
        let options = self.store.options
        // LMDB must not have one environment open twice in a process: close before reopening.
        self.openStore = nil
        self.openStore = try MVCCStore(directory: self.directory, options: options)
    }

    /// Applies one write as its own batch with the next Raft index.
    @discardableResult
    func apply(_ write: MVCCWrite) throws -> MVCCWriteResult {
        let results = try self.store.apply([write], lastIndex: self.nextIndex)
        self.nextIndex += 1
        return results[0]
    }

    func grant(_ lease: Int64, ttl: Int64 = 60) throws {
        _ = try self.apply(.leaseGrant(LeaseRecord(id: lease, ttl: ttl))).response.get()
    }

    @discardableResult
    func put(_ key: String, _ value: String, lease: Int64 = 0, prevKv: Bool = false) throws -> PutResponse {
        let result = try self.apply(.put(putRequest(key, value, lease: lease, prevKv: prevKv)))
        guard case .put(let response) = try result.response.get() else { throw TestFailure("not a put response") }
        return response
    }

    @discardableResult
    func delete(_ key: String, end: String = "", prevKv: Bool = false) throws -> DeleteRangeResponse {
        var request = DeleteRangeRequest()
        request.key = Array(key.utf8)
        request.rangeEnd = Array(end.utf8)
        request.prevKv = prevKv
        guard case .deleteRange(let response) = try self.apply(.deleteRange(request)).response.get() else {
            throw TestFailure("not a delete response")
        }
        return response
    }

    @discardableResult
    func txn(_ request: TxnRequest) throws -> TxnResponse {
        guard case .txn(let response) = try self.apply(.txn(request)).response.get() else { throw TestFailure("not a txn response") }
        return response
    }

    func get(_ key: String, end: String = "", revision: Int64 = 0) throws -> RangeResponse {
        try self.store.range(rangeRequest(key, end: end, revision: revision))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

func putRequest(_ key: String, _ value: String, lease: Int64 = 0, prevKv: Bool = false) -> PutRequest {
    var request = PutRequest()
    request.key = bytes(key)
    request.value = bytes(value)
    request.lease = lease
    request.prevKv = prevKv
    return request
}

func rangeRequest(_ key: String, end: String = "", revision: Int64 = 0) -> RangeRequest {
    var request = RangeRequest()
    request.key = bytes(key)
    request.rangeEnd = bytes(end)
    request.revision = revision
    return request
}

func op(_ request: PutRequest) -> RequestOp {
    var op = RequestOp()
    op.request = .requestPut(request)
    return op
}

func op(_ request: RangeRequest) -> RequestOp {
    var op = RequestOp()
    op.request = .requestRange(request)
    return op
}

func op(_ request: DeleteRangeRequest) -> RequestOp {
    var op = RequestOp()
    op.request = .requestDeleteRange(request)
    return op
}

func op(_ request: TxnRequest) -> RequestOp {
    var op = RequestOp()
    op.request = .requestTxn(request)
    return op
}

func deleteRequest(_ key: String, end: String = "", prevKv: Bool = false) -> DeleteRangeRequest {
    var request = DeleteRangeRequest()
    request.key = bytes(key)
    request.rangeEnd = bytes(end)
    request.prevKv = prevKv
    return request
}

func compare(_ key: String, _ result: Compare.CompareResult, _ target: Compare.TargetUnion) -> Compare {
    var compare = Compare()
    compare.key = bytes(key)
    compare.result = result
    switch target {
    case .version: compare.target = .version
    case .createRevision: compare.target = .create
    case .modRevision: compare.target = .mod
    case .value: compare.target = .value
    case .lease: compare.target = .lease
    }
    compare.targetUnion = target
    return compare
}

func txnRequest(_ compares: [Compare], success: [RequestOp], failure: [RequestOp] = []) -> TxnRequest {
    var request = TxnRequest()
    request.compare = compares
    request.success = success
    request.failure = failure
    return request
}

func keys(_ response: RangeResponse) -> [String] {
    response.kvs.map { String(decoding: $0.key, as: UTF8.self) }
}

func values(_ response: RangeResponse) -> [String] {
    response.kvs.map { String(decoding: $0.value, as: UTF8.self) }
}

extension MVCCStore {
    /// Applies a batch whose every write must succeed.
    func applyExpectingSuccess(_ batch: [MVCCWrite], lastIndex: UInt64) throws {
        for result in try self.apply(batch, lastIndex: lastIndex) {
            _ = try result.response.get()
        }
    }
}
