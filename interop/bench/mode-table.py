"""Prints the markdown table of a benchmark run in two modes (auth.sh, tls.sh).

usage: mode-table.py RESULTS COLUMN MODE...
RESULTS holds lines "WORKLOAD MODE SIDE qps=… p99_ms=… ops=… cpu_s=…" (SIDE ours or etcd), several
per (workload, mode, side); each cell is the median over them. COLUMN titles the mode column."""
import statistics
import sys

results, column, modes = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = {}
workloads = []
for line in open(results):
    parts = line.split()
    fields = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
    rows.setdefault((parts[0], parts[1], parts[2]), []).append(fields)
    if parts[0] not in workloads:
        workloads.append(parts[0])
print(f"| workload | {column} | swift-etcd QPS | etcd QPS | ratio | p99 ms (ours / etcd) | server CPU µs/op (ours / etcd) |")
print("|---|---|---:|---:|---:|---:|---:|")
for workload in workloads:
    for mode in modes:
        def med(side, key):
            return statistics.median(float(r[key]) for r in rows[(workload, mode, side)])

        def cpu(side):
            return statistics.median(float(r["cpu_s"]) * 1e6 / max(1, int(r["ops"])) for r in rows[(workload, mode, side)])

        q_ours, q_etcd = med("ours", "qps"), med("etcd", "qps")
        print(f"| {workload} | {mode} | {q_ours:.0f} | {q_etcd:.0f} | **{q_ours / q_etcd:.2f}** | "
              f"{med('ours', 'p99_ms'):.2f} / {med('etcd', 'p99_ms'):.2f} | {cpu('ours'):.0f} / {cpu('etcd'):.0f} |")
