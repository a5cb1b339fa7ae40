// Alarms in the store: `alarms` holds one entry per raised alarm, keyed by member ID (8 bytes,
// big-endian) then alarm type (4 bytes, big-endian), with an empty value. Raising and clearing
// are writes of the apply loop, so they persist and replicate like etcd's alarm bucket.

import EtcdProto
import Storage

extension StoreView {
    static func alarmKey(_ alarm: AlarmMember) -> [UInt8] {
        leaseBytes(Int64(bitPattern: alarm.memberId))
            + withUnsafeBytes(of: UInt32(bitPattern: alarm.alarm.rawValue).bigEndian) { Array($0) }
    }

    func alarms() throws(LMDBError) -> [AlarmMember] {
        var alarms: [AlarmMember] = []
        try self.transaction.cursor(self.tables.alarms) { (cursor) throws(LMDBError) in
            var entry = try cursor.first()
            while let current = entry {
                var alarm = AlarmMember()
                alarm.memberId = UInt64(bigEndian: current.key.loadUnaligned(as: UInt64.self))
                alarm.alarm = AlarmType(rawValue: Int32(bitPattern: UInt32(bigEndian: current.key.loadUnaligned(fromByteOffset: 8, as: UInt32.self))))
                alarms.append(alarm)
                entry = try cursor.next()
            }
        }
        return alarms
    }

    /// Which of the alarms that refuse writes are raised: NOSPACE (writes that add data) and
    /// CORRUPT (every write).
    func raisedAlarms() throws(LMDBError) -> (capped: Bool, corrupt: Bool) {
        let alarms = try self.alarms()
        return (alarms.contains { $0.alarm == .nospace }, alarms.contains { $0.alarm == .corrupt })
    }

    /// etcd's applier for `Alarm`: GET lists (all, or one type), ACTIVATE answers the alarm
    /// (new or already raised), DEACTIVATE answers the alarm it cleared (nothing if none).
    func applyAlarm(_ request: AlarmRequest) throws(LMDBError) -> [AlarmMember] {
        var alarm = AlarmMember()
        alarm.memberId = request.memberId
        alarm.alarm = request.alarm
        let key = Self.alarmKey(alarm)
        switch request.action {
        case .activate:
            try key.withBytes { (bytes) throws(LMDBError) in
                try self.transaction.put(self.tables.alarms, key: bytes, value: UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return [alarm]
        case .deactivate:
            let removed = try key.withBytes { (bytes) throws(LMDBError) -> Bool in
                try self.transaction.delete(self.tables.alarms, key: bytes)
            }
            return removed ? [alarm] : []
        default:
            let all = try self.alarms()
            return request.alarm == .none ? all : all.filter { $0.alarm == request.alarm }
        }
    }
}

extension MVCCStore {
    /// The raised alarms (any thread).
    public func alarms() throws(MVCCError) -> [AlarmMember] {
        try self.read { (view) throws(MVCCError) -> [AlarmMember] in
            do throws(LMDBError) { return try view.alarms() } catch { throw .storage(error) }
        }
    }
}
