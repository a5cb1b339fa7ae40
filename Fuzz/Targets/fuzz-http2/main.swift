import FuzzServerSupport
import FuzzSupport

// A whole client connection: the first byte's low bit says whether the harness sends the HTTP/2
// preface first (most inputs, so the frames behind it are reached; without it the bytes may
// still be a preface, or HTTP/1.1), the rest of it how the input is cut into reads. The server
// must survive any frames, HPACK blocks and CONTINUATION runs, and any interleaving of them.
let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

fuzzMain { input in
    guard let selector = input.first else { return }
    let connection = EmbeddedServerConnection(router: echoRouter(), http1Handler: echoHTTP1Handler)
    if selector & 1 == 0 {
        _ = preface.withUnsafeBytes { connection.receive($0) }
    }
    let bytes = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let readSize = selector >> 1 == 0 ? max(bytes.count, 1) : Int(selector >> 1) * 16
    connection.receive(bytes, inReadsOf: readSize)
    connection.close()
}
