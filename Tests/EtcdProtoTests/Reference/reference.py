#!/usr/bin/env python3
"""Reference side of the EtcdProto differential tests (run by `swift test`, not by hand).

Compiles proto/*.proto with grpc_tools.protoc into a temporary descriptor set at every run
(nothing generated is kept) and uses Python's `protobuf` runtime as the reference codec.

Files exchanged with the Swift side hold one message per line: `<proto full name> <hex>`.

    reference.py generate SEED COUNT OUT   COUNT random messages of every type -> OUT
    reference.py check IN                  IN lines `<name> <hex original> <hex swift>`:
                                           both must parse to equal messages
    reference.py reencode IN OUT           parse every message of IN and serialize it again

Exit status 3 with a message on stderr when the Python packages are missing.
"""
import os
import random
import subprocess
import sys
import tempfile

try:
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from google.protobuf.descriptor import FieldDescriptor
    import grpc_tools  # noqa: F401  (protoc is run through it below)
except ImportError as error:
    sys.stderr.write(f"missing Python package ({error}); install with: pip install protobuf grpcio-tools\n")
    sys.exit(3)

PROTO_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "proto"))
PROTO_FILES = ["kv.proto", "auth.proto", "rpc.proto", "v3election.proto", "v3lock.proto", "health.proto"]
MAX_DEPTH = 4


def load_classes():
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "all.pb")
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_DIR}", f"--descriptor_set_out={out}",
                        "--include_imports"] + PROTO_FILES, check=True)
        files = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            files.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    classes = {}

    def register(descriptor):
        classes[descriptor.full_name] = message_factory.GetMessageClass(descriptor)
        for nested in descriptor.nested_types:
            register(nested)

    for file in files.file:
        for message in pool.FindFileByName(file.name).message_types_by_name.values():
            register(message)
    return classes


class Randomizer:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def int64(self):
        r = self.rng
        return r.choice([0, 1, -1, 2**63 - 1, -2**63, r.randint(-1000, 1000), r.randint(-2**63, 2**63 - 1)])

    def uint64(self):
        r = self.rng
        return r.choice([0, 1, 2**64 - 1, r.randint(0, 300), r.randint(0, 2**64 - 1)])

    def int32(self):
        r = self.rng
        return r.choice([0, -1, 2**31 - 1, -2**31, r.randint(-2**31, 2**31 - 1)])

    def uint32(self):
        return self.rng.choice([0, 2**32 - 1, self.rng.randint(0, 2**32 - 1)])

    def string(self):
        r = self.rng
        length = r.randint(0, 12)
        chars = []
        for _ in range(length):
            plane = r.random()
            if plane < 0.5:
                chars.append(chr(r.randint(0x20, 0x7E)))
            elif plane < 0.8:
                chars.append(chr(r.randint(0xA0, 0xD7FF)))
            else:
                chars.append(chr(r.randint(0x10000, 0x10FFFF)))
        return "".join(chars)

    def bytes(self):
        return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 16)))

    def enum(self, field):
        if self.rng.random() < 0.8:
            return self.rng.choice([v.number for v in field.enum_type.values])
        return self.int32()

    def scalar(self, field):
        t = field.type
        if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
            return self.int64()
        if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
            return self.uint64()
        if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
            return self.int32()
        if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
            return self.uint32()
        if t == FieldDescriptor.TYPE_BOOL:
            return self.rng.random() < 0.5
        if t == FieldDescriptor.TYPE_STRING:
            return self.string()
        if t == FieldDescriptor.TYPE_BYTES:
            return self.bytes()
        if t == FieldDescriptor.TYPE_ENUM:
            return self.enum(field)
        raise ValueError(f"unhandled field type {t} of {field.full_name}")

    def fill(self, message, depth):
        descriptor = message.DESCRIPTOR
        for oneof in descriptor.oneofs:
            choices = list(oneof.fields) + [None]
            if depth >= MAX_DEPTH:
                choices = [f for f in oneof.fields if f.type != FieldDescriptor.TYPE_MESSAGE] + [None]
            self.set_single(message, self.rng.choice(choices), depth)
        for field in descriptor.fields:
            if field.containing_oneof is not None:
                continue
            if field.is_repeated:
                count = self.rng.randint(0, 3)
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    if depth >= MAX_DEPTH:
                        count = 0
                    for _ in range(count):
                        self.fill(getattr(message, field.name).add(), depth + 1)
                else:
                    getattr(message, field.name).extend(self.scalar(field) for _ in range(count))
            elif self.rng.random() < 0.5:
                self.set_single(message, field, depth)

    def set_single(self, message, field, depth):
        if field is None:
            return
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= MAX_DEPTH:
                return
            child = getattr(message, field.name)
            child.SetInParent()
            self.fill(child, depth + 1)
        else:
            setattr(message, field.name, self.scalar(field))


def read_lines(path):
    with open(path) as f:
        # An empty message is an empty hex column, so split on single spaces only.
        return [line.rstrip("\n").split(" ") for line in f if line.strip()]


def main():
    command = sys.argv[1]
    classes = load_classes()
    if command == "generate":
        seed, count, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        randomizer = Randomizer(seed)
        with open(out, "w") as f:
            for name in sorted(classes):
                for _ in range(count):
                    message = classes[name]()
                    randomizer.fill(message, 0)
                    f.write(f"{name} {message.SerializeToString().hex()}\n")
    elif command == "check":
        failures = 0
        for name, original, swift in read_lines(sys.argv[2]):
            expected = classes[name].FromString(bytes.fromhex(original))
            try:
                actual = classes[name].FromString(bytes.fromhex(swift))
            except Exception as error:  # report every kind of parse failure, then keep checking
                actual = f"<unparsable: {error}>"
            if actual != expected:
                failures += 1
                if failures <= 5:
                    sys.stderr.write(f"{name}: Swift re-encoding differs\n  original {original}\n  swift    {swift}\n"
                                     f"  expected {expected}\n  actual   {actual}\n")
        if failures:
            sys.stderr.write(f"{failures} messages differ\n")
            sys.exit(1)
    elif command == "reencode":
        with open(sys.argv[3], "w") as f:
            for name, encoded in read_lines(sys.argv[2]):
                message = classes[name].FromString(bytes.fromhex(encoded))
                f.write(f"{name} {message.SerializeToString(deterministic=True).hex()}\n")
    else:
        sys.stderr.write(f"unknown command {command}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
