"""Model custom and defined metadata artifacts: one streamed file per model and metadatum key.

The key must be in the model's ``customMetadataList`` / ``definedMetadataList`` (404 otherwise,
as the service answers); the metadatum's ``hasArtifact`` follows the artifact. Create is once
(409 when there is one: update replaces it), update and delete need one (404). Uploads are signed
without body headers, like model artifacts; ``if-match`` on create is the model's etag, on update
and delete the artifact's (returned by create, update and HEAD).
"""

from __future__ import annotations

from collections.abc import Callable

from airflow_ds_provider.emulator.resources.artifacts import discard, download_reply, head_reply, receive
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    check_if_match,
    incorrect_state,
    require,
)
from airflow_ds_provider.emulator.resources.registry import handles
from airflow_ds_provider.emulator.store import Artifact, Record

#: Path segment -> (the model's metadata list field, the word in messages).
_FLAVOURS = {"custom": ("customMetadataList", "custom"), "defined": ("definedMetadataList", "defined")}


def _metadatum(svc: Services, req: Request, flavour: str) -> tuple[Record, str, str]:
    """The model, the metadatum key and the store key of its artifact (404 for an unknown key)."""
    list_field, word = _FLAVOURS[flavour]
    record = require(svc, "model", req.params["modelId"], "model")
    key = req.params["metadatumKeyName"]
    if not any(isinstance(e, dict) and e.get("key") == key for e in record.data.get(list_field) or []):
        raise ApiError(
            404,
            "NotAuthorizedOrNotFound",
            f"metadatumKeyName: model {record.id} has no {word} metadatum with key {key!r}",
        )
    return record, key, f"{record.id}/{flavour}Metadata/{key}"


def _has_artifact(record: Record, flavour: str, key: str, value: bool) -> None:
    list_field = _FLAVOURS[flavour][0]
    entries = [
        {**e, "hasArtifact": value} if isinstance(e, dict) and e.get("key") == key else e
        for e in record.data.get(list_field) or []
    ]
    record.apply({list_field: entries})


def sync_has_artifact(svc: Services, record: Record) -> None:
    """Set ``hasArtifact`` of every metadatum of the model from the artifacts stored (after an
    update replaced the metadata lists)."""
    patch = {}
    for flavour, (list_field, _) in _FLAVOURS.items():
        entries = record.data.get(list_field)
        if entries:
            patch[list_field] = [
                {**e, "hasArtifact": f"{record.id}/{flavour}Metadata/{e.get('key')}" in svc.store.artifacts}
                if isinstance(e, dict)
                else e
                for e in entries
            ]
    if patch:
        record.apply(patch)


def _existing(svc: Services, store_key: str, what: str) -> Artifact:
    artifact = svc.store.artifacts.get(store_key)
    if artifact is None:
        raise ApiError(404, "NotAuthorizedOrNotFound", f"the {what} has no artifact")
    return artifact


def _check_artifact_etag(req: Request, artifact: Artifact) -> None:
    wanted = req.headers.get("if-match")
    if wanted is not None and wanted not in ("*", artifact.etag):
        raise ApiError(412, "NoEtagMatch", f"the if-match etag {wanted!r} does not match the current etag")


def _put(svc: Services, req: Request, flavour: str, replace: bool) -> Reply:
    with svc.store.lock:
        record, key, store_key = _metadatum(svc, req, flavour)
        what = f"{_FLAVOURS[flavour][1]} metadatum {key!r} of model {record.id}"
        if record.data["lifecycleState"] == "DELETED":
            raise incorrect_state("model", "DELETED", "upload a metadata artifact to")
        if replace:
            _check_artifact_etag(req, _existing(svc, store_key, what))
        else:
            check_if_match(req, record)
            if store_key in svc.store.artifacts:
                raise ApiError(409, "Conflict", f"the {what} already has an artifact; update it instead")
    artifact = receive(svc, req, f"{record.id}-{key}")
    with svc.store.lock:
        old = svc.store.artifacts.get(store_key)
        if not replace and old is not None:
            discard(artifact)
            raise ApiError(409, "Conflict", f"the {what} already has an artifact; update it instead")
        svc.store.artifacts[store_key] = artifact
        discard(old)
        _has_artifact(record, flavour, key, True)
    return Reply(200, None, {"etag": artifact.etag})


def _delete(svc: Services, req: Request, flavour: str) -> Reply:
    with svc.store.lock:
        record, key, store_key = _metadatum(svc, req, flavour)
        what = f"{_FLAVOURS[flavour][1]} metadatum {key!r} of model {record.id}"
        artifact = _existing(svc, store_key, what)
        _check_artifact_etag(req, artifact)
        del svc.store.artifacts[store_key]
        discard(artifact)
        _has_artifact(record, flavour, key, False)
    return Reply(204, None, {})


def _read(svc: Services, req: Request, flavour: str, reply: Callable[[Artifact], Reply]) -> Reply:
    with svc.store.lock:
        record, key, store_key = _metadatum(svc, req, flavour)
        return reply(
            _existing(svc, store_key, f"{_FLAVOURS[flavour][1]} metadatum {key!r} of model {record.id}")
        )


def _register(flavour: str) -> None:
    """Register the six handlers of one flavour (``custom`` / ``defined``)."""
    ops: dict[str, Callable[[Services, Request], Reply]] = {
        "create": lambda svc, req: _put(svc, req, flavour, replace=False),
        "update": lambda svc, req: _put(svc, req, flavour, replace=True),
        "delete": lambda svc, req: _delete(svc, req, flavour),
        "head": lambda svc, req: _read(svc, req, flavour, head_reply),
    }
    for verb, func in ops.items():
        _named(
            func,
            f"{verb}_model_{flavour}_metadatum_artifact",
            f"{verb} the {flavour} metadatum artifact of a model.",
        )

    def get_content(svc: Services, req: Request) -> Reply:
        return _read(svc, req, flavour, lambda artifact: download_reply(req, artifact))

    doc = f"Download the {flavour} metadatum artifact of a model (``range`` honoured)."
    _named(get_content, f"get_model_{flavour}_metadatum_artifact_content", doc)


def _named(func: Callable[[Services, Request], Reply], operation: str, doc: str) -> None:
    """Register ``func`` for ``operation`` under the operation's name (as every handler is)."""
    func.__name__ = func.__qualname__ = operation
    func.__doc__ = doc
    handles(operation)(func)


for _flavour in _FLAVOURS:
    _register(_flavour)
