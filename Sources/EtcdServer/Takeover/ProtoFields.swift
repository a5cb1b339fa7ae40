import ProtoWire

/// The fields of one protobuf message, by number: enough to read the etcd messages that only
/// a take-over reads (WAL metadata, raft entries in etcd's own encoding, etcd's log requests).
struct ProtoFields {
    private var varints: [Int: UInt64] = [:]
    private var lengthDelimited: [Int: [[UInt8]]] = [:]

    init(_ bytes: [UInt8]) throws {
        var varints: [Int: UInt64] = [:]
        var lengthDelimited: [Int: [[UInt8]]] = [:]
        try bytes.withUnsafeBytes { raw in
            var reader = ProtoReader(raw)
            while let tag = try reader.nextTag() {
                switch tag.wireType {
                case .varint: varints[tag.fieldNumber] = try reader.readVarint()
                case .lengthDelimited: lengthDelimited[tag.fieldNumber, default: []].append(try reader.readBytes())
                default: try reader.skipField(tag)
                }
            }
        }
        self.varints = varints
        self.lengthDelimited = lengthDelimited
    }

    var numbers: Set<Int> { Set(varints.keys).union(lengthDelimited.keys) }

    func varint(_ number: Int) -> UInt64 { varints[number] ?? 0 }

    func bool(_ number: Int) -> Bool { varint(number) != 0 }

    /// The last occurrence, as protobuf merges a repeated singular field.
    func bytes(_ number: Int) -> [UInt8]? { lengthDelimited[number]?.last }

    func string(_ number: Int) -> String { bytes(number).map { String(decoding: $0, as: UTF8.self) } ?? "" }

    func strings(_ number: Int) -> [String] { (lengthDelimited[number] ?? []).map { String(decoding: $0, as: UTF8.self) } }
}
