#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Storage

struct DiskFaultPlanTests {
    @Test func aFaultFiresAfterItsSucceedingCallsAndStays() throws {
        let plan = try DiskFaultPlan(specification: "wal-fsync:eio@after=2, snap-write:short")
        let segment = "/data/member/wal/0000000000000000-0000000000000000.wal"
        #expect(plan.failure(of: .fsync, path: segment) == nil)
        #expect(plan.failure(of: .fsync, path: segment + ".tmp") == nil)
        #expect(plan.failure(of: .fsync, path: segment) == .error(EIO))
        #expect(plan.failure(of: .fsync, path: segment) == .error(EIO))
        // Other calls, other files and the WAL directory itself are left alone.
        #expect(plan.failure(of: .write, path: segment) == nil)
        #expect(plan.failure(of: .fsync, path: "/data/member/wal") == nil)
        #expect(plan.failure(of: .fsync, path: "/data/member/snap/db") == nil)
        #expect(plan.failure(of: .write, path: "/data/member/snap/0000000000000002-0000000000000005.snap.tmp") == .shortWrite)
    }

    @Test func malformedSpecificationsAreRefused() {
        for specification in ["", "wal-fsync", "wal-fsync:eperm", "db-write:eio", "wal-fsync:short", "wal-write:eio@after=-1", "wal-write:eio@every=2"] {
            #expect(throws: DiskFaultPlan.SpecificationError.self) { try DiskFaultPlan(specification: specification) }
        }
    }
}
