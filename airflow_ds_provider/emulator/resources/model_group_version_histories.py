"""Model group version histories: ACTIVE on create, DELETING -> DELETED with a
MODEL_GROUP_VERSION_HISTORY_DELETE work request (refused while it holds live model groups).

A history links model groups: each group that joins it (:func:`join_history`, used by the model
group handlers) takes the next ``versionId`` (1, 2, 3...) and the history's name, its
``versionLabel`` is unique in the history, and the newest group becomes ``latestModelGroupId``
(:func:`refresh_latest` picks the newest live one again when a group leaves or is deleted).
"""

from __future__ import annotations

from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources._model_registry import (
    active_project,
    check_updatable,
    conflict,
    delete_with_work_request,
    lookup,
    times,
    touch,
)
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    apply_update,
    change_compartment,
    check_compartment,
    idempotent,
    incorrect_state,
    invalid,
    list_reply,
    related,
    resource_reply,
    tags,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import REMOVE, Record

_KIND = "model_group_version_history"
_WHAT = "model group version history"
_GONE = ("DELETING", "DELETED")


def groups_in(svc: Services, history_id: str) -> list[Record]:
    """The model groups of a history that are not being deleted or DELETED, oldest first."""
    return [
        g
        for g in svc.store.of_kind("model_group")
        if g.data.get("modelGroupVersionHistoryId") == history_id and g.data["lifecycleState"] not in _GONE
    ]


def join_history(
    svc: Services,
    history_id: str,
    project_id: str,
    label: str | None,
    field: str,
    group_id: str | None = None,
) -> dict[str, object]:
    """Check that a model group of ``project_id`` labelled ``label`` may join the history and
    take its next version; returns the group's history fields. Call with the store lock held.

    :param field: the request field naming the history (for the 404/400 messages).
    :param group_id: the group being moved or relabelled (its own label does not conflict).
    """
    record = related(svc, _KIND, history_id, field, _WHAT)
    if record.data["lifecycleState"] != "ACTIVE":
        raise incorrect_state(_WHAT, record.data["lifecycleState"], "add a model group to")
    if record.data["projectId"] != project_id:
        raise invalid(field, f"the model group version history belongs to project {record.data['projectId']}")
    check_group_label(svc, record.id, label, group_id)
    version = record.extra.get("versions", 0) + 1
    record.extra["versions"] = version
    return {
        "modelGroupVersionHistoryId": record.id,
        "modelGroupVersionHistoryName": record.data["displayName"],
        "versionId": version,
    }


def check_group_label(svc: Services, history_id: str, label: str | None, group_id: str | None = None) -> None:
    """409 when another live group of the history already has ``label``."""
    if label is None:
        return
    for group in groups_in(svc, history_id):
        if group.id != group_id and group.data.get("versionLabel") == label:
            raise conflict(
                f"versionLabel: {label!r} is already used by model group {group.id} in version history {history_id}"
            )


def refresh_latest(svc: Services, history_id: str | None) -> None:
    """Point the history's ``latestModelGroupId`` at its newest live group that has not failed
    (or at none)."""
    history = svc.store.get(history_id, _KIND) if history_id else None
    if history is None:
        return
    live = [g for g in groups_in(svc, history.id) if g.data["lifecycleState"] != "FAILED"]
    newest = max(live, key=lambda g: g.data.get("versionId") or 0) if live else None
    wanted = newest.id if newest else None
    if history.data.get("latestModelGroupId") != wanted:
        touch(svc, history, {"latestModelGroupId": wanted if wanted else REMOVE})


def settle_latest(svc: Services, history: Record) -> None:
    """Move ``latestModelGroupId`` off a group that has failed or gone since it was set."""
    latest = history.data.get("latestModelGroupId")
    group = svc.store.get(latest, "model_group") if latest else None
    if latest and (group is None or group.data["lifecycleState"] in ("FAILED", *_GONE)):
        refresh_latest(svc, history.id)


