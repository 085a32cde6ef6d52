"""Model version sets: ACTIVE on create, a name unique per compartment, DELETING -> DELETED with a
MODELVERSIONSET_DELETE work request (refused while the set holds models, unless
``isDeleteRelatedModels=true`` deletes them too), and the models they hold
(:func:`join_version_set`, used by ``create_model`` / ``update_model``)."""

from __future__ import annotations

from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.emulator.resources._model_registry import (
    active_project,
    check_updatable,
    conflict,
    delete_with_work_request,
    deployments_using,
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
from airflow_ds_provider.emulator.store import Record, Step
from airflow_ds_provider.resources import RESOURCES

_KIND = "model_version_set"
_WHAT = "model version set"


def _live_named(svc: Services, compartment: str, name: str) -> Record | None:
    for record in svc.store.of_kind(_KIND):
        data = record.data
        if (
            data["compartmentId"] == compartment
            and data["name"] == name
            and data["lifecycleState"] != "DELETED"
        ):
            return record
    return None


def models_in(svc: Services, set_id: str) -> list[Record]:
    """The models of a version set that are not DELETED, oldest first."""
    return [
        m
        for m in svc.store.of_kind("model")
        if m.data.get("modelVersionSetId") == set_id and m.data["lifecycleState"] != "DELETED"
    ]


def join_version_set(
    svc: Services,
    set_id: str,
    project_id: str,
    compartment: str,
    label: str | None,
    model_id: str | None = None,
) -> tuple[str, str, int]:
    """Check that a model of ``project_id`` in ``compartment`` may join the set (labelled
    ``label``), then take its next version number; returns (set id, set name, versionId).

    404 when the set does not exist; 409 when it is not ACTIVE or ``label`` is taken by another
    of its models (``model_id``: the model being relabelled); 400 when the set belongs to another
    project or compartment. Call with the store lock held.
    """
    record = related(svc, _KIND, set_id, "modelVersionSetId", _WHAT)
    data = record.data
    if data["lifecycleState"] != "ACTIVE":
        raise incorrect_state(_WHAT, data["lifecycleState"], "add a model to")
    if data["projectId"] != project_id:
        raise invalid("modelVersionSetId", f"the model version set belongs to project {data['projectId']}")
    if data["compartmentId"] != compartment:
        raise invalid("modelVersionSetId", f"the model version set is in compartment {data['compartmentId']}")
    check_label(svc, set_id, label, model_id)
    version = record.extra.get("versions", 0) + 1
    record.extra["versions"] = version
    return record.id, data["name"], version


def check_label(svc: Services, set_id: str, label: str | None, model_id: str | None = None) -> None:
    """409 when another live model of the set already has ``label``."""
    if label is None:
        return
    for model in models_in(svc, set_id):
        if model.id != model_id and model.data.get("versionLabel") == label:
            raise conflict(
                f"versionLabel: {label!r} is already used by model {model.id} in model version set {set_id}"
            )


def is_version_set(svc: Services, set_id: str | None) -> bool:
    """Whether ``set_id`` names a model version set the service holds (not DELETED)."""
    record = svc.store.get(set_id, _KIND) if set_id else None
    return record is not None and record.data["lifecycleState"] != "DELETED"


@handles("create_model_version_set")
def create_model_version_set(svc: Services, req: Request) -> Reply:
    """POST /modelVersionSets: ACTIVE at once; 409 when the compartment has a set of that name."""

    def create() -> Reply:
        body = req.body
        compartment = check_compartment(body.get("compartmentId"))
        with svc.store.lock:
            project = active_project(svc, body, _WHAT)
            name = body["name"]
            if _live_named(svc, compartment, name) is not None:
                raise conflict(
                    f"a model version set named {name!r} already exists in compartment {compartment}"
                )
            data = {
                "id": new_ocid(_KIND, svc.region),
                "compartmentId": compartment,
                "projectId": project.id,
                "name": name,
                "description": body.get("description") or "",
                "lifecycleState": "ACTIVE",
                **times(svc),
                "createdBy": req.principal.user,
                "category": "USER",
                **tags(body),
                "systemTags": {},
            }
            return resource_reply(svc, svc.store.add(_KIND, data))

    return idempotent(svc, req, create)


@handles("get_model_version_set")
def get_model_version_set(svc: Services, req: Request) -> Reply:
    """GET /modelVersionSets/{modelVersionSetId}."""
    with svc.store.lock:
        return resource_reply(svc, lookup(svc, req, _KIND))


@handles("list_model_version_sets")
def list_model_version_sets(svc: Services, req: Request) -> Reply:
    """GET /modelVersionSets (``name`` filters by the exact name)."""
    return list_reply(svc, req, _KIND, filters={"name": lambda data, value: data["name"] == value})


@handles("update_model_version_set")
def update_model_version_set(svc: Services, req: Request) -> Reply:
    """PUT /modelVersionSets/{modelVersionSetId}: description and tags."""
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        check_updatable(record)
        apply_update(record, req.body, ("description", "freeformTags", "definedTags"))
        touch(svc, record)
        return resource_reply(svc, record)


@handles("delete_model_version_set")
def delete_model_version_set(svc: Services, req: Request) -> Reply:
    """DELETE /modelVersionSets/{modelVersionSetId}: DELETING -> DELETED (work request).

    A set that holds models is deleted only with ``isDeleteRelatedModels=true``, which deletes
    them with it (409 while a live model deployment uses one of them).
    """
    flag = req.query.get("isDeleteRelatedModels", "false").lower()
    if flag not in ("true", "false"):
        raise invalid("isDeleteRelatedModels", "must be true or false")
    with svc.store.lock:
        record = lookup(svc, req, _KIND)
        held = models_in(svc, record.id)
        if held and flag != "true":
            raise ApiError(
                409,
                "IncorrectState",
                f"model version set holds {len(held)} models; delete them first or set isDeleteRelatedModels=true",
            )
        for model in held:
            used = deployments_using(svc, "modelConfigurationDetails", "modelId", model.id)
            if used:
                raise ApiError(
                    409, "IncorrectState", f"model {model.id} is used by model deployment {used[0]}"
                )
        reply, end = delete_with_work_request(svc, record)
        for model in held:
            model.schedule([Step(end, {"lifecycleState": "DELETED"})])
        return reply


@handles("change_model_version_set_compartment")
def change_model_version_set_compartment(svc: Services, req: Request) -> Reply:
    """POST /modelVersionSets/{modelVersionSetId}/actions/changeCompartment: moved at once, with a
    work request (the API has no move type for version sets: it is typed MODELVERSIONSET_DELETE,
    the only version-set type of ``WorkRequest.operationType``)."""

    def move() -> Reply:
        with svc.store.lock:
            record = lookup(svc, req, _KIND)
            target = check_compartment(req.body.get("compartmentId"))
            if target != record.data["compartmentId"] and _live_named(svc, target, record.data["name"]):
                raise conflict(
                    f"compartment {target} already has a model version set named {record.data['name']!r}"
                )
            change_compartment(svc, req, _KIND, "modelVersionSetId", _WHAT)
            touch(svc, record)
            operation = RESOURCES[_KIND].work_request_type("delete")  # there is no MODELVERSIONSET_MOVE
            work = svc.lifecycles.work_request(operation, record, "UPDATED", svc.now())
            return Reply(202, None, {"opc-work-request-id": work.id})

    return idempotent(svc, req, move)
