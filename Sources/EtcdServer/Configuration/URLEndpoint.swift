import Foundation

/// A URL as etcd's `--*-urls` flags take it: `scheme://host:port`, where the scheme is one of
/// etcd's four and the port is explicit.
public struct URLEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https, unix, unixs
    }

    public var scheme: Scheme
    public var host: String
    public var port: Int

    public static let defaultClient = URLEndpoint(scheme: .http, host: "localhost", port: 2379)
    public static let defaultPeer = URLEndpoint(scheme: .http, host: "localhost", port: 2380)

    public init(scheme: Scheme, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses one URL with etcd's error messages (`types.NewURLs`).
    public init(parsing text: String) throws(ConfigurationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let separator = trimmed.range(of: "://") else {
            throw .invalid("URL scheme must be http, https, unix, or unixs: \(trimmed)")
        }
        guard let scheme = Scheme(rawValue: String(trimmed[..<separator.lowerBound])) else {
            throw .invalid("URL scheme must be http, https, unix, or unixs: \(trimmed)")
        }
        var authority = trimmed[separator.upperBound...]
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        if authority.contains("/") {
            throw .invalid("URL must not contain a path: \(trimmed)")
        }
        let hostPart: Substring
        let portPart: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]"),
                authority[authority.index(after: close)...].hasPrefix(":")
            else {
                throw .invalid("URL address does not have the form \"host:port\": \(trimmed)")
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            portPart = authority[authority.index(close, offsetBy: 2)...]
        } else {
            guard let colon = authority.lastIndex(of: ":") else {
                throw .invalid("URL address does not have the form \"host:port\": \(trimmed)")
            }
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw .invalid("URL address does not have the form \"host:port\": \(trimmed)")
        }
        self.init(scheme: scheme, host: String(hostPart), port: port)
    }

    /// Parses etcd's comma-separated list form.
    public static func parseList(_ text: String) throws(ConfigurationError) -> [URLEndpoint] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: true)
        if parts.isEmpty {
            throw .invalid("no valid URLs given")
        }
        var urls: [URLEndpoint] = []
        for part in parts {
            urls.append(try URLEndpoint(parsing: String(part)))
        }
        return urls
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(shownHost):\(port)"
    }
}
