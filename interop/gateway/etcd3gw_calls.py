"""etcd3gw's basic calls against one member's JSON gateway (http://127.0.0.1:PORT); prints one
line per call with what a user of the library sees, in a form two servers can be compared by
(no IDs, revisions only where they follow from the calls)."""
import sys
import threading
import time

import etcd3gw

client = etcd3gw.client(host="127.0.0.1", port=int(sys.argv[1]), timeout=5)
out = []


def show(what, value):
    out.append(f"{what}: {value!r}")


show("api path", client.api_path)
show("put", client.put("/gw/a", "1"))
show("put another", client.put("/gw/b", "2"))
show("get", client.get("/gw/a"))
show("get with metadata", [(v, m["key"], m["version"]) for v, m in client.get("/gw/a", metadata=True)])
show("get missing", client.get("/gw/none"))
show("get prefix", sorted((v, m["key"]) for v, m in client.get_prefix("/gw/")))
show("get all, sorted", len(client.get_all()))
show("create existing", client.create("/gw/a", "x"))
show("create new", client.create("/gw/c", "3"))
show("replace matching", client.replace("/gw/a", "1", "10"))
show("replace not matching", client.replace("/gw/a", "1", "11"))
show("get replaced", client.get("/gw/a"))
show("delete", client.delete("/gw/b"))
show("delete missing", client.delete("/gw/b"))
show("delete prefix", client.delete_prefix("/gw/"))

lease = client.lease(ttl=60)
show("lease ttl", 55 <= lease.ttl() <= 60)
show("put on lease", client.put("/gw/leased", "v", lease=lease))
show("lease keys", lease.keys())
show("lease refresh", 55 <= lease.refresh() <= 60)
show("lease revoke", lease.revoke())
show("leased key after revoke", client.get("/gw/leased"))

lock = client.lock(id="gw-lock", ttl=30)
show("lock acquire", lock.acquire())
show("lock is acquired", lock.is_acquired())
show("lock release", lock.release())

events = []
watch_iterator, cancel = client.watch("/gw/watched")


def collect():
    for event in watch_iterator:
        # jsonpb leaves out the zero enum, PUT.
        events.append((event.get("type", "PUT"), event["kv"]["key"], event["kv"].get("value")))
        if len(events) == 2:
            break


reader = threading.Thread(target=collect, daemon=True)
reader.start()
time.sleep(0.5)
client.put("/gw/watched", "w1")
client.delete("/gw/watched")
reader.join(timeout=5)
cancel()
show("watched events", events)

status = client.status()
show("status has a leader and a version", sorted(k for k in ("leader", "version", "header") if k in status))
show("members", [m["name"] for m in client.members()])
print("\n".join(out))
