import Foundation
import GRPCTransport
import Logging

/// The TLS the peer transport puts on https peer URLs, worked out from etcd's peer flags as
/// etcd does (`PeerSelfCert`, then `TLSInfo.ServerConfig` for listeners and `ClientConfig` for
/// dialling other members).
struct PeerTLS: Sendable {
    /// The listeners' side; nil without a certificate, and then an https listener is refused.
    var server: GRPCTLSConfiguration?
    /// The dialling side: with no flags at all it presents no certificate and verifies the
    /// other member against the system's trusted CAs, as Go's default does.
    var client: GRPCClientTLSConfiguration

    static let none = PeerTLS(server: nil, client: GRPCClientTLSConfiguration())

    /// Reads the peer TLS flags of `configuration`, generating (or reusing) the auto-TLS
    /// certificate in the data directory when that is asked for and no files are given.
    static func resolve(_ configuration: ServerConfiguration, logger: Logger) throws -> PeerTLS {
        var files = configuration.peerTLS
        var selfSigned = false
        if configuration.peerAutoTLS {
            if files.isEmpty {
                let hosts = configuration.listenPeerURLs.map(\.host) + configuration.initialAdvertisePeerURLs.map(\.host)
                // etcd replaces all peer TLS settings with the generated pair, so
                // --peer-trusted-ca-file and --peer-client-cert-auth do nothing here either.
                files = try AutoTLS.certificateFiles(
                    directory: configuration.dataDirectory + "/fixtures/peer", hosts: hosts, logger: logger)
                selfSigned = true
            } else {
                logger.warning("ignoring peer auto TLS since certs given")
            }
        }
        if files.isEmpty { return .none }
        // etcd's `TLSInfo.baseConfig` message.
        guard !files.certFile.isEmpty, !files.keyFile.isEmpty else {
            throw ConfigurationError.invalid(
                "KeyFile and CertFile must both be present[key: \(files.keyFile), cert: \(files.certFile)]")
        }
        let tlsInfo = "cert = \(files.certFile), key = \(files.keyFile), trusted-ca = \(files.trustedCAFile), "
            + "client-cert-auth = \(files.clientCertAuth), crl-file = \(files.crlFile)"
        logger.info("starting with peer TLS", metadata: ["tls-info": "\(tlsInfo)"])
        let trustedCAFile = files.trustedCAFile.isEmpty ? nil : files.trustedCAFile
        let allowedCommonName = files.allowedCN.isEmpty ? nil : files.allowedCN
        // etcd applies --cipher-suites to the peer listener and dialer too.
        let cipherSuites = try CipherSuites.openSSLCipherList(configuration.cipherSuites)
        return PeerTLS(
            server: GRPCTLSConfiguration(
                certificateChainFile: files.certFile, privateKeyFile: files.keyFile, trustedCAFile: trustedCAFile,
                // etcd's ServerConfig demands a verified client certificate as soon as a CA is given.
                requireClientCertificate: trustedCAFile != nil || files.clientCertAuth,
                allowedCommonName: allowedCommonName,
                // etcd checks the CRL on the listener only: a dialled member is not checked.
                revocationListFile: files.crlFile.isEmpty ? nil : files.crlFile, cipherSuites: cipherSuites),
            client: GRPCClientTLSConfiguration(
                certificateChainFile: files.certFile, privateKeyFile: files.keyFile, trustedCAFile: trustedCAFile,
                // etcd's ClientConfig: a self-signed certificate means InsecureSkipVerify.
                verifiesServerCertificate: !selfSigned, allowedCommonName: allowedCommonName, cipherSuites: cipherSuites))
    }
}
