"""Event triggers for ``AssetWatcher``: a job's or a pipeline's runs reaching a terminal state.

:class:`DataScienceRunCompletedTrigger` watches every run of one job (or pipeline), wherever it
was started (Airflow, an OCI schedule, the console, the CLI), and yields one event per run that
reaches a terminal state (``SUCCEEDED``, ``FAILED``, ``CANCELED``, ``NEEDS_ATTENTION`` for job
runs: the lifecycle table's success and failure states except ``DELETED``). The event payload
becomes the asset event's ``extra``::

    {"resource": "job_run", "id": ocid, "parent_id": job OCID, "state": "SUCCEEDED",
     "display_name": ..., "time_accepted": ..., "time_finished": ..., "lifecycle_details": ...,
     "compartment_id": ..., "console_url": ...}

**Checkpoint.** A trigger only has its parse-time kwargs, so what it has seen lives in the
**asset state store** of the watched asset (Airflow 3.3+ injects ``asset_state_store`` into an
event trigger: one row per asset and key in the metadata database, shared by every triggerer).
The key :data:`CHECKPOINT_KEY` holds the OCIDs of the terminal runs among the newest
:data:`WINDOW` runs already reported. The first start records the runs that are terminal by
then without reporting them (a new watcher does not replay history); every later start, on any
triggerer, reports exactly the terminal runs not in the checkpoint, so runs that finished while
no triggerer was running are reported once the next one starts. The checkpoint is written
one poll interval after the events it records were handed to the triggerer, by when the
triggerer has stored them (it stores events about once a second): a triggerer killed before
its events are stored reports them again on restart (never missed); one killed in the interval
after they were stored repeats them (at-least-once; a consumer can tell a repeat by ``extra["id"]``). On Airflow 3.0-3.2 there is no state store:
the trigger keeps the checkpoint in memory, so after a restart it starts from the runs terminal
at that moment (runs that finished while it was down are not reported).

Polling uses the shared async client of the connection and the lifecycle helpers (first-poll
spread, jitter) of :mod:`airflow_ds_provider.triggers.lifecycle`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_ds_provider._compat import has_asset_state_store
from airflow_ds_provider.client.errors import DataScienceError
from airflow_ds_provider.client.waiter import seconds
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.links.urls import console_url
from airflow_ds_provider.ocids import validate_ocid
from airflow_ds_provider.schedule_runs import RunTarget, list_args
from airflow_ds_provider.triggers.lifecycle import (
    DEFAULT_CONN_ID,
    _redact,
    check_connection_args,
    first_poll_delay,
    jittered,
)

if TYPE_CHECKING:
    from airflow_ds_provider.client.async_client import AsyncDataScienceClient

#: Asset state store key of the checkpoint (a list of run OCIDs).
CHECKPOINT_KEY = "oci_datascience_reported_runs"
#: How many of the newest runs each poll reads (and the checkpoint can hold).
WINDOW = 100
#: parent kind -> (run kind, list filter argument)
_PARENTS = {"job": ("job_run", "job_id"), "pipeline": ("pipeline_run", "pipeline_id")}
#: Wire fields of a run copied into the event, under these names.
_RUN_FIELDS = {
    "displayName": "display_name",
    "compartmentId": "compartment_id",
    "projectId": "project_id",
    "timeAccepted": "time_accepted",
    "timeStarted": "time_started",
    "timeFinished": "time_finished",
    "lifecycleDetails": "lifecycle_details",
    "freeformTags": "freeform_tags",
}


def terminal_states(run_kind: str) -> frozenset[str]:
    """States that end a run (the lifecycle table's success and failure states, not ``DELETED``)."""
    lifecycle = get_lifecycle(run_kind)
    return (lifecycle.success | lifecycle.failure) - {"DELETED"}


class DataScienceRunCompletedTrigger(BaseEventTrigger):
    """Yield one event each time a run of ``job_id`` (or ``pipeline_id``) reaches a terminal state.

    For ``AssetWatcher(name=..., trigger=DataScienceRunCompletedTrigger(job_id=...))``; it never
    ends by itself. Give exactly one of ``job_id`` and ``pipeline_id``.

    :param job_id: OCID of the job whose runs are watched.
    :param pipeline_id: OCID of the pipeline whose runs are watched.
    :param compartment_id: compartment of the runs (default: the job's or pipeline's).
    :param oci_conn_id: Airflow connection of type ``oci_data_science``.
    :param region: region override (default: the connection's).
    :param poll_interval: seconds between reads of the run list.
    """

    def __init__(
        self,
        *,
        job_id: str | None = None,
        pipeline_id: str | None = None,
        compartment_id: str | None = None,
        oci_conn_id: str = DEFAULT_CONN_ID,
        region: str | None = None,
        poll_interval: float = 60.0,
    ) -> None:
        super().__init__()
        if (job_id is None) == (pipeline_id is None):
            raise ValueError(f"job_id / pipeline_id: give exactly one, got {job_id!r} and {pipeline_id!r}")
        self.parent = "job" if job_id is not None else "pipeline"
        self.parent_id = validate_ocid(job_id or pipeline_id, f"{self.parent}_id", (self.parent,))
        self.run_kind, self.parent_arg = _PARENTS[self.parent]
        self.compartment_id = (
            validate_ocid(compartment_id, "compartment_id", ()) if compartment_id is not None else None
        )
        check_connection_args(oci_conn_id, region)
        self.oci_conn_id = oci_conn_id
        self.region = region
        self.poll_interval = float(seconds("poll_interval", poll_interval) or 0.0)
        if self.poll_interval <= 0:
            raise ValueError(f"poll_interval: expected a positive number of seconds, got {poll_interval!r}")
        self.terminal = terminal_states(self.run_kind)
        #: The checkpoint when there is no asset state store (Airflow 3.0-3.2).
        self._memory: list[str] | None = None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Classpath (derived from the class itself) and JSON-serializable constructor kwargs."""
        return f"{type(self).__module__}.{type(self).__qualname__}", {
            f"{self.parent}_id": self.parent_id,
            "compartment_id": self.compartment_id,
            "oci_conn_id": self.oci_conn_id,
            "region": self.region,
            "poll_interval": self.poll_interval,
        }

    # --- checkpoint ----------------------------------------------------------------------------

    def _store(self) -> Any:
        return self.asset_state_store if has_asset_state_store() else None

    async def load_checkpoint(self) -> list[str] | None:
        """The run OCIDs already reported, or ``None`` before the first start."""
        store = self._store()
        if store is None:
            return self._memory
        value = await store.aget(CHECKPOINT_KEY)
        return [str(v) for v in value] if isinstance(value, list) else None

    async def save_checkpoint(self, reported: list[str]) -> None:
        """Persist ``reported`` (the asset state store on 3.3+, memory before)."""
        store = self._store()
        if store is None:
            self._memory = list(reported)
            return
        await store.aset(CHECKPOINT_KEY, list(reported))

    # --- running -------------------------------------------------------------------------------

    def event_payload(self, run: Mapping[str, Any]) -> dict[str, Any]:
        """The event (the asset event's ``extra``) for one terminal run."""
        payload: dict[str, Any] = {
            "resource": self.run_kind,
            "id": run["id"],
            "parent_id": self.parent_id,
            "state": run.get("lifecycleState"),
        }
        for wire, name in _RUN_FIELDS.items():
            if run.get(wire) is not None:
                payload[name] = run[wire]
        payload["console_url"] = console_url(self.run_kind, str(run["id"]), self.region)
        return payload

    async def _compartment(self, client: AsyncDataScienceClient) -> str:
        if self.compartment_id is None:
            parent = await client.call(f"get_{self.parent}", **{f"{self.parent}_id": self.parent_id})
            self.compartment_id = str(parent.data["compartmentId"])
        return self.compartment_id

    async def newest_runs(self, client: AsyncDataScienceClient) -> list[dict[str, Any]]:
        """The newest :data:`WINDOW` runs of the parent, newest first."""
        target = RunTarget(self.run_kind, await self._compartment(client), self.parent_arg, self.parent_id)
        runs: list[dict[str, Any]] = []
        async for run in client.paginate(target.list_operation, **list_args(target), limit=WINDOW):
            runs.append(run)
            if len(runs) >= WINDOW:
                break
        return runs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll the run list forever; yield one event per run that newly reached a terminal state."""
        lease = await DataScienceHook(
            oci_conn_id=self.oci_conn_id, region=self.region
        ).aacquire_shared_client()
        try:
            reported = await self.load_checkpoint()
            if self._store() is None:
                self.log.info("No asset state store (Airflow < 3.3): the checkpoint lives in memory")
            await asyncio.sleep(first_poll_delay(self.poll_interval, None))
            unsaved = False
            while True:
                if unsaved:  # one interval after the events: the triggerer has persisted them
                    await self.save_checkpoint(reported or [])
                    unsaved = False
                try:
                    runs = await self.newest_runs(await lease.client())
                except DataScienceError as exc:
                    self.log.warning(
                        "Listing the runs of %s %s failed: %s", self.parent, self.parent_id, _redact(str(exc))
                    )
                    await asyncio.sleep(jittered(self.poll_interval))
                    continue
                done = [r for r in runs if r.get("lifecycleState") in self.terminal]
                listed = {str(r["id"]) for r in runs}
                if reported is None:  # first start: record, do not replay history
                    reported = [str(r["id"]) for r in done]
                    await self.save_checkpoint(reported)
                    self.log.info(
                        "Watching the runs of %s %s (%d already terminal, not reported)",
                        self.parent,
                        self.parent_id,
                        len(reported),
                    )
                for run in reversed(done):  # oldest first
                    if str(run["id"]) in reported:
                        continue
                    self.log.info("%s %s is %s", self.run_kind, run["id"], run.get("lifecycleState"))
                    yield TriggerEvent(self.event_payload(run))
                    # only what can still be listed is kept: the checkpoint stays <= WINDOW ids
                    reported = [i for i in reported if i in listed] + [str(run["id"])]
                    unsaved = True
                await asyncio.sleep(jittered(self.poll_interval))
        finally:
            await lease.release()
