import GRPCTransport
import NIOCore
import ProtoWire

extension ProtoMessage {
    /// Decodes a request body; a malformed one gets grpc-go's status for undecodable requests.
    init(requestBody: ByteBuffer) throws(GRPCStatus) {
        let decoded = requestBody.withUnsafeReadableBytes { bytes in
            Result { () throws(ProtoDecodingError) -> Self in try Self(serializedBytes: bytes) }
        }
        switch decoded {
        case .success(let message): self = message
        case .failure(let error): throw EtcdErrors.malformedRequest(error)
        }
    }

    /// Decodes one message of a streaming call (grpc-go words that failure differently).
    init(streamMessage: ByteBuffer) throws(GRPCStatus) {
        let decoded = streamMessage.withUnsafeReadableBytes { bytes in
            Result { () throws(ProtoDecodingError) -> Self in try Self(serializedBytes: bytes) }
        }
        switch decoded {
        case .success(let message): self = message
        case .failure(let error): throw EtcdErrors.malformedStreamMessage(error)
        }
    }

    /// Encodes straight into a buffer of the exact size, with no intermediate array.
    func responseBody(allocator: ByteBufferAllocator) -> ByteBuffer {
        let size = encodedSize
        var buffer = allocator.buffer(capacity: size)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { serialize(into: $0) }
        return buffer
    }
}

extension GRPCMethod {
    /// A unary method answered on the calling event loop without waiting on the log.
    static func immediate(_ answer: @escaping @Sendable (ByteBuffer) throws(GRPCStatus) -> ByteBuffer) -> GRPCMethod {
        .unary { request, context in
            do {
                return context.eventLoop.makeSucceededFuture(try answer(request))
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
        }
    }

    /// `immediate`, for an answer that depends on the call (its token, for auth).
    static func immediate(
        _ answer: @escaping @Sendable (ByteBuffer, GRPCCallContext) throws(GRPCStatus) -> ByteBuffer
    ) -> GRPCMethod {
        .unary { request, context in
            do {
                return context.eventLoop.makeSucceededFuture(try answer(request, context))
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
        }
    }
}
