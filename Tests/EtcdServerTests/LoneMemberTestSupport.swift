import Logging

@testable import EtcdServer

extension ServerConfiguration {
    /// One member on loopback with free client and peer ports, its data in `directory`.
    static func loneMemberForTests(name: String, directory: String) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.name = name
        configuration.dataDirectory = directory
        configuration.listenClientURLs = [URLEndpoint(scheme: .http, host: "127.0.0.1", port: 0)]
        configuration.initialAdvertisePeerURLs = [URLEndpoint(scheme: .http, host: "127.0.0.1", port: 2380)]
        // The peer listener picks a free port: a member alone never dials its advertised URL.
        configuration.listenPeerURLs = [URLEndpoint(scheme: .http, host: "127.0.0.1", port: 0)]
        return configuration
    }
}

extension Logger {
    /// A logger that prints errors only, so tests' output stays readable.
    static var quietForTests: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }
}
