"""Crash-test writer and checker, speaking raw gRPC with hand-encoded protobuf.

write PORT LOG THREADS ROUND: each thread puts crash/<round>/<thread>/<n> until the server goes away, and
appends "key value revision" to LOG for every put the server ACKNOWLEDGED.
check PORT LOG: every acknowledged put must be readable with its value and mod_revision, and no
acknowledged revision may belong to two different puts."""
import os
import sys
import threading

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rawproto import field_bytes, fields  # noqa: E402


def header_revision(response):
    for number, value in fields(response):
        if number == 1:
            return dict(fields(value)).get(3, 0)
    return 0


def write(port, log_path, threads, round_number):
    channel = grpc.insecure_channel("127.0.0.1:%s" % port)
    put = channel.unary_unary("/etcdserverpb.KV/Put", request_serializer=None, response_deserializer=None)
    lock = threading.Lock()
    log = open(log_path, "a")

    def writer(thread):
        for n in range(1_000_000):
            key = b"crash/%d/%d/%d" % (round_number, thread, n)
            value = os.urandom(8).hex().encode()
            try:
                response = put(field_bytes(1, key) + field_bytes(2, value), timeout=5)
            except grpc.RpcError:
                return
            with lock:
                log.write("%s %s %d\n" % (key.decode(), value.decode(), header_revision(response)))
                log.flush()

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def check(port, log_path):
    channel = grpc.insecure_channel("127.0.0.1:%s" % port)
    get = channel.unary_unary("/etcdserverpb.KV/Range", request_serializer=None, response_deserializer=None)
    acknowledged = [line.split() for line in open(log_path) if line.strip()]
    revisions = {}
    problems = 0
    for key, value, revision in acknowledged:
        revision = int(revision)
        if revision in revisions:
            print("revision %d acknowledged twice: %s and %s" % (revision, revisions[revision], key))
            problems += 1
        revisions[revision] = key
        response = get(field_bytes(1, key.encode()), timeout=10)
        kvs = [dict(fields(v)) for n, v in fields(response) if n == 2]
        if not kvs:
            print("LOST: %s (revision %d)" % (key, revision))
            problems += 1
            continue
        kv = kvs[0]
        if kv.get(5, b"").decode() != value or kv.get(3, 0) != revision:
            print("WRONG: %s want %s@%d got %s@%d" % (key, value, revision, kv.get(5, b"").decode(), kv.get(3, 0)))
            problems += 1
    print("checked %d acknowledged puts, %d problems" % (len(acknowledged), problems))
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
