import GRPCTransport
import Logging

/// The TLS the client listener puts on an https client URL, worked out from etcd's client flags
/// as etcd does (`ClientSelfCert`, then `TLSInfo.ServerConfig` and the CRL check of its TLS listener).
enum ClientTLS {
    /// The server side for https client URLs; nil when no certificate is given or generated.
    /// With `--auto-tls` and no files, the self-signed pair is made (or reused) even when every
    /// client URL is http, as etcd does.
    static func resolve(_ configuration: ServerConfiguration, logger: Logger) throws -> GRPCTLSConfiguration? {
        var files = configuration.clientTLS
        if configuration.clientAutoTLS {
            if files.isEmpty {
                // etcd replaces all client TLS settings with the generated pair, so
                // --trusted-ca-file, --client-cert-auth and --client-crl-file do nothing here.
                files = try AutoTLS.certificateFiles(
                    directory: configuration.dataDirectory + "/fixtures/client",
                    hosts: configuration.listenClientURLs.map(\.host), logger: logger)
            } else {
                logger.warning("ignoring client auto TLS since certs given")
            }
        }
        if files.isEmpty { return nil }
        let tlsInfo = "cert = \(files.certFile), key = \(files.keyFile), trusted-ca = \(files.trustedCAFile), "
            + "client-cert-auth = \(files.clientCertAuth), crl-file = \(files.crlFile)"
        logger.info("starting with client TLS", metadata: ["tls-info": "\(tlsInfo)"])
        return GRPCTLSConfiguration(
            certificateChainFile: files.certFile, privateKeyFile: files.keyFile,
            trustedCAFile: files.trustedCAFile.isEmpty ? nil : files.trustedCAFile,
            requireClientCertificate: files.clientCertAuth,
            revocationListFile: files.crlFile.isEmpty ? nil : files.crlFile,
            cipherSuites: try CipherSuites.openSSLCipherList(configuration.cipherSuites))
    }
}
