"""Artifact upload (streamed to disk), download with ``range``, and HEAD, for jobs, models and
pipeline steps (``key``: where the artifact is kept when it is not the resource's OCID)."""

from __future__ import annotations

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
        if slot in svc.store.artifacts:
            raise ApiError(
                409, "Conflict", f"the {what} {slot} already has an artifact; artifacts are immutable"
            )
        if record.data.get("lifecycleState") in ("DELETING", "DELETED"):
            raise ApiError(409, "IncorrectState", f"the {what} is {record.data['lifecycleState']}")
    path = svc.store.new_artifact_path()
    assert req.upload is not None
    size, md5_b64 = req.upload(path)
    disposition = req.headers.get("content-disposition") or "attachment; filename=artifact.zip"
    artifact = Artifact(path=path, size=size, md5_b64=md5_b64, disposition=disposition, modified=svc.now())
    with svc.store.lock:
        if slot in svc.store.artifacts:
            raise ApiError(
                409, "Conflict", f"the {what} {slot} already has an artifact; artifacts are immutable"
            )
        svc.store.artifacts[slot] = artifact
        reply = Reply(200, None, {"etag": artifact.etag})
        if token:
            remember_retry_token(svc, token_key, (slot, (reply, None)))
    return reply


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


def head(svc: Services, req: Request, kind: str, id_param: str, what: str, key: str | None = None) -> Reply:
    """Artifact metadata without the body."""
    artifact = _artifact(svc, req, kind, id_param, what, key)
    return Reply(200, None, {**_headers(artifact), "content-length": str(artifact.size)})


def download(
    svc: Services, req: Request, kind: str, id_param: str, what: str, key: str | None = None
) -> Reply:
    """The artifact bytes, or the ``range`` asked for (206), streamed from disk."""
    artifact = _artifact(svc, req, kind, id_param, what, key)
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
