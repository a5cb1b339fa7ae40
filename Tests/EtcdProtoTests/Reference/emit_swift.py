#!/usr/bin/env python3
"""Authoring aid: writes the straight-line Swift codec for every message in proto/*.proto.

The output (Sources/EtcdProto/*.swift and Tests/EtcdProtoTests/RandomMessages.swift) is committed
and reviewed as ordinary source; nothing runs this at build time. Re-run it after changing a
.proto file:

    python3 Tests/EtcdProtoTests/Reference/emit_swift.py

Needs `pip install protobuf grpcio-tools` (protoc parses the .proto files into descriptors).
"""
import os
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PROTO_DIR = os.path.join(ROOT, "proto")
PROTO_FILES = ["kv.proto", "auth.proto", "rpc.proto", "v3election.proto", "v3lock.proto", "health.proto"]

F = descriptor_pb2.FieldDescriptorProto
SWIFT_KEYWORDS = {"default", "in", "is", "as", "case", "class", "enum", "extension", "func", "import",
                  "init", "internal", "let", "operator", "private", "protocol", "public", "static",
                  "struct", "subscript", "typealias", "var", "break", "continue", "do", "else",
                  "fallthrough", "for", "guard", "if", "repeat", "return", "switch", "where", "while",
                  "self", "Self", "super", "throw", "throws", "true", "false", "nil", "try", "Type"}
# Swift reserves `.Type` on every type, so authpb.Permission.Type needs another name.
TYPE_RENAMES = {".authpb.Permission.Type": "PermissionType"}


def words(name):
    parts = []
    for piece in name.split("_"):
        parts += re.findall(r"[A-Z]+[a-z0-9]*|[a-z0-9]+", piece)
    return parts


def lower_camel(name):
    w = words(name)
    text = w[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in w[1:])
    return f"`{text}`" if text in SWIFT_KEYWORDS else text


def upper_camel(name):
    return "".join(p[:1].upper() + p[1:].lower() for p in words(name))


def load_descriptors():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "all.pb")
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_DIR}", f"--descriptor_set_out={out}",
                        "--include_imports"] + PROTO_FILES, check=True)
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
    return fds


class Model:
    def __init__(self, fds):
        self.swift_names = {}  # full proto name ".pkg.Msg" -> Swift type path
        self.messages = []  # (file, proto full name, DescriptorProto, swift path)
        self.enums = {}
        for file in fds.file:
            prefix = "." + file.package
            for enum in file.enum_type:
                self.register_enum(prefix, enum, "")
            for msg in file.message_type:
                self.register_message(file.name, prefix, msg, "")
        simple = [path for (_, _, _, path) in self.messages]
        assert len(simple) == len(set(simple)), "Swift type names collide"

    def register_enum(self, prefix, enum, parent):
        full = f"{prefix}.{enum.name}"
        swift = TYPE_RENAMES.get(full, enum.name)
        path = f"{parent}.{swift}" if parent else swift
        self.swift_names[full] = path
        self.enums[full] = (enum, path)

    def register_message(self, filename, prefix, msg, parent):
        full = f"{prefix}.{msg.name}"
        path = f"{parent}.{msg.name}" if parent else msg.name
        self.swift_names[full] = path
        self.messages.append((filename, full, msg, path))
        for enum in msg.enum_type:
            self.register_enum(full, enum, path)
        for nested in msg.nested_type:
            self.register_message(filename, full, nested, path)


SCALARS = {
    # type: (swift type, zero, size expr fmt, write fn, read expr, wire type, nonzero test fmt, random expr)
    F.TYPE_INT64: ("Int64", "0", "ProtoSize.int64({v})", "writeInt64Field", "try reader.readInt64()", ".varint", "{v} != 0", "source.int64()"),
    F.TYPE_UINT64: ("UInt64", "0", "ProtoSize.varint({v})", "writeUInt64Field", "try reader.readUInt64()", ".varint", "{v} != 0", "source.uint64()"),
    F.TYPE_INT32: ("Int32", "0", "ProtoSize.int32({v})", "writeInt32Field", "try reader.readInt32()", ".varint", "{v} != 0", "source.int32()"),
    F.TYPE_UINT32: ("UInt32", "0", "ProtoSize.varint(UInt64({v}))", "writeUInt32Field", "try reader.readUInt32()", ".varint", "{v} != 0", "source.uint32()"),
    F.TYPE_BOOL: ("Bool", "false", "1", "writeBoolField", "try reader.readBool()", ".varint", "{v}", "source.bool()"),
    F.TYPE_STRING: ("String", '""', "ProtoSize.lengthDelimited({v}.utf8.count)", "writeStringField", "try reader.readString()", ".lengthDelimited", "!{v}.isEmpty", "source.string()"),
    F.TYPE_BYTES: ("[UInt8]", "[]", "ProtoSize.lengthDelimited({v}.count)", "writeBytesField", "try reader.readBytes()", ".lengthDelimited", "!{v}.isEmpty", "source.bytes()"),
}


