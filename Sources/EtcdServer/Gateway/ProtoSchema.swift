/// A protobuf message as the JSON gateway needs to know it: the Go type's name (it appears in
/// jsonpb's error messages) and the fields in declaration order (jsonpb's output order).
struct ProtoMessageSchema: Sendable {
    let goTypeName: String
    let fields: [ProtoFieldSchema]

    init(_ goTypeName: String, _ fields: [ProtoFieldSchema]) {
        self.goTypeName = goTypeName
        self.fields = fields
    }

    /// The Go interface type generated for a oneof (`etcdserverpb.isRequestOp_Request` for
    /// `oneof request` in RequestOp).
    func oneofInterfaceName(_ oneof: String) -> String {
        let goName = oneof.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        guard let dot = goTypeName.firstIndex(of: ".") else { return "is\(goTypeName)_\(goName)" }
        return "\(goTypeName[..<dot]).is\(goTypeName[goTypeName.index(after: dot)...])_\(goName)"
    }
}

struct ProtoFieldSchema: Sendable {
    enum Kind: Sendable {
        case int64, uint64, int32, uint32, bool, string, bytes
        case enumeration(ProtoEnumSchema)
        /// A closure, because messages refer to each other (a txn holds txns).
        case message(@Sendable () -> ProtoMessageSchema)
    }

    /// The name in the .proto file, which jsonpb writes (OrigName).
    let name: String
    /// protoc's lowerCamelCase JSON name, which jsonpb also accepts on input.
    let jsonName: String
    let number: Int
    let kind: Kind
    let repeated: Bool
    /// The name of the oneof the field belongs to, as the .proto file gives it.
    let oneof: String?

    init(_ name: String, _ number: Int, _ kind: Kind, repeated: Bool = false, oneof: String? = nil) {
        self.name = name
        self.jsonName = Self.lowerCamelCase(name)
        self.number = number
        self.kind = kind
        self.repeated = repeated
        self.oneof = oneof
    }

    /// protoc's `ToJsonName`: underscores dropped, the letter after each capitalised.
    static func lowerCamelCase(_ name: String) -> String {
        var result = ""
        var capitaliseNext = false
        for character in name {
            if character == "_" {
                capitaliseNext = true
            } else if capitaliseNext {
                result += character.uppercased()
                capitaliseNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }
}

struct ProtoEnumSchema: Sendable {
    let goTypeName: String
    let values: [(name: String, number: Int32)]

    init(_ goTypeName: String, _ values: [(String, Int32)]) {
        self.goTypeName = goTypeName
        self.values = values.map { (name: $0.0, number: $0.1) }
    }

    func number(named name: String) -> Int32? {
        values.first { $0.name == name }?.number
    }

    func name(of number: Int32) -> String? {
        values.first { $0.number == number }?.name
    }
}
