import CNGHTTP2

/// Header fields that every response uses, encoded once for the life of the process so that
/// submitting them copies nothing.
struct StaticHeaders: @unchecked Sendable {
    // Safe: the pointed-to bytes are allocated once in `init`, never written afterwards and
    // never freed, so sharing them between threads is read-only access to immortal memory.
    let status200: nghttp2_nv
    let status415: nghttp2_nv
    let contentTypeGRPC: nghttp2_nv
    let grpcStatusByCode: [nghttp2_nv]
    let grpcStatusName: UnsafeMutablePointer<UInt8>
    let grpcMessageName: UnsafeMutablePointer<UInt8>

    static let shared = StaticHeaders()

    private init() {
        status200 = Self.field(":status", "200")
        status415 = Self.field(":status", "415")
        contentTypeGRPC = Self.field("content-type", "application/grpc")
        grpcStatusByCode = (0...16).map { Self.field("grpc-status", String($0)) }
        grpcStatusName = Self.immortal("grpc-status")
        grpcMessageName = Self.immortal("grpc-message")
    }

    private static func immortal(_ text: String) -> UnsafeMutablePointer<UInt8> {
        let bytes = Array(text.utf8)
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        pointer.initialize(from: bytes, count: bytes.count)
        return pointer
    }

    private static func field(_ name: String, _ value: String) -> nghttp2_nv {
        nghttp2_nv(
            name: immortal(name), value: immortal(value),
            namelen: name.utf8.count, valuelen: value.utf8.count,
            flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue | NGHTTP2_NV_FLAG_NO_COPY_VALUE.rawValue))
    }

    /// Calls `body` with the grpc-status field and, if the message is not empty, the
    /// percent-encoded grpc-message field; the fields are valid only inside `body`.
    static func withStatusFields<Result>(
        _ status: GRPCStatus, _ body: (nghttp2_nv, nghttp2_nv?) -> Result
    ) -> Result {
        let headers = StaticHeaders.shared
        let code = status.code.rawValue
        if status.message.isEmpty, headers.grpcStatusByCode.indices.contains(code) {
            return body(headers.grpcStatusByCode[code], nil)
        }
        var codeText = Array(String(code).utf8)
        var message = PercentEncoding.encode(status.message)
        return codeText.withUnsafeMutableBufferPointer { codeBytes in
            message.withUnsafeMutableBufferPointer { messageBytes in
                let statusField =
                    headers.grpcStatusByCode.indices.contains(code)
                    ? headers.grpcStatusByCode[code]
                    : nghttp2_nv(
                        name: headers.grpcStatusName, value: codeBytes.baseAddress,
                        namelen: 11, valuelen: codeBytes.count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue))
                let messageField: nghttp2_nv? =
                    messageBytes.isEmpty
                    ? nil
                    : nghttp2_nv(
                        name: headers.grpcMessageName, value: messageBytes.baseAddress,
                        namelen: 12, valuelen: messageBytes.count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue))
                return body(statusField, messageField)
            }
        }
    }
}
