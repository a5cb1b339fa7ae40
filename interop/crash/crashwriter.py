"""Crash-test writer and checker, speaking raw gRPC with hand-encoded protobuf.

write PORT LOG THREADS ROUND: each thread runs a mix of operations on keys of its own
(crash/<round>/<thread>/...) until the server goes away: puts (some attached to a lease), deletes,
txns (a compare, then a put and a delete), lease grants and revokes, and, on thread 0, compactions.
Before each operation it appends an "attempt" line to LOG naming what the operation may change;
once the server ACKNOWLEDGES it, an "ack" line with what it changed and the revision it got.

check PORT LOG: replays the acknowledged effects in order. Every key must hold exactly its last
acknowledged value and mod_revision, or be absent if it was last acknowledged deleted, unless an
operation that was never acknowledged touched it afterwards (it may or may not have happened).
Every acknowledged lease must exist unless revoked, every acknowledged revocation must hold, no
revision may be acknowledged for two writes, and reads below the highest acknowledged compaction
must be refused as compacted."""
import json
import os
import random
import sys
import threading

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rawproto import field_bytes, field_varint, fields  # noqa: E402

LEASE_TTL = 600


def header_revision(response):
    for number, value in fields(response):
        if number == 1:
            return dict(fields(value)).get(3, 0)
    return 0


def put_request(key, value, lease=0):
    return field_bytes(1, key) + field_bytes(2, value) + (field_varint(3, lease) if lease else b"")


def delete_request(key):
    return field_bytes(1, key)


class Client:
    def __init__(self, port):
        channel = grpc.insecure_channel("127.0.0.1:%s" % port)
        self.calls = {
            name: channel.unary_unary(path, request_serializer=None, response_deserializer=None)
            for name, path in [
                ("put", "/etcdserverpb.KV/Put"), ("range", "/etcdserverpb.KV/Range"),
                ("delete", "/etcdserverpb.KV/DeleteRange"), ("txn", "/etcdserverpb.KV/Txn"),
                ("compact", "/etcdserverpb.KV/Compact"), ("grant", "/etcdserverpb.Lease/LeaseGrant"),
                ("revoke", "/etcdserverpb.Lease/LeaseRevoke"), ("ttl", "/etcdserverpb.Lease/LeaseTimeToLive"),
            ]
        }

    def __call__(self, name, request, timeout=5):
        return self.calls[name](request, timeout=timeout)


