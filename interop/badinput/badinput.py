"""Sends hostile and buggy requests to real etcd and to the server under test, as raw gRPC calls
with hand-encoded protobuf, and compares the status each answers. After every request both
servers must still hold exactly what they held before it (same revision, same keys)."""
import os
import sys
import threading

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rawproto import field_bytes, field_varint, without_header  # noqa: E402


def range_request(key, range_end=b"", revision=0):
    return field_bytes(1, key) + (field_bytes(2, range_end) if range_end else b"") + (
        field_varint(4, revision) if revision else b"")


def put_request(key, value=b"", lease=0, ignore_value=False):
    return field_bytes(1, key) + (field_bytes(2, value) if value else b"") + (
        field_varint(3, lease) if lease else b"") + (field_varint(5, 1) if ignore_value else b"")


def request_op_put(key, value=b"v"):
    return field_bytes(2, put_request(key, value))


def request_op_delete(key, range_end=b""):
    return field_bytes(3, field_bytes(1, key) + (field_bytes(2, range_end) if range_end else b""))


def txn(success=(), failure=()):
    return b"".join(field_bytes(2, op) for op in success) + b"".join(field_bytes(3, op) for op in failure)


MALFORMED = "grpc: error unmarshalling request:"

CASES = [
    # (name, method, request bytes, compare only the message prefix?)
    ("range: length past end", "/etcdserverpb.KV/Range", b"\x0a\x05ab", True),
    ("range: truncated varint", "/etcdserverpb.KV/Range", b"\x0a\x01a\x20\xff", True),
    ("range: invalid wire type 7", "/etcdserverpb.KV/Range", b"\x0f", True),
    ("range: key sent as a varint", "/etcdserverpb.KV/Range", b"\x08\x01", True),
    ("put: value sent as fixed64", "/etcdserverpb.KV/Put", b"\x0a\x01k\x11" + b"\x00" * 8, True),
    ("range: field number 0", "/etcdserverpb.KV/Range", b"\x0a\x01a\x00\x01", True),
    ("put: length past end", "/etcdserverpb.KV/Put", b"\x0a\x01k\x12\x09v", True),
    ("put: truncated tag", "/etcdserverpb.KV/Put", b"\x0a\x01k\x80", True),
    ("txn: truncated nested op", "/etcdserverpb.KV/Txn", b"\x12\x05\x12\x09\x0a\x01", True),
    ("unknown method", "/etcdserverpb.KV/Nope", range_request(b"a"), False),
    ("unknown service", "/etcdserverpb.Nope/Range", range_request(b"a"), False),
    ("range: empty key", "/etcdserverpb.KV/Range", range_request(b""), False),
    ("put: empty key", "/etcdserverpb.KV/Put", put_request(b"", b"v"), False),
    ("delete: empty key", "/etcdserverpb.KV/DeleteRange", field_bytes(2, b"z"), False),
    ("put: ignore_value with a value", "/etcdserverpb.KV/Put", put_request(b"k", b"v", ignore_value=True), False),
    ("put: unknown lease", "/etcdserverpb.KV/Put", put_request(b"k", b"v", lease=77), False),
    ("put: over --max-request-bytes", "/etcdserverpb.KV/Put", put_request(b"k", b"x" * (1572864 + 100)), False),
    ("put: over the gRPC receive limit", "/etcdserverpb.KV/Put", put_request(b"k", b"x" * (2 * 1024 * 1024 + 10)), False),
    ("txn: too many ops", "/etcdserverpb.KV/Txn", txn(success=[request_op_put(b"k%d" % i) for i in range(129)]), False),
    ("txn: duplicate put", "/etcdserverpb.KV/Txn", txn(success=[request_op_put(b"a"), request_op_put(b"a")]), False),
    ("txn: put inside a deleted range", "/etcdserverpb.KV/Txn",
     txn(success=[request_op_put(b"b"), request_op_delete(b"a", b"c")]), False),
    ("txn: empty request op", "/etcdserverpb.KV/Txn", txn(success=[b""]), False),
    ("txn: compare with empty key", "/etcdserverpb.KV/Txn", field_bytes(1, field_varint(1, 0)), False),
    ("range: future revision", "/etcdserverpb.KV/Range", range_request(b"a", revision=1000), False),
    ("range: compacted revision", "/etcdserverpb.KV/Range", range_request(b"a", revision=2), False),
    ("compact: future revision", "/etcdserverpb.KV/Compact", field_varint(1, 1000), False),
    ("compact: already compacted revision", "/etcdserverpb.KV/Compact", field_varint(1, 2), False),
    ("lease grant: TTL over the maximum", "/etcdserverpb.Lease/LeaseGrant", field_varint(1, 9000000001), False),
    ("lease grant: ID already granted", "/etcdserverpb.Lease/LeaseGrant", field_varint(1, 600) + field_varint(2, 1000), False),
    ("lease grant: malformed", "/etcdserverpb.Lease/LeaseGrant", b"\x08", True),
    ("lease revoke: unknown lease", "/etcdserverpb.Lease/LeaseRevoke", field_varint(1, 4242), False),
    ("lease time-to-live: unknown lease", "/etcdserverpb.Lease/LeaseTimeToLive", field_varint(1, 4242), False),
    ("put: lease revoked earlier", "/etcdserverpb.KV/Put", put_request(b"k", b"v", lease=1001), False),
]


def watch_create(key, range_end=b"", start_revision=0, watch_id=0):
    create = field_bytes(1, key) + (field_bytes(2, range_end) if range_end else b"") + (
        field_varint(3, start_revision) if start_revision else b"") + (field_varint(7, watch_id) if watch_id else b"")
    return field_bytes(1, create)


