"""Model groups: CREATING -> ACTIVE with a MODEL_GROUP_CREATE work request (the creation may be
scripted to fail with the ``emulator-fail-actions`` tag), INACTIVE on deactivate, DELETING ->
DELETED with a MODEL_GROUP_DELETE work request, their streamed artifact and their member models.

A group is created from its member models (each must exist and be ACTIVE) or cloned from another
group or the latest group of a version history (members inserted or removed by the patch); in a
version history it takes the next version (:mod:`.model_group_version_histories`).
"""

from __future__ import annotations

import json
from typing import Any

from airflow_ds_provider.emulator.actions import plan_action
from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources._model_registry import (
    active_project,
    check_action,
    delete_with_work_request,
    deployments_using,
    lookup,
    times,
    touch,
)
from airflow_ds_provider.emulator.resources.artifacts import download, head, upload
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
    paginate,
    related,
    resource_reply,
    summary_model,
    tags,
)
from airflow_ds_provider.emulator.resources.model_group_version_histories import (
    check_group_label,
    join_history,
    refresh_latest,
    settle_latest,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.scripting import ScriptError, check_tags
from airflow_ds_provider.emulator.store import Record
from airflow_ds_provider.resources import RESOURCES
from airflow_ds_provider.spec import models

_KIND = "model_group"
_WHAT = "model group"
#: Nominal seconds a model group spends CREATING.
CREATE_SECONDS = 2.0
_MEMBERS = "memberModelEntries.memberModelDetails"
_HISTORY = "modelGroupVersionHistoryId"
_CLONE = "modelGroupCloneSourceDetails"
_MODIFIABLE = (
    "displayName",
    "description",
    "freeformTags",
    "definedTags",
    "versionLabel",
    "modelGroupDetails",
)


def _check_members(svc: Services, members: list[dict[str, Any]], details: dict[str, Any], field: str) -> None:
    """Every member an ACTIVE model, named once (inference keys too); a stacked group's base
    model among them."""
    if not members:
        raise invalid(field, "a model group needs at least one member model")
    seen: set[str] = set()
    keys: set[str] = set()
    for index, member in enumerate(members):
        where = f"{field}[{index}].modelId"
        model = related(svc, "model", member.get("modelId"), where, "model")
        if model.data["lifecycleState"] != "ACTIVE":
            raise invalid(where, f"model {model.id} is {model.data['lifecycleState']}, not ACTIVE")
        if model.id in seen:
            raise invalid(where, f"model {model.id} is named twice")
        seen.add(model.id)
        key = member.get("inferenceKey")
        if key is not None:
            if key in keys:
                raise invalid(f"{field}[{index}].inferenceKey", f"{key!r} is used twice")
            keys.add(key)
    base = details.get("baseModelId")
    if details.get("type") == "STACKED" and base not in seen:
        raise invalid("modelGroupDetails.baseModelId", "must be one of the member models")


def _clone_source(svc: Services, source: dict[str, Any]) -> Record:
    """The group a clone copies: the named group, or the latest group of the named history."""
    where = f"{_CLONE}.sourceId"
    if source["modelGroupCloneSourceType"] == "MODEL_GROUP_VERSION_HISTORY":
        history = related(
            svc, "model_group_version_history", source.get("sourceId"), where, "version history"
        )
        settle_latest(svc, history)
        latest = history.data.get("latestModelGroupId")
        if latest is None:
            raise invalid(where, f"model group version history {history.id} has no model group to clone")
        group = related(svc, _KIND, latest, where, _WHAT)
    else:
        group = related(svc, _KIND, source.get("sourceId"), where, _WHAT)
    if group.data["lifecycleState"] not in ("ACTIVE", "INACTIVE"):
        raise incorrect_state(_WHAT, group.data["lifecycleState"], "clone")
    return group


def _patched(members: list[dict[str, Any]], patch: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The member list after the clone's INSERT / REMOVE instructions."""
    result = [dict(m) for m in members]
    for index, item in enumerate((patch or {}).get("items") or []):
        values = item.get("values") or []
        if item["operation"] == "INSERT":
            result.extend(dict(v) for v in values)
            continue
        for value in values:
            present = [m for m in result if m.get("modelId") == value.get("modelId")]
            if not present:
                field = f"{_CLONE}.patchModelGroupMemberModelDetails.items[{index}].values"
                raise invalid(field, f"model {value.get('modelId')} is not a member of the source group")
            result.remove(present[0])
    return result


def _fields_of(svc: Services, body: dict[str, Any]) -> tuple[dict[str, Any], Record | None]:
    """The group's own fields from a CREATE or CLONE body (and the cloned group, if any)."""
    if body["createType"] == "CREATE":
        fields = {k: body[k] for k in (*_MODIFIABLE, _HISTORY) if body.get(k) is not None}
        fields["memberModelEntries"] = {
            "memberModelDetails": list(body["memberModelEntries"].get("memberModelDetails") or [])
        }
        _check_members(
            svc, fields["memberModelEntries"]["memberModelDetails"], body["modelGroupDetails"], _MEMBERS
        )
        return fields, None
    clone = body[_CLONE]
    source = _clone_source(svc, clone)
    data = source.data
    fields = json.loads(
        json.dumps({k: data[k] for k in (*_MODIFIABLE, _HISTORY) if k in data and k != "versionLabel"})
    )
    fields.update({k: v for k, v in (clone.get("modifyModelGroupDetails") or {}).items() if v is not None})
    members = _patched(
        data["memberModelEntries"].get("memberModelDetails") or [],
        clone.get("patchModelGroupMemberModelDetails"),
    )
    _check_members(svc, members, fields["modelGroupDetails"], f"{_CLONE}.patchModelGroupMemberModelDetails")
    fields["memberModelEntries"] = {"memberModelDetails": members}
    return fields, source


@handles("create_model_group")
def create_model_group(svc: Services, req: Request) -> Reply:
    """POST /modelGroups (``createType`` CREATE or CLONE): CREATING, then ACTIVE (work request)."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            project = active_project(svc, body, _WHAT)
            fields, source = _fields_of(svc, body)
            try:
                check_tags(_KIND, fields.get("freeformTags"))
            except ScriptError as exc:
                raise invalid(exc.field, str(exc).split(": ", 1)[1]) from None
            history = fields.pop(_HISTORY, None)
            now = svc.now()
            data: dict[str, Any] = {
                "id": new_ocid(_KIND, svc.region),
                "compartmentId": compartment,
                "projectId": project.id,
                "displayName": f"modelGroup{int(now)}",
                **tags(fields),
                **fields,
                "systemTags": {},
                "lifecycleState": "CREATING",
                **times(svc),
                "createdBy": req.principal.user,
                "createType": body["createType"],
            }
            if source is not None:
                data["sourceModelGroupId"] = source.id
            if history is not None:
                data.update(join_history(svc, history, project.id, data.get("versionLabel"), _HISTORY))
            record = svc.store.add(_KIND, data)
            refresh_latest(svc, history)
            operation = RESOURCES[_KIND].work_request_type("create")
            work = plan_action(svc.lifecycles, record, "create", CREATE_SECONDS, operation, "CREATED")
            return resource_reply(svc, record, **{"opc-work-request-id": work.id})

    return idempotent(svc, req, create)


@handles("get_model_group")
def get_model_group(svc: Services, req: Request) -> Reply:
    """GET /modelGroups/{modelGroupId}."""
    with svc.store.lock:
        return resource_reply(svc, lookup(svc, req, _KIND))


@handles("list_model_groups")
def list_model_groups(svc: Services, req: Request) -> Reply:
    """GET /modelGroups (``modelGroupVersionHistoryId`` filters by history)."""
    filters = {_HISTORY: lambda data, value: data.get(_HISTORY) == value}
    return list_reply(svc, req, _KIND, filters=filters)


@handles("update_model_group")
def update_model_group(svc: Services, req: Request) -> Reply:
    """PUT /modelGroups/{modelGroupId}: names, tags, label; moving it into a version history
    gives it that history's next version."""
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        if record.data["lifecycleState"] not in ("ACTIVE", "INACTIVE"):
            raise incorrect_state(_WHAT, record.data["lifecycleState"], "update")
        body = req.body
        label = body.get("versionLabel", record.data.get("versionLabel"))
        target = body.get(_HISTORY)
        current = record.data.get(_HISTORY)
        patch: dict[str, Any] = {}
        if target is not None and target != current:
            patch = join_history(svc, target, record.data["projectId"], label, _HISTORY, record.id)
        elif current is not None:
            check_group_label(svc, current, body.get("versionLabel"), record.id)
        apply_update(
            record, body, ("displayName", "description", "versionLabel", "freeformTags", "definedTags")
        )
        touch(svc, record, patch)
        if patch:
            refresh_latest(svc, current)
            refresh_latest(svc, target)
        return resource_reply(svc, record)


def _flip(svc: Services, req: Request, action: str) -> Reply:
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        check_action(record, action)
        svc.lifecycles.transition(record, action, 0)
        touch(svc, record)
        return resource_reply(svc, record)


@handles("activate_model_group")
def activate_model_group(svc: Services, req: Request) -> Reply:
    """POST /modelGroups/{modelGroupId}/actions/activate: INACTIVE -> ACTIVE."""
    return _flip(svc, req, "activate")


@handles("deactivate_model_group")
def deactivate_model_group(svc: Services, req: Request) -> Reply:
    """POST /modelGroups/{modelGroupId}/actions/deactivate: ACTIVE -> INACTIVE."""
    return _flip(svc, req, "deactivate")


@handles("delete_model_group")
def delete_model_group(svc: Services, req: Request) -> Reply:
    """DELETE /modelGroups/{modelGroupId}: DELETING -> DELETED (work request); 409 while a live
    model deployment serves it. Its version history's latest group moves to the newest other."""
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        used = deployments_using(svc, "modelGroupConfigurationDetails", "modelGroupId", record.id)
        if used:
            raise ApiError(409, "IncorrectState", f"model group is used by model deployment {used[0]}")
        reply, _ = delete_with_work_request(svc, record)
        refresh_latest(svc, record.data.get(_HISTORY))
        return reply


@handles("change_model_group_compartment")
def change_model_group_compartment(svc: Services, req: Request) -> Reply:
    """POST /modelGroups/{modelGroupId}/actions/changeCompartment."""
    return idempotent(svc, req, lambda: change_compartment(svc, req, _KIND, "modelGroupId", _WHAT))


@handles("create_model_group_artifact")
def create_model_group_artifact(svc: Services, req: Request) -> Reply:
    """POST /modelGroups/{modelGroupId}/artifact (streamed, once per group)."""
    return upload(svc, req, _KIND, "modelGroupId", _WHAT, check_etag=True)


@handles("get_model_group_artifact_content")
def get_model_group_artifact_content(svc: Services, req: Request) -> Reply:
    """GET /modelGroups/{modelGroupId}/artifact/content (``range`` honoured)."""
    return download(svc, req, _KIND, "modelGroupId", _WHAT)


@handles("head_model_group_artifact")
def head_model_group_artifact(svc: Services, req: Request) -> Reply:
    """HEAD /modelGroups/{modelGroupId}/artifact/content."""
    return head(svc, req, _KIND, "modelGroupId", _WHAT)


_MEMBER_FILTERS = ("compartmentId", "id", "displayName", "lifecycleState", "createdBy")


@handles("list_model_group_models")
def list_model_group_models(svc: Services, req: Request) -> Reply:
    """GET /modelGroups/{modelGroupId}/models: the member models, as ``ModelGroupModelSummary``."""
    query = req.query
    check_compartment(query.get("compartmentId"))
    for name, allowed in req.op.query_param_allowed_values.items():
        if name in query and query[name] not in allowed:
            raise invalid(name, f"must be one of {list(allowed)}, got {query[name]!r}")
    fields = list(models()[summary_model(req.op)[0]].field_by_wire())
    with svc.store.lock:
        group = lookup(svc, req, _KIND)
        rows = []
        for member in group.data["memberModelEntries"].get("memberModelDetails") or []:
            model = svc.store.get(member["modelId"], "model")
            if model is None:
                continue
            data = {
                **model.data,
                "modelId": model.id,
                "timeUpdated": model.data.get("timeUpdated") or model.data["timeCreated"],
            }
            if member.get("inferenceKey") is not None:
                data["inferenceKey"] = member["inferenceKey"]
            if any(name in query and data.get(name) != query[name] for name in _MEMBER_FILTERS):
                continue
            rows.append(json.loads(json.dumps({k: data[k] for k in fields if k in data})))
    sort_by = query.get("sortBy", "timeCreated")
    descending = query.get("sortOrder", "DESC" if sort_by == "timeCreated" else "ASC") == "DESC"
    rows.sort(key=lambda row: str(row.get(sort_by) or ""), reverse=descending)
    return paginate(query, rows)
