#!/usr/bin/env python3
"""Normalises etcdctl output from one cluster so that two clusters' outputs compare equal.

Usage: normalise.py MAPFILE [--sort] < output
MAPFILE is JSON {"ids": {"<decimal id>": "m0", ...}, "ports": {"<port>": "CLIENT0", ...}}:
member and cluster IDs become their names (decimal in JSON, hex in text), loopback ports become
CLIENTi / PEERi. What legitimately differs between two clusters is replaced by a placeholder:
raft terms and indexes, db sizes, the server version, durations (took = ...), a lease's remaining
TTL; lease IDs and KV hashes become labels numbered in order of appearance (LEASE1, HASH1, ...),
so equal hashes stay equal and different ones stay different. Tables lose their borders and
padding (cell widths follow the content) and their rows are sorted (member order follows the
IDs); JSON lists of members / endpoints are sorted by name / endpoint. --sort sorts all lines
(for outputs printed in completion order, like endpoint health over several endpoints).
Lines of clientv3's JSON logging ({"level":...}) are dropped: they carry timestamps.
"""
import json
import re
import sys

mapping = json.load(open(sys.argv[1]))
ids = {int(k): v for k, v in mapping["ids"].items()}
hexids = {format(k, "x"): v for k, v in ids.items()}
ports = mapping["ports"]
labels = {}


def label(kind, value):
    key = (kind, value)
    if key not in labels:
        labels[key] = "%s%d" % (kind, 1 + sum(1 for k in labels if k[0] == kind))
    return labels[key]


def fix_ports(text):
    return re.sub(r"127\.0\.0\.1:(\d+)", lambda m: "127.0.0.1:" + ports.get(m.group(1), "PORT?"), text)


PLACEHOLDERS = {
    "raft_term": "TERM", "raftTerm": "TERM", "raftIndex": "INDEX", "raftAppliedIndex": "INDEX",
    "dbSize": "SIZE", "dbSizeInUse": "SIZE", "version": "VERSION", "took": "T",
}
IDKEYS = {"cluster_id", "member_id", "ID", "leader"}


def walk(value, key=None):
    if isinstance(value, dict):
        return {k: walk(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [walk(v) for v in value]
        if items and all(isinstance(v, dict) for v in items):
            for sort_key in ("name", "Endpoint"):
                if all(sort_key in v for v in items):
                    items.sort(key=lambda v: str(v[sort_key]))
                    break
        return items
    if key in PLACEHOLDERS and (key != "version" or isinstance(value, str)):  # a kv's version is an int
        return PLACEHOLDERS[key]
    if key in IDKEYS and isinstance(value, int):
        return ids.get(value, "ID?")
    if key == "hash" and isinstance(value, int):
        return label("HASH", value)
    if isinstance(value, str):
        return fix_ports(value)
    return value


def fix_text(line):
    line = fix_ports(line)
    line = re.sub(r"\b[0-9a-f]{6,16}\b", lambda m: hexids.get(m.group(0), m.group(0)), line)
    line = re.sub(r"\blease ([0-9a-f]+)\b", lambda m: "lease " + label("LEASE", m.group(1)), line)
    line = re.sub(r"^([0-9a-f]{12,16})$", lambda m: label("LEASE", m.group(1)), line)  # lease list
    line = re.sub(r"took = \S+", "took = T", line)
    line = re.sub(r"remaining\(-?\d+s\)", "remaining(R)", line)
    line = re.sub(r"^(\S+), (\d+)$", lambda m: m.group(1) + ", " + label("HASH", m.group(2)), line)
    return line


TABLE_PLACEHOLDERS = {"VERSION": "VERSION", "DB SIZE": "SIZE", "RAFT TERM": "TERM",
                      "RAFT INDEX": "INDEX", "RAFT APPLIED INDEX": "INDEX"}


def main():
    out, table_header, table_rows = [], None, []

    def flush_table():
        nonlocal table_header, table_rows
        if table_header is not None:
            out.append(" | ".join(table_header))
            out.extend(sorted(" | ".join(r) for r in table_rows))
        table_header, table_rows = None, []

    for raw in sys.stdin.read().splitlines():
        if raw.startswith('{"level":'):
            continue
        stripped = raw.strip()
        if stripped.startswith("+-") and stripped.endswith("+"):
            continue
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped[1:-1].split("|")]
            if table_header is None:
                table_header = cells
                continue
            cells = [TABLE_PLACEHOLDERS.get(table_header[i], None) if i < len(table_header) and
                     table_header[i] in TABLE_PLACEHOLDERS else fix_text(c) for i, c in enumerate(cells)]
            table_rows.append(cells)
            continue
        flush_table()
        if stripped[:1] in "[{":
            try:
                out.extend(json.dumps(walk(json.loads(stripped)), sort_keys=True, indent=1).splitlines())  # one field a line: readable diffs
                continue
            except ValueError:
                pass
        out.append(fix_text(raw))
    flush_table()
    if "--sort" in sys.argv[2:]:
        out.sort()
    print("\n".join(out))


main()
