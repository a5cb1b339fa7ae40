#!/usr/bin/env python3
"""Seeds the fuzz corpora from real traffic: runs etcdctl commands against a real etcd 3.4
through a recording TCP proxy, then splits each recorded client stream into the inputs of the
HTTP/2, gRPC framing and etcd message targets (HPACK decoded with libnghttp2, to know each
stream's method). Usage: capture.py OUTPUT_DIR (the Fuzz/Corpus directory)."""
import ctypes, hashlib, os, shutil, socket, subprocess, sys, tempfile, threading, time

CORPUS = sys.argv[1]
# Request and response types of each method, as indexes into fuzz-etcd-messages' table.
TABLE = [l.strip().rstrip(',').removesuffix('.self') for l in open(
    os.path.join(os.path.dirname(__file__), '..', 'Targets', 'fuzz-etcd-messages', 'main.swift')) if l.strip().endswith('.self,')]

def request_type(path):
    method = path.rsplit('/', 1)[-1]
    service = path.split('/')[1].split('.')[-1]
    names = {'Watch': 'WatchRequest', 'Range': 'RangeRequest', 'Compact': 'CompactionRequest',
             'UserAdd': 'AuthUserAddRequest', 'UserGet': 'AuthUserGetRequest', 'UserList': 'AuthUserListRequest',
             'UserDelete': 'AuthUserDeleteRequest', 'UserChangePassword': 'AuthUserChangePasswordRequest',
             'UserGrantRole': 'AuthUserGrantRoleRequest', 'UserRevokeRole': 'AuthUserRevokeRoleRequest',
             'RoleAdd': 'AuthRoleAddRequest', 'RoleGet': 'AuthRoleGetRequest', 'RoleList': 'AuthRoleListRequest',
             'RoleDelete': 'AuthRoleDeleteRequest', 'RoleGrantPermission': 'AuthRoleGrantPermissionRequest',
             'RoleRevokePermission': 'AuthRoleRevokePermissionRequest', 'Check': 'HealthCheckRequest'}
    if service == 'Auth' and method in ('AuthEnable', 'AuthDisable', 'AuthStatus', 'Authenticate'):
        name = method + 'Request'
    else:
        name = names.get(method, method + 'Request')
    return TABLE.index(name) if name in TABLE else None

class Inflater:
    """HPACK decoding through libnghttp2's nghttp2_hd_inflate_* (one per connection)."""
    class NV(ctypes.Structure):
        _fields_ = [('name', ctypes.POINTER(ctypes.c_uint8)), ('value', ctypes.POINTER(ctypes.c_uint8)),
                    ('namelen', ctypes.c_size_t), ('valuelen', ctypes.c_size_t), ('flags', ctypes.c_uint8)]
    lib = ctypes.CDLL('libnghttp2.so.14')
    lib.nghttp2_hd_inflate_hd2.restype = ctypes.c_ssize_t
    lib.nghttp2_hd_inflate_hd2.argtypes = [ctypes.c_void_p, ctypes.POINTER(NV), ctypes.POINTER(ctypes.c_int),
                                           ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]

    def __init__(self):
        self.handle = ctypes.c_void_p()
        self.lib.nghttp2_hd_inflate_new(ctypes.byref(self.handle))

    def headers(self, block):
        fields, data = [], bytes(block)
        while True:
            nv, flags = self.NV(), ctypes.c_int(0)
            used = self.lib.nghttp2_hd_inflate_hd2(self.handle, ctypes.byref(nv), ctypes.byref(flags), data, len(data), 1)
            if used < 0:
                return fields
            data = data[used:]
            if flags.value & 0x02:  # NGHTTP2_HD_INFLATE_EMIT
                fields.append((ctypes.string_at(nv.name, nv.namelen), ctypes.string_at(nv.value, nv.valuelen)))
            if flags.value & 0x01:  # NGHTTP2_HD_INFLATE_FINAL
                self.lib.nghttp2_hd_inflate_end_headers(self.handle)
                return fields
            if used == 0 and not data:
                return fields