def write(port, log_path, threads, round_number):
    client = Client(port)
    lock = threading.Lock()
    log = open(log_path, "a")

    def record(entry):
        with lock:
            log.write(json.dumps(entry) + "\n")
            log.flush()

    def writer(thread):
        chooser = random.Random(round_number * 1000 + thread)
        live = []  # keys this thread last saw put, oldest first
        lease, leased = 0, []
        last_revision = 0
        for n in range(1_000_000):
            key = "crash/%d/%d/%d" % (round_number, thread, n)
            value = os.urandom(8).hex()
            roll = chooser.random()
            try:
                if roll < 0.1 and live:
                    victim = live.pop(0)
                    if victim in leased:
                        leased.remove(victim)
                    record({"attempt": True, "keys": [victim]})
                    revision = header_revision(client("delete", delete_request(victim.encode())))
                    record({"ack": "delete", "del": [victim], "revision": revision})
                elif roll < 0.25 and len(live) >= 2:
                    kept, victim = live[-1], live.pop(0)
                    if victim in leased:
                        leased.remove(victim)
                    if kept in leased:
                        leased.remove(kept)
                    compare = field_varint(1, 1) + field_varint(2, 0) + field_bytes(3, kept.encode()) + field_varint(4, 0)
                    request = (
                        field_bytes(1, compare) + field_bytes(2, field_bytes(2, put_request(kept.encode(), value.encode())))
                        + field_bytes(2, field_bytes(3, delete_request(victim.encode()))))
                    record({"attempt": True, "keys": [kept, victim]})
                    response = client("txn", request)
                    if dict(fields(response)).get(2, 0) != 1:
                        print("txn compare on %s failed: the key should exist" % kept)
                        return
                    revision = header_revision(response)
                    record({"ack": "txn", "set": {kept: [value, revision]}, "del": [victim], "revision": revision})
                elif roll < 0.32 and not lease:
                    response = client("grant", field_varint(1, LEASE_TTL))
                    granted = dict(fields(response)).get(2, 0)
                    lease, leased = granted, []
                    record({"ack": "grant", "lease": granted})
                elif roll < 0.38 and lease:
                    record({"attempt": True, "keys": list(leased), "lease": lease})
                    revision = header_revision(client("revoke", field_varint(1, lease)))
                    record({"ack": "revoke", "lease": lease, "del": list(leased), "revision": revision if leased else 0})
                    live = [k for k in live if k not in leased]
                    lease, leased = 0, []
                elif roll < 0.41 and thread == 0 and last_revision > 2:
                    client("compact", field_varint(1, last_revision))
                    record({"ack": "compact", "compact": last_revision})
                else:
                    attach = lease if lease and chooser.random() < 0.4 else 0
                    record({"attempt": True, "keys": [key]})
                    revision = header_revision(client("put", put_request(key.encode(), value.encode(), attach)))
                    record({"ack": "put", "set": {key: [value, revision]}, "revision": revision})
                    live.append(key)
                    if attach:
                        leased.append(key)
                    last_revision = revision
            except grpc.RpcError:
                return

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def check(port, log_path):
    client = Client(port)
    entries = [json.loads(line) for line in open(log_path) if line.strip()]
    expected = {}  # key -> (value, revision), or None once deleted
    uncertain = set()
    leases = {}  # lease -> "granted" / "revoked" / "uncertain"
    revisions = {}
    compacted = 0
    problems = 0
    acknowledged = 0
    for entry in entries:
        if entry.get("attempt"):
            # Certain again only once a later acknowledged operation sets or deletes the key.
            uncertain.update(entry["keys"])
            if "lease" in entry:
                leases[entry["lease"]] = "uncertain"
            continue
        acknowledged += 1
        for key, (value, revision) in entry.get("set", {}).items():
            expected[key] = (value, revision)
            uncertain.discard(key)
        for key in entry.get("del", []):
            expected[key] = None
            uncertain.discard(key)
        if entry["ack"] == "grant":
            leases[entry["lease"]] = "granted"
        if entry["ack"] == "revoke":
            leases[entry["lease"]] = "revoked"
        if entry["ack"] == "compact":
            compacted = max(compacted, entry["compact"])
        revision = entry.get("revision", 0)
        if revision:
            if revision in revisions:
                print("revision %d acknowledged twice: %s and %s" % (revision, revisions[revision], entry))
                problems += 1
            revisions[revision] = entry
    for key, want in expected.items():
        if key in uncertain:
            continue
        response = client("range", field_bytes(1, key.encode()), timeout=10)
        kvs = [dict(fields(v)) for n, v in fields(response) if n == 2]
        if want is None:
            if kvs:
                print("RESURRECTED: %s was acknowledged deleted" % key)
                problems += 1
            continue
        if not kvs:
            print("LOST: %s (revision %d)" % (key, want[1]))
            problems += 1
            continue
        kv = kvs[0]
        if kv.get(5, b"").decode() != want[0] or kv.get(3, 0) != want[1]:
            print("WRONG: %s want %s@%d got %s@%d" % (key, want[0], want[1], kv.get(5, b"").decode(), kv.get(3, 0)))
            problems += 1
    for lease, state in leases.items():
        if state == "uncertain":
            continue
        ttl = dict(fields(client("ttl", field_varint(1, lease), timeout=10))).get(3, 0)
        exists = ttl != 0xFFFFFFFFFFFFFFFF and ttl > 0
        if exists != (state == "granted"):
            print("LEASE %x: acknowledged %s, but the server says TTL %d" % (lease, state, ttl))
            problems += 1
    if compacted > 2:
        try:
            client("range", field_bytes(1, b"crash/") + field_varint(4, compacted - 1), timeout=10)
            print("COMPACTION LOST: a read at %d succeeded after compaction at %d was acknowledged" % (compacted - 1, compacted))
            problems += 1
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.OUT_OF_RANGE:
                print("reading below the compaction: %s" % error)
                problems += 1
    print("checked %d acknowledged operations (%d keys, %d leases, compacted at %d, %d keys left uncertain), %d problems"
          % (acknowledged, len(expected), len(leases), compacted, len(uncertain), problems))
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
