import Foundation
import GRPCTransport
import Logging

/// etcd's `transport.SelfCert`, behind `--auto-tls` (`<data-dir>/fixtures/client`) and
/// `--peer-auto-tls` (`<data-dir>/fixtures/peer`).
enum AutoTLS {
    /// `cert.pem` and `key.pem` in `directory`, reused when both are there (a restart keeps its
    /// certificate), otherwise generated for `hosts`.
    static func certificateFiles(
        directory: String, hosts: [String], logger: Logger
    ) throws -> ServerConfiguration.TLSFiles {
        let certificatePath = directory + "/cert.pem"
        let keyPath = directory + "/key.pem"
        let fileManager = FileManager.default
        try fileManager.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !(fileManager.fileExists(atPath: certificatePath) && fileManager.fileExists(atPath: keyPath)) {
            var uniqueHosts: [String] = []
            for host in hosts where !uniqueHosts.contains(host) { uniqueHosts.append(host) }
            let generated = try SelfSignedCertificate.generate(hosts: uniqueHosts)
            // The key goes first, private from the start; a crash before the certificate is
            // written leaves no pair, so the next start generates a fresh one.
            guard fileManager.createFile(
                atPath: keyPath, contents: Data(generated.privateKeyPEM), attributes: [.posixPermissions: 0o600]),
                fileManager.createFile(atPath: certificatePath, contents: Data(generated.certificatePEM))
            else {
                throw ConfigurationError.invalid("cannot write the auto TLS certificate to \(directory)")
            }
            logger.info("created cert file", metadata: ["path": "\(certificatePath)"])
            logger.info("created key file", metadata: ["path": "\(keyPath)"])
        }
        return ServerConfiguration.TLSFiles(certFile: certificatePath, keyFile: keyPath)
    }
}
