"""Throughput of the emulator: signed GETs per second with N concurrent keep-alive clients.

The emulator runs as its own process (``python -m airflow_ds_provider.emulator``); the clients
run in separate worker processes (threads inside each), every request signed afresh with the
provider's signing core (RSA-SHA256), over persistent HTTP/1.1 connections.

    python benchmarks/bench_emulator.py --clients 50 --seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization

from airflow_ds_provider.client.signing import SigningKey, sign_request


def _request(conn: http.client.HTTPConnection, key: SigningKey, base: str, method: str, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    url = base + path
    headers = sign_request(key, method, url, {"content-type": "application/json"}, data)
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    return resp.status, payload


def _worker(
    base: str, key_id: str, pem: str, path: str, threads: int, start_at: float, stop_at: float, out
) -> None:
    key = SigningKey(key_id, serialization.load_pem_private_key(pem.encode(), None))
    host = urlsplit(base).netloc
    results: list[tuple[int, int, list[float]]] = []

    def run() -> None:
        conn = http.client.HTTPConnection(host, timeout=30)
        ok = bad = 0
        lat: list[float] = []
        while time.time() < start_at:
            time.sleep(0.001)
        while time.time() < stop_at:
            t = time.perf_counter()
            status, _ = _request(conn, key, base, "GET", path)
            lat.append(time.perf_counter() - t)
            if status == 200:
                ok += 1
            else:
                bad += 1
        conn.close()
        results.append((ok, bad, lat))

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((sum(r[0] for r in results), sum(r[1] for r in results), [x for r in results for x in r[2]]))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``); 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (connections)")
    parser.add_argument("--processes", type=int, default=2, help="client worker processes")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    ready = Path(tempfile.mkdtemp()) / "ready"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_ds_provider.emulator",
            "--port",
            "0",
            "--quiet",
            "--ready-file",
            str(ready),
        ]
    )
    try:
        while not ready.exists():
            time.sleep(0.05)
        base = ready.read_text().strip()
        host = urlsplit(base).netloc
        conn = http.client.HTTPConnection(host)
        conn.request(
            "POST", "/_emulator/identities", body=b"{}", headers={"content-type": "application/json"}
        )
        ident = json.loads(conn.getresponse().read())
        key = SigningKey(
            ident["keyId"], serialization.load_pem_private_key(ident["privateKeyPem"].encode(), None)
        )
        comp = ident["compartmentId"]
        _, p = _request(conn, key, base, "POST", "/20190101/projects", {"compartmentId": comp})
        pid = json.loads(p)["id"]
        _, j = _request(conn, key, base, "POST", "/20190101/jobs", {"compartmentId": comp, "projectId": pid})
        jid = json.loads(j)["id"]
        _, r = _request(
            conn,
            key,
            base,
            "POST",
            "/20190101/jobRuns",
            {"compartmentId": comp, "projectId": pid, "jobId": jid},
        )
        path = f"/20190101/jobRuns/{json.loads(r)['id']}"
        out: mp.Queue = mp.Queue()
        start_at = time.time() + 2.0
        stop_at = start_at + args.seconds
        per = [
            args.clients // args.processes + (1 if i < args.clients % args.processes else 0)
            for i in range(args.processes)
        ]
        procs = [
            mp.Process(
                target=_worker,
                args=(base, ident["keyId"], ident["privateKeyPem"], path, n, start_at, stop_at, out),
            )
            for n in per
        ]
        for proc in procs:
            proc.start()
        while time.time() < start_at:
            time.sleep(0.001)
        cpu_before = _cpu_seconds(server.pid)
        parts = [out.get() for _ in procs]
        cpu_used = _cpu_seconds(server.pid) - cpu_before
        for proc in procs:
            proc.join()
        ok = sum(p[0] for p in parts)
        bad = sum(p[1] for p in parts)
        lat = sorted(x for p in parts for x in p[2])
        print(f"clients={args.clients} processes={args.processes} seconds={args.seconds}")
        print(f"signed GETs: {ok} ok, {bad} errors -> {ok / args.seconds:.0f} req/s")
        if lat:
            p50 = statistics.median(lat) * 1000
            p99 = lat[int(len(lat) * 0.99) - 1] * 1000
            print(f"latency p50={p50:.1f} ms p99={p99:.1f} ms")
        if cpu_used > 0:
            print(
                f"server CPU: {cpu_used:.2f} s for {ok + bad} requests = {cpu_used / (ok + bad) * 1000:.2f} ms/request"
                f" -> {(ok + bad) / cpu_used:.0f} req per server CPU-second"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