def tag_size(number):
    key = number << 3
    size = 1
    while key >= 0x80:
        key >>= 7
        size += 1
    return size


class MessageEmitter:
    def __init__(self, model, full, msg, path):
        self.model = model
        self.full = full
        self.msg = msg
        self.path = path
        self.oneofs = [o.name for o in msg.oneof_decl]

    def swift_type(self, field):
        if field.type in SCALARS:
            return SCALARS[field.type][0]
        return self.model.swift_names[field.type_name]

    def is_repeated(self, field):
        return field.label == F.LABEL_REPEATED

    def in_oneof(self, field):
        return field.HasField("oneof_index") and not field.proto3_optional

    def plain_fields(self):
        return [f for f in self.msg.field if not self.in_oneof(f)]

    def oneof_fields(self, index):
        return [f for f in self.msg.field if self.in_oneof(f) and f.oneof_index == index]

    def oneof_type(self, index):
        return upper_camel(self.oneofs[index])

    def oneof_property(self, index):
        return lower_camel(self.oneofs[index])

    # --- declarations ---
    def declaration(self, indent):
        out = []
        p = indent
        name = self.path.split(".")[-1]
        out.append(f"{p}/// `{self.full[1:]}`")
        out.append(f"{p}public struct {name}: ProtoMessage, Hashable {{")
        q = p + "    "
        for enum in self.msg.enum_type:
            out += emit_enum(self.model, f"{self.full}.{enum.name}", q)
            out.append("")
        for nested in self.msg.nested_type:
            nested_full = f"{self.full}.{nested.name}"
            out += MessageEmitter(self.model, nested_full, nested, self.model.swift_names[nested_full]).declaration(q)
            out.append("")
        for index in range(len(self.oneofs)):
            out.append(f"{q}public enum {self.oneof_type(index)}: Hashable, Sendable {{")
            for f in self.oneof_fields(index):
                out.append(f"{q}    case {lower_camel(f.name)}({self.swift_type(f)})")
            out.append(f"{q}}}")
            out.append("")
        for f in self.plain_fields():
            t = self.swift_type(f)
            n = lower_camel(f.name)
            if self.is_repeated(f):
                out.append(f"{q}public var {n}: [{t}] = []")
            elif f.type == F.TYPE_MESSAGE:
                out.append(f"{q}public var {n}: {t}?")
            elif f.type == F.TYPE_ENUM:
                zero = next(v.name for v in self.model.enums[f.type_name][0].value if v.number == 0)
                out.append(f"{q}public var {n} = {t}.{enum_case(zero)}")
            else:
                out.append(f"{q}public var {n}: {t} = {SCALARS[f.type][1]}")
        for index in range(len(self.oneofs)):
            out.append(f"{q}public var {self.oneof_property(index)}: {self.oneof_type(index)}?")
        if self.msg.field:
            out.append("")
        out.append(f"{q}public init() {{}}")
        out.append("")
        out += self.memberwise_init(q)
        out += self.encoded_size(q)
        out.append("")
        out += self.encode(q)
        out.append("")
        out += self.merge(q)
        out.append(f"{p}}}")
        return out

    def memberwise_init(self, q):
        """All fields as defaulted parameters, so callers can write `PutResponse(header: header)`."""
        params = []
        names = []
        for f in self.plain_fields():
            t = self.swift_type(f)
            n = lower_camel(f.name)
            names.append(n)
            if self.is_repeated(f):
                params.append(f"{n}: [{t}] = []")
            elif f.type == F.TYPE_MESSAGE:
                params.append(f"{n}: {t}? = nil")
            elif f.type == F.TYPE_ENUM:
                zero = next(v.name for v in self.model.enums[f.type_name][0].value if v.number == 0)
                params.append(f"{n}: {t} = .{enum_case(zero)}")
            else:
                params.append(f"{n}: {t} = {SCALARS[f.type][1]}")
        for index in range(len(self.oneofs)):
            n = self.oneof_property(index)
            names.append(n)
            params.append(f"{n}: {self.oneof_type(index)}? = nil")
        if not params:
            return []
        out = [f"{q}public init("]
        out += [f"{q}    {p}," for p in params[:-1]] + [f"{q}    {params[-1]}"]
        out.append(f"{q}) {{")
        out += [f"{q}    self.{n.strip('`')} = {n}" for n in names]
        out.append(f"{q}}}")
        out.append("")
        return out

    def value_size(self, f, v):
        if f.type == F.TYPE_MESSAGE:
            return f"ProtoSize.lengthDelimited({v}.encodedSize)"
        if f.type == F.TYPE_ENUM:
            return f"ProtoSize.int32({v}.rawValue)"
        return SCALARS[f.type][2].format(v=v)

    def write_call(self, f, v):
        if f.type == F.TYPE_MESSAGE:
            return f"writer.writeMessageField({f.number}, {v})"
        if f.type == F.TYPE_ENUM:
            return f"writer.writeInt32Field({f.number}, {v}.rawValue)"
        return f"writer.{SCALARS[f.type][3]}({f.number}, {v})"

    def nonzero(self, f, v):
        if f.type == F.TYPE_ENUM:
            return f"{v}.rawValue != 0"
        return SCALARS[f.type][6].format(v=v)

    def encoded_size(self, q):
        out = [f"{q}public var encodedSize: Int {{"]
        r = q + "    "
        if not self.msg.field:
            out.append(f"{r}0")
            out.append(f"{q}}}")
            return out
        out.append(f"{r}var size = 0")
        for f in sorted(self.msg.field, key=lambda f: f.number):
            if self.in_oneof(f):
                continue
            n = "self." + lower_camel(f.name)
            ts = tag_size(f.number)
            if self.is_repeated(f) and f.type == F.TYPE_ENUM:
                out.append(f"{r}if !{n}.isEmpty {{ size += {ts} + ProtoSize.lengthDelimited(ProtoSize.packedEnumPayload({n})) }}")
            elif self.is_repeated(f):
                out.append(f"{r}for item in {n} {{ size += {ts} + {self.value_size(f, 'item')} }}")
            elif f.type == F.TYPE_MESSAGE:
                out.append(f"{r}if let value = {n} {{ size += {ts} + {self.value_size(f, 'value')} }}")
            else:
                out.append(f"{r}if {self.nonzero(f, n)} {{ size += {ts} + {self.value_size(f, n)} }}")
        for index in range(len(self.oneofs)):
            out.append(f"{r}switch self.{self.oneof_property(index)} {{")
            for f in self.oneof_fields(index):
                out.append(f"{r}case .{lower_camel(f.name)}(let value)?: size += {tag_size(f.number)} + {self.value_size(f, 'value')}")
            out.append(f"{r}case nil: break")
            out.append(f"{r}}}")
        out.append(f"{r}return size")
        out.append(f"{q}}}")
        return out

    def encode(self, q):
        arg = "to writer" if self.msg.field else "to _"
        out = [f"{q}public func encode({arg}: inout ProtoWriter) {{"]
        r = q + "    "
        # Fields in number order, oneofs at their first member's number, as protobuf does.
        items = []
        for f in self.plain_fields():
            items.append((f.number, "field", f))
        for index in range(len(self.oneofs)):
            items.append((min(f.number for f in self.oneof_fields(index)), "oneof", index))
        for _, kind, item in sorted(items, key=lambda x: x[0]):
            if kind == "oneof":
                out.append(f"{r}switch self.{self.oneof_property(item)} {{")
                for f in self.oneof_fields(item):
                    out.append(f"{r}case .{lower_camel(f.name)}(let value)?: {self.write_call(f, 'value')}")
                out.append(f"{r}case nil: break")
                out.append(f"{r}}}")
                continue
            f = item
            n = "self." + lower_camel(f.name)
            if self.is_repeated(f) and f.type == F.TYPE_ENUM:
                out.append(f"{r}if !{n}.isEmpty {{")
                out.append(f"{r}    writer.writePackedEnumField({f.number}, {n}, payloadSize: ProtoSize.packedEnumPayload({n}))")
                out.append(f"{r}}}")
            elif self.is_repeated(f):
                out.append(f"{r}for item in {n} {{ {self.write_call(f, 'item')} }}")
            elif f.type == F.TYPE_MESSAGE:
                out.append(f"{r}if let value = {n} {{ {self.write_call(f, 'value')} }}")
            else:
                out.append(f"{r}if {self.nonzero(f, n)} {{ {self.write_call(f, n)} }}")
        out.append(f"{q}}}")
        return out

    def read_expr(self, f):
        if f.type == F.TYPE_ENUM:
            return f"{self.swift_type(f)}(rawValue: try reader.readInt32())"
        return SCALARS[f.type][4]

    def wire(self, f):
        if f.type in (F.TYPE_MESSAGE,):
            return ".lengthDelimited"
        if f.type == F.TYPE_ENUM:
            return ".varint"
        return SCALARS[f.type][5]

    def merge(self, q):
        out = [f"{q}public mutating func merge(from reader: inout ProtoReader) throws(ProtoDecodingError) {{"]
        r = q + "    "
        out.append(f"{r}while let tag = try reader.nextTag() {{")
        s = r + "    "
        if not self.msg.field:
            out.append(f"{s}try reader.skipField(tag)")
            out.append(f"{r}}}")
            out.append(f"{q}}}")
            return out
        out.append(f"{s}switch tag.fieldNumber {{")
        for f in sorted(self.msg.field, key=lambda f: f.number):
            n = "self." + lower_camel(f.name)
            t = self.swift_type(f)
            if self.in_oneof(f):
                prop = "self." + self.oneof_property(f.oneof_index)
                case = lower_camel(f.name)
                out.append(f"{s}case {f.number} where tag.wireType == {self.wire(f)}:")
                if f.type == F.TYPE_MESSAGE:
                    out.append(f"{s}    var value = {t}()")
                    out.append(f"{s}    if case .{case}(let existing)? = {prop} {{ value = existing }}")
                    out.append(f"{s}    try reader.mergeMessage(into: &value)")
                    out.append(f"{s}    {prop} = .{case}(value)")
                else:
                    out.append(f"{s}    {prop} = .{case}({self.read_expr(f)})")
                continue
            if self.is_repeated(f) and f.type == F.TYPE_ENUM:
                out.append(f"{s}case {f.number} where tag.wireType == .varint || tag.wireType == .lengthDelimited:")
                out.append(f"{s}    try reader.readRepeatedEnum(wireType: tag.wireType, into: &{n})")
            elif self.is_repeated(f) and f.type == F.TYPE_MESSAGE:
                out.append(f"{s}case {f.number} where tag.wireType == .lengthDelimited:")
                out.append(f"{s}    {n}.append(try reader.readMessage({t}.self))")
            elif self.is_repeated(f):
                out.append(f"{s}case {f.number} where tag.wireType == {self.wire(f)}:")
                out.append(f"{s}    {n}.append({self.read_expr(f)})")
            elif f.type == F.TYPE_MESSAGE:
                out.append(f"{s}case {f.number} where tag.wireType == .lengthDelimited:")
                out.append(f"{s}    var value = {n} ?? {t}()")
                out.append(f"{s}    try reader.mergeMessage(into: &value)")
                out.append(f"{s}    {n} = value")
            else:
                out.append(f"{s}case {f.number} where tag.wireType == {self.wire(f)}:")
                out.append(f"{s}    {n} = {self.read_expr(f)}")
        out.append(f"{s}default:")
        out.append(f"{s}    try reader.skipField(tag)")
        out.append(f"{s}}}")
        out.append(f"{r}}}")
        out.append(f"{q}}}")
        return out

    # --- random values for the differential tests ---
    def random_value(self, f):
        if f.type == F.TYPE_MESSAGE:
            return f"{self.swift_type(f)}.random(using: &source, depth: depth + 1)"
        if f.type == F.TYPE_ENUM:
            known = sorted(v.number for v in self.model.enums[f.type_name][0].value)
            return f"{self.swift_type(f)}(rawValue: source.enumValue(known: {known}))"
        return SCALARS[f.type][7]

    def random_extension(self):
        out = [f"extension {self.path}: RandomMessage {{"]
        out.append(f'    static let protoName = "{self.full[1:]}"')
        out.append("")
        out.append(f"    static func random(using source: inout RandomSource, depth: Int) -> Self {{")
        out.append(f"        {'var' if self.msg.field else 'let'} message = Self()")
        for f in self.plain_fields():
            n = "message." + lower_camel(f.name)
            if self.is_repeated(f):
                cond = "source.repeatCount(depth: depth)" if f.type == F.TYPE_MESSAGE else "source.repeatCount(depth: 0)"
                out.append(f"        for _ in 0..<{cond} {{ {n}.append({self.random_value(f)}) }}")
            elif f.type == F.TYPE_MESSAGE:
                out.append(f"        if source.present(depth: depth) {{ {n} = {self.random_value(f)} }}")
            else:
                out.append(f"        if source.present(depth: 0) {{ {n} = {self.random_value(f)} }}")
        for index in range(len(self.oneofs)):
            members = self.oneof_fields(index)
            out.append(f"        switch source.choice(count: {len(members) + 1}, depth: depth) {{")
            for i, f in enumerate(members):
                out.append(f"        case {i}: message.{self.oneof_property(index)} = .{lower_camel(f.name)}({self.random_value(f)})")
            out.append(f"        default: break")
            out.append(f"        }}")
        out.append(f"        return message")
        out.append(f"    }}")
        out.append(f"}}")
        return out


