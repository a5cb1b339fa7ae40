import EtcdProto
import MVCC
import Testing

@Suite struct DowngradeTests {
    @Test func jobPersistsAcrossReopenUntilCancelled() throws {
        let fixture = try TemporaryStore()
        #expect(try fixture.store.downgradeTarget() == nil)
        let target = ClusterVersion(major: 3, minor: 4)
        let enabled = try fixture.apply(.downgradeInfoSet(target))
        #expect(try enabled.response.get() == .downgradeInfoSet)
        try fixture.reopen()
        #expect(try fixture.store.downgradeTarget() == target)

        _ = try fixture.apply(.downgradeInfoSet(nil))
        try fixture.reopen()
        #expect(try fixture.store.downgradeTarget() == nil)
    }

    @Test func jobChangesNoRevisionAndIsAppliedUnderNoSpace() throws {
        let fixture = try TemporaryStore()
        try fixture.put("a", "1")
        _ = try fixture.apply(.alarm(AlarmRequest(action: .activate, memberId: 7, alarm: .nospace)))
        let enabled = try fixture.apply(.downgradeInfoSet(ClusterVersion(major: 3, minor: 4)))
        #expect(try enabled.response.get() == .downgradeInfoSet)
        #expect(enabled.events.isEmpty && enabled.revision == 2)
        #expect(try fixture.store.currentRevision() == 2)
    }

    /// etcd's `convertToClusterVersion` over coreos/go-semver 0.3.0: what it accepts, and the
    /// major.minor it keeps.
    @Test(arguments: [
        ("3.4", ClusterVersion(major: 3, minor: 4)),
        ("3.4.0", ClusterVersion(major: 3, minor: 4)),
        ("3.4.99", ClusterVersion(major: 3, minor: 4)),
        ("03.004.1", ClusterVersion(major: 3, minor: 4)),
        ("3.4.0-rc.1+build-7", ClusterVersion(major: 3, minor: 4)),
        ("3.4.0-", ClusterVersion(major: 3, minor: 4)),
        ("3.6", ClusterVersion(major: 3, minor: 6)),
        ("9223372036854775807.1", ClusterVersion(major: Int64.max, minor: 1)),
    ])
    func downgradeTargetsEtcdAccepts(text: String, version: ClusterVersion) {
        #expect(ClusterVersion(downgradeTarget: text) == version)
    }

    @Test(arguments: [
        "", "3", "abc", "3.4.x", "3.4.0.0", "3.4.", "3..4", "v3.4", "3.4-rc", "3.4+meta", "3.4.0-rc..1", "3.4.0+a_b",
        " 3.4", "3.4 ", "9223372036854775808.4", "3.\u{301}4",
    ])
    func downgradeTargetsEtcdRefuses(text: String) {
        #expect(ClusterVersion(downgradeTarget: text) == nil)
    }

    @Test func clusterVersionTextAndAllowedTarget() {
        let version = ClusterVersion(semanticVersion: "3.5.13")
        #expect(version?.description == "3.5.0")
        #expect(version?.allowedDowngradeTarget == ClusterVersion(major: 3, minor: 4))
    }
}
