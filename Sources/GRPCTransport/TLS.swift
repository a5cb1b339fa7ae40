import COpenSSL
import NIOCore

/// Server TLS settings (PEM files, as etcd's --cert-file / --key-file / --trusted-ca-file).
public struct GRPCTLSConfiguration: Sendable {
    public var certificateChainFile: String
    public var privateKeyFile: String
    /// CA bundle used to verify client certificates; nil accepts clients without certificates.
    public var trustedCAFile: String?
    /// Refuse clients that present no valid certificate (etcd's --client-cert-auth).
    public var requireClientCertificate: Bool

    public init(
        certificateChainFile: String, privateKeyFile: String, trustedCAFile: String? = nil,
        requireClientCertificate: Bool = false
    ) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustedCAFile = trustedCAFile
        self.requireClientCertificate = requireClientCertificate
    }
}

public struct GRPCTLSError: Error, Sendable, CustomStringConvertible {
    public var reason: String

    static func openSSL(_ what: String) -> GRPCTLSError {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return GRPCTLSError(reason: reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }

    public var description: String { "TLS: \(reason)" }
}

/// An OpenSSL SSL_CTX with the server's certificate, key, client verification and ALPN.
final class TLSContext: @unchecked Sendable {
    // Safe: the SSL_CTX is fully configured in `init` and afterwards only passed to `SSL_new`,
    // which OpenSSL documents as safe to call concurrently on a shared, unmodified SSL_CTX.
    let context: OpaquePointer

    init(_ configuration: GRPCTLSConfiguration) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw GRPCTLSError.openSSL("SSL_CTX_new") }
        self.context = context
        // TLS 1.2 is the minimum etcd and grpc-go accept.
        guard SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil) == 1 else {
            throw GRPCTLSError.openSSL("setting the minimum TLS version")
        }
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificateChainFile) == 1 else {
            throw GRPCTLSError.openSSL("loading certificate \(configuration.certificateChainFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyFile, SSL_FILETYPE_PEM) == 1,
            SSL_CTX_check_private_key(context) == 1
        else {
            throw GRPCTLSError.openSSL("loading private key \(configuration.privateKeyFile)")
        }
        if let trustedCAFile = configuration.trustedCAFile {
            guard SSL_CTX_load_verify_locations(context, trustedCAFile, nil) == 1 else {
                throw GRPCTLSError.openSSL("loading trusted CA \(trustedCAFile)")
            }
            var mode = SSL_VERIFY_PEER
            if configuration.requireClientCertificate { mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
            SSL_CTX_set_verify(context, mode, nil)
        } else if configuration.requireClientCertificate {
            throw GRPCTLSError(reason: "client certificates are required but no trusted CA file is set")
        }
        SSL_CTX_set_alpn_select_cb(context, selectALPN, nil)
    }

    deinit {
        SSL_CTX_free(context)
    }
}

/// "h2" then "http/1.1" in ALPN wire format, allocated once and never freed because OpenSSL
/// keeps a pointer into the selected entry.
private struct ServerProtocols: @unchecked Sendable {
    // Safe: written once in `init`, immutable and immortal afterwards.
    let bytes: UnsafeMutablePointer<UInt8>
    let count: UInt32

    static let shared = ServerProtocols()

    private init() {
        let wire: [UInt8] = [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8)
        bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: wire.count)
        bytes.initialize(from: wire, count: wire.count)
        count = UInt32(wire.count)
    }
}

private let selectALPN: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, clientProtocols, clientLength, _ in
    var selected: UnsafeMutablePointer<UInt8>?
    let result = SSL_select_next_proto(
        &selected, outLength, ServerProtocols.shared.bytes, ServerProtocols.shared.count, clientProtocols, clientLength)
    guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_NOACK }
    out?.pointee = UnsafePointer(selected)
    return SSL_TLSEXT_ERR_OK
}

