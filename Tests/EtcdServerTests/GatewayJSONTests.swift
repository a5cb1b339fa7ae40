import EtcdProto
import GRPCTransport
import XCTest

@testable import EtcdServer

/// The JSON gateway's codec: JSON read and written as Go's encoding/json does, and protobuf
/// messages converted as etcd's grpc-gateway (jsonpb) converts them. Expected texts are what
/// etcd 3.4.23 answers to the same input.
final class GatewayJSONTests: XCTestCase {
    // MARK: Reading JSON

    private func syntaxError(_ text: String, whole: Bool = false) -> String? {
        let bytes = Array(text.utf8)
        do {
            if whole {
                _ = try JSONReader.wholeValue(bytes)
            } else {
                var offset = 0
                _ = try JSONReader.value(in: bytes, from: &offset)
            }
            return nil
        } catch {
            return error.message
        }
    }

    func testSyntaxErrorsAreWordedAsGoWordsThem() {
        XCTAssertEqual(syntaxError(#"{"a":}"#), "invalid character '}' looking for beginning of value")
        XCTAssertEqual(syntaxError(#"{"a" 1}"#), "invalid character '1' after object key")
        XCTAssertEqual(syntaxError(#"{"a":1 "b":2}"#), #"invalid character '"' after object key:value pair"#)
        XCTAssertEqual(syntaxError("[1 2]"), "invalid character '2' after array element")
        XCTAssertEqual(syntaxError("{a}"), "invalid character 'a' looking for beginning of object key string")
        XCTAssertEqual(syntaxError("trux"), "invalid character 'x' in literal true (expecting 'e')")
        XCTAssertEqual(syntaxError("nul1"), "invalid character '1' in literal null (expecting 'l')")
        XCTAssertEqual(syntaxError("-a"), "invalid character 'a' in numeric literal")
        XCTAssertEqual(syntaxError("1.x"), "invalid character 'x' after decimal point in numeric literal")
        XCTAssertEqual(syntaxError("1ex"), "invalid character 'x' in exponent of numeric literal")
        XCTAssertEqual(syntaxError(#""\q""#), "invalid character 'q' in string escape code")
        XCTAssertEqual(syntaxError(#""\u12x4""#), #"invalid character 'x' in \u hexadecimal character escape"#)
        XCTAssertEqual(syntaxError("\"a\nb\""), #"invalid character '\n' in string literal"#)
        XCTAssertEqual(syntaxError("'"), #"invalid character '\'' looking for beginning of value"#)
        XCTAssertEqual(syntaxError("\u{1}"), #"invalid character '\x01' looking for beginning of value"#)
    }

    func testTruncatedInputIsAnUnexpectedEndAsTheDecoderOrUnmarshalSaysIt() {
        XCTAssertEqual(syntaxError(#"{"key":"#), "unexpected EOF")
        XCTAssertEqual(syntaxError("tru"), "unexpected EOF")
        XCTAssertEqual(syntaxError("tru", whole: true), "unexpected end of JSON input")
        XCTAssertEqual(syntaxError("", whole: true), "unexpected end of JSON input")
        XCTAssertEqual(syntaxError("5x", whole: true), "invalid character 'x' after top-level value")
    }

    func testAStreamYieldsEachValueThenNothing() throws {
        let bytes = Array(#" {"a":1}{"b":[true,null]} "#.utf8)
        var offset = 0
        XCTAssertEqual(
            try JSONReader.value(in: bytes, from: &offset),
            .object([JSONMember(key: "a", value: .number("1"))]))
        XCTAssertEqual(
            try JSONReader.value(in: bytes, from: &offset),
            .object([JSONMember(key: "b", value: .array([.bool(true), .null]))]))
        XCTAssertNil(try JSONReader.value(in: bytes, from: &offset))
    }

    func testStringsAreUnescapedAsGoDoes() throws {
        let value = try JSONReader.wholeValue(Array(#""a\u00e9\ud83d\ude00\ud800\n\/""#.utf8))
        guard case .string(let text, _) = value else { return XCTFail("not a string: \(value)") }
        XCTAssertEqual(text, "aé😀\u{FFFD}\n/")
    }

    func testNestingDeeperThanGoAllowsIsRefused() {
        XCTAssertEqual(syntaxError(String(repeating: "[", count: 10_001)), "invalid character '[' exceeded max depth")
        XCTAssertEqual(syntaxError(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)), nil)
    }

    // MARK: Writing JSON

    func testStringsAreEscapedAsGoDoesForHTML() {
        var writer = JSONWriter()
        writer.string("<a>&\u{2028}\u{8}\t\"\\é")
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self), #""\u003ca\u003e\u0026\u2028\u0008\t\"\\é""#)
    }

    func testBase64IsGosStandardEncoding() {
        XCTAssertEqual(GoBase64.encode(Array("foo".utf8)), "Zm9v")
        XCTAssertEqual(GoBase64.encode(Array("fo".utf8)), "Zm8=")
        XCTAssertEqual(GoBase64.encode(Array("f".utf8)), "Zg==")
        XCTAssertEqual(try GoBase64.decode(Array("Zm8=".utf8)).get(), Array("fo".utf8))
        XCTAssertEqual(try GoBase64.decode(Array("Zm\n9v".utf8)).get(), Array("foo".utf8))
        XCTAssertEqual(GoBase64.decode(Array("Zm9".utf8)), .failure(GoBase64.CorruptInput(offset: 0)))
        XCTAssertEqual(GoBase64.decode(Array("Zm9v!".utf8)), .failure(GoBase64.CorruptInput(offset: 4)))
        XCTAssertEqual(GoBase64.decode(Array("Zg==Zg==".utf8)), .failure(GoBase64.CorruptInput(offset: 4)))
        XCTAssertEqual(GoBase64.decode(Array("Z===".utf8)), .failure(GoBase64.CorruptInput(offset: 1)))
    }

    // MARK: JSON requests to protobuf

    /// The protobuf encoding of a JSON request.
    private func request(_ json: String, _ schema: ProtoMessageSchema) throws -> [UInt8] {
        var offset = 0
        let value = try XCTUnwrap(try JSONReader.value(in: Array(json.utf8), from: &offset))
        return try ProtoJSONTranscoder.protobuf(from: value, as: schema)
    }

    private func requestError(_ json: String, _ schema: ProtoMessageSchema) -> String? {
        var offset = 0
        do {
            guard let value = try JSONReader.value(in: Array(json.utf8), from: &offset) else { return nil }
            _ = try ProtoJSONTranscoder.protobuf(from: value, as: schema)
            return nil
        } catch let error as JSONDecodingError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    func testRequestsTakeBase64BytesQuotedOrBareIntegersAndEnumNamesOrNumbers() throws {
        let put = try PutRequest(
            serializedBytes: try request(#"{"key":"Zm9v","value":"YmFy","lease":"5","prev_kv":true,"unknown":[1]}"#, .putRequest))
        XCTAssertEqual(put.key, Array("foo".utf8))
        XCTAssertEqual(put.value, Array("bar".utf8))
        XCTAssertEqual(put.lease, 5)
        XCTAssertTrue(put.prevKv)
        let range = try RangeRequest(
            serializedBytes: try request(#"{"key":[102,111],"limit":3,"sort_order":"DESCEND","sortTarget":2}"#, .rangeRequest))
        XCTAssertEqual(range.key, Array("fo".utf8))
        XCTAssertEqual(range.limit, 3)
        XCTAssertEqual(range.sortOrder, .descend)
        XCTAssertEqual(range.sortTarget.rawValue, 2)
    }

    func testTheJSONNameWinsOverTheProtoName() throws {
        let range = try RangeRequest(serializedBytes: try request(#"{"key":"YQ==","rangeEnd":"Yg==","range_end":"Yw=="}"#, .rangeRequest))
        XCTAssertEqual(range.rangeEnd, Array("b".utf8))
    }

    func testOneofMembersAndNestedMessagesAreRead() throws {
        let json = #"{"compare":[{"target":"CREATE","key":"Zm9v","create_revision":"0"}],"success":[{"request_put":{"key":"Zm9v"}}]}"#
        let txn = try TxnRequest(serializedBytes: try request(json, .txnRequest))
        XCTAssertEqual(txn.compare.count, 1)
        XCTAssertEqual(txn.compare[0].targetUnion, .createRevision(0))
        guard case .requestPut(let put)? = txn.success.first?.request else { return XCTFail("no put: \(txn)") }
        XCTAssertEqual(put.key, Array("foo".utf8))
    }

    func testBadRequestsGetJsonpbsErrors() {
        XCTAssertEqual(requestError(#"{"key":5}"#, .rangeRequest), "json: cannot unmarshal number into Go value of type []uint8")
        XCTAssertEqual(requestError(#"{"key":"Zm9"}"#, .rangeRequest), "illegal base64 data at input byte 0")
        XCTAssertEqual(requestError(#"{"limit":"abc"}"#, .rangeRequest), "invalid character 'a' looking for beginning of value")
        XCTAssertEqual(requestError(#"{"limit":1.5}"#, .rangeRequest), "json: cannot unmarshal number 1.5 into Go value of type int64")
        XCTAssertEqual(requestError(#"{"limit":true}"#, .rangeRequest), "json: cannot unmarshal bool into Go value of type int64")
        XCTAssertEqual(requestError(#"{"limit":""}"#, .rangeRequest), "unexpected end of JSON input")
        XCTAssertEqual(
            requestError(#"{"revision":"99999999999999999999"}"#, .rangeRequest),
            "json: cannot unmarshal number 99999999999999999999 into Go value of type int64")
        XCTAssertEqual(
            requestError(#"{"sort_order":"UP"}"#, .rangeRequest),
            #"unknown value "UP" for enum etcdserverpb.RangeRequest_SortOrder"#)
        XCTAssertEqual(requestError(#"{"serializable":"true"}"#, .rangeRequest), "json: cannot unmarshal string into Go value of type bool")
        XCTAssertEqual(requestError("[]", .rangeRequest), "json: cannot unmarshal array into Go value of type map[string]json.RawMessage")
        XCTAssertEqual(requestError(#"{"compare":{}}"#, .txnRequest), "json: cannot unmarshal object into Go value of type []json.RawMessage")
        XCTAssertEqual(
            requestError(#"{"success":[{"request":{"request_put":{}}}]}"#, .txnRequest),
            "json: cannot unmarshal object into Go value of type etcdserverpb.isRequestOp_Request")
        // A key spelt as the Go field is unknown to jsonpb, so ignored.
        XCTAssertNil(requestError(#"{"success":[{"Request":{"RequestPut":{}}}]}"#, .txnRequest))
        XCTAssertEqual(requestError(#"{"ID":"-1"}"#, .memberRemoveRequest), "json: cannot unmarshal number -1 into Go value of type uint64")
        XCTAssertNil(requestError(#"{"compare":[{"TargetUnion":null}]}"#, .txnRequest))
    }

    // MARK: Protobuf responses to JSON

    private func json(_ bytes: [UInt8], _ schema: ProtoMessageSchema) throws -> String {
        let rendered = try bytes.withUnsafeBytes { try ProtoJSONTranscoder.json(fromProtobuf: $0, as: schema) }
        return String(decoding: rendered, as: UTF8.self)
    }

    func testResponsesAreWrittenAsJsonpbWritesThem() throws {
        var response = RangeResponse()
        response.header = ResponseHeader(clusterId: 1, memberId: 2, revision: 3, raftTerm: 4)
        response.kvs = [KeyValue(key: Array("foo".utf8), createRevision: 2, modRevision: 3, version: 1, value: Array("bar".utf8))]
        response.count = 1
        XCTAssertEqual(
            try json(response.serializedBytes(), .rangeResponse),
            #"{"header":{"cluster_id":"1","member_id":"2","revision":"3","raft_term":"4"},"#
                + #""kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"3","version":"1","value":"YmFy"}],"count":"1"}"#)
    }

    func testZeroValuesAreLeftOutAndEnumsNamedExceptTheirZero() throws {
        var watch = WatchResponse()
        watch.header = ResponseHeader()
        watch.events = [Event(type: .put, kv: KeyValue(key: [1])), Event(type: .delete, kv: KeyValue(key: [2], modRevision: -1))]
        XCTAssertEqual(
            try json(watch.serializedBytes(), .watchResponse),
            #"{"header":{},"events":[{"kv":{"key":"AQ=="}},{"type":"DELETE","kv":{"key":"Ag==","mod_revision":"-1"}}]}"#)
    }

    func testOneofResponsesAreNamedByTheirMember() throws {
        var txn = TxnResponse()
        txn.succeeded = true
        var put = PutResponse()
        put.header = ResponseHeader(revision: 2)
        txn.responses = [ResponseOp(response: .responsePut(put))]
        XCTAssertEqual(try json(txn.serializedBytes(), .txnResponse), #"{"succeeded":true,"responses":[{"response_put":{"header":{"revision":"2"}}}]}"#)
    }

    func testErrorsAreGrpcGatewaysBody() {
        let body = JSONGateway.errorBody(GRPCStatus(code: .notFound, message: "etcdserver: requested lease not found"))
        XCTAssertEqual(
            String(decoding: body, as: UTF8.self),
            #"{"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5}"#)
    }
}