def enum_case(name):
    return lower_camel(name.lower())


def emit_enum(model, full, indent):
    enum, path = model.enums[full]
    name = path.split(".")[-1]
    p = indent
    out = [f"{p}/// `{full[1:]}`; unnamed values are kept, as proto3 enums are open.",
           f"{p}public struct {name}: ProtoEnum {{",
           f"{p}    public var rawValue: Int32",
           f"{p}    public init(rawValue: Int32) {{ self.rawValue = rawValue }}",
           ""]
    for v in enum.value:
        out.append(f"{p}    public static let {enum_case(v.name)} = {name}(rawValue: {v.number})")
    out.append(f"{p}}}")
    return out


def swift_file_for(filename, name):
    if filename != "rpc.proto":
        return {"kv.proto": "KV.swift", "auth.proto": "Auth.swift", "v3election.proto": "Election.swift",
                "v3lock.proto": "Lock.swift", "health.proto": "Health.swift"}[filename]
    for prefix, target in [("Watch", "Watch.swift"), ("Lease", "Lease.swift"), ("Member", "Cluster.swift"),
                           ("Auth", "AuthService.swift"), ("Alarm", "Maintenance.swift"),
                           ("Status", "Maintenance.swift"), ("Defragment", "Maintenance.swift"),
                           ("Hash", "Maintenance.swift"), ("Snapshot", "Maintenance.swift"),
                           ("MoveLeader", "Maintenance.swift"), ("Downgrade", "Maintenance.swift")]:
        if name.startswith(prefix):
            return target
    return "KVService.swift"


