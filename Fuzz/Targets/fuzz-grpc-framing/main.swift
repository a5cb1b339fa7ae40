import FuzzServerSupport
import FuzzSupport

// The request body of one gRPC call: the harness opens a well-formed HTTP/2 stream (preface,
// SETTINGS, HEADERS for a method and message encoding the first byte picks) and sends the rest
// of the input as its DATA, in frames of a size the first byte also picks, the last one ending
// the stream. The length-prefixed messages in it (compressed flag, length, bytes) are the input.
let paths = ["/fuzz.Fuzz/Unary", "/fuzz.Fuzz/Bidi", "/fuzz.Fuzz/ServerStream", "/fuzz.Fuzz/Small"]
let encodings: [String?] = [nil, "identity", "gzip", "snappy"]

func frame(type: UInt8, flags: UInt8, stream: UInt32, _ payload: some Collection<UInt8>) -> [UInt8] {
    let length = UInt32(payload.count)
    var bytes: [UInt8] = [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
    bytes += [UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
    return bytes + payload
}

/// HPACK "literal header field without indexing, new name", lengths under 127, no Huffman.
func literalHeader(_ name: String, _ value: String) -> [UInt8] {
    [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
}

fuzzMain { input in
    guard let selector = input.first else { return }
    var headers = literalHeader(":method", "POST") + literalHeader(":scheme", "http")
        + literalHeader(":path", paths[Int(selector) % paths.count]) + literalHeader(":authority", "127.0.0.1")
        + literalHeader("content-type", "application/grpc") + literalHeader("te", "trailers")
    if let encoding = encodings[Int(selector >> 2) % encodings.count] {
        headers += literalHeader("grpc-encoding", encoding)
    }
    var request = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + frame(type: 4, flags: 0, stream: 0, [])
    request += frame(type: 1, flags: 0x4, stream: 1, headers)
    let body = input.dropFirst()
    let frameSize = selector >> 4 == 0 ? 16_384 : Int(selector >> 4)
    var offset = body.startIndex
    repeat {
        let end = min(body.endIndex, offset + frameSize)
        request += frame(type: 0, flags: end == body.endIndex ? 0x1 : 0, stream: 1, body[offset..<end])
        offset = end
    } while offset < body.endIndex
    let connection = EmbeddedServerConnection(router: echoRouter())
    _ = request.withUnsafeBytes { connection.receive($0) }
    connection.close()
}
