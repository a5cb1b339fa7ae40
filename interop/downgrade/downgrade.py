"""Calls Maintenance.Downgrade over raw gRPC (hand-encoded protobuf) and checks each answer
against etcd v3.5.13's, read from its source (see test.sh). Usage:
  downgrade.py before-restart SUBJECT_PORT REFERENCE_PORT
  downgrade.py after-restart SUBJECT_PORT"""
import os
import sys

import grpc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rawproto import field_bytes, field_varint, fields  # noqa: E402

DOWNGRADE = "/etcdserverpb.Maintenance/Downgrade"
STATUS = "/etcdserverpb.Maintenance/Status"
VALIDATE, ENABLE, CANCEL = 0, 1, 2
# etcd's cluster version text is semver's String() of major.minor: "3.5.0", not "3.5".
CLUSTER_VERSION = "3.5.0"

WRONG_FORMAT = ("INVALID_ARGUMENT", "etcdserver: wrong downgrade target version format")
INVALID_TARGET = ("INVALID_ARGUMENT", "etcdserver: invalid downgrade target version")
IN_PROGRESS = ("FAILED_PRECONDITION", "etcdserver: cluster has a downgrade job in progress")
NO_INFLIGHT = ("FAILED_PRECONDITION", "etcdserver: no inflight downgrade job")
UNKNOWN_METHOD = ("UNKNOWN", "etcdserver: unknown method")
OK = ("OK", CLUSTER_VERSION)

failures = []


def call(channel, method, body):
    """(status code name, details) of an error, or ("OK", response fields)."""
    stub = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
    try:
        return "OK", dict(fields(stub(body, timeout=10)))
    except grpc.RpcError as error:
        return error.code().name, error.details()


def downgrade(channel, action, version=""):
    body = (field_varint(1, action) if action else b"") + (field_bytes(2, version.encode()) if version else b"")
    code, answer = call(channel, DOWNGRADE, body)
    if code != "OK":
        return code, answer
    if 1 not in answer:
        return "OK without a header", ""
    return code, answer.get(2, b"").decode()


def expect(name, got, want):
    print("%-56s %s" % (name, "ok" if got == want else "MISMATCH"))
    if got != want:
        failures.append(name)
        print("    got:  %r\n    want: %r" % (got, want))


def before_restart(subject, reference):
    code, answer = call(reference, DOWNGRADE, field_bytes(2, b"3.4"))
    expect("etcd 3.4.23: Downgrade is unimplemented", code, "UNIMPLEMENTED")
    print("    (etcd 3.4.23 says: %s)" % answer)

    code, status = call(subject, STATUS, b"")
    expect("status reports etcd 3.5.13", (code, status.get(2) if code == "OK" else status), ("OK", b"3.5.13"))
    expect("validate 3.4", downgrade(subject, VALIDATE, "3.4"), OK)
    expect("validate 3.4.0 (full semver)", downgrade(subject, VALIDATE, "3.4.0"), OK)
    expect("validate 3.4.7-rc.1 (patch and pre-release dropped)", downgrade(subject, VALIDATE, "3.4.7-rc.1"), OK)
    expect("validate 3.3 (two minors down)", downgrade(subject, VALIDATE, "3.3"), INVALID_TARGET)
    expect("validate 3.6 (an upgrade)", downgrade(subject, VALIDATE, "3.6"), INVALID_TARGET)
    expect("validate 3.5 (the cluster version)", downgrade(subject, VALIDATE, "3.5"), INVALID_TARGET)
    expect("validate abc", downgrade(subject, VALIDATE, "abc"), WRONG_FORMAT)
    expect("validate 3 (major only)", downgrade(subject, VALIDATE, "3"), WRONG_FORMAT)
    expect("validate with no version", downgrade(subject, VALIDATE), WRONG_FORMAT)
    expect("action 7", downgrade(subject, 7, "3.4"), UNKNOWN_METHOD)
    expect("cancel with no job", downgrade(subject, CANCEL), NO_INFLIGHT)
    expect("enable abc", downgrade(subject, ENABLE, "abc"), WRONG_FORMAT)
    expect("enable 3.3", downgrade(subject, ENABLE, "3.3"), INVALID_TARGET)
    expect("enable 3.4", downgrade(subject, ENABLE, "3.4"), OK)
    expect("enable 3.4 again", downgrade(subject, ENABLE, "3.4"), IN_PROGRESS)
    expect("validate 3.4 while enabled", downgrade(subject, VALIDATE, "3.4"), IN_PROGRESS)
    expect("validate 3.3 while enabled (target checked first)", downgrade(subject, VALIDATE, "3.3"), INVALID_TARGET)


def after_restart(subject):
    expect("after restart: validate 3.4 (job kept)", downgrade(subject, VALIDATE, "3.4"), IN_PROGRESS)
    expect("after restart: cancel", downgrade(subject, CANCEL), OK)
    expect("after restart: cancel again", downgrade(subject, CANCEL), NO_INFLIGHT)
    expect("after restart: validate 3.4", downgrade(subject, VALIDATE, "3.4"), OK)


def main():
    phase, subject_port = sys.argv[1], sys.argv[2]
    with grpc.insecure_channel("127.0.0.1:%s" % subject_port) as subject:
        if phase == "before-restart":
            with grpc.insecure_channel("127.0.0.1:%s" % sys.argv[3]) as reference:
                before_restart(subject, reference)
        else:
            after_restart(subject)
    if failures:
        print("%d mismatches: %s" % (len(failures), ", ".join(failures)))
        sys.exit(1)


main()
