"""A watch read slowly by gRPC C-core (Python grpcio, which hands stream window back at half,
unlike grpc-go's quarter): while four writers put under sr/, one watcher of the prefix sleeps
after each response. It must get every revision it covers exactly once, in order, and the last
one within the deadline however the server batched them."""
import os
import sys
import threading
import time

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rawproto import field_bytes, fields  # noqa: E402

endpoint = sys.argv[1]
PUTS, PAUSE, DEADLINE = 1600, 0.003, 60.0

channel = grpc.insecure_channel(endpoint)
put = channel.unary_unary("/etcdserverpb.KV/Put", request_serializer=None, response_deserializer=None)
finished = threading.Event()
revisions, responses = [], [0]


def requests():
    yield field_bytes(1, field_bytes(1, b"sr/") + field_bytes(2, b"sr0"))
    finished.wait()


call = channel.stream_stream("/etcdserverpb.Watch/Watch", request_serializer=None, response_deserializer=None)(requests())
created = threading.Event()


def read():
    for response in call:
        created.set()
        responses[0] += 1
        for number, value in fields(response):
            if number == 11:
                kv = dict(fields(value))[2]
                revisions.append(dict(fields(kv))[3])
        if finished.is_set():
            return
        time.sleep(PAUSE)


threading.Thread(target=read, daemon=True).start()
if not created.wait(10):
    sys.exit("slowreader: the watch was not created")
last = [0]


def write(writer):
    value = b"v" * 1024
    for index in range(PUTS // 4):
        header = dict(fields(put(field_bytes(1, b"sr/%d/%d" % (writer, index % 25)) + field_bytes(2, value))))[1]
        last[0] = max(last[0], dict(fields(header))[3])


writers = [threading.Thread(target=write, args=(writer,)) for writer in range(4)]
start = time.time()
for writer in writers:
    writer.start()
for writer in writers:
    writer.join()
while (not revisions or revisions[-1] < last[0]) and time.time() < start + DEADLINE:
    time.sleep(0.05)
finished.set()
expected = list(range(last[0] - PUTS + 1, last[0] + 1))
print("slowreader: %d events in %d responses, the last %.1fs after the first put" % (
    len(revisions), responses[0], time.time() - start))
if revisions != expected:
    missing = sorted(set(expected) - set(revisions))[:5]
    sys.exit("slowreader: got %d events for %d puts (first missing %s; in order: %s)" % (
        len(revisions), PUTS, missing, revisions == sorted(revisions)))
print("slowreader: OK")
