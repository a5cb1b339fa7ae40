import COpenSSL
import NIOCore

/// A freshly generated self-signed certificate and its private key, both PEM, as etcd's
/// `transport.SelfCert` makes them for --auto-tls and --peer-auto-tls: organisation "etcd",
/// valid for a year from now, the given hosts as subject alternative names.
public struct SelfSignedCertificate: Sendable {
    public var certificatePEM: [UInt8]
    /// "EC PRIVATE KEY" (SEC 1), the form Go's x509.MarshalECPrivateKey writes.
    public var privateKeyPEM: [UInt8]

    /// Generates an ECDSA P-256 key and a certificate for `hosts` (IP addresses become IP SANs,
    /// anything else a DNS SAN), usable by TLS servers and clients.
    public static func generate(hosts: [String]) throws -> SelfSignedCertificate {
        let key = try generateKey()
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw GRPCTLSError.openSSL("X509_new") }
        defer { X509_free(certificate) }

        guard X509_set_version(certificate, 2) == 1,  // X.509 v3, for the extensions
            try setRandomSerialNumber(certificate),
            X509_gmtime_adj(X509_getm_notBefore(certificate), 0) != nil,
            X509_time_adj_ex(X509_getm_notAfter(certificate), 365, 0, nil) != nil,
            X509_set_pubkey(certificate, key) == 1
        else { throw GRPCTLSError.openSSL("filling in the certificate") }

        guard let name = X509_get_subject_name(certificate),
            X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, "etcd", -1, -1, 0) == 1,
            X509_set_issuer_name(certificate, name) == 1
        else { throw GRPCTLSError.openSSL("naming the certificate") }

        let alternativeNames = hosts.map { host in
            (try? SocketAddress(ipAddress: host, port: 0)) != nil ? "IP:\(host)" : "DNS:\(host)"
        }
        // etcd 3.4 marks its self-signed certificates for server use only; 3.5 added client use,
        // which peers need when they present the same certificate to each other.
        var extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
            (NID_ext_key_usage, "serverAuth,clientAuth"),
        ]
        if !alternativeNames.isEmpty {
            extensions.append((NID_subject_alt_name, alternativeNames.joined(separator: ",")))
        }
        var extensionContext = X509V3_CTX()
        X509V3_set_ctx(&extensionContext, certificate, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            guard let created = X509V3_EXT_conf_nid(nil, &extensionContext, nid, value) else {
                throw GRPCTLSError.openSSL("certificate extension \(value)")
            }
            defer { X509_EXTENSION_free(created) }
            guard X509_add_ext(certificate, created, -1) == 1 else {
                throw GRPCTLSError.openSSL("adding certificate extension \(value)")
            }
        }
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw GRPCTLSError.openSSL("signing the certificate") }

        let certificatePEM = try pem { PEM_write_bio_X509($0, certificate) }
        let privateKeyPEM = try pem { PEM_write_bio_PrivateKey_traditional($0, key, nil, nil, 0, nil, nil) }
        return SelfSignedCertificate(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }

    private static func generateKey() throws -> OpaquePointer {
        guard let keyContext = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nil) else { throw GRPCTLSError.openSSL("EVP_PKEY_CTX_new_id") }
        defer { EVP_PKEY_CTX_free(keyContext) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(keyContext) == 1,
            EVP_PKEY_CTX_set_ec_paramgen_curve_nid(keyContext, NID_X9_62_prime256v1) == 1,
            EVP_PKEY_keygen(keyContext, &key) == 1, let key
        else { throw GRPCTLSError.openSSL("generating an ECDSA P-256 key") }
        return key
    }

    /// A random positive 128-bit serial number, as etcd picks.
    private static func setRandomSerialNumber(_ certificate: OpaquePointer) throws -> Bool {
        guard let number = BN_new() else { throw GRPCTLSError.openSSL("BN_new") }
        defer { BN_free(number) }
        guard BN_rand(number, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
            let serial = BN_to_ASN1_INTEGER(number, nil)
        else { return false }
        defer { ASN1_INTEGER_free(serial) }
        return X509_set_serialNumber(certificate, serial) == 1
    }

    /// What `write` puts into a memory BIO.
    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw GRPCTLSError.openSSL("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw GRPCTLSError.openSSL("writing PEM") }
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        let read = BIO_read(bio, &bytes, Int32(bytes.count))
        guard read == bytes.count else { throw GRPCTLSError.openSSL("reading PEM") }
        return bytes
    }
}
