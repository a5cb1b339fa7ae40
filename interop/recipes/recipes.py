"""The v3lock and v3election services, compared with real etcd: the same scripted calls (two
lock holders, two election candidates, proclaim, observe, resign, bad requests) against both
servers; every response (header IDs removed) and every error must be the same."""
import os
import sys
import threading
import time

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rawproto import field_bytes, field_varint, fields, without_header  # noqa: E402


class Server:
    def __init__(self, port):
        self.channel = grpc.insecure_channel("127.0.0.1:%s" % port)
        self.log = []

    def unary(self, method, body, timeout=10):
        try:
            return ("OK", self.channel.unary_unary(method, request_serializer=None, response_deserializer=None)(
                body, timeout=timeout))
        except grpc.RpcError as error:
            return (error.code().name, error.details())

    def record(self, label, outcome):
        code, payload = outcome
        shown = without_header(payload) if isinstance(payload, bytes) else payload
        self.log.append("%s: %s %s" % (label, code, shown))
        return outcome


def lease(server, lease_id):
    server.unary("/etcdserverpb.Lease/LeaseGrant", field_varint(1, 600) + field_varint(2, lease_id))


def leader_key(name, key, rev, lease_id):
    return field_bytes(1, name) + field_bytes(2, key) + field_varint(3, rev) + field_varint(4, lease_id)


def decode_fields(message):
    """Top-level fields of a message as {number: [raw value bytes or int]}."""
    decoded = {}
    for number, value in fields(message):
        decoded.setdefault(number, []).append(value)
    return decoded


def script(server):
    lock, unlock = "/v3lockpb.Lock/Lock", "/v3lockpb.Lock/Unlock"
    for lease_id in (0x1111, 0x2222, 0x3333, 0x4444, 0x5555):
        lease(server, lease_id)
    first = server.record("lock A", server.unary(lock, field_bytes(1, b"mylock") + field_varint(2, 0x1111)))
    waiting = {}
    second = threading.Thread(target=lambda: waiting.setdefault("B", server.unary(
        lock, field_bytes(1, b"mylock") + field_varint(2, 0x2222))))
    second.start()
    time.sleep(0.5)
    server.record("lock B still waiting", ("OK", b"") if second.is_alive() else ("DONE", "too early"))
    # The deadline is met by whichever side notices first: the client (DEADLINE_EXCEEDED) or the
    # server, whose "context deadline exceeded" arrives as UNKNOWN; on both servers either can win.
    code = server.unary(lock, field_bytes(1, b"mylock") + field_varint(2, 0x5555), timeout=0.5)[0]
    server.record("lock C gives up", ("GAVE UP" if code in ("UNKNOWN", "DEADLINE_EXCEEDED") else code, b""))
    time.sleep(0.3)  # the abandoned waiter's key is removed once the server sees the deadline
    server.record("keys while waiting", server.unary(
        "/etcdserverpb.KV/Range", field_bytes(1, b"mylock/") + field_bytes(2, b"mylock0") + field_varint(8, 1)))
    key_a = decode_fields(first[1])[2][0]
    server.record("unlock A", server.unary(unlock, field_bytes(1, key_a)))
    second.join(10)
    server.record("lock B", waiting.get("B", ("TIMEOUT", "lock B never returned")))
    server.record("lock with an unknown lease", server.unary(lock, field_bytes(1, b"other") + field_varint(2, 0x9999)))

    election = "/v3electionpb.Election/"
    server.record("no leader yet", server.unary(election + "Leader", field_bytes(1, b"myelection")))
    observed = []
    observe = server.channel.unary_stream(election + "Observe", request_serializer=None, response_deserializer=None)(
        field_bytes(1, b"myelection"))
    def follow():
        try:
            for response in observe:
                observed.append(without_header(response))
        except grpc.RpcError:
            pass

    watcher = threading.Thread(target=follow)
    watcher.start()
    time.sleep(0.3)
    alice = server.record("campaign alice", server.unary(
        election + "Campaign", field_bytes(1, b"myelection") + field_varint(2, 0x3333) + field_bytes(3, b"alice")))
    alice_leader = decode_fields(alice[1])[2][0]
    candidates = {}
    bob = threading.Thread(target=lambda: candidates.setdefault("bob", server.unary(
        election + "Campaign", field_bytes(1, b"myelection") + field_varint(2, 0x4444) + field_bytes(3, b"bob"))))
    bob.start()
    time.sleep(0.3)
    server.record("leader is alice", server.unary(election + "Leader", field_bytes(1, b"myelection")))
    server.record("proclaim", server.unary(election + "Proclaim", field_bytes(1, alice_leader) + field_bytes(2, b"alice2")))
    fields = decode_fields(alice_leader)
    stale = leader_key(fields[1][0], fields[2][0], fields[3][0] + 1, fields[4][0])
    server.record("proclaim with a stale leader key", server.unary(
        election + "Proclaim", field_bytes(1, stale) + field_bytes(2, b"x")))
    server.record("proclaim without a leader key", server.unary(election + "Proclaim", field_bytes(2, b"x")))
    server.record("resign without a leader key", server.unary(election + "Resign", b""))
    server.record("resign alice", server.unary(election + "Resign", field_bytes(1, alice_leader)))
    bob.join(10)
    server.record("campaign bob", candidates.get("bob", ("TIMEOUT", "bob never won")))
    server.record("leader is bob", server.unary(election + "Leader", field_bytes(1, b"myelection")))
    time.sleep(0.3)
    observe.cancel()
    watcher.join(5)
    server.log.append("observed: %s" % observed)


def main(reference_port, subject_port):
    reference, subject = Server(reference_port), Server(subject_port)
    script(reference)
    script(subject)
    failures = 0
    for expected, actual in zip(reference.log, subject.log):
        if expected == actual:
            print("same      %s" % actual[:150])
        else:
            failures += 1
            print("DIFFERENT etcd: %s\n          ours: %s" % (expected[:300], actual[:300]))
    print("recipes: %d steps, %d different" % (len(subject.log), failures))
    return 1 if failures or len(reference.log) != len(subject.log) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
