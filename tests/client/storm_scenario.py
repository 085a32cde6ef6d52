"""Every operation of the API in one dependent sequence (the seed's 61 here, the rest in
:mod:`storm_areas`), as data, for the fault-storm test and benchmark.

:func:`scenario` is a generator (no I/O) that yields :class:`Call` (an operation and its
arguments; it is sent the :class:`Response`) and :class:`Advance` (move the emulator's manual
clock). :func:`run_sync` and :func:`run_async` drive it with the sync and async clients, so both
run exactly the same sequence. The outcome (:class:`Outcome`) counts the operations that
succeeded and the resources and work requests the emulator holds afterwards (duplicates show up
there: a second deployment, a second activate work request).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import ds_bodies as bodies
import storm_areas
from storm_steps import Advance, Call

from airflow_ds_provider.client.errors import DataScienceError
from airflow_ds_provider.resources import RESOURCES

__all__ = ["Advance", "Call", "Outcome", "run_async", "run_sync", "scenario"]

#: What the emulator holds afterwards is counted for every kind (work requests by type).
KINDS = tuple(name for name in RESOURCES if name != "work_request")


@dataclass
class Outcome:
    """What one run of the scenario left: operations ok/failed, resources, work requests."""

    ok: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    recovered: list[str] = field(default_factory=list)
    resources: dict[str, int] = field(default_factory=dict)
    work_requests: Counter = field(default_factory=Counter)
    artifacts: int = 0

    @property
    def operations_ok(self) -> int:
        """Distinct operations that succeeded."""
        return len(set(self.ok))

    def footprint(self) -> tuple[Any, ...]:
        """What the remote side holds: equal to a fault-free run's when nothing was duplicated."""
        return (
            tuple(sorted(self.resources.items())),
            tuple(sorted(self.work_requests.items())),
            self.artifacts,
        )


Scenario = Generator[Call | Advance, Any, None]


def scenario(comp: str, other: str) -> Scenario:
    """The sequence: every operation once or more, each using what earlier ones created."""
    pid = (yield Call("create_project", {"create_project_details": bodies.project(comp)})).data["id"]
    yield Call("update_project", {"project_id": pid, "update_project_details": {"displayName": "p2"}})
    yield Call("list_projects", {"compartment_id": comp})
    yield Call("get_project", {"project_id": pid})
    jid = (yield Call("create_job", {"create_job_details": bodies.job(comp, pid)})).data["id"]
    yield Advance(10)
    yield Call("get_job", {"job_id": jid})
    yield Call("update_job", {"job_id": jid, "update_job_details": {"description": "x"}})
    yield Call("list_jobs", {"compartment_id": comp})
    payload = b"print('hello')\n" * 100
    yield Call(
        "create_job_artifact",
        {"job_id": jid, "job_artifact": payload, "content_disposition": "attachment; filename=hello.py"},
    )
    yield Call("head_job_artifact", {"job_id": jid})
    got = yield Call("get_job_artifact_content", {"job_id": jid})
    assert got.data == payload
    run_body = bodies.job_run(comp, pid, jid, **{"emulator-duration": "600"})
    rid = (yield Call("create_job_run", {"create_job_run_details": run_body})).data["id"]
    yield Call("get_job_run", {"job_run_id": rid})
    yield Call("list_job_runs", {"compartment_id": comp, "job_id": jid})
    yield Call("update_job_run", {"job_run_id": rid, "update_job_run_details": {"displayName": "r"}})
    yield Call("cancel_job_run", {"job_run_id": rid})
    yield Advance(5)
    yield Call("delete_job_run", {"job_run_id": rid})
    rid2 = (yield Call("create_job_run", {"create_job_run_details": bodies.job_run(comp, pid, jid)})).data[
        "id"
    ]
    move = {"compartmentId": other}
    yield Call("change_job_run_compartment", {"job_run_id": rid2, "change_job_run_compartment_details": move})
    yield Call(
        "change_job_compartment", {"job_id": jid, "change_job_compartment_details": {"compartmentId": comp}}
    )
    yield Advance(10)
    yield Call("delete_job", {"job_id": jid})
    # models
    mid = (yield Call("create_model", {"create_model_details": bodies.model(comp, pid)})).data["id"]
    yield Call("update_model", {"model_id": mid, "update_model_details": {"description": "x"}})
    yield Call("list_models", {"compartment_id": comp})
    yield Call("get_model", {"model_id": mid})
    yield Call("create_model_artifact", {"model_id": mid, "model_artifact": b"zip" * 10})
    yield Call("head_model_artifact", {"model_id": mid})
    yield Call("get_model_artifact_content", {"model_id": mid})
    provenance = {"gitBranch": "main"}
    yield Call("create_model_provenance", {"model_id": mid, "create_model_provenance_details": provenance})
    yield Call("get_model_provenance", {"model_id": mid})
    update = {"gitCommit": "abc"}
    yield Call("update_model_provenance", {"model_id": mid, "update_model_provenance_details": update})
    yield Call("deactivate_model", {"model_id": mid})
    yield Call("activate_model", {"model_id": mid})
    yield Call(
        "change_model_compartment",
        {"model_id": mid, "change_model_compartment_details": {"compartmentId": comp}},
    )
    # model deployments
    md = yield Call(
        "create_model_deployment",
        {"create_model_deployment_details": bodies.model_deployment(comp, pid, mid)},
    )
    mdid, wr = md.data["id"], md.work_request_id
    yield Advance(5)
    yield Call("get_model_deployment", {"model_deployment_id": mdid})
    yield Call("list_model_deployments", {"compartment_id": comp})
    rename = {"displayName": "md2"}
    yield Call(
        "update_model_deployment", {"model_deployment_id": mdid, "update_model_deployment_details": rename}
    )
    yield Advance(5)
    yield Call("deactivate_model_deployment", {"model_deployment_id": mdid})
    yield Advance(5)
    yield Call("activate_model_deployment", {"model_deployment_id": mdid})
    yield Advance(5)
    md_move = {"compartmentId": comp}
    yield Call(
        "change_model_deployment_compartment",
        {"model_deployment_id": mdid, "change_model_deployment_compartment_details": md_move},
    )
    yield Call("delete_model_deployment", {"model_deployment_id": mdid})
    yield Advance(5)
    yield Call("delete_model", {"model_id": mid})
    # notebook sessions
    nb_body = bodies.notebook_session(comp, pid)
    nbid = (yield Call("create_notebook_session", {"create_notebook_session_details": nb_body})).data["id"]
    yield Advance(5)
    yield Call("get_notebook_session", {"notebook_session_id": nbid})
    yield Call("list_notebook_sessions", {"compartment_id": comp})
    nb_rename = {"displayName": "nb"}
    yield Call(
        "update_notebook_session", {"notebook_session_id": nbid, "update_notebook_session_details": nb_rename}
    )
    yield Call("deactivate_notebook_session", {"notebook_session_id": nbid})
    yield Advance(5)
    yield Call("activate_notebook_session", {"notebook_session_id": nbid})
    yield Advance(5)
    nb_move = {"compartmentId": comp}
    yield Call(
        "change_notebook_session_compartment",
        {"notebook_session_id": nbid, "change_notebook_session_compartment_details": nb_move},
    )
    yield Call("delete_notebook_session", {"notebook_session_id": nbid})
    # work requests
    yield Call("get_work_request", {"work_request_id": wr})
    yield Call("list_work_requests", {"compartment_id": comp})
    yield Call("list_work_request_errors", {"work_request_id": wr})
    yield Call("list_work_request_logs", {"work_request_id": wr})
    spare = (yield Call("create_project", {"create_project_details": bodies.project(comp, "spare")})).data[
        "id"
    ]
    fresh = (yield Call("delete_project", {"project_id": spare})).work_request_id
    yield Call("cancel_work_request", {"work_request_id": fresh})
    # catalogues
    for name in ("list_job_shapes", "list_notebook_session_shapes", "list_model_deployment_shapes"):
        yield Call(name, {"compartment_id": comp})
    yield Call("list_fast_launch_job_configs", {"compartment_id": comp})
    # the operations added since the seed, area by area
    yield from storm_areas.all_areas(storm_areas.World(comp, other, pid))
    yield Call(
        "change_project_compartment",
        {"project_id": pid, "change_project_compartment_details": {"compartmentId": comp}},
    )
    yield Call("delete_project", {"project_id": pid})


