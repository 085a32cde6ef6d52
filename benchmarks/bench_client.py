"""Client overhead: signing, request building, and round trips against the local emulator.

Run: ``python benchmarks/bench_client.py [N]``. Prints per-call timings; no assertions.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable

import requests

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient
from airflow_ds_provider.client.signing import sign_request
from airflow_ds_provider.emulator import Emulator


def _per_call(label: str, n: int, fn: Callable[[], object]) -> None:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    print(
        f"{label:<48} median {statistics.median(samples) * 1e3:7.3f} ms   p95 {sorted(samples)[int(n * 0.95) - 1] * 1e3:7.3f} ms"
    )


def main(n: int = 300) -> None:
    with Emulator(manual_clock=True) as emu:
        ident = emu.create_identity()
        config = ClientConfig.from_connection(emu.connection_extra(ident))
        with DataScienceClient(config) as client:
            pid = client.create_project({"compartmentId": ident.compartment_id}).data["id"]
            key = client.credentials.signing_key()
            body = b'{"compartmentId":"x","displayName":"y"}'
            _per_call(
                "sign_request GET (RSA-2048)",
                n,
                lambda: sign_request(key, "GET", f"{client.base_url}/projects/{pid}", {}, None),
            )
            _per_call(
                "sign_request POST with body",
                n,
                lambda: sign_request(key, "POST", f"{client.base_url}/projects", {}, body),
            )
            _per_call(
                "prepare(list_job_runs) (validation only)",
                n,
                lambda: client.prepare(
                    "list_job_runs", {"compartment_id": "c", "lifecycle_state": "SUCCEEDED", "limit": 10}
                ),
            )
            _per_call("sync get_project, reused session", n, lambda: client.get_project(pid))

            def fresh_session() -> None:
                with DataScienceClient(config, credentials=client.credentials) as other:
                    other.get_project(pid)

            _per_call("sync get_project, new session per call", n // 3, fresh_session)
            _per_call(
                "raw requests.get (unsigned, 404)", n, lambda: requests.get(f"{emu.url}/nothing", timeout=5)
            )

        async def concurrent(total: int, width: int) -> float:
            async with AsyncDataScienceClient(config) as aclient:
                start = time.perf_counter()
                for _ in range(total // width):
                    await asyncio.gather(*(aclient.get_project(pid) for _ in range(width)))
                return time.perf_counter() - start

        for width in (1, 10):
            elapsed = asyncio.run(concurrent(n, width))
            print(f"{f'async get_project, {width} concurrent':<48} {n / elapsed:7.0f} calls/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
