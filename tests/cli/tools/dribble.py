#!/usr/bin/env python3
"""A fake Redis server for tests/cli/t_bounds.sh: accepts one client on a
free loopback port (printed on stdout, then the script keeps running) and
answers every command by sending the bytes of "+PONG\r\n" one every
INTERVAL seconds, forever: each read of the client succeeds, so only an
overall deadline stops it.  The script ends by itself after LIFETIME
seconds (a bound, so a failing test never leaves it behind)."""
import socket
import sys
import threading
import time

INTERVAL = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
LIFETIME = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0


def serve(conn):
    try:
        conn.recv(65536)
        while True:
            for b in b"+PONG\r\n" * 1000:
                conn.sendall(bytes([b]))
                time.sleep(INTERVAL)
    except OSError:
        pass


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    print(s.getsockname()[1], flush=True)
    deadline = time.time() + LIFETIME
    s.settimeout(0.5)
    while time.time() < deadline:
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
