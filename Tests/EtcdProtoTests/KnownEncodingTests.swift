import EtcdProto
import ProtoWire
import Testing

/// Encodings worked out by hand from the protobuf spec and etcd's field numbers.
@Suite struct KnownEncodingTests {
    @Test func putRequest() throws {
        let request = PutRequest(key: Array("foo".utf8), value: Array("bar".utf8), lease: 0x1234, prevKv: true)
        let expected: [UInt8] = [0x0A, 0x03, 0x66, 0x6F, 0x6F, 0x12, 0x03, 0x62, 0x61, 0x72, 0x18, 0xB4, 0x24, 0x20, 0x01]
        #expect(request.serializedBytes() == expected)
        #expect(try PutRequest(serializedBytes: expected) == request)
    }

    /// etcd's gogo decoders refuse a known field with the wrong wire type ("proto: wrong
    /// wireType = 0 for field Key"); skipping it would accept requests etcd rejects.
    @Test func knownFieldWithWrongWireTypeIsRefused() {
        #expect(throws: ProtoDecodingError.self) { try RangeRequest(serializedBytes: [0x08, 0x01]) }
        #expect(throws: ProtoDecodingError.self) { try PutRequest(serializedBytes: [0x0A, 0x01, 0x6B, 0x11] + [UInt8](repeating: 0, count: 8)) }
        do {
            _ = try KeyValue(serializedBytes: [0x10, 0x00, 0x12, 0x00])
            Issue.record("a length-delimited create_revision was accepted")
        } catch {
            #expect(error.code == .wrongWireType)
        }
        // Unknown fields of any wire type are still skipped.
        #expect((try? RangeRequest(serializedBytes: [0x0A, 0x01, 0x61, 0xF8, 0x07, 0x01])) != nil)
    }

    @Test func defaultsAreNotEncoded() {
        #expect(RangeRequest().serializedBytes().isEmpty)
        #expect(ResponseHeader(clusterId: 0, memberId: 0, revision: 0, raftTerm: 0).serializedBytes().isEmpty)
        // An empty submessage is still present.
        #expect(RangeResponse(header: ResponseHeader()).serializedBytes() == [0x0A, 0x00])
    }

    @Test func compareOneofPresenceAndHighFieldNumber() throws {
        let compare = Compare(
            result: .equal, target: .value, key: [0x61], rangeEnd: [0x62], targetUnion: .value([]))
        // The zero-valued oneof member is written because it is set; range_end is field 64 (two-byte tag).
        let expected: [UInt8] = [0x10, 0x03, 0x1A, 0x01, 0x61, 0x3A, 0x00, 0x82, 0x04, 0x01, 0x62]
        #expect(compare.serializedBytes() == expected)
        #expect(try Compare(serializedBytes: expected) == compare)
        #expect(try Compare(serializedBytes: [0x10, 0x03]).targetUnion == nil)
    }

    @Test func unknownEnumValuesRoundTrip() throws {
        let request = RangeRequest(sortOrder: RangeRequest.SortOrder(rawValue: -2), sortTarget: RangeRequest.SortTarget(rawValue: 99))
        let bytes = request.serializedBytes()
        #expect(bytes.count == 1 + 10 + 1 + 1)
        let decoded = try RangeRequest(serializedBytes: bytes)
        #expect(decoded.sortOrder.rawValue == -2)
        #expect(decoded.sortTarget.rawValue == 99)
    }

    @Test func watchFiltersArePackedAndAcceptedUnpacked() throws {
        let create = WatchCreateRequest(filters: [.noput, .nodelete])
        #expect(create.serializedBytes() == [0x2A, 0x02, 0x00, 0x01])
        let unpacked = try WatchCreateRequest(serializedBytes: [0x28, 0x01, 0x28, 0x00])
        #expect(unpacked.filters == [.nodelete, .noput])
    }

    @Test func nestedTransactionRoundTrip() throws {
        let put = RequestOp(request: .requestPut(PutRequest(key: [1], value: [2])))
        let inner = TxnRequest(success: [put])
        let txn = TxnRequest(
            compare: [Compare(result: .greater, target: .mod, key: [1], targetUnion: .modRevision(-5))],
            success: [RequestOp(request: .requestTxn(inner)), RequestOp(request: .requestRange(RangeRequest(key: [1], limit: 10)))],
            failure: [RequestOp(request: .requestDeleteRange(DeleteRangeRequest(key: [1], prevKv: true)))])
        let bytes = txn.serializedBytes()
        #expect(bytes.count == txn.encodedSize)
        #expect(try TxnRequest(serializedBytes: bytes) == txn)
    }

    @Test func responsesRoundTrip() throws {
        let header = ResponseHeader(clusterId: 0xDEAD_BEEF, memberId: .max, revision: 42, raftTerm: 3)
        let kv = KeyValue(key: [1], createRevision: 2, modRevision: 3, version: 1, value: [], lease: 7)
        let response = TxnResponse(
            header: header, succeeded: true,
            responses: [ResponseOp(response: .responseRange(RangeResponse(header: header, kvs: [kv, kv], more: true, count: 2)))])
        #expect(try TxnResponse(serializedBytes: response.serializedBytes()) == response)
        let event = Event(type: .delete, kv: kv, prevKv: kv)
        #expect(try Event(serializedBytes: event.serializedBytes()) == event)
    }

    @Test func repeatedSubmessageFieldsMerge() throws {
        // Field 1 (header) twice: cluster_id in the first, member_id in the second.
        let bytes: [UInt8] = [0x0A, 0x02, 0x08, 0x01, 0x0A, 0x02, 0x10, 0x02]
        #expect(try RangeResponse(serializedBytes: bytes).header == ResponseHeader(clusterId: 1, memberId: 2))
    }

    @Test func lastOneofMemberWins() throws {
        // request_range (1) then request_put (2).
        let bytes: [UInt8] = [0x0A, 0x00, 0x12, 0x02, 0x18, 0x05]
        #expect(try RequestOp(serializedBytes: bytes).request == .requestPut(PutRequest(lease: 5)))
    }

    @Test func unknownFieldsAreSkipped() throws {
        // key = "a", then field 100 varint and field 101 bytes from some newer client.
        let bytes: [UInt8] = [0x0A, 0x01, 0x61, 0xA0, 0x06, 0x01, 0xAA, 0x06, 0x01, 0xFF]
        #expect(try RangeRequest(serializedBytes: bytes) == RangeRequest(key: [0x61]))
    }

    @Test func malformedInputThrows() {
        #expect(throws: ProtoDecodingError.self) { try PutRequest(serializedBytes: [0x0A, 0x05, 0x66]) }
        #expect(throws: ProtoDecodingError.self) { try AuthenticateRequest(serializedBytes: [0x0A, 0x01, 0xFF]) }
    }

    @Test func serializeIntoCallerBuffer() {
        let request = LeaseGrantRequest(ttl: 60, id: 0x7FFF)
        var buffer = [UInt8](repeating: 0xEE, count: request.encodedSize + 4)
        let written = buffer.withUnsafeMutableBytes { request.serialize(into: $0) }
        #expect(written == request.encodedSize)
        #expect(Array(buffer[..<written]) == request.serializedBytes())
        #expect(buffer[written] == 0xEE)
    }
}
