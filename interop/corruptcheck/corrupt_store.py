#!/usr/bin/env python3
"""Corrupts a stopped member's store offline, keeping its revision: flips the last byte of the
value of the newest put in the store's `history` table (the table HashKV reads), directly in
LMDB through liblmdb (ctypes). The member's revision, applied index and WAL are untouched, so
its HashKV at the same revision differs from its peers'.

usage: corrupt_store.py DATA_DIR   (the member's --data-dir; the store is DATA_DIR/member/db)
prints: the key whose history value changed
"""
import ctypes
import os
import sys

lmdb = ctypes.CDLL("liblmdb.so.0")


class MDBVal(ctypes.Structure):
    _fields_ = [("mv_size", ctypes.c_size_t), ("mv_data", ctypes.c_void_p)]


MDB_NOTLS = 0x200000
MDB_LAST = 6
MDB_PREV = 12
MDB_NOTFOUND = -30798
HEADER = 1 + 8 + 8 + 8 + 4  # tombstone flag, create revision, version, lease, key length (Records.swift)


def check(rc, what):
    if rc != 0:
        raise SystemExit(f"{what}: {lmdb.mdb_strerror(rc) and ctypes.string_at(lmdb.mdb_strerror(rc)).decode()} ({rc})")


def main():
    lmdb.mdb_strerror.restype = ctypes.c_void_p
    path = os.path.join(sys.argv[1], "member", "db")
    env = ctypes.c_void_p()
    check(lmdb.mdb_env_create(ctypes.byref(env)), "mdb_env_create")
    check(lmdb.mdb_env_set_maxdbs(env, 16), "mdb_env_set_maxdbs")
    size = os.path.getsize(os.path.join(path, "data.mdb"))
    check(lmdb.mdb_env_set_mapsize(env, ctypes.c_size_t(size + (64 << 20))), "mdb_env_set_mapsize")
    check(lmdb.mdb_env_open(env, path.encode(), MDB_NOTLS, 0o644), "mdb_env_open " + path)
    txn = ctypes.c_void_p()
    check(lmdb.mdb_txn_begin(env, None, 0, ctypes.byref(txn)), "mdb_txn_begin")
    dbi = ctypes.c_uint()
    check(lmdb.mdb_dbi_open(txn, b"history", 0, ctypes.byref(dbi)), "mdb_dbi_open history")
    cursor = ctypes.c_void_p()
    check(lmdb.mdb_cursor_open(txn, dbi, ctypes.byref(cursor)), "mdb_cursor_open")
    key, value = MDBVal(), MDBVal()
    rc = lmdb.mdb_cursor_get(cursor, ctypes.byref(key), ctypes.byref(value), MDB_LAST)
    while rc == 0:
        record = bytearray(ctypes.string_at(value.mv_data, value.mv_size))
        key_length = int.from_bytes(record[HEADER - 4:HEADER], "little")
        if record[0] == 0 and len(record) > HEADER + key_length:  # a put with a non-empty value
            break
        rc = lmdb.mdb_cursor_get(cursor, ctypes.byref(key), ctypes.byref(value), MDB_PREV)
    if rc != 0:
        raise SystemExit("no put with a value in the store's history")
    revision = ctypes.string_at(key.mv_data, key.mv_size)
    record[-1] ^= 0x01
    lmdb.mdb_cursor_close(cursor)
    new_key = ctypes.create_string_buffer(revision, len(revision))
    new_value = ctypes.create_string_buffer(bytes(record), len(record))
    check(lmdb.mdb_put(txn, dbi, ctypes.byref(MDBVal(len(revision), ctypes.cast(new_key, ctypes.c_void_p))),
                       ctypes.byref(MDBVal(len(record), ctypes.cast(new_value, ctypes.c_void_p))), 0), "mdb_put")
    check(lmdb.mdb_txn_commit(txn), "mdb_txn_commit")
    lmdb.mdb_env_sync(env, 1)
    lmdb.mdb_env_close(env)
    main_revision = int.from_bytes(revision[:8], "big")
    print(f"flipped a value byte of {record[HEADER:HEADER + key_length].decode(errors='replace')!r} "
          f"at revision {main_revision}")


if __name__ == "__main__":
    main()
