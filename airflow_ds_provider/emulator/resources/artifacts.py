"""Artifact upload (streamed to disk), download with ``range``, and HEAD: for jobs, models and
pipeline steps (``key``: where the artifact is kept when it is not the resource's OCID), and the
building blocks the other artifact kinds (model metadata artifacts) share.

An artifact uploaded without ``content-disposition`` is reported as
``attachment; filename=<resource OCID>.zip``, as the service names it; a given disposition is
returned exactly as sent (quoted file names included).
"""

from __future__ import annotations

import os
import re

from airflow_ds_provider.emulator.clock import http_date
from airflow_ds_provider.emulator.resources.base import (
    ApiError,
    Reply,
    Request,
    Services,
    check_if_match,
    live_retry_token,
    remember_retry_token,
    require,
)
from airflow_ds_provider.emulator.store import Artifact

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def default_disposition(name: str) -> str:
    """The ``content-disposition`` the service reports for an artifact uploaded without one."""
    return f"attachment; filename={name}.zip"


def receive(svc: Services, req: Request, default_name: str) -> Artifact:
    """Stream the request body into a new artifact file (not yet attached to anything)."""
    path = svc.store.new_artifact_path()
    assert req.upload is not None
    size, md5_b64 = req.upload(path)
    disposition = req.headers.get("content-disposition") or default_disposition(default_name)
    return Artifact(path=path, size=size, md5_b64=md5_b64, disposition=disposition, modified=svc.now())


def discard(artifact: Artifact | None) -> None:
    """Remove an artifact's file (replaced or deleted)."""
    if artifact is not None and os.path.exists(artifact.path):
        os.unlink(artifact.path)


def upload(
    svc: Services, req: Request, kind: str, id_param: str, what: str, check_etag: bool, key: str | None = None
) -> Reply:
    """Stream the body into a new artifact of the resource (once per resource; 409 after that)."""
    ocid = req.params[id_param]
    slot = key or ocid
    token = req.headers.get("opc-retry-token")
    token_key = (req.op.name, token or "")
    with svc.store.lock:
        record = require(svc, kind, ocid, what)
        if check_etag:
            check_if_match(req, record)
        seen = live_retry_token(svc, token_key) if token else None
        if seen is not None:
            fingerprint, (reply, _) = seen
            if fingerprint != slot:
                raise ApiError(
                    409, "InvalidatedRetryToken", "opc-retry-token was already used for another request"
                )
            return reply
        _check_no_artifact(svc, slot, what)
        if record.data.get("lifecycleState") in ("DELETING", "DELETED"):
            raise ApiError(409, "IncorrectState", f"the {what} is {record.data['lifecycleState']}")
    artifact = receive(svc, req, ocid)
    with svc.store.lock:
        try:
            _check_no_artifact(svc, slot, what)
        except ApiError:
            discard(artifact)
            raise
        svc.store.artifacts[slot] = artifact
        reply = Reply(200, None, {"etag": artifact.etag})
        if token:
            remember_retry_token(svc, token_key, (slot, (reply, None)))
    return reply


def _check_no_artifact(svc: Services, ocid: str, what: str) -> None:
    if ocid in svc.store.artifacts:
        raise ApiError(409, "Conflict", f"the {what} {ocid} already has an artifact; artifacts are immutable")


def _artifact(
    svc: Services, req: Request, kind: str, id_param: str, what: str, key: str | None = None
) -> Artifact:
    ocid = req.params[id_param]
    require(svc, kind, ocid, what)
    artifact = svc.store.artifacts.get(key or ocid)
    if artifact is None:
        raise ApiError(404, "NotAuthorizedOrNotFound", f"the {what} {key or ocid} has no artifact")
    return artifact


def _headers(artifact: Artifact) -> dict[str, str]:
    return {
        "etag": artifact.etag,
        "content-md5": artifact.md5_b64,
        "content-disposition": artifact.disposition,
        "last-modified": http_date(artifact.modified),
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
    }


def head_reply(artifact: Artifact) -> Reply:
    """HEAD of an artifact: its metadata, no body."""
    return Reply(200, None, {**_headers(artifact), "content-length": str(artifact.size)})


def download_reply(req: Request, artifact: Artifact) -> Reply:
    """The artifact bytes, or the ``range`` asked for (206), streamed from disk."""
    headers = _headers(artifact)
    wanted = req.headers.get("range")
    if not wanted:
        return Reply(200, None, headers, file=(artifact.path, 0, artifact.size))
    match = _RANGE_RE.match(wanted.strip())
    if not match or match.group(1) == match.group(2) == "":
        raise ApiError(416, "InvalidRange", f"unsupported range {wanted!r}; expected bytes=start-end")
    first, last = match.group(1), match.group(2)
    if first == "":
        length = min(int(last), artifact.size)
        start, end = artifact.size - length, artifact.size - 1
    else:
        start = int(first)
        end = min(int(last), artifact.size - 1) if last else artifact.size - 1
    if start >= artifact.size or end < start:
        raise ApiError(
            416,
            "InvalidRange",
            f"range {wanted!r} is not satisfiable",
            {"content-range": f"bytes */{artifact.size}"},
        )
    headers["content-range"] = f"bytes {start}-{end}/{artifact.size}"
    return Reply(206, None, headers, file=(artifact.path, start, end - start + 1))


def head(svc: Services, req: Request, kind: str, id_param: str, what: str, key: str | None = None) -> Reply:
    """Artifact metadata without the body."""
    return head_reply(_artifact(svc, req, kind, id_param, what, key))


def download(
    svc: Services, req: Request, kind: str, id_param: str, what: str, key: str | None = None
) -> Reply:
    """The artifact bytes of the resource, or the ``range`` asked for."""
    return download_reply(req, _artifact(svc, req, kind, id_param, what, key))
