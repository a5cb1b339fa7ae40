"""Normalises one `curl -si` reply from etcd's JSON gateway so that two servers' replies compare
equal exactly when they agree: the status line, the headers a client sees (sorted, names lower
case), the body's JSON values (each line of a stream; keys sorted) with the values that
legitimately differ between two members replaced, and any HTTP trailers."""
import json
import re
import sys

# Values that differ between any two members: IDs, terms, indexes, sizes, hashes, tokens, URLs
# (ports). A release ("3.4.23") differs too, but a key's version ("1") must not; and member IDs
# (random, large) do, but the lease IDs the test chooses must not.
VARYING = {
    "cluster_id", "member_id", "raft_term", "leader", "raftIndex", "raftTerm", "raftAppliedIndex",
    "dbSize", "dbSizeInUse", "hash", "token", "peerURLs", "clientURLs", "blob", "remaining_bytes",
}
HEADERS = ("content-type", "trailer", "x-content-type-options", "allow",
           "access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
           "grpc-metadata-content-type", "grpc-metadata-trailer", "grpc-metadata-access-control-allow-origin",
           "grpc-metadata-access-control-allow-methods", "grpc-metadata-access-control-allow-headers")


def normalise(value, key=None):
    if isinstance(value, dict):
        return {k: normalise(v, k) for k, v in value.items()}
    if key in VARYING:
        return "<varies>"
    if isinstance(value, list):
        return [normalise(v, key) for v in value]
    if key == "version" and re.fullmatch(r"\d+\.\d+\.\d+", str(value)):
        return "<release>"
    if key == "ID" and str(value).isdigit() and int(value) > 10**12:
        return "<member>"
    return value


def main():
    raw = sys.stdin.buffer.read().decode("utf-8", "replace")
    # An interim "100 Continue" (curl asks for one before a large body) precedes the reply.
    while re.match(r"HTTP/[0-9.]+ 1[0-9][0-9]", raw):
        raw = raw.partition("\r\n\r\n")[2]
    head, _, rest = raw.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = lines[0].split(" ")[1] if lines and " " in lines[0] else "no reply"
    headers = sorted(
        name.strip().lower() + ": " + value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:])
        if name.strip().lower() in HEADERS)
    trailers = re.findall(r"(?i)(grpc-trailer-[a-z-]+): ?([^\r\n]*)", rest)
    body = re.sub(r"(?i)grpc-trailer-[a-z-]+: ?[^\r\n]*\r?\n?", "", rest)
    print(status)
    print("\n".join(headers))
    for part in body.split("\n"):
        if not part.strip():
            continue
        try:
            print(json.dumps(normalise(json.loads(part)), sort_keys=True))
        except ValueError:
            print(repr(part))
    for name, value in trailers:
        print("trailer " + name.lower() + ": " + value.strip())


main()
