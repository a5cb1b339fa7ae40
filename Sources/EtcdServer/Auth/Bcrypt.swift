import CCrypt

/// bcrypt through libxcrypt's `crypt_r` (Debian's libcrypt, maintained and constant-time),
/// in the `$2a$` form Go's bcrypt writes, so hashes carry over to and from etcd.
/// Each call costs tens of milliseconds at cost 10: never call it on an event loop or the apply loop.
enum Bcrypt {
    static let minimumCost = 4
    static let maximumCost = 31
    /// Go's `bcrypt.DefaultCost`, etcd's default `--bcrypt-cost`.
    static let defaultCost = 10

    /// A new `$2a$` hash of `password` with a fresh random salt; nil if libxcrypt fails.
    static func hash(_ password: String, cost: Int) -> String? {
        var salt = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        // A nil random buffer makes libxcrypt read the OS's random source itself.
        guard crypt_gensalt_rn("$2a$", UInt(cost), nil, 0, &salt, Int32(salt.count)) != nil else { return nil }
        return crypt(password, setting: salt)
    }

    /// Whether `password` hashes to `hash` (a bcrypt hash of any of the `$2a$`/`$2b$`/`$2y$` forms).
    static func verify(_ password: String, hash: [UInt8]) -> Bool {
        guard hash.count >= 7, hash[0] == UInt8(ascii: "$"), hash[1] == UInt8(ascii: "2") else { return false }
        let setting = hash.map { CChar(bitPattern: $0) } + [0]
        guard let computed = crypt(password, setting: setting) else { return false }
        let computedBytes = Array(computed.utf8)
        guard computedBytes.count == hash.count else { return false }
        // Constant time: the comparison's duration says nothing about where they differ.
        var difference: UInt8 = 0
        for index in 0..<hash.count { difference |= computedBytes[index] ^ hash[index] }
        return difference == 0
    }

    private static func crypt(_ password: String, setting: [CChar]) -> String? {
        var data = crypt_data()
        return withUnsafeMutablePointer(to: &data) { pointer in
            guard let result = crypt_r(password, setting, pointer) else { return nil }
            // libxcrypt's failure token starts with '*'.
            if result.pointee == CChar(UInt8(ascii: "*")) { return nil }
            return String(cString: result)
        }
    }
}
