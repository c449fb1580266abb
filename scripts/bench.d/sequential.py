"""Sends one raw HTTP/1.1 request N times, one after another on one keep-alive connection, and checks each answer's
status: the load for counting instructions per request (scripts/bench-guard).

Usage: sequential.py PORT N STATUS REQUEST   (REQUEST with \\r\\n escapes, as a shell string holds them)"""
import socket
import sys

port, count, status = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
request = sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
connection = socket.create_connection(("127.0.0.1", port))
buffer = b""
for index in range(count):
    connection.sendall(request)
    while b"\r\n\r\n" not in buffer:
        chunk = connection.recv(65536)
        if not chunk:
            sys.exit(f"sequential: the server closed the connection after {index} answers")
        buffer += chunk
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0]
    if status_line.split(b" ")[1] != status:
        sys.exit(f"sequential: answer {index} is {status_line.decode(errors='replace')}, not {status.decode()}")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(buffer) < length:
        buffer += connection.recv(65536)
    buffer = buffer[length:]
connection.close()