def _record(outcome: Outcome, step: Call, response: Any) -> None:
    outcome.ok.append(step.operation)
    if response.recovered:
        outcome.recovered.append(step.operation)


def _fail(outcome: Outcome, step: Call, exc: BaseException) -> None:
    outcome.failed[step.operation] = f"{type(exc).__name__}: {exc}"


def inventory(emu: Any, outcome: Outcome) -> Outcome:
    """Fill in what the emulator holds after the run."""
    outcome.resources = {kind: len(emu.list(kind)) for kind in KINDS}
    outcome.work_requests = Counter(w["operationType"] for w in emu.list("work_request"))
    outcome.artifacts = len(emu.store.artifacts)
    return outcome


def run_sync(client: Any, emu: Any, comp: str, other: str) -> Outcome:
    """Drive :func:`scenario` with a :class:`DataScienceClient`; stops at the first failure."""
    outcome, flow, response = Outcome(), scenario(comp, other), None
    while True:
        try:
            step = flow.send(response)
        except StopIteration:
            return inventory(emu, outcome)
        if isinstance(step, Advance):
            emu.advance(step.seconds)
            response = None
            continue
        try:
            response = client.call(step.operation, **step.args)
        except DataScienceError as exc:
            _fail(outcome, step, exc)
            return inventory(emu, outcome)
        _record(outcome, step, response)


async def run_async(client: Any, emu: Any, comp: str, other: str) -> Outcome:
    """Drive :func:`scenario` with an :class:`AsyncDataScienceClient`; stops at the first failure."""
    outcome, flow, response = Outcome(), scenario(comp, other), None
    while True:
        try:
            step = flow.send(response)
        except StopIteration:
            return inventory(emu, outcome)
        if isinstance(step, Advance):
            emu.advance(step.seconds)
            response = None
            continue
        try:
            response = await client.call(step.operation, **step.args)
        except DataScienceError as exc:
            _fail(outcome, step, exc)
            return inventory(emu, outcome)
        _record(outcome, step, response)
