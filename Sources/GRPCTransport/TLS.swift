import COpenSSL
import Logging
import NIOCore

/// Server TLS settings (PEM files, as etcd's --cert-file / --key-file / --trusted-ca-file).
public struct GRPCTLSConfiguration: Sendable {
    public var certificateChainFile: String
    public var privateKeyFile: String
    /// CA bundle used to verify client certificates; nil accepts clients without certificates.
    public var trustedCAFile: String?
    /// Refuse clients that present no valid certificate (etcd's --client-cert-auth).
    public var requireClientCertificate: Bool
    /// Accept only clients whose verified certificate has this common name (etcd's --peer-cert-allowed-cn).
    public var allowedCommonName: String?
    /// A CRL (PEM or DER); clients presenting a certificate whose serial it lists are
    /// disconnected after the handshake (etcd's --client-crl-file).
    public var revocationListFile: String?
    /// OpenSSL's names of the TLS 1.2 cipher suites offered; empty keeps OpenSSL's defaults.
    public var cipherSuites: [String]

    public init(
        certificateChainFile: String, privateKeyFile: String, trustedCAFile: String? = nil,
        requireClientCertificate: Bool = false, allowedCommonName: String? = nil, revocationListFile: String? = nil,
        cipherSuites: [String] = []
    ) {
        self.cipherSuites = cipherSuites
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustedCAFile = trustedCAFile
        self.requireClientCertificate = requireClientCertificate
        self.allowedCommonName = allowedCommonName
        self.revocationListFile = revocationListFile
    }
}

/// Settings for dialling a TLS server that speaks HTTP/2 (ALPN "h2"), as etcd's peer transport does.
public struct GRPCClientTLSConfiguration: Sendable {
    /// The certificate (and key) presented when the server asks for one; nil presents none.
    public var certificateChainFile: String?
    public var privateKeyFile: String?
    /// CA bundle the server's certificate must chain to; nil uses the system's trust store.
    public var trustedCAFile: String?
    /// false accepts any server certificate (Go's InsecureSkipVerify, which etcd uses with
    /// self-signed auto-TLS certificates).
    public var verifiesServerCertificate: Bool
    /// Accept only servers whose verified certificate has this common name (etcd's --peer-cert-allowed-cn).
    public var allowedCommonName: String?
    /// OpenSSL's names of the TLS 1.2 cipher suites offered; empty keeps OpenSSL's defaults.
    public var cipherSuites: [String]

