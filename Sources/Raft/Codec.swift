import ProtoWire

/// raftpb.ConfChange as etcd encodes it (proto2, every field present): the payload of a
/// configuration-change entry.
extension ConfChange {
    public func encoded() -> [UInt8] {
        let size = 1 + ProtoSize.varint(id) + 1 + ProtoSize.varint(UInt64(type.rawValue)) + 1 + ProtoSize.varint(nodeID)
            + 1 + ProtoSize.varint(UInt64(context.count)) + context.count
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = ProtoWriter(UnsafeMutableRawBufferPointer(buffer))
            writer.writeTag(1, .varint)
            writer.writeVarint(id)
            writer.writeTag(2, .varint)
            writer.writeVarint(UInt64(type.rawValue))
            writer.writeTag(3, .varint)
            writer.writeVarint(nodeID)
            writer.writeBytesField(4, context)
            count = size
        }
    }

    public init(decoding bytes: [UInt8]) throws(ProtoDecodingError) {
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtoDecodingError) -> ConfChange in
                var change = ConfChange(type: .addNode, nodeID: 0)
                var reader = ProtoReader(raw)
                while let tag = try reader.nextTag() {
                    switch (tag.fieldNumber, tag.wireType) {
                    case (1, .varint): change.id = try reader.readUInt64()
                    case (2, .varint):
                        guard let kind = ConfChangeType(rawValue: try reader.readInt32()) else {
                            throw ProtoDecodingError.wrongWireType(tag)
                        }
                        change.type = kind
                    case (3, .varint): change.nodeID = try reader.readUInt64()
                    case (4, .lengthDelimited): change.context = try reader.readBytes()
                    default: try reader.skipField(tag)
                    }
                }
                return change
            }
        }
        self = try decoded.get()
    }
}

