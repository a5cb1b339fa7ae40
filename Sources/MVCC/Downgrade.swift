// The downgrade job in the store: while one is enabled, the `meta` entries `downgradeTargetMajor`
// and `downgradeTargetMinor` hold its target cluster version; both are absent otherwise. This is
// etcd's DowngradeInfo{enabled, target-version} of its cluster bucket; enabling and cancelling are
// writes of the apply loop, so the job persists and replicates as etcd's does.
//
// Unlike etcd 3.5, a member restarted while a job is enabled keeps serving: etcd 3.5.13 exits
// then unless its own release is the target (membership.mustDetectDowngrade), which, with no
// older build of this server, would leave the data directory unusable. etcd 3.6 dropped that
// check, so there too the job can still be cancelled after a restart.

import Storage

/// A cluster version: etcd keeps only a release's major.minor (a semantic version with patch 0).
public struct ClusterVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int64
    public var minor: Int64

    public init(major: Int64, minor: Int64) {
        self.major = major
        self.minor = minor
    }

    /// The major.minor of `semanticVersion`, read as etcd's semver parser (coreos/go-semver
    /// 0.3.0) reads it: `MAJOR.MINOR.PATCH`, each a base-10 Int64 (leading zeros allowed), then
    /// optionally `-PRERELEASE` and `+METADATA` made of dot-separated `[0-9A-Za-z-]+` identifiers.
    /// Like Go's, the parse is over UTF-8 bytes.
    public init?(semanticVersion: String) {
        var version = Array(semanticVersion.utf8)[...]
        let metadata = Self.splitOff(&version, at: UInt8(ascii: "+"))
        let preRelease = Self.splitOff(&version, at: UInt8(ascii: "-"))
        let parts = version.split(separator: UInt8(ascii: "."), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Self.isIdentifierList(preRelease), Self.isIdentifierList(metadata),
            let major = Self.parseInt64(parts[0]), let minor = Self.parseInt64(parts[1]), Self.parseInt64(parts[2]) != nil
        else { return nil }
        self.init(major: major, minor: minor)
    }

    /// etcd's reading of a downgrade target (`convertToClusterVersion`): a semantic version, or
    /// `MAJOR.MINOR` (tried again with `.0` appended).
    public init?(downgradeTarget: String) {
        guard let version = Self(semanticVersion: downgradeTarget) ?? Self(semanticVersion: downgradeTarget + ".0") else {
            return nil
        }
        self = version
    }

    /// The only version etcd lets this cluster version downgrade to (`AllowedDowngradeVersion`).
    public var allowedDowngradeTarget: ClusterVersion { ClusterVersion(major: major, minor: minor - 1) }

    /// etcd's text of a cluster version (semver's `String()` with patch 0), e.g. "3.5.0".
    public var description: String { "\(major).\(minor).0" }

    /// Cuts `version` at the first `delimiter` and answers what followed it (nothing if none).
    private static func splitOff(_ version: inout ArraySlice<UInt8>, at delimiter: UInt8) -> ArraySlice<UInt8> {
        guard let index = version.firstIndex(of: delimiter) else { return [] }
        let rest = version[(index + 1)...]
        version = version[..<index]
        return rest
    }

    /// Go's `strconv.ParseInt(text, 10, 64)`: an optional sign, then ASCII digits, within Int64.
    private static func parseInt64(_ text: ArraySlice<UInt8>) -> Int64? {
        Int64(String(decoding: text, as: UTF8.self), radix: 10)
    }

    /// go-semver's identifier check: empty, or dot-separated non-empty runs of `[0-9A-Za-z-]`.
    private static func isIdentifierList(_ text: ArraySlice<UInt8>) -> Bool {
        if text.isEmpty { return true }
        return text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { identifier in
            !identifier.isEmpty && identifier.allSatisfy { byte in
                byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            }
        }
    }
}

extension StoreView {
    /// The target of the enabled downgrade job; nil when none is enabled.
    func downgradeTarget() throws(LMDBError) -> ClusterVersion? {
        guard let major = try self.meta(.downgradeTargetMajor), let minor = try self.meta(.downgradeTargetMinor) else {
            return nil
        }
        return ClusterVersion(major: major, minor: minor)
    }

    /// etcd's applier for `DowngradeInfoSet`: enables a downgrade job to `target`, or cancels
    /// the job (nil). Like etcd's, it overwrites whatever job there was: the checks are made
    /// before proposing.
    func applyDowngradeInfoSet(_ target: ClusterVersion?) throws(LMDBError) {
        if let target {
            try self.setMeta(.downgradeTargetMajor, target.major)
            try self.setMeta(.downgradeTargetMinor, target.minor)
        } else {
            try self.deleteMeta(.downgradeTargetMajor)
            try self.deleteMeta(.downgradeTargetMinor)
        }
    }
}

extension MVCCStore {
    /// The target of the enabled downgrade job, nil when none is (any thread).
    public func downgradeTarget() throws(MVCCError) -> ClusterVersion? {
        try self.read { (view) throws(MVCCError) -> ClusterVersion? in
            do throws(LMDBError) { return try view.downgradeTarget() } catch { throw .storage(error) }
        }
    }
}