    public init(
        certificateChainFile: String? = nil, privateKeyFile: String? = nil, trustedCAFile: String? = nil,
        verifiesServerCertificate: Bool = true, allowedCommonName: String? = nil, cipherSuites: [String] = []
    ) {
        self.cipherSuites = cipherSuites
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.trustedCAFile = trustedCAFile
        self.verifiesServerCertificate = verifiesServerCertificate
        self.allowedCommonName = allowedCommonName
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

/// An OpenSSL SSL_CTX for one side of TLS connections: a server's (certificate, key, client
/// verification, ALPN selection) or a client's (optional certificate, server verification, ALPN "h2").
public final class TLSContext: @unchecked Sendable {
    // Safe: the SSL_CTX is fully configured in `init` and afterwards only passed to `SSL_new`,
    // which OpenSSL documents as safe to call concurrently on a shared, unmodified SSL_CTX; the
    // other properties are immutable.
    let context: OpaquePointer
    let isClient: Bool
    /// A client checks the server's certificate against the host name it dials.
    let verifiesPeer: Bool
    let allowedCommonName: String?
    /// A server's CRL file, consulted after every handshake.
    let revocationListFile: String?

    public init(server configuration: GRPCTLSConfiguration) throws {
        context = try Self.makeContext(
            method: TLS_server_method(), certificateChainFile: configuration.certificateChainFile,
            privateKeyFile: configuration.privateKeyFile, cipherSuites: configuration.cipherSuites)
        isClient = false
        verifiesPeer = configuration.trustedCAFile != nil
        allowedCommonName = configuration.allowedCommonName
        revocationListFile = configuration.revocationListFile
        if let trustedCAFile = configuration.trustedCAFile {
            try Self.loadTrustedCA(context, trustedCAFile)
            var mode = SSL_VERIFY_PEER
            if configuration.requireClientCertificate { mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT }
            SSL_CTX_set_verify(context, mode, nil)
        } else if configuration.requireClientCertificate {
            throw GRPCTLSError(reason: "client certificates are required but no trusted CA file is set")
        }
        SSL_CTX_set_alpn_select_cb(context, selectALPN, nil)
    }

    public init(client configuration: GRPCClientTLSConfiguration) throws {
        if (configuration.certificateChainFile == nil) != (configuration.privateKeyFile == nil) {
            throw GRPCTLSError(reason: "a client certificate needs both a certificate file and a key file")
        }
        context = try Self.makeContext(
            method: TLS_client_method(), certificateChainFile: configuration.certificateChainFile,
            privateKeyFile: configuration.privateKeyFile, cipherSuites: configuration.cipherSuites)
        isClient = true
        verifiesPeer = configuration.verifiesServerCertificate
        allowedCommonName = configuration.allowedCommonName
        revocationListFile = nil
        if configuration.verifiesServerCertificate {
            if let trustedCAFile = configuration.trustedCAFile {
                try Self.loadTrustedCA(context, trustedCAFile)
            } else if SSL_CTX_set_default_verify_paths(context) != 1 {
                throw GRPCTLSError.openSSL("loading the system's trusted CAs")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        // The servers this dials speak HTTP/2 only; Go's TLS server insists on ALPN for it.
        let h2: [UInt8] = [2] + Array("h2".utf8)
        guard SSL_CTX_set_alpn_protos(context, h2, UInt32(h2.count)) == 0 else {
            throw GRPCTLSError.openSSL("setting ALPN")
        }
    }

    private static func makeContext(
        method: OpaquePointer?, certificateChainFile: String?, privateKeyFile: String?, cipherSuites: [String]
    ) throws -> OpaquePointer {
        guard let context = SSL_CTX_new(method) else { throw GRPCTLSError.openSSL("SSL_CTX_new") }
        // TLS 1.2 is the minimum etcd and grpc-go accept.
        guard SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil) == 1 else {
            SSL_CTX_free(context)
            throw GRPCTLSError.openSSL("setting the minimum TLS version")
        }
        if !cipherSuites.isEmpty, SSL_CTX_set_cipher_list(context, cipherSuites.joined(separator: ":")) != 1 {
            SSL_CTX_free(context)
            throw GRPCTLSError.openSSL("setting the cipher suites \(cipherSuites.joined(separator: ":"))")
        }
        if let certificateChainFile, let privateKeyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificateChainFile) == 1 else {
                SSL_CTX_free(context)
                throw GRPCTLSError.openSSL("loading certificate \(certificateChainFile)")
            }
            guard SSL_CTX_use_PrivateKey_file(context, privateKeyFile, SSL_FILETYPE_PEM) == 1,
                SSL_CTX_check_private_key(context) == 1
            else {
                SSL_CTX_free(context)
                throw GRPCTLSError.openSSL("loading private key \(privateKeyFile)")
            }
        }
        return context
    }

    private static func loadTrustedCA(_ context: OpaquePointer, _ trustedCAFile: String) throws {
        // Called once every stored property is set, so `deinit` frees the context if this throws.
        guard SSL_CTX_load_verify_locations(context, trustedCAFile, nil) == 1 else {
            throw GRPCTLSError.openSSL("loading trusted CA \(trustedCAFile)")
        }
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
/// The context's role decides whether it accepts (server) or connects (client); a client starts
/// the handshake as soon as the channel is active, and both hold back plaintext written before
/// the handshake is done.
final class TLSHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let tlsContext: TLSContext
    /// The host a client dials: sent as SNI (unless an IP address) and matched against the
    /// server's certificate when the context verifies it.
    private let serverHostname: String?
    private let logger: Logger
    private var ssl: OpaquePointer?
    private var networkIn: OpaquePointer?
    private var networkOut: OpaquePointer?
    private var clientHandshakeStarted = false
    private var handshakeDone = false
    /// Writes made before the handshake finished (a client's HTTP/2 preface), sent right after it.
    private var writesBeforeHandshake: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var pendingPromises: [EventLoopPromise<Void>] = []
    private var failed = false
    private var spareReadBuffer: ByteBuffer?

    /// The common name of the other side's certificate (on a server: the verified client
    /// certificate), once the handshake is done.
    private(set) var peerCommonName: String?

    init(context: TLSContext, serverHostname: String? = nil, logger: Logger) {
        self.tlsContext = context
        self.serverHostname = serverHostname
        self.logger = logger
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
        self.ssl = ssl
        self.networkIn = networkIn
        self.networkOut = networkOut
        guard tlsContext.isClient else {
            SSL_set_accept_state(ssl)
            return
        }
        SSL_set_connect_state(ssl)
        if let serverHostname {
            let isIPAddress = (try? SocketAddress(ipAddress: serverHostname, port: 0)) != nil
            var configured = true
            if !isIPAddress {
                // SSL_set_tlsext_host_name is a macro over this call; OpenSSL copies the name.
                configured = serverHostname.withCString { name in
                    SSL_ctrl(
                        ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, Int(TLSEXT_NAMETYPE_host_name), UnsafeMutableRawPointer(mutating: name))
                } == 1
            }
            if tlsContext.verifiesPeer {
                configured = configured && (isIPAddress
                    ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverHostname) == 1
                    : SSL_set1_host(ssl, serverHostname) == 1)
            }
            guard configured else {
                fail(context, GRPCTLSError.openSSL("setting the server name \(serverHostname)"))
                return
            }
        }
        if context.channel.isActive { startClientHandshake(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if tlsContext.isClient { startClientHandshake(context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let unsent = writesBeforeHandshake
        writesBeforeHandshake.removeAll()
        for (_, promise) in unsent { promise?.fail(ChannelError.ioOnClosedChannel) }
        context.fireChannelInactive()
    }

    /// Sends the ClientHello; the server's answer arrives through `channelRead`.
    private func startClientHandshake(_ context: ChannelHandlerContext) {
        guard !clientHandshakeStarted, !failed else { return }
        clientHandshakeStarted = true
        continueHandshake(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard ssl != nil, !failed else { return }
        let bytes = unwrapInboundIn(data)
        let written = bytes.withUnsafeReadableBytes { BIO_write(networkIn, $0.baseAddress, Int32($0.count)) }
        guard written == bytes.readableBytes else {
            fail(context, GRPCTLSError.openSSL("BIO_write"))
            return
        }
        if !handshakeDone {
            guard continueHandshake(context) else { return }
        }
        readPlaintext(context)
        sendNetworkOutput(context, flush: true)
    }

    /// Advances the handshake with what has arrived; true once it is done (and the peer passed
    /// the common-name check), false while it waits for more input or after it failed.
    @discardableResult
    private func continueHandshake(_ context: ChannelHandlerContext) -> Bool {
        guard let ssl else { return false }
        let result = SSL_do_handshake(ssl)
        guard result == 1 else {
            let error = SSL_get_error(ssl, result)
            sendNetworkOutput(context, flush: true)
            if error != SSL_ERROR_WANT_READ {
                handshakeFailed(context, GRPCTLSError.openSSL("handshake"))
            }
            return false
        }
        handshakeDone = true
        peerCommonName = Self.commonName(ssl)
        // etcd's check: only a verified certificate with exactly this common name passes (a
        // context that does not verify has made the handshake fail on a bad certificate).
        if let allowed = tlsContext.allowedCommonName, !tlsContext.verifiesPeer || peerCommonName != allowed {
            let reason = "peer certificate common name \(peerCommonName ?? "none") is not \(allowed)"
            handshakeFailed(context, GRPCTLSError(reason: reason))
            return false
        }
        if let revocationListFile = tlsContext.revocationListFile,
            let refusal = CertificateRevocation.refusal(ssl, revocationListFile: revocationListFile)
        {
            handshakeFailed(context, refusal)
            return false
        }
        let held = writesBeforeHandshake
        writesBeforeHandshake.removeAll()
        for (plaintext, promise) in held {
            guard encrypt(context, plaintext, promise: promise) else { return false }
        }
        sendNetworkOutput(context, flush: true)
        return true
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
        guard ssl != nil, !failed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let plaintext = unwrapOutboundIn(data)
        guard handshakeDone else {
            writesBeforeHandshake.append((plaintext, promise))
            return
        }
        encrypt(context, plaintext, promise: promise)
    }

    /// Hands `plaintext` to OpenSSL; its ciphertext leaves with the next `sendNetworkOutput`.
    @discardableResult
    private func encrypt(_ context: ChannelHandlerContext, _ plaintext: ByteBuffer, promise: EventLoopPromise<Void>?) -> Bool {
        guard let ssl else { return false }
        if plaintext.readableBytes > 0 {
            let written = plaintext.withUnsafeReadableBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard written == plaintext.readableBytes else {
                promise?.fail(GRPCTLSError.openSSL("write"))
                fail(context, GRPCTLSError.openSSL("write"))
                return false
            }
        }
        if let promise { pendingPromises.append(promise) }
        return true
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

    /// A refused certificate or a peer that does not speak TLS is worth a warning on both
    /// sides, as etcd logs "rejected connection": nothing else tells the operator why.
    private func handshakeFailed(_ context: ChannelHandlerContext, _ error: GRPCTLSError) {
        let remote = context.channel.remoteAddress.map { "\($0)" } ?? "?"
        if tlsContext.isClient {
            logger.warning(
                "TLS handshake with the server failed",
                metadata: ["remote-addr": "\(remote)", "server-name": "\(serverHostname ?? "")", "error": "\(error.reason)"])
        } else {
            logger.warning("rejected connection", metadata: ["remote-addr": "\(remote)", "error": "\(error.reason)"])
        }
        fail(context, error)
    }

    private func fail(_ context: ChannelHandlerContext, _ error: GRPCTLSError) {
        failed = true
        for waiting in pendingPromises { waiting.fail(error) }
        pendingPromises.removeAll()
        let unsent = writesBeforeHandshake
        writesBeforeHandshake.removeAll()
        for (_, promise) in unsent { promise?.fail(error) }
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

extension ChannelPipeline.SynchronousOperations {
    /// Adds TLS as a client of `serverHostname` (SNI, and the name the server's certificate must
    /// carry when `context` verifies it) in front of the handlers added after it.
    public func addTLSClientHandler(context: TLSContext, serverHostname: String, logger: Logger) throws {
        precondition(context.isClient, "a server TLSContext cannot connect")
        try addHandler(TLSHandler(context: context, serverHostname: serverHostname, logger: logger))
    }
}
