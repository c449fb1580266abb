"""Opens N connections to 127.0.0.1:PORT and keeps them open, for measuring memory per open connection
(scripts/bench.d/memory).

Usage: hold_connections.py PORT N [REQUEST]
Without REQUEST the connections send nothing (the server must allow it: --read-header-timeout above the hold time).
With REQUEST (a raw HTTP/1.1 request, \\r\\n escapes as a shell string holds them), each connection sends it once and
reads the whole answer, then stays open as a proxy's idle keep-alive connection does.
Prints "ready N" when every connection is open (and answered), then holds them until stdin closes or SIGTERM; exits
non-zero if the server closed any of them meanwhile. Needs `ulimit -n` above N."""
import select
import signal
import socket
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
request = sys.argv[3].encode().decode("unicode_escape").encode("latin-1") if len(sys.argv) > 3 else None
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

connections = []
for index in range(count):
    connection = socket.create_connection(("127.0.0.1", port))
    connections.append(connection)
    if request:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                sys.exit(f"hold_connections: connection {index} closed before its answer")
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")[1:]
                       if line.split(b":", 1)[0].strip().lower() == b"content-length"), 0)
        while len(body) < length:
            body += connection.recv(65536)
print(f"ready {len(connections)}", flush=True)

# Hold: a readable connection means the server closed it (or sent something unasked).
closed = 0
watched = {connection.fileno(): connection for connection in connections}
poller = select.poll()
for fd in watched:
    poller.register(fd, select.POLLIN | select.POLLHUP)
poller.register(sys.stdin.fileno(), select.POLLIN | select.POLLHUP)
while True:
    for fd, _ in poller.poll():
        if fd == sys.stdin.fileno():
            if not sys.stdin.readline():
                sys.exit(1 if closed else 0)
            continue
        poller.unregister(fd)
        closed += 1
        print(f"hold_connections: the server closed a connection ({closed} so far)", file=sys.stderr, flush=True)
