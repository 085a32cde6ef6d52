"""The :class:`Emulator`: one instance holds all state and serves it over real HTTP."""

from __future__ import annotations

import copy
import json
import threading
from collections import deque
from typing import Any
from urllib.parse import quote

from airflow_ds_provider.emulator.auth import KeyRegistry
from airflow_ds_provider.emulator.clock import Clock, rfc3339
from airflow_ds_provider.emulator.control import ControlApi
from airflow_ds_provider.emulator.faults import Fault, FaultInjector
from airflow_ds_provider.emulator.identity import Identity, new_identity
from airflow_ds_provider.emulator.resources.base import RETRY_TOKEN_TTL, Services
from airflow_ds_provider.emulator.scripts import ScriptingMixin
from airflow_ds_provider.emulator.server import EmulatorHTTPServer
from airflow_ds_provider.emulator.store import Store
from airflow_ds_provider.emulator.transitions import Lifecycles, Timings
from airflow_ds_provider.emulator.wire import Router
from airflow_ds_provider.resources import RESOURCES

CONN_TYPE = "oci_data_science"
#: Every resource kind the emulator holds, from the resource table.
KINDS = tuple(RESOURCES)


class Emulator(ScriptingMixin):
    """A local OCI Data Science service (plus Logging Search) on a real HTTP server.

    :param speed: scheduled durations are divided by this factor.
    :param manual_clock: True to move time only with :meth:`advance` (tests never sleep).
    :param host: interface to listen on.
    :param port: port to listen on; 0 picks a free one.
    :param region: region identifier used in OCIDs and URLs.
    :param log_ingestion_delay: seconds before an emitted log line becomes searchable
        (:meth:`set_log_ingestion_delay` changes it later; ``log_delays`` of
        :meth:`script_job_run` sets it per line).
    """

    def __init__(
        self,
        speed: float = 1.0,
        manual_clock: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-ashburn-1",
        log_ingestion_delay: float = 0.0,
    ) -> None:
        self.host = host
        self.port = port
        self.region = region
        self.clock = Clock(speed=speed, manual=manual_clock)
        self.store = Store(self.clock)
        self.lifecycles = Lifecycles(self.store, self.clock, region, log_ingestion_delay)
        self.services = Services(self.store, self.lifecycles, region)
        self.keys = KeyRegistry()
        self.faults = FaultInjector()
        self.router = Router()
        self.control = ControlApi(self)
        self._requests: deque[dict[str, Any]] = deque(maxlen=20000)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- running -------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Start serving in a background thread."""
        if self._server is not None:
            return self
        self._server = EmulatorHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="oci-ds-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the command line uses this)."""
        self._server = EmulatorHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()
            self.store.close()

    def stop(self) -> None:
        """Stop the server and remove stored artifacts."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._server = None
        self.store.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (clients append ``/20190101``)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}"

    # --- identities ----------------------------------------------------------------------

    def create_identity(self, compartment_name: str | None = None) -> Identity:
        """A new API-key identity (RSA 2048), registered with this emulator."""
        ident = new_identity(compartment_name)
        self.register_key(ident.key_id, ident.public_key_pem)
        return ident

    def register_key(self, key_id: str, public_key_pem: str | bytes) -> None:
        """Trust a public key for ``<tenancy>/<user>/<fingerprint>``."""
        self.keys.register_key(key_id, public_key_pem)

    def register_session_token(self, token: str, public_key_pem: str | bytes) -> None:
        """Trust a public key for requests signed with ``ST$<token>``."""
        self.keys.register_session_token(token, public_key_pem)

    def connection_extra(self, ident: Identity, compartment_id: str | None = None) -> dict[str, str]:
        """Airflow connection extras for ``ident`` pointing at this emulator.

        The PEM is under ``private_key``, a name Airflow masks in its REST API, UI, CLI and logs.
        """
        return {
            "auth_type": "api_key",
            "tenancy": ident.tenancy,
            "user": ident.user,
            "fingerprint": ident.fingerprint,
            "private_key": ident.private_key_pem,
            "region": self.region,
            "endpoint": self.url,
            "compartment_id": compartment_id or ident.compartment_id,
        }

    def airflow_connection_json(self, ident: Identity, **kw: Any) -> str:
        """JSON for an ``AIRFLOW_CONN_<ID>`` variable (keywords go to :meth:`connection_extra`)."""
        return json.dumps({"conn_type": CONN_TYPE, "extra": self.connection_extra(ident, **kw)})

    def airflow_connection_uri(self, ident: Identity, **kw: Any) -> str:
        """URI form of the connection (``oci-data-science://?__extra__=<json>``)."""
        extra = json.dumps(self.connection_extra(ident, **kw), separators=(",", ":"))
        return f"{CONN_TYPE.replace('_', '-')}://?__extra__={quote(extra, safe='')}"

    # --- control -------------------------------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move the clock forward; returns the new emulator time."""
        return self.clock.advance(seconds)

    def set_state(self, ocid: str, state: str) -> None:
        """Force a resource into ``state`` now (pending transitions are dropped)."""
        with self.store.lock:
            record = self._record(ocid)
            self.lifecycles.set_state(record, state)

    def reset(self) -> None:
        """Forget all resources, faults and the request log; lift the Logging Search limit and
        restore the 24-hour retry-token lifetime. Registered keys, timings and the log ingestion
        delay stay.
        """
        self.store.reset()
        self.faults.clear()
        self.clear_requests()
        self.services.log_search_max_results = None
        self.services.retry_token_ttl = RETRY_TOKEN_TTL

    def set_log_ingestion_delay(self, seconds: float) -> None:
        """Seconds (emulator clock) before a log line becomes searchable.

        Applies to the lines of runs planned (created or scripted) from now on; per-line delays
        are :meth:`script_job_run`'s ``log_delays``. Same as setting
        ``emu.lifecycles.log_ingestion_delay``.
        """
        seconds = float(seconds)
        if not seconds >= 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        self.lifecycles.log_ingestion_delay = seconds

    @property
    def log_ingestion_delay(self) -> float:
        """The current default log ingestion delay in seconds."""
        return self.lifecycles.log_ingestion_delay

    def set_log_search_max_results(self, n: int | None) -> None:
        """Make a Logging Search whose window holds more than ``n`` results answer 400.

        Like OCI, the answer is ``InvalidParameter`` with "search result is too large" in the
        message, whatever the page ``limit``; clients then narrow (bisect) the window. Only
        searchable records matching the query count. None lifts the limit (so does :meth:`reset`).
        """
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            raise ValueError(f"n must be an integer >= 0 or None, got {n!r}")
        self.services.log_search_max_results = n

    def set_retry_token_ttl(self, seconds: float) -> None:
        """How long (emulator clock, not divided by the speed) an ``opc-retry-token`` is
        remembered; OCI documents 24 hours (the default). A token reused after that makes a new
        resource."""
        seconds = float(seconds)
        if not seconds > 0:
            raise ValueError(f"seconds must be > 0, got {seconds!r}")
        self.services.retry_token_ttl = seconds

    def inject_fault(
        self,
        method: str = "GET",
        path: str = ".*",
        kind: str = "status",
        status: int = 503,
        count: int = 1,
        retry_after: float | None = None,
        latency: float = 0.0,
        error_code: str | None = None,
        message: str | None = None,
    ) -> Fault:
        """Make the next ``count`` requests matching ``method`` and the ``path`` regex fail.

        ``error_code`` and ``message`` set the OCI error body of a ``status`` fault (e.g. a 409
        ``IncorrectState``); by default the usual code for the status is used.
        """
        return self.faults.add(
            Fault(method, path, kind, status, count, retry_after, latency, error_code, message)
        )

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self.faults.clear()

    @property
    def timings(self) -> Timings:
        """Default durations (seconds, before the speed factor)."""
        return self.lifecycles.timings

    # --- inspection ----------------------------------------------------------------------

    def get(self, ocid: str) -> dict[str, Any] | None:
        """Wire JSON of any resource, or None."""
        with self.store.lock:
            record = self.store.get(ocid)
            return copy.deepcopy(record.data) if record else None

    def list(self, kind: str) -> list[dict[str, Any]]:
        """Wire JSON of every resource of ``kind`` (``"job_run"``, ``"model_deployment"``...)."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {list(KINDS)}")
        with self.store.lock:
            return [copy.deepcopy(r.data) for r in self.store.of_kind(kind)]

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request log, oldest first: one dict per request with ``time``, ``method``,
        ``path``, ``query``, ``status`` (0 when dropped), ``operation``, ``opc_request_id``,
        ``key_id`` (redacted), ``fault``, ``duration_ms`` and ``body`` (the parsed JSON request
        body; None for artifact uploads, bodiless and control requests). Never a header."""
        return list(self._requests)

    def record_request(self, entry: dict[str, Any]) -> None:
        """Append one request-log entry (called by the HTTP layer)."""
        self._requests.append(entry)

    def clear_requests(self) -> None:
        """Empty the request log."""
        self._requests.clear()

    def log_records(self, source: str | None = None) -> list[dict[str, Any]]:
        """Every emitted log line (searchable or not), optionally for one job run."""
        with self.store.lock:
            return [
                {
                    "source": r.source,
                    "datetime": rfc3339(r.datetime),
                    "ingested": rfc3339(r.ingested),
                    "message": r.message,
                }
                for r in self.store.logs
                if source is None or r.source == source
            ]