def split_connection(stream):
    """(path, [gRPC message bodies], [DATA payloads]) per HTTP/2 stream of a client byte stream."""
    preface = b'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
    if not stream.startswith(preface):
        return {}
    inflater, offset, streams, block = Inflater(), len(preface), {}, {}
    while offset + 9 <= len(stream):
        length = int.from_bytes(stream[offset:offset + 3], 'big')
        kind, flags = stream[offset + 3], stream[offset + 4]
        sid = int.from_bytes(stream[offset + 5:offset + 9], 'big') & 0x7FFFFFFF
        payload = stream[offset + 9:offset + 9 + length]
        offset += 9 + length
        if kind in (0, 1) and flags & 0x08:  # PADDED
            payload = payload[1:len(payload) - payload[0]]
        if kind == 1 and flags & 0x20:  # PRIORITY
            payload = payload[5:]
        if kind in (1, 9):
            block[sid] = block.get(sid, b'') + payload
            if flags & 0x04:  # END_HEADERS
                fields = dict(inflater.headers(block.pop(sid)))
                if sid not in streams and b':path' in fields:
                    streams[sid] = [fields[b':path'].decode(), b'', []]
        elif kind == 0 and sid in streams:
            streams[sid][1] += payload
            streams[sid][2].append(payload)
    result = {}
    for sid, (path, body, frames) in streams.items():
        messages, position = [], 0
        while position + 5 <= len(body):
            size = int.from_bytes(body[position + 1:position + 5], 'big')
            messages.append(body[position + 5:position + 5 + size])
            position += 5 + size
        result[sid] = (path, messages, body)
    return result

def save(target, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, hashlib.sha1(data).hexdigest()[:16]), 'wb') as f:
        f.write(data)

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

class RecordingProxy(threading.Thread):
    def __init__(self, target_port):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(64)
        self.port, self.target, self.recordings = self.listener.getsockname()[1], target_port, []

    def run(self):
        while True:
            client, _ = self.listener.accept()
            upstream = socket.create_connection(('127.0.0.1', self.target))
            recording = bytearray()
            self.recordings.append(recording)
            threading.Thread(target=self.pump, args=(client, upstream, recording), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, None), daemon=True).start()

    @staticmethod
    def pump(source, destination, recording):
        try:
            while data := source.recv(65536):
                if recording is not None:
                    recording.extend(data)
                destination.sendall(data)
        except OSError:
            pass
        for s in (source, destination):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