def _linkable(svc: Services, group_id: str, project_id: str, field: str) -> Record:
    """The model group a new history starts with: live, of the same project, in no history yet."""
    group = related(svc, "model_group", group_id, field, "model group")
    if group.data["lifecycleState"] in _GONE:
        raise incorrect_state("model group", group.data["lifecycleState"], "link")
    if group.data["projectId"] != project_id:
        raise invalid(field, f"model group {group.id} belongs to project {group.data['projectId']}")
    current = group.data.get("modelGroupVersionHistoryId")
    if current is not None:
        raise conflict(f"{field}: model group {group.id} already belongs to version history {current}")
    return group


@handles("create_model_group_version_history")
def create_model_group_version_history(svc: Services, req: Request) -> Reply:
    """POST /modelGroupVersionHistory: ACTIVE at once; ``latestModelGroupId`` links that group."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            project = active_project(svc, body, _WHAT)
            now = svc.now()
            data = {
                "id": new_ocid(_KIND, svc.region),
                "compartmentId": compartment,
                "projectId": project.id,
                "displayName": body.get("displayName") or f"modelGroupVersionHistory{int(now)}",
                "lifecycleState": "ACTIVE",
                **times(svc),
                "createdBy": req.principal.user,
                **tags(body),
                "systemTags": {},
            }
            if body.get("description") is not None:
                data["description"] = body["description"]
            latest = body.get("latestModelGroupId")
            group = _linkable(svc, latest, project.id, "latestModelGroupId") if latest is not None else None
            record = svc.store.add(_KIND, data)
            if group is not None:
                label = group.data.get("versionLabel")
                touch(svc, group, join_history(svc, record.id, project.id, label, "latestModelGroupId"))
                touch(svc, record, {"latestModelGroupId": group.id})
            return resource_reply(svc, record)

    return idempotent(svc, req, create)


@handles("get_model_group_version_history")
def get_model_group_version_history(svc: Services, req: Request) -> Reply:
    """GET /modelGroupVersionHistory/{modelGroupVersionHistoryId}."""
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        settle_latest(svc, record)
        return resource_reply(svc, record)


@handles("list_model_group_version_histories")
def list_model_group_version_histories(svc: Services, req: Request) -> Reply:
    """GET /modelGroupVersionHistory."""
    with svc.store.lock:
        for record in svc.store.of_kind(_KIND):
            settle_latest(svc, record)
        return list_reply(svc, req, _KIND)


@handles("update_model_group_version_history")
def update_model_group_version_history(svc: Services, req: Request) -> Reply:
    """PUT /modelGroupVersionHistory/{modelGroupVersionHistoryId}; a new name reaches its groups'
    ``modelGroupVersionHistoryName``; ``latestModelGroupId`` must be one of its live groups."""
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        check_updatable(record)
        body = req.body
        latest = body.get("latestModelGroupId")
        if latest is not None and latest not in {g.id for g in groups_in(svc, record.id)}:
            raise invalid(
                "latestModelGroupId", f"model group {latest} is not a live member of this version history"
            )
        apply_update(
            record, body, ("displayName", "description", "latestModelGroupId", "freeformTags", "definedTags")
        )
        touch(svc, record)
        if body.get("displayName") is not None:
            for group in groups_in(svc, record.id):
                touch(svc, group, {"modelGroupVersionHistoryName": record.data["displayName"]})
        return resource_reply(svc, record)


@handles("delete_model_group_version_history")
def delete_model_group_version_history(svc: Services, req: Request) -> Reply:
    """DELETE /modelGroupVersionHistory/{id}: DELETING -> DELETED (work request); 409 while it
    holds model groups that are not deleted."""
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        held = groups_in(svc, record.id)
        if held:
            raise ApiError(
                409,
                "IncorrectState",
                f"model group version history holds {len(held)} model groups; delete them first",
            )
        return delete_with_work_request(svc, record)[0]


@handles("change_model_group_version_history_compartment")
def change_model_group_version_history_compartment(svc: Services, req: Request) -> Reply:
    """POST /modelGroupVersionHistory/{modelGroupVersionHistoryId}/actions/changeCompartment."""
    return idempotent(
        svc, req, lambda: change_compartment(svc, req, _KIND, "modelGroupVersionHistoryId", _WHAT)
    )
