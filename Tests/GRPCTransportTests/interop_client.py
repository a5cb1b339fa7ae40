"""Generic grpcio client for GRPCTransport's interop tests: raw-bytes (de)serializers.
Usage: interop_client.py PORT SCENARIO; prints one JSON object with the results."""
import json
import ssl
import sys
import threading
import urllib.request

try:
    import grpc
except ImportError:
    print(json.dumps({"error": "python grpcio is missing: run `pip install grpcio`"}))
    sys.exit(3)

port, scenario = sys.argv[1], sys.argv[2]
target = f"127.0.0.1:{port}"
raw = dict(request_serializer=lambda b: b, response_deserializer=lambda b: b)


def error_of(call):
    try:
        call()
        return None
    except grpc.RpcError as error:
        return {"code": error.code().name, "details": error.details()}


def run():
    channel = grpc.insecure_channel(target)
    if scenario == "unary":
        echo = channel.unary_unary("/test.Test/Echo", **raw)
        offloop = channel.unary_unary("/test.Test/OffLoop", **raw)
        big = bytes(range(256)) * 4096
        return {
            "echo": echo(b"hello").decode(),
            "empty": echo(b"").hex(),
            "big": echo(big) == big,
            "offloop": offloop(b"from another thread").decode(),
        }
    if scenario == "metadata":
        call = channel.unary_unary("/test.Test/EchoMetadata", **raw)
        return {"value": call(b"", metadata=[("x-test-key", "v-123")]).decode()}
    if scenario == "server_streaming":
        count = channel.unary_stream("/test.Test/Count", **raw)
        return {"messages": [m.hex() for m in count(bytes([4, 9]))]}
    if scenario == "bidi":
        bidi = channel.stream_stream("/test.Test/BidiEcho", **raw)
        return {"messages": [m.decode() for m in bidi(iter([b"a", b"bb", b"ccc"]))]}
    if scenario == "deadline":
        hang = channel.unary_unary("/test.Test/Hang", **raw)
        return {"error": error_of(lambda: hang(b"x", timeout=0.3))}
    if scenario == "statuses":
        fail = channel.unary_unary("/test.Test/Fail", **raw)
        errors = {}
        for code in range(1, 17):
            errors[str(code)] = error_of(lambda: fail(f"{code}:etcdserver: 100% ünicode\tdone".encode()))
        errors["unknown_method"] = error_of(lambda: channel.unary_unary("/test.Test/Missing", **raw)(b""))
        errors["unknown_service"] = error_of(lambda: channel.unary_unary("/etcdserverpb.Nope/Range", **raw)(b""))
        errors["plain_error"] = error_of(lambda: channel.unary_unary("/test.Test/Throw", **raw)(b""))
        return errors
    if scenario == "concurrent_streams":
        gate = channel.unary_unary("/test.Test/Gate", **raw)
        futures = [gate.future((300).to_bytes(2, "big") + i.to_bytes(2, "big"), timeout=20) for i in range(300)]
        replies = [int.from_bytes(f.result()[2:], "big") for f in futures]
        return {"replies": len(replies), "in_order": replies == list(range(300))}
    if scenario == "many_connections":
        ok = []
        lock = threading.Lock()

        def worker(index):
            own = grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
            echo = own.unary_unary("/test.Test/Echo", **raw)
            good = all(echo(f"{index}-{n}".encode()) == f"{index}-{n}".encode() for n in range(50))
            own.close()
            with lock:
                ok.append(good)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return {"connections": len(ok), "all_good": all(ok)}
    if scenario == "tls":
        certs = sys.argv[3]
        read = lambda name: open(f"{certs}/{name}", "rb").read()
        anonymous = grpc.secure_channel(f"localhost:{port}", grpc.ssl_channel_credentials(read("server.pem")))
        with_cert = grpc.secure_channel(f"localhost:{port}", grpc.ssl_channel_credentials(
            read("server.pem"), private_key=read("client.key"), certificate_chain=read("client.pem")))
        context = ssl.create_default_context(cafile=f"{certs}/server.pem")
        with urllib.request.urlopen(f"https://localhost:{port}/health", context=context, timeout=10) as response:
            https_body = response.read().decode()
        return {
            "echo": anonymous.unary_unary("/test.Test/Echo", **raw)(b"over tls").decode(),
            "anonymous_peer": anonymous.unary_unary("/test.Test/PeerName", **raw)(b"").decode(),
            "client_peer": with_cert.unary_unary("/test.Test/PeerName", **raw)(b"").decode(),
            "https": https_body,
        }
    if scenario == "graceful_shutdown":
        # Holds a bidi call open, says "ready", waits for a line on stdin (the server is shutting
        # down by then), then finishes the call and tries a new connection.
        bidi = channel.stream_stream("/test.Test/BidiEcho", **raw)
        go = threading.Event()

        def requests():
            yield b"first"
            go.wait()
            yield b"second"

        responses = bidi(requests())
        first = next(responses).decode()
        print("ready", flush=True)
        sys.stdin.readline()
        go.set()
        rest = [m.decode() for m in responses]
        fresh = grpc.insecure_channel(target, options=[("grpc.use_local_subchannel_pool", 1)])
        new_call = error_of(lambda: fresh.unary_unary("/test.Test/Echo", **raw)(b"x", timeout=2))
        return {"messages": [first] + rest, "new_call": new_call}
    if scenario == "http1":
        with urllib.request.urlopen(f"http://{target}/health", timeout=10) as response:
            health = {"status": response.status, "body": response.read().decode(),
                      "content_type": response.headers.get("content-type")}
        request = urllib.request.Request(f"http://{target}/v3/kv/range", data=b'{"key":"Zm9v"}', method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            post = {"status": response.status, "body": response.read().decode()}
        return {"health": health, "post": post}
    return {"error": f"unknown scenario {scenario}"}


print(json.dumps(run()))
