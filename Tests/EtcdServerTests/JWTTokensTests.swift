@testable import EtcdServer
import Foundation
import XCTest

/// Uses the key pairs of etcd's own fixtures (golang-etcd-server-dev), as etcd's JWT tests do.
final class JWTTokensTests: XCTestCase {
    private let fixtures = "/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures"

    private func tokens(_ key: String, _ method: String, ttl: String = "5m") throws -> JWTTokens {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "\(fixtures)/\(key).key.insecure"), "etcd fixtures not installed")
        return try JWTTokens(options: "priv-key=\(fixtures)/\(key).key.insecure,sign-method=\(method),ttl=\(ttl)")
    }

    func testSignedTokensVerifyWithTheirClaims() throws {
        for (key, method) in [("server", "RS256"), ("server", "RS512"), ("server-ecdsa", "ES256")] {
            let signer = try tokens(key, method)
            let token = try XCTUnwrap(signer.sign(user: "alice", revision: 7))
            let verified = try XCTUnwrap(signer.verify(token), "\(method)")
            XCTAssertEqual(verified.user, "alice")
            XCTAssertEqual(verified.revision, 7)
        }
    }

    func testForgedTokensAreRefused() throws {
        let signer = try tokens("server", "RS256")
        let token = try XCTUnwrap(signer.sign(user: "alice", revision: 7))
        let parts = token.split(separator: ".").map(String.init)
        // Claims changed under the original signature.
        let claims = JWTTokens.base64URL(Data(#"{"exp":9999999999,"revision":7,"username":"root"}"#.utf8))
        XCTAssertNil(signer.verify(parts[0] + "." + claims + "." + parts[2]))
        // alg none, no signature.
        let none = JWTTokens.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        XCTAssertNil(signer.verify(none + "." + parts[1] + "."))
        // Signed with another key.
        let other = try XCTUnwrap(try tokens("server2", "RS256").sign(user: "alice", revision: 7))
        XCTAssertNil(signer.verify(other))
        // Another method than the configured one.
        let otherMethod = try XCTUnwrap(try tokens("server", "RS384").sign(user: "alice", revision: 7))
        XCTAssertNil(signer.verify(otherMethod))
        XCTAssertNil(signer.verify("not-a-token"))
    }

    func testExpiredTokensAreRefused() throws {
        let signer = try tokens("server", "RS256", ttl: "1s")
        let token = try XCTUnwrap(signer.sign(user: "alice", revision: 1))
        XCTAssertNotNil(signer.verify(token))
        Thread.sleep(forTimeInterval: 2.1)
        XCTAssertNil(signer.verify(token))
    }

    func testBadOptionsAreRefusedWithEtcdsErrors() {
        XCTAssertThrowsError(try JWTTokens(options: "sign-method=XX256,priv-key=/nonexistent"))
        XCTAssertThrowsError(try JWTTokens(options: "sign-method=RS256,priv-key=/nonexistent"))
        XCTAssertThrowsError(try JWTTokens(options: "sign-method=RS256"))
    }
}