/// The raftpb messages peers exchange (proto/raft.proto), encoded as etcd's gogo code does:
/// non-nullable fields always written, `Data`/`context` only when present.
extension Message {
    public func encoded() -> [UInt8] {
        let size = encodedSize
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var writer = ProtoWriter(UnsafeMutableRawBufferPointer(buffer))
            write(to: &writer)
            count = size
        }
    }

    public init(decoding bytes: [UInt8]) throws(ProtoDecodingError) {
        let decoded = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtoDecodingError) -> Message in
                var reader = ProtoReader(raw)
                return try Message(reading: &reader)
            }
        }
        self = try decoded.get()
    }

    var encodedSize: Int {
        var size = 1 + ProtoSize.varint(UInt64(type.rawValue))
        for value in [to, from, term, logTerm, index] { size += 1 + ProtoSize.varint(value) }
        for entry in entries { size += 1 + ProtoSize.varint(UInt64(entry.encodedSize)) + entry.encodedSize }
        size += 1 + ProtoSize.varint(commit)
        let snapshotSize = (snapshot ?? Snapshot()).encodedSize
        size += 1 + ProtoSize.varint(UInt64(snapshotSize)) + snapshotSize
        size += 2 + 1 + ProtoSize.varint(rejectHint)
        if !context.isEmpty { size += 1 + ProtoSize.varint(UInt64(context.count)) + context.count }
        return size
    }

    func write(to writer: inout ProtoWriter) {
        writer.writeTag(1, .varint); writer.writeVarint(UInt64(type.rawValue))
        for (field, value) in [(2, to), (3, from), (4, term), (5, logTerm), (6, index)] {
            writer.writeTag(field, .varint); writer.writeVarint(value)
        }
        for entry in entries {
            writer.writeTag(7, .lengthDelimited); writer.writeVarint(UInt64(entry.encodedSize)); entry.write(to: &writer)
        }
        writer.writeTag(8, .varint); writer.writeVarint(commit)
        let snapshot = self.snapshot ?? Snapshot()
        writer.writeTag(9, .lengthDelimited); writer.writeVarint(UInt64(snapshot.encodedSize)); snapshot.write(to: &writer)
        writer.writeTag(10, .varint); writer.writeVarint(reject ? 1 : 0)
        writer.writeTag(11, .varint); writer.writeVarint(rejectHint)
        if !context.isEmpty { writer.writeBytesField(12, context) }
    }

    init(reading reader: inout ProtoReader) throws(ProtoDecodingError) {
        self.init(type: .hup)
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .varint):
                let raw = try reader.readInt32()
                guard let kind = MessageType(rawValue: raw) else { throw ProtoDecodingError.wrongWireType(tag) }
                type = kind
            case (2, .varint): to = try reader.readUInt64()
            case (3, .varint): from = try reader.readUInt64()
            case (4, .varint): term = try reader.readUInt64()
            case (5, .varint): logTerm = try reader.readUInt64()
            case (6, .varint): index = try reader.readUInt64()
            case (7, .lengthDelimited):
                var nested = ProtoReader(try reader.readLengthDelimited())
                entries.append(try Entry(reading: &nested))
            case (8, .varint): commit = try reader.readUInt64()
            case (9, .lengthDelimited):
                var nested = ProtoReader(try reader.readLengthDelimited())
                let decoded = try Snapshot(reading: &nested)
                snapshot = decoded.isEmpty && decoded.data.isEmpty ? nil : decoded
            case (10, .varint): reject = try reader.readUInt64() != 0
            case (11, .varint): rejectHint = try reader.readUInt64()
            case (12, .lengthDelimited): context = try reader.readBytes()
            case (1...12, _): throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension Entry {
    var encodedSize: Int {
        1 + ProtoSize.varint(UInt64(type.rawValue)) + 1 + ProtoSize.varint(term) + 1 + ProtoSize.varint(index)
            + (data.isEmpty ? 0 : 1 + ProtoSize.varint(UInt64(data.count)) + data.count)
    }

    func write(to writer: inout ProtoWriter) {
        writer.writeTag(1, .varint); writer.writeVarint(UInt64(type.rawValue))
        writer.writeTag(2, .varint); writer.writeVarint(term)
        writer.writeTag(3, .varint); writer.writeVarint(index)
        if !data.isEmpty { writer.writeBytesField(4, data) }
    }

    init(reading reader: inout ProtoReader) throws(ProtoDecodingError) {
        self.init()
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .varint):
                guard let kind = EntryType(rawValue: try reader.readInt32()) else { throw ProtoDecodingError.wrongWireType(tag) }
                type = kind
            case (2, .varint): term = try reader.readUInt64()
            case (3, .varint): index = try reader.readUInt64()
            case (4, .lengthDelimited): data = try reader.readBytes()
            case (1...4, _): throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension Snapshot {
    var encodedSize: Int {
        let metadataSize = metadata.encodedSize
        return (data.isEmpty ? 0 : 1 + ProtoSize.varint(UInt64(data.count)) + data.count)
            + 1 + ProtoSize.varint(UInt64(metadataSize)) + metadataSize
    }

    func write(to writer: inout ProtoWriter) {
        if !data.isEmpty { writer.writeBytesField(1, data) }
        writer.writeTag(2, .lengthDelimited); writer.writeVarint(UInt64(metadata.encodedSize)); metadata.write(to: &writer)
    }

    init(reading reader: inout ProtoReader) throws(ProtoDecodingError) {
        self.init()
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .lengthDelimited): data = try reader.readBytes()
            case (2, .lengthDelimited):
                var nested = ProtoReader(try reader.readLengthDelimited())
                metadata = try SnapshotMetadata(reading: &nested)
            case (1...2, _): throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension SnapshotMetadata {
    var encodedSize: Int {
        let confSize = confState.encodedSize
        return 1 + ProtoSize.varint(UInt64(confSize)) + confSize + 1 + ProtoSize.varint(index) + 1 + ProtoSize.varint(term)
    }

    func write(to writer: inout ProtoWriter) {
        writer.writeTag(1, .lengthDelimited); writer.writeVarint(UInt64(confState.encodedSize)); confState.write(to: &writer)
        writer.writeTag(2, .varint); writer.writeVarint(index)
        writer.writeTag(3, .varint); writer.writeVarint(term)
    }

    init(reading reader: inout ProtoReader) throws(ProtoDecodingError) {
        self.init()
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .lengthDelimited):
                var nested = ProtoReader(try reader.readLengthDelimited())
                confState = try ConfState(reading: &nested)
            case (2, .varint): index = try reader.readUInt64()
            case (3, .varint): term = try reader.readUInt64()
            case (1...3, _): throw ProtoDecodingError.wrongWireType(tag)
            default: try reader.skipField(tag)
            }
        }
    }
}

extension ConfState {
    /// gogo writes repeated uint64 unpacked; both forms are read.
    var encodedSize: Int {
        (voters + learners).reduce(0) { $0 + 1 + ProtoSize.varint($1) } + 2
    }

    func write(to writer: inout ProtoWriter) {
        for voter in voters { writer.writeTag(1, .varint); writer.writeVarint(voter) }
        for learner in learners { writer.writeTag(2, .varint); writer.writeVarint(learner) }
        writer.writeTag(5, .varint); writer.writeVarint(0)
    }

    init(reading reader: inout ProtoReader) throws(ProtoDecodingError) {
        self.init()
        while let tag = try reader.nextTag() {
            switch (tag.fieldNumber, tag.wireType) {
            case (1, .varint): voters.append(try reader.readUInt64())
            case (2, .varint): learners.append(try reader.readUInt64())
            case (1, .lengthDelimited), (2, .lengthDelimited):
                var nested = ProtoReader(try reader.readLengthDelimited())
                while !nested.isAtEnd {
                    let value = try nested.readUInt64()
                    if tag.fieldNumber == 1 { voters.append(value) } else { learners.append(value) }
                }
            default: try reader.skipField(tag)
            }
        }
    }
}
