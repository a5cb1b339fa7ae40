import Foundation
import Logging
import XCTest

@testable import EtcdServer

final class ConfigurationTests: XCTestCase {
    func testURLParsingAcceptsEtcdSchemesAndRejectsOthers() throws {
        XCTAssertEqual(
            try URLEndpoint(parsing: "http://127.0.0.1:2379"), URLEndpoint(scheme: .http, host: "127.0.0.1", port: 2379))
        XCTAssertEqual(try URLEndpoint(parsing: "https://[::1]:2380").description, "https://[::1]:2380")
        XCTAssertThrowsError(try URLEndpoint(parsing: "foo://127.0.0.1:2379")) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message,
                "URL scheme must be http, https, unix, or unixs: foo://127.0.0.1:2379")
        }
        XCTAssertThrowsError(try URLEndpoint(parsing: "http://127.0.0.1"))
        XCTAssertThrowsError(try URLEndpoint(parsing: "http://127.0.0.1:99999"))
        XCTAssertThrowsError(try URLEndpoint(parsing: "http://127.0.0.1:2379/path"))
        XCTAssertEqual(try URLEndpoint.parseList("http://a:1,http://b:2").count, 2)
    }

    func testInitialClusterMustNameThisMemberAtItsAdvertisedURLs() throws {
        var configuration = ServerConfiguration()
        configuration.name = "a"
        configuration.initialAdvertisePeerURLs = [try URLEndpoint(parsing: "http://127.0.0.1:23792")]
        configuration.initialCluster = try InitialMember.parseList("b=http://127.0.0.1:23792")
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message,
                "couldn't find local name \"a\" in the initial cluster configuration")
        }
        configuration.initialCluster = try InitialMember.parseList("a=http://127.0.0.1:23793")
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message,
                "--initial-cluster has a=http://127.0.0.1:23793 but missing from --initial-advertise-peer-urls=http://127.0.0.1:23792 (resolved urls: \"http://127.0.0.1:23792\" != \"http://127.0.0.1:23793\")"
            )
        }
        configuration.initialCluster = try InitialMember.parseList("a=http://127.0.0.1:23792")
        XCTAssertNoThrow(try configuration.validate())
    }

    func testLimitsAreValidated() {
        var configuration = ServerConfiguration()
        configuration.maxTxnOps = 0
        XCTAssertThrowsError(try configuration.validate())
        configuration = ServerConfiguration()
        configuration.electionTimeoutMilliseconds = 200
        XCTAssertThrowsError(try configuration.validate())
    }

    /// IDs printed by the real etcd 3.4.23 for `--name foo --initial-advertise-peer-urls
    /// http://127.0.0.1:23796` and the default token: "starting member d993bccc7f7c86c4 in
    /// cluster b3f0995d3754bd4f".
    func testMemberAndClusterIDsMatchEtcds() throws {
        var configuration = ServerConfiguration()
        configuration.name = "foo"
        configuration.initialAdvertisePeerURLs = [try URLEndpoint(parsing: "http://127.0.0.1:23796")]
        let identity = ClusterIdentity.initial(for: configuration)
        XCTAssertEqual(String(identity.memberID, radix: 16), "d993bccc7f7c86c4")
        XCTAssertEqual(String(identity.clusterID, radix: 16), "b3f0995d3754bd4f")
        XCTAssertEqual(try ClusterIdentity(walMetadata: identity.walMetadata, configuration: configuration), identity)
        XCTAssertThrowsError(try ClusterIdentity(walMetadata: [1, 2, 3], configuration: configuration))
        // A record of the IDs alone (one-member data directories of earlier versions).
        let idsOnly = Array(identity.walMetadata.prefix(16))
        XCTAssertEqual(try ClusterIdentity(walMetadata: idsOnly, configuration: configuration), identity)
    }

    /// IDs printed by the real etcd 3.4.23 for a 3-member cluster `m0=http://127.0.0.1:21001,
    /// m1=http://127.0.0.1:21002,m2=http://127.0.0.1:21003` with token `tok`.
    func testClusterMemberIDsMatchEtcds() throws {
        var configuration = ServerConfiguration()
        configuration.name = "m1"
        configuration.initialCluster = try InitialMember.parseList(
            "m0=http://127.0.0.1:21001,m1=http://127.0.0.1:21002,m2=http://127.0.0.1:21003")
        configuration.initialAdvertisePeerURLs = [try URLEndpoint(parsing: "http://127.0.0.1:21002")]
        configuration.initialClusterToken = "tok"
        try configuration.validate()
        let identity = ClusterIdentity.initial(for: configuration)
        XCTAssertEqual(String(identity.memberID, radix: 16), "fb27e6517ed1ad78")
        XCTAssertEqual(String(identity.clusterID, radix: 16), "9fa98856a0020470")
        XCTAssertEqual(identity.members.map(\.name).sorted(), ["m0", "m1", "m2"])
        XCTAssertEqual(try ClusterIdentity(walMetadata: identity.walMetadata, configuration: configuration), identity)
    }

    func testClientAutoTLSGeneratesAPairOnceAndDropsTheOtherClientTLSFlags() throws {
        let directory = NSTemporaryDirectory() + "client-auto-tls-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.listenClientURLs = [try URLEndpoint(parsing: "https://127.0.0.1:23794")]
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message,
                "TLS key/cert (--cert-file, --key-file) must be provided for client url https://127.0.0.1:23794 with HTTPS scheme")
        }
        configuration.clientAutoTLS = true
        // etcd replaces these with the generated pair when no certificate files are given.
        configuration.clientTLS = .init(trustedCAFile: "/ca.crt", clientCertAuth: true, crlFile: "/revoke.crl")
        XCTAssertNoThrow(try configuration.validate())
        let logger = Logger(label: "configuration-test")
        let tls = try XCTUnwrap(ClientTLS.resolve(configuration, logger: logger))
        XCTAssertEqual(tls.certificateChainFile, directory + "/fixtures/client/cert.pem")
        XCTAssertEqual(tls.privateKeyFile, directory + "/fixtures/client/key.pem")
        XCTAssertNil(tls.trustedCAFile)
        XCTAssertFalse(tls.requireClientCertificate)
        XCTAssertNil(tls.revocationListFile)
        let generated = try Data(contentsOf: URL(fileURLWithPath: tls.certificateChainFile))
        _ = try ClientTLS.resolve(configuration, logger: logger)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: tls.certificateChainFile)), generated, "a restart reuses the pair")
    }

    func testClientCertificateFilesWinOverAutoTLS() throws {
        let directory = NSTemporaryDirectory() + "client-tls-files-\(UUID().uuidString)"
        var configuration = ServerConfiguration()
        configuration.dataDirectory = directory
        configuration.clientAutoTLS = true
        configuration.clientTLS = .init(
            certFile: "/server.crt", keyFile: "/server.key", trustedCAFile: "/ca.crt", clientCertAuth: true,
            crlFile: "/revoke.crl")
        let tls = try XCTUnwrap(ClientTLS.resolve(configuration, logger: Logger(label: "configuration-test")))
        XCTAssertEqual(tls.certificateChainFile, "/server.crt")
        XCTAssertEqual(tls.trustedCAFile, "/ca.crt")
        XCTAssertTrue(tls.requireClientCertificate)
        XCTAssertEqual(tls.revocationListFile, "/revoke.crl")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }

    func testTheStoreMapLeavesRoomForTwiceTheQuotaAndIsUnboundedWithoutOne() {
        var configuration = ServerConfiguration()
        XCTAssertEqual(configuration.storeMapBytes, 64 << 30, "etcd's 2 GiB default quota")
        configuration.quotaBackendBytes = 40 << 30
        XCTAssertEqual(configuration.storeMapBytes, 80 << 30)
        configuration.quotaBackendBytes = -1
        XCTAssertEqual(configuration.storeMapBytes, 1 << 40)
    }

    func testAnHTTPSMetricsURLNeedsTheClientCertificate() throws {
        var configuration = ServerConfiguration()
        configuration.listenMetricsURLs = [try URLEndpoint(parsing: "https://127.0.0.1:2381")]
        XCTAssertThrowsError(try configuration.validate()) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.message,
                "cannot listen on TLS for 127.0.0.1:2381: KeyFile and CertFile are not presented")
        }
        configuration.clientAutoTLS = true
        XCTAssertNoThrow(try configuration.validate())
    }
}
