import COpenSSL
import Foundation

/// etcd's `--auth-token jwt,pub-key=…,priv-key=…,sign-method=…,ttl=…`: tokens signed with the
/// member's key (OpenSSL), carrying the claims etcd signs (`username`, `revision`, `exp`), so a
/// token etcd issued with the same key is accepted here and the other way round.
final class JWTTokens: Sendable {
    enum Method: String, Sendable {
        case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
        case es256 = "ES256", es384 = "ES384", es512 = "ES512"

        var digest: OpaquePointer? {
            switch self {
            case .rs256, .es256: EVP_sha256()
            case .rs384, .es384: EVP_sha384()
            case .rs512, .es512: EVP_sha512()
            }
        }

        /// The byte length of each of r and s in a JWS ECDSA signature; nil for RSA.
        var ecdsaComponentSize: Int? {
            switch self {
            case .rs256, .rs384, .rs512: nil
            case .es256: 32
            case .es384: 48
            case .es512: 66
            }
        }
    }

    let method: Method
    let ttlSeconds: Int64
    /// `EVP_PKEY` with the private key (or only the public one: verify-only). Owned by this
    /// object and freed in deinit; OpenSSL allows concurrent signing and verifying with one key.
    private nonisolated(unsafe) let key: OpaquePointer
    let canSign: Bool

    /// Parses the option list after "jwt," (etcd's names) and loads the key files.
    init(options: String) throws(ConfigurationError) {
        var values: [String: String] = [:]
        for pair in options.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw .invalid("auth: invalid auth options (\(pair))") }
            values[parts[0]] = parts[1]
        }
        guard let name = values["sign-method"], let method = Method(rawValue: name) else {
            throw .invalid("auth: invalid auth signature method")
        }
        self.method = method
        if let ttl = values["ttl"] {
            guard let milliseconds = GoDuration.milliseconds(ttl) else { throw .invalid("auth: invalid auth options (ttl=\(ttl))") }
            ttlSeconds = max(1, Int64(milliseconds) / 1000)
        } else {
            ttlSeconds = 300
        }
        if let path = values["priv-key"] {
            guard let key = Self.loadPrivateKey(path) else { throw .invalid("auth: missing key data (\(path))") }
            self.key = key
            canSign = true
        } else if let path = values["pub-key"] {
            guard let key = Self.loadPublicKey(path) else { throw .invalid("auth: missing key data (\(path))") }
            self.key = key
            canSign = false
        } else {
            throw .invalid("auth: missing key data")
        }
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// A signed token for `user` at auth revision `revision`, nil if this member only verifies.
    func sign(user: String, revision: UInt64) -> String? {
        guard canSign else { return nil }
        let header = Self.base64URL(Data(#"{"alg":"\#(method.rawValue)","typ":"JWT"}"#.utf8))
        let expiry = Int64(Date().timeIntervalSince1970) + ttlSeconds
        let claims: [String: Any] = ["exp": expiry, "revision": revision, "username": user]
        guard let body = try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]) else { return nil }
        let signingInput = header + "." + Self.base64URL(body)
        guard let signature = signature(of: Array(signingInput.utf8)) else { return nil }
        return signingInput + "." + Self.base64URL(Data(signature))
    }

    /// The user and auth revision of a valid, unexpired token signed with this key and method.
    func verify(_ token: String) -> (user: String, revision: UInt64)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Self.decodeBase64URL(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              header["alg"] as? String == method.rawValue,
              let signature = Self.decodeBase64URL(parts[2]),
              let claimsData = Self.decodeBase64URL(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]
        else { return nil }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard verify(Array(signature), of: signingInput) else { return nil }
        guard let expiry = (claims["exp"] as? NSNumber)?.doubleValue, expiry > Date().timeIntervalSince1970,
              let user = claims["username"] as? String,
              let revision = (claims["revision"] as? NSNumber)?.uint64Value
        else { return nil }
        return (user, revision)
    }

    private func signature(of input: [UInt8]) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, method.digest, nil, key) == 1 else { return nil }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, input, input.count) == 1 else { return nil }
        var output = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &output, &length, input, input.count) == 1 else { return nil }
        output.removeSubrange(length...)
        guard let size = method.ecdsaComponentSize else { return output }
        return Self.rawECDSA(fromDER: output, componentSize: size)
    }

    private func verify(_ signature: [UInt8], of input: [UInt8]) -> Bool {
        var signature = signature
        if let size = method.ecdsaComponentSize {
            guard signature.count == 2 * size, let der = Self.derECDSA(fromRaw: signature) else { return false }
            signature = der
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, method.digest, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, input, input.count) == 1
    }

    // MARK: Keys and encodings

    private static func loadPrivateKey(_ path: String) -> OpaquePointer? {
        guard let bio = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(bio) }
        return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
    }

    /// A PEM public key, or the key of a PEM certificate (etcd's fixtures pass a certificate).
    private static func loadPublicKey(_ path: String) -> OpaquePointer? {
        guard let bio = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(bio) }
        if let key = PEM_read_bio_PUBKEY(bio, nil, nil, nil) { return key }
        guard BIO_ctrl(bio, BIO_CTRL_RESET, 0, nil) >= 0, let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            return nil
        }
        defer { X509_free(certificate) }
        return X509_get_pubkey(certificate)
    }

    private static func rawECDSA(fromDER der: [UInt8], componentSize: Int) -> [UInt8]? {
        der.withUnsafeBufferPointer { buffer -> [UInt8]? in
            var pointer = buffer.baseAddress
            guard let signature = d2i_ECDSA_SIG(nil, &pointer, buffer.count) else { return nil }
            defer { ECDSA_SIG_free(signature) }
            var output = [UInt8](repeating: 0, count: 2 * componentSize)
            let written = output.withUnsafeMutableBufferPointer { raw in
                BN_bn2binpad(ECDSA_SIG_get0_r(signature), raw.baseAddress, Int32(componentSize)) == componentSize
                    && BN_bn2binpad(ECDSA_SIG_get0_s(signature), raw.baseAddress! + componentSize, Int32(componentSize)) == componentSize
            }
            return written ? output : nil
        }
    }

    private static func derECDSA(fromRaw raw: [UInt8]) -> [UInt8]? {
        let half = raw.count / 2
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(half), nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + half, Int32(half), nil) }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        var output: UnsafeMutablePointer<UInt8>?
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else { return nil }
        defer { CRYPTO_free(output, #file, #line) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
