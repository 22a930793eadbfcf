"""A small closed-loop HTTP load generator (like `ab -c N`), for the throughput benchmark.

`python loadgen.py PORT HOST PATH SECONDS CONCURRENCY [COOKIE]` keeps CONCURRENCY requests in
flight against 127.0.0.1:PORT for SECONDS, one new connection per request (gunicorn's sync
workers close every connection), and prints one JSON object: requests, failures (status other
than the first answer's), requests/s, p50 and p95 in ms, body bytes of the first answer.

Plain sockets on threads: the requests are built once, so the generator's own cost per request
is a few tens of microseconds, well below what the servers it loads need.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time


def main() -> None:
    port, host, path, seconds, concurrency = sys.argv[1:6]
    cookie = sys.argv[6] if len(sys.argv) > 6 else ""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: kreisportal-loadgen\r\n"
        f"Accept: text/html\r\nConnection: close\r\n"
        + (f"Cookie: {cookie}\r\n" if cookie else "")
        + "\r\n"
    ).encode()
    address = ("127.0.0.1", int(port))
    deadline = time.perf_counter() + float(seconds)
    latencies: list[float] = []
    statuses: dict[bytes, int] = {}
    first: list[tuple[bytes, int]] = []
    lock = threading.Lock()

    def one() -> tuple[bytes, int]:
        with socket.create_connection(address, timeout=30) as sock:
            sock.sendall(request)
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        answer = b"".join(chunks)
        head, _, body = answer.partition(b"\r\n\r\n")
        return head[9:12], len(body)

    def worker() -> None:
        mine: list[float] = []
        seen: dict[bytes, int] = {}
        while True:
            started = time.perf_counter()
            if started >= deadline:
                break
            status, size = one()
            mine.append(time.perf_counter() - started)
            seen[status] = seen.get(status, 0) + 1
            if not first:
                with lock:
                    if not first:
                        first.append((status, size))
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    one()  # a connection the server has already accepted once: no start-up cost in the figures
    began = time.perf_counter()
    deadline = began + float(seconds)
    threads = [threading.Thread(target=worker) for _ in range(int(concurrency))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    expected, size = first[0] if first else (b"", 0)
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "failures": sum(c for s, c in statuses.items() if s != expected),
                "status": expected.decode(),
                "rps": len(latencies) / elapsed,
                "p50": latencies[len(latencies) // 2] * 1000 if latencies else 0.0,
                "p95": latencies[max(int(0.95 * len(latencies)) - 1, 0)] * 1000
                if latencies
                else 0.0,
                "bytes": size,
            }
        )
    )


if __name__ == "__main__":
    main()
