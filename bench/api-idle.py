#!/usr/bin/env python3
"""Idle-connection flood against the actuator API on 127.0.0.1 (docs/benchmarks.md, "API under idle connections").

Opens --connections TCP connections to 127.0.0.1:PORT that send nothing, or with --partial the start
of a request head and nothing more (split over --workers
processes, so that no process needs more descriptors than its limit), holds them --hold seconds,
and meanwhile asks GET /healthz on a fresh connection every --probe-every seconds, timing each
answer. With --server-pid it samples the server's open descriptors (/proc/PID/fd). Prints one JSON
object. Only ever connects to 127.0.0.1; every loop is bounded in count and time.
"""
import argparse
import json
import multiprocessing
import os
import select
import socket
import statistics
import time

HOST = "127.0.0.1"


def healthz(port, timeout):
    """Seconds until a complete 200 answer to GET /healthz on a fresh connection, or None."""
    start = time.monotonic()
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = b""
            while time.monotonic() - start < timeout:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                head, sep, body = data.partition(b"\r\n\r\n")
                if sep:
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value.strip())
                    if len(body) >= length:
                        break
            if data.startswith(b"HTTP/1.1 200"):
                return time.monotonic() - start
    except OSError:
        pass
    return None


def flood(port, count, hold, deadline, partial, results):
    """One worker: opens `count` connections that send nothing (or, with `partial`, the start of a
    request head and then nothing), and watches them until `hold` seconds after the last connect:
    how many the server closed, and how long after their connect (closes are also collected while
    connecting, every 50 connects, so a lifetime is late by at most that much)."""
    sockets, opened_at, lifetimes, failed, connect_times = {}, {}, [], 0, []
    poller = select.poll()

    def collect(timeout_ms):
        for fd, _ in poller.poll(timeout_ms):
            s = sockets.get(fd)
            if s is None:
                continue
            try:
                closed = s.recv(4096) == b""
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            if closed:
                lifetimes.append(time.monotonic() - opened_at[fd])
                poller.unregister(fd)
                s.close()
                del sockets[fd]

    opened = 0
    for i in range(count):
        if time.monotonic() > deadline:
            break
        t = time.monotonic()
        try:
            s = socket.create_connection((HOST, port), timeout=5)
            if partial:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: ")
            s.setblocking(False)
            sockets[s.fileno()] = s
            opened_at[s.fileno()] = t
            poller.register(s.fileno(), select.POLLIN)
            opened += 1
            connect_times.append(time.monotonic() - t)
        except OSError:
            failed += 1
        if i % 50 == 49:
            collect(0)
    open_when_done = len(sockets)
    end = min(time.monotonic() + hold, deadline)
    while sockets and time.monotonic() < end:
        collect(max(0, int(1000 * min(0.5, end - time.monotonic()))))
    still_open = len(sockets)
    for s in sockets.values():
        s.close()
    results.put({"opened": opened, "failed": failed, "open_when_done": open_when_done, "still_open": still_open,
                 "lifetimes": lifetimes,
                 "connect_ms_max": round(1000 * max(connect_times), 1) if connect_times else None})


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def summary(latencies, total):
    ok = [x for x in latencies if x is not None]
    out = {"probes": total, "answered": len(ok), "failed": total - len(ok)}
    if ok:
        ok.sort()
        out.update({"p50_ms": round(1000 * statistics.median(ok), 2),
                    "p99_ms": round(1000 * ok[min(len(ok) - 1, int(0.99 * len(ok)))], 2),
                    "max_ms": round(1000 * ok[-1], 2),
                    "over_100ms": sum(1 for x in ok if x > 0.1), "over_1s": sum(1 for x in ok if x > 1)})
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=20000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--hold", type=float, default=20)
    p.add_argument("--probe-every", type=float, default=0.25)
    p.add_argument("--probe-timeout", type=float, default=5)
    p.add_argument("--server-pid", type=int)
    p.add_argument("--time-limit", type=float, default=300)
    p.add_argument("--partial", action="store_true", help="send the start of a request head, never its end")
    a = p.parse_args()

    start = time.monotonic()
    deadline = start + a.time_limit
    before = [healthz(a.port, a.probe_timeout) for _ in range(20)]

    results = multiprocessing.Queue()
    share = [a.connections // a.workers + (1 if i < a.connections % a.workers else 0) for i in range(a.workers)]
    workers = [multiprocessing.Process(target=flood, args=(a.port, n, a.hold, deadline, a.partial, results)) for n in share]
    for w in workers:
        w.start()

    during, fds = [], []
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline + 10:
        during.append(healthz(a.port, a.probe_timeout))
        if a.server_pid:
            fds.append(fd_count(a.server_pid))
        time.sleep(a.probe_every)
    for w in workers:
        w.join(timeout=10)
    floods = [results.get(timeout=10) for _ in workers]
    after = [healthz(a.port, a.probe_timeout) for _ in range(20)]

    fds = [f for f in fds if f is not None]
    lifetimes = sorted(x for f in floods for x in f["lifetimes"])
    closed = {"closed": len(lifetimes)}
    if lifetimes:
        closed.update({"seconds_open_p50": round(statistics.median(lifetimes), 2),
                       "seconds_open_max": round(lifetimes[-1], 2)})
    print(json.dumps({
        "connections": a.connections,
        "partial_heads": a.partial,
        "opened": sum(f["opened"] for f in floods),
        "connect_failed": sum(f["failed"] for f in floods),
        "open_when_connects_done": sum(f["open_when_done"] for f in floods),
        "still_open_after_hold": sum(f["still_open"] for f in floods),
        "closed_by_server": closed,
        "connect_ms_max": max((f["connect_ms_max"] or 0) for f in floods),
        "server_fds_max": max(fds) if fds else None,
        "healthz_before": summary(before, len(before)),
        "healthz_during": summary(during, len(during)),
        "healthz_after": summary(after, len(after)),
        "seconds": round(time.monotonic() - start, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
