import EtcdProto
import Foundation
import ProtoWire
import Raft
import Storage

/// What an etcd member's WAL says, read as etcd's `ReadAll` reads it from the start: its IDs,
/// its latest hard state and snapshot marker, and its log with overwritten suffixes dropped.
struct EtcdMemberLog {
    var memberID: UInt64
    var clusterID: UInt64
    var hardState: WALHardState?
    /// The latest snapshot marker (etcd writes one at index 0 when it creates the WAL).
    var snapshot: WALSnapshotMarker
    /// Where the latest snapshot marker is, for the refusal of a backend behind it.
    var snapshotLocation: (file: String, offset: Int)
    /// Contiguous; from index 1 unless etcd released the segments before a snapshot of its own.
    var entries: [Entry]
    var tornTail: WALTailRepair?

    init(directory: String) throws {
        let contents: EtcdWALContents
        do { contents = try EtcdWALReader.read(directory: directory) } catch {
            throw TakeoverError("etcd's WAL in \(directory): \(error)")
        }
        var metadata: (bytes: [UInt8], record: EtcdWALRecord)?
        var hardState: WALHardState?
        var snapshot = WALSnapshotMarker(index: 0, term: 0)
        var snapshotLocation = (file: "", offset: 0)
        var entries: [Entry] = []
        for record in contents.records {
            func refuse(_ reason: String) -> TakeoverError {
                TakeoverError("etcd's WAL: \(FileIO.join(directory, record.file)) at offset \(record.offset): \(reason)")
            }
            let fields: ProtoFields
            do { fields = try ProtoFields(record.data) } catch { throw refuse("undecodable \(record.kind) record: \(error)") }
            switch record.kind {
            case .metadata:
                if let metadata, metadata.bytes != record.data { throw refuse("metadata differs from the first segment's") }
                metadata = (record.data, record)
            case .state:
                hardState = WALHardState(term: fields.varint(1), vote: fields.varint(2), commit: fields.varint(3))
            case .snapshot:
                snapshot = WALSnapshotMarker(index: fields.varint(1), term: fields.varint(2))
                snapshotLocation = (FileIO.join(directory, record.file), record.offset)
            case .entry:
                let index = fields.varint(3)
                guard let type = EntryType(rawValue: Int32(truncatingIfNeeded: fields.varint(1))) else {
                    throw refuse("entry \(index) is of raft entry type \(fields.varint(1)), which etcd 3.4 does not write")
                }
                // A later entry at or below the last one replaces it and what follows (etcd's ReadAll).
                if let first = entries.first?.index, index <= entries[entries.count - 1].index {
                    entries.removeSubrange(Int(index < first ? 0 : index - first)...)
                } else if let last = entries.last?.index, index != last + 1 {
                    throw refuse("entry \(index) leaves a gap after entry \(last)")
                }
                entries.append(Entry(term: fields.varint(2), index: index, type: type, data: fields.bytes(4) ?? []))
            case .crc:
                continue
            }
        }
        guard let metadata else {
            throw TakeoverError("etcd's WAL in \(directory) has no metadata record: it was never completely created")
        }
        let ids: ProtoFields
        do { ids = try ProtoFields(metadata.bytes) } catch {
            throw TakeoverError(
                "etcd's WAL: \(FileIO.join(directory, metadata.record.file)) at offset \(metadata.record.offset): undecodable metadata: \(error)")
        }
        memberID = ids.varint(1)
        clusterID = ids.varint(2)
        self.hardState = hardState
        self.snapshot = snapshot
        self.snapshotLocation = snapshotLocation
        self.entries = entries
        tornTail = contents.tornTail
    }

    var firstIndex: UInt64? { entries.first?.index }

    func term(at index: UInt64) -> UInt64? {
        if index == snapshot.index { return snapshot.term }
        guard let first = firstIndex, index >= first, index < first + UInt64(entries.count) else { return nil }
        return entries[Int(index - first)].term
    }

    /// The members once the configuration changes up to `index` are applied, from the members
    /// in the changes' contexts (etcd's member JSON); only for a log that starts at index 1.
    func members(upTo index: UInt64) throws -> [Member] {
        var members: [UInt64: Member] = [:]
        for entry in entries where entry.type == .confChange && entry.index <= index {
            let change = try EtcdEntryTranslation.configurationChange(entry)
            switch try MembershipChange(change) {
            case .add(let member):
                members[member.id, default: member].isLearner = member.isLearner
            case .remove(let id):
                members[id] = nil
            case .updatePeerURLs(let id, let urls):
                members[id]?.peerUrls = urls
            }
        }
        return members.values.sorted { $0.id < $1.id }
    }
}
