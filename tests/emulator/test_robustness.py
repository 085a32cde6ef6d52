"""Every operation with unknown ids and malformed bodies: a clean 4xx, never a 500, state untouched."""

from __future__ import annotations

import pytest

from airflow_ds_provider.spec import operations

_OPS = sorted(operations().values(), key=lambda op: op.name)
_MISSING = "ocid1.datascienceunknown.oc1.iad.amaaaaaamissing"


@pytest.mark.parametrize("op", _OPS, ids=lambda op: op.name)
def test_unknown_ids_and_bad_bodies(world, emu, op):
    world.project()
    before = {k: len(emu.list(k)) for k in ("project", "job", "job_run", "model")}
    ids = {arg: _MISSING for arg in op.path_args}
    params = {"compartmentId": world.comp} if "compartmentId" in op.query_params else None
    bodies = (
        [None] if op.body_model in (None, "stream") else [None, [], "text", {"compartmentId": 5}, {"zzz": 1}]
    )
    for body in bodies:
        resp = world.client.op(op.name, validate=False, params=params, json=body, **ids)
        if op.path_params:
            assert 400 <= resp.status_code < 500, (op.name, body, resp.status_code, resp.text)
        else:
            assert resp.status_code < 500, (op.name, body, resp.text)
        if resp.status_code >= 400 and op.method != "HEAD":
            err = resp.json()
            assert set(err) == {"code", "message"}
    after = {k: len(emu.list(k)) for k in before}
    assert after == before
    assert all(entry["status"] != 500 for entry in emu.requests)