def main():
    data_dir = tempfile.mkdtemp(prefix='fuzz-seeds-')
    client, peer = free_port(), free_port()
    etcd = subprocess.Popen(['etcd', '--data-dir', data_dir, '--listen-client-urls', f'http://127.0.0.1:{client}',
                             '--advertise-client-urls', f'http://127.0.0.1:{client}', '--listen-peer-urls', f'http://127.0.0.1:{peer}',
                             '--initial-advertise-peer-urls', f'http://127.0.0.1:{peer}',
                             '--initial-cluster', f'default=http://127.0.0.1:{peer}'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = RecordingProxy(client)
    proxy.start()
    time.sleep(2)
    endpoint = f'127.0.0.1:{proxy.port}'
    commands = [
        'put foo bar', 'put foo2 bar2 --prev-kv', 'get foo', 'get foo --prefix --limit 5 --sort-by=MODIFY --order=DESCEND',
        'get "" --from-key --keys-only', 'get foo --rev 2 --serializable', 'del foo2 --prev-kv', 'del f --prefix',
        'compaction 2', 'lease grant 60', 'lease list', 'endpoint status', 'endpoint health', 'endpoint hashkv',
        'member list', 'alarm list', 'defrag', 'check perf --load s --help',
        'user add root:pw', 'user add alice:pw', 'user list', 'user get alice', 'role add reader', 'role list',
        'role grant-permission reader read foo', 'role grant-permission reader readwrite --prefix fo',
        'role get reader', 'user grant-role alice reader', 'user revoke-role alice reader', 'role revoke-permission reader foo',
        'user passwd alice --interactive=false', 'auth enable', '--user root:pw auth disable', 'user delete alice', 'role delete reader',
        'member add m2 --peer-urls=http://127.0.0.1:1', 'member update 1 --peer-urls=http://127.0.0.1:2',
        'member remove 1', 'member promote 1', 'move-leader 1', 'snapshot save /dev/null',
    ]
    for command in commands:
        subprocess.run(f'ETCDCTL_API=3 timeout 10 etcdctl --endpoints {endpoint} {command} </dev/null', shell=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, input=None)
    # Txn, watch, lease streams, lock and election with real clients' request shapes.
    subprocess.run(f'printf "value(\\"foo\\") = \\"bar\\"\\n\\nput foo baz\\n\\nget foo\\n" | ETCDCTL_API=3 etcdctl --endpoints {endpoint} txn',
                   shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(f'printf "mod(\\"foo\\") > \\"0\\"\\ncreate(\\"x\\") = \\"0\\"\\n\\ndel foo\\n\\nput x y\\n" | ETCDCTL_API=3 etcdctl --endpoints {endpoint} txn',
                   shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for command in ['watch foo --prefix --prev-kv --rev 1', 'lease keep-alive 1', 'lock mylock', 'elect myelection proposal',
                    'elect myelection --listen']:
        subprocess.run(f'ETCDCTL_API=3 timeout 2 etcdctl --endpoints {endpoint} {command}', shell=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lease = subprocess.run(f'ETCDCTL_API=3 etcdctl --endpoints {endpoint} lease grant 100 -w fields', shell=True,
                           capture_output=True, text=True).stdout
    lease_id = next((l.split(':')[1].strip() for l in lease.splitlines() if l.startswith('"ID"')), '1')
    for command in [f'lease timetolive {int(lease_id):x} --keys', f'put k v --lease={int(lease_id):x}',
                    f'lease keep-alive --once {int(lease_id):x}', f'lease revoke {int(lease_id):x}']:
        subprocess.run(f'ETCDCTL_API=3 timeout 5 etcdctl --endpoints {endpoint} {command}', shell=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The gateway, over HTTP/1.1 through the same proxy.
    gateway = [('/v3/kv/put', '{"key":"Zm9v","value":"YmFy"}'), ('/v3/kv/range', '{"key":"Zm9v","range_end":"Zm9w","limit":"10"}'),
               ('/v3/kv/txn', '{"compare":[{"key":"Zm9v","result":"EQUAL","target":"VALUE","value":"YmFy"}],"success":[{"request_put":{"key":"Zm9v","value":"YmF6"}}],"failure":[{"request_range":{"key":"Zm9v"}}]}'),
               ('/v3/kv/deleterange', '{"key":"Zm9v","prev_kv":true}'), ('/v3/lease/grant', '{"TTL":"30"}'),
               ('/v3/kv/lease/timetolive', '{"ID":1,"keys":true}'), ('/v3/watch', '{"create_request":{"key":"Zm9v","start_revision":"1"}}'),
               ('/v3/auth/authenticate', '{"name":"root","password":"pw"}'), ('/v3/maintenance/status', '{}'),
               ('/v3/cluster/member/list', ''), ('/v3beta/kv/range', '{"key":"Zm9v"}')]
    for path, body in gateway:
        subprocess.run(['curl', '-s', '-m', '2', f'http://{endpoint}{path}', '-d', body], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        save('fuzz-gateway-json', bytes([sorted_routes().index(path.replace('/v3beta/', '/v3/')) if path.replace('/v3beta/', '/v3/') in sorted_routes() else 0]) + body.encode())
    subprocess.run(['curl', '-s', '-m', '2', f'http://{endpoint}/health'], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    etcd.terminate()
    etcd.wait()
    shutil.rmtree(data_dir, ignore_errors=True)

    for recording in proxy.recordings:
        stream = bytes(recording)
        if not stream:
            continue
        if not stream.startswith(b'PRI'):
            save('fuzz-http1-gateway', b'\x00' + stream[:16384])
            continue
        save('fuzz-http2', b'\x01' + stream[:16384])
        for sid, (path, messages, body) in split_connection(stream).items():
            save('fuzz-grpc-framing', bytes([0x01]) + body[:4096])
            index = request_type(path)
            for message in messages:
                if index is not None:
                    save('fuzz-etcd-messages', bytes([index]) + message)

def sorted_routes():
    source = open(os.path.join(os.path.dirname(__file__), '..', '..', 'Sources', 'EtcdServer', 'Gateway', 'GatewayRoutes.swift')).read()
    import re
    return sorted(set(re.findall(r'"(/v3/[a-z/]+)": GatewayRoute', source)))

main()
