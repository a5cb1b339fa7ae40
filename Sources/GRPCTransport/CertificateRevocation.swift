import COpenSSL

/// etcd's `--client-crl-file` check: once the handshake is done, a connection whose client
/// presented any certificate with a serial number listed in the CRL is closed. Like etcd, this
/// compares serial numbers only (neither the CRL's issuer, signature nor dates), so an expired CRL
/// still revokes, and a client presenting no certificate passes.
enum CertificateRevocation {
    /// Why the client of `ssl` is refused, or nil when none of its certificates is revoked.
    /// The file is read for every connection, as etcd does, so a replaced CRL takes effect
    /// without a restart; that is one small read per connection, not per request.
    static func refusal(_ ssl: OpaquePointer, revocationListFile: String) -> GRPCTLSError? {
        let presented = presentedSerialNumbers(ssl)
        if presented.isEmpty { return nil }
        let revoked: Set<[UInt8]>
        do {
            revoked = try revokedSerialNumbers(revocationListFile)
        } catch {
            return error
        }
        guard let serial = presented.first(where: revoked.contains) else { return nil }
        // etcd's wording.
        return GRPCTLSError(reason: "transport: certificate serial \(hex(serial)) revoked")
    }

    /// The serial numbers of the client's certificate and of the chain it sent with it.
    private static func presentedSerialNumbers(_ ssl: OpaquePointer) -> [[UInt8]] {
        var serials: [[UInt8]] = []
        if let leaf = SSL_get1_peer_certificate(ssl) {
            defer { X509_free(leaf) }
            if let serial = magnitude(X509_get0_serialNumber(leaf)) { serials.append(serial) }
        }
        // On a server this chain leaves out the client's own certificate; OpenSSL keeps ownership.
        if let chain = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<OPENSSL_sk_num(chain) {
                guard let certificate = OPENSSL_sk_value(chain, index) else { continue }
                let serial = magnitude(X509_get0_serialNumber(OpaquePointer(certificate)))
                if let serial { serials.append(serial) }
            }
        }
        return serials
    }

    /// The serial numbers a CRL file (PEM or DER, as Go's x509.ParseCRL accepts) revokes.
    private static func revokedSerialNumbers(_ path: String) throws(GRPCTLSError) -> Set<[UInt8]> {
        let contents = try fileContents(path)
        let pemPrefix = Array("-----BEGIN".utf8)
        let isPEM = contents.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
            .starts(with: pemPrefix)
        let list: OpaquePointer? = contents.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return isPEM ? PEM_read_bio_X509_CRL(bio, nil, nil, nil) : d2i_X509_CRL_bio(bio, nil)
        }
        guard let list else { throw GRPCTLSError.openSSL("parsing the certificate revocation list \(path)") }
        defer { X509_CRL_free(list) }
        var serials: Set<[UInt8]> = []
        if let entries = X509_CRL_get_REVOKED(list) {
            for index in 0..<OPENSSL_sk_num(entries) {
                guard let entry = OPENSSL_sk_value(entries, index),
                    let serial = magnitude(X509_REVOKED_get0_serialNumber(OpaquePointer(entry)))
                else { continue }
                serials.insert(serial)
            }
        }
        return serials
    }

    private static func fileContents(_ path: String) throws(GRPCTLSError) -> [UInt8] {
        guard let file = BIO_new_file(path, "rb") else {
            throw GRPCTLSError.openSSL("reading the certificate revocation list \(path)")
        }
        defer { BIO_free(file) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let read = BIO_read(file, &chunk, Int32(chunk.count))
            if read <= 0 { break }
            contents += chunk.prefix(Int(read))
        }
        return contents
    }

    /// A serial number's big-endian magnitude without leading zeros, as Go's `big.Int.Bytes`
    /// gives it, so that one number always compares equal however it was encoded.
    private static func magnitude(_ serial: UnsafePointer<ASN1_INTEGER>?) -> [UInt8]? {
        guard let serial, let number = ASN1_INTEGER_to_BN(serial, nil) else { return nil }
        defer { BN_free(number) }
        var bytes = [UInt8](repeating: 0, count: Int((BN_num_bits(number) + 7) / 8))
        let written = BN_bn2bin(number, &bytes)
        return Array(bytes.prefix(Int(written)))
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 0xf)]] }
        return String(decoding: text, as: UTF8.self)
    }
}