def watch_cancel(watch_id):
    return field_bytes(2, field_varint(1, watch_id))


WATCH = "/etcdserverpb.Watch/Watch"
KEEPALIVE = "/etcdserverpb.Lease/LeaseKeepAlive"

# Streams: (name, method, request messages). The client sends them, waits, then half-closes;
# every response (header removed: its IDs differ) and how the call ended must match etcd's.
STREAM_CASES = [
    ("watch: cancel of an unknown watch id", WATCH, [watch_cancel(7)]),
    ("watch: start revision compacted", WATCH, [watch_create(b"a", start_revision=2)]),
    ("watch: negative start revision", WATCH, [watch_create(b"a", start_revision=-5)]),
    ("watch: key not below range end", WATCH, [watch_create(b"b", b"a")]),
    ("watch: duplicate watch id", WATCH, [watch_create(b"a", watch_id=5), watch_create(b"b", watch_id=5)]),
    ("watch: cancel twice", WATCH, [watch_create(b"a"), watch_cancel(0), watch_cancel(0)]),
    ("watch: request with no member set", WATCH, [b""]),
    ("watch: progress request without watchers", WATCH, [field_bytes(3, b"")]),
    ("watch: malformed request", WATCH, [b"\x0a\x05ab"]),
    ("keep-alive: unknown lease", KEEPALIVE, [field_varint(1, 4242)]),
    ("keep-alive: malformed request", KEEPALIVE, [b"\x08"]),
]


def stream(channel, method, messages, hold=1.0):
    release = threading.Event()

    def requests():
        for message in messages:
            yield message
        release.wait(hold)

    call = channel.stream_stream(method, request_serializer=None, response_deserializer=None)(requests())
    responses, ending = [], []

    def read():
        try:
            for response in call:
                responses.append(without_header(response))
            ending.append(("OK", ""))
        except grpc.RpcError as error:
            ending.append((error.code().name, error.details()))

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(hold + 1.0)
    if reader.is_alive():
        ending.append(("still open", ""))
        call.cancel()
        reader.join()
    return responses, ending[0]


def call(channel, method, body):
    stub = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
    try:
        stub(body, timeout=10)
        return ("OK", "")
    except grpc.RpcError as error:
        return (error.code().name, error.details())


def snapshot(channel):
    """Revision and every key-value, through a serializable range over everything."""
    stub = channel.unary_unary("/etcdserverpb.KV/Range", request_serializer=None, response_deserializer=None)
    return stub(range_request(b"\x00", b"\x00") + field_varint(7, 1), timeout=10)


def prepare(channel):
    put = channel.unary_unary("/etcdserverpb.KV/Put", request_serializer=None, response_deserializer=None)
    for index in range(4):
        put(put_request(b"a", b"%d" % index), timeout=10)
    compact = channel.unary_unary("/etcdserverpb.KV/Compact", request_serializer=None, response_deserializer=None)
    compact(field_varint(1, 3), timeout=10)
    grant = channel.unary_unary("/etcdserverpb.Lease/LeaseGrant", request_serializer=None, response_deserializer=None)
    revoke = channel.unary_unary("/etcdserverpb.Lease/LeaseRevoke", request_serializer=None, response_deserializer=None)
    grant(field_varint(1, 600) + field_varint(2, 1000), timeout=10)
    grant(field_varint(1, 600) + field_varint(2, 1001), timeout=10)
    revoke(field_varint(1, 1001), timeout=10)


def main(reference_port, subject_port):
    options = [("grpc.max_send_message_length", 16 << 20), ("grpc.max_receive_message_length", 16 << 20)]
    reference = grpc.insecure_channel("127.0.0.1:%s" % reference_port, options=options)
    subject = grpc.insecure_channel("127.0.0.1:%s" % subject_port, options=options)
    prepare(reference)
    prepare(subject)
    failures = 0
    for name, method, body, prefix_only in CASES:
        before = (snapshot(reference), snapshot(subject))
        expected = call(reference, method, body)
        actual = call(subject, method, body)
        if prefix_only:
            same = expected[0] == actual[0] and expected[1].startswith(MALFORMED) and actual[1].startswith(MALFORMED)
        else:
            same = expected == actual
        after = (snapshot(reference), snapshot(subject))
        unchanged = before == after
        if same and unchanged:
            print("same      %-38s %s %s" % (name, actual[0], actual[1][:70]))
            continue
        failures += 1
        print("DIFFERENT %-38s etcd: %s %r" % (name, expected[0], expected[1][:120]))
        print("          %-38s ours: %s %r" % ("", actual[0], actual[1][:120]))
        if not unchanged:
            print("          %-38s the request changed the store" % "")
    for name, method, messages in STREAM_CASES:
        before = (snapshot(reference), snapshot(subject))
        expected = stream(reference, method, messages)
        actual = stream(subject, method, messages)
        expected_ending, actual_ending = expected[1], actual[1]
        if expected_ending[1].startswith(MALFORMED) and actual_ending[1].startswith(MALFORMED):
            expected_ending = actual_ending = (expected_ending[0], MALFORMED)
        same = expected[0] == actual[0] and expected_ending == actual_ending
        unchanged = before == (snapshot(reference), snapshot(subject))
        if same and unchanged:
            print("same      %-38s %d responses, %s %s" % (name, len(actual[0]), actual_ending[0], actual_ending[1][:50]))
            continue
        failures += 1
        print("DIFFERENT %-38s etcd: %s %s" % (name, expected[0], expected[1]))
        print("          %-38s ours: %s %s" % ("", actual[0], actual[1]))
        if not unchanged:
            print("          %-38s the request changed the store" % "")
    print("badinput: %d cases, %d different" % (len(CASES) + len(STREAM_CASES), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