HEADER = "// Hand-encoded protobuf codec for {what}; see proto/{proto}.\n// Written by Tests/EtcdProtoTests/Reference/emit_swift.py, then reviewed as source.\n\nimport ProtoWire\n"


def main():
    model = Model(load_descriptors())
    files = {}
    for (filename, full, msg, path) in model.messages:
        if "." in path:
            continue  # nested types are written inside their parent
        target = swift_file_for(filename, path)
        files.setdefault(target, (filename, []))[1].append(MessageEmitter(model, full, msg, path).declaration(""))
    # top-level enums
    for full, (enum, path) in model.enums.items():
        if "." not in path:
            pkg_file = {".etcdserverpb": "rpc.proto"}[full.rsplit(".", 1)[0]]
            files.setdefault("Maintenance.swift", (pkg_file, []))[1].append(emit_enum(model, full, ""))
    source_dir = os.path.join(ROOT, "Sources", "EtcdProto")
    for target, (filename, blocks) in files.items():
        text = HEADER.format(what=target[:-6], proto=filename) + "\n" + "\n\n".join("\n".join(b) for b in blocks) + "\n"
        with open(os.path.join(source_dir, target), "w") as f:
            f.write(text)
    tests = ["// Random values of every message, for the differential tests.",
             "// Written by Tests/EtcdProtoTests/Reference/emit_swift.py, then reviewed as source.", "",
             "import EtcdProto", ""]
    for (filename, full, msg, path) in model.messages:
        tests += MessageEmitter(model, full, msg, path).random_extension()
        tests.append("")
    tests.append("let allMessageTypes: [any RandomMessage.Type] = [")
    for (_, _, _, path) in model.messages:
        tests.append(f"    {path}.self,")
    tests.append("]")
    with open(os.path.join(ROOT, "Tests", "EtcdProtoTests", "RandomMessages.swift"), "w") as f:
        f.write("\n".join(tests) + "\n")


if __name__ == "__main__":
    main()