/// Terminates TLS with OpenSSL over memory BIOs: ciphertext from the socket goes into one BIO,
/// plaintext goes up the pipeline; plaintext writes come out of the other BIO as ciphertext.
final class TLSHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let tlsContext: TLSContext
    private var ssl: OpaquePointer?
    private var networkIn: OpaquePointer?
    private var networkOut: OpaquePointer?
    private var handshakeDone = false
    private var pendingPromises: [EventLoopPromise<Void>] = []
    private var failed = false
    private var spareReadBuffer: ByteBuffer?

    /// The common name of the verified client certificate, once the handshake is done.
    private(set) var peerCommonName: String?

    init(context: TLSContext) {
        self.tlsContext = context
    }

    deinit {
        if let ssl { SSL_free(ssl) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let ssl = SSL_new(tlsContext.context),
            let networkIn = BIO_new(BIO_s_mem()), let networkOut = BIO_new(BIO_s_mem())
        else {
            context.close(promise: nil)
            return
        }
        SSL_set_bio(ssl, networkIn, networkOut)
        SSL_set_accept_state(ssl)
        self.ssl = ssl
        self.networkIn = networkIn
        self.networkOut = networkOut
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let ssl, !failed else { return }
        let bytes = unwrapInboundIn(data)
        let written = bytes.withUnsafeReadableBytes { BIO_write(networkIn, $0.baseAddress, Int32($0.count)) }
        guard written == bytes.readableBytes else {
            fail(context, GRPCTLSError.openSSL("BIO_write"))
            return
        }
        if !handshakeDone {
            let result = SSL_do_handshake(ssl)
            if result == 1 {
                handshakeDone = true
                peerCommonName = Self.commonName(ssl)
            } else {
                let error = SSL_get_error(ssl, result)
                sendNetworkOutput(context, flush: true)
                if error != SSL_ERROR_WANT_READ {
                    fail(context, GRPCTLSError.openSSL("handshake"))
                }
                return
            }
        }
        readPlaintext(context)
        sendNetworkOutput(context, flush: true)
    }

    private func readPlaintext(_ context: ChannelHandlerContext) {
        guard let ssl else { return }
        while true {
            // Reuse the buffer of a read that produced nothing, so the final WANT_READ of every
            // burst costs no allocation.
            var plaintext = spareReadBuffer.take() ?? context.channel.allocator.buffer(capacity: 16 << 10)
            let result = plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: 16 << 10) { buffer in
                max(0, Int(SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))))
            }
            if result > 0 {
                context.fireChannelRead(wrapInboundOut(plaintext))
                continue
            }
            spareReadBuffer = plaintext
            let error = SSL_get_error(ssl, 0)
            if error == SSL_ERROR_ZERO_RETURN {
                // The client sent close_notify.
                context.close(promise: nil)
            } else if error != SSL_ERROR_WANT_READ {
                fail(context, GRPCTLSError.openSSL("read"))
            }
            return
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let ssl, handshakeDone, !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let plaintext = unwrapOutboundIn(data)
        if plaintext.readableBytes > 0 {
            let written = plaintext.withUnsafeReadableBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard written == plaintext.readableBytes else {
                promise?.fail(GRPCTLSError.openSSL("write"))
                fail(context, GRPCTLSError.openSSL("write"))
                return
            }
        }
        if let promise { pendingPromises.append(promise) }
    }

    func flush(context: ChannelHandlerContext) {
        sendNetworkOutput(context, flush: true)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if let ssl, handshakeDone, !failed, mode == .all {
            SSL_shutdown(ssl)
            sendNetworkOutput(context, flush: true)
        }
        context.close(mode: mode, promise: promise)
    }

    /// Moves the ciphertext OpenSSL produced to the channel, completing the writes it carries.
    private func sendNetworkOutput(_ context: ChannelHandlerContext, flush: Bool) {
        guard let networkOut else { return }
        let pending = Int(BIO_ctrl_pending(networkOut))
        if pending > 0 {
            var ciphertext = context.channel.allocator.buffer(capacity: pending)
            ciphertext.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { buffer in
                Int(max(0, BIO_read(networkOut, buffer.baseAddress, Int32(pending))))
            }
            let promise: EventLoopPromise<Void>?
            if pendingPromises.isEmpty {
                promise = nil
            } else {
                let promises = pendingPromises
                pendingPromises.removeAll()
                let combined = context.eventLoop.makePromise(of: Void.self)
                combined.futureResult.whenComplete { result in
                    for waiting in promises { waiting.completeWith(result) }
                }
                promise = combined
            }
            context.write(wrapOutboundOut(ciphertext), promise: promise)
        } else if !pendingPromises.isEmpty {
            for waiting in pendingPromises { waiting.succeed() }
            pendingPromises.removeAll()
        }
        if flush { context.flush() }
    }

    private func fail(_ context: ChannelHandlerContext, _ error: GRPCTLSError) {
        failed = true
        for waiting in pendingPromises { waiting.fail(error) }
        pendingPromises.removeAll()
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private static func commonName(_ ssl: OpaquePointer) -> String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        guard let subject = X509_get_subject_name(certificate) else { return nil }
        var text = [CChar](repeating: 0, count: 256)
        let length = X509_NAME_get_text_by_NID(subject, NID_commonName, &text, Int32(text.count))
        guard length > 0 else { return nil }
        return String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
