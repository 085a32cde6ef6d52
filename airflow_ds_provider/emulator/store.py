"""The emulator's in-memory state: resources, their scheduled transitions, artifacts, retry tokens, logs.

Transitions are data: each resource carries a list of :class:`Step` (at time T, patch these
wire fields). Reading a resource first applies every step that is due, so time only has to be
*read* from the clock; nothing runs in the background and a manual clock makes every
transition deterministic.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from airflow_ds_provider.emulator.clock import Clock
from airflow_ds_provider.emulator.ids import new_etag

#: Marks a wire field to remove when a step is applied.
REMOVE = object()


@dataclass
class Step:
    """At emulator time ``at``, merge ``patch`` into the resource's wire JSON."""

    at: float
    patch: dict[str, Any]


@dataclass
class Record:
    """One resource: its kind, wire JSON, etag, pending steps and emulator-private extras."""

    kind: str
    data: dict[str, Any]
    seq: int
    etag: str = field(default_factory=new_etag)
    steps: list[Step] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The OCID."""
        return self.data["id"]

    def apply(self, patch: dict[str, Any]) -> None:
        """Merge a patch into the wire JSON and renew the etag."""
        for key, value in patch.items():
            if value is REMOVE:
                self.data.pop(key, None)
            else:
                self.data[key] = value
        self.etag = new_etag()

    def schedule(self, steps: list[Step]) -> None:
        """Replace the pending steps."""
        self.steps = sorted(steps, key=lambda s: s.at)

    def settle(self, now: float) -> None:
        """Apply every step due at ``now``."""
        while self.steps and self.steps[0].at <= now:
            self.apply(self.steps.pop(0).patch)


@dataclass
class Artifact:
    """An uploaded artifact, kept on disk."""

    path: str
    size: int
    md5_b64: str
    disposition: str
    modified: float
    etag: str = field(default_factory=new_etag)


@dataclass
class IngestedLogRecord:
    """One log line a job run emitted; searchable once ``ingested`` has passed."""

    id: str
    datetime: float
    ingested: float
    compartment_id: str
    log_group_id: str
    log_id: str
    tenant_id: str
    source: str
    message: str


class Store:
    """All state of one emulator instance, guarded by one re-entrant lock.

    :param clock: the clock that decides which scheduled steps are due.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self._dir = tempfile.mkdtemp(prefix="oci-ds-emulator-")
        self._seq = itertools.count()
        #: Called (lock held) before any read, with the time: what must happen by then even when
        #: nobody reads the resource that causes it (a schedule starting its runs).
        self.tickers: list[Callable[[float], None]] = []
        self._ticking = False
        self.reset()

    def reset(self) -> None:
        """Forget every resource, artifact, retry token and log record."""
        with self.lock:
            self.records: dict[str, Record] = {}
            self.retry_tokens: dict[tuple[str, str], tuple[str, Any]] = {}
            self.retry_token_times: dict[tuple[str, str], float] = {}
            self.artifacts: dict[str, Artifact] = {}
            self.logs: list[IngestedLogRecord] = []
            self.job_scripts: dict[str, dict[str, Any]] = {}
            if os.path.isdir(self._dir):
                for name in os.listdir(self._dir):
                    os.unlink(os.path.join(self._dir, name))

    def close(self) -> None:
        """Remove the artifact directory."""
        shutil.rmtree(self._dir, ignore_errors=True)

    def new_artifact_path(self) -> str:
        """A fresh file name in the artifact directory."""
        os.makedirs(self._dir, exist_ok=True)
        return os.path.join(self._dir, f"artifact-{next(self._seq)}")

    def add(self, kind: str, data: dict[str, Any]) -> Record:
        """Insert a new resource."""
        with self.lock:
            record = Record(kind=kind, data=data, seq=next(self._seq))
            self.records[record.id] = record
            return record

    def tick(self, now: float) -> None:
        """Run the :attr:`tickers` for ``now`` (not again from inside one of them)."""
        with self.lock:
            if self._ticking:
                return
            self._ticking = True
            try:
                for ticker in self.tickers:
                    ticker(now)
            finally:
                self._ticking = False

    def get(self, ocid: str, kind: str | None = None) -> Record | None:
        """The settled resource with this OCID (of ``kind`` when given), or None."""
        with self.lock:
            self.tick(self.clock.now())
            record = self.records.get(ocid)
            if record is None or (kind is not None and record.kind != kind):
                return None
            record.settle(self.clock.now())
            return record

    def of_kind(self, kind: str) -> Iterator[Record]:
        """Every settled resource of ``kind``, oldest first (call with the lock held)."""
        now = self.clock.now()
        self.tick(now)
        for record in list(self.records.values()):
            if record.kind == kind:
                record.settle(now)
                yield record

    def snapshot(self, record: Record) -> dict[str, Any]:
        """A deep copy of a resource's wire JSON, safe to serialise outside the lock."""
        with self.lock:
            return json.loads(json.dumps(record.data))  # faster than deepcopy for JSON data
