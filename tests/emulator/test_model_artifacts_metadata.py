"""Model custom/defined metadata artifacts over real signed HTTP: the key must be a metadatum of
the model, create once, update replaces, delete, ``hasArtifact``, etags, signing without body
headers."""

from __future__ import annotations

import pytest

from .artifacts_world import CUSTOM, DEFINED

FLAVOURS = [("custom", CUSTOM[0]["key"]), ("defined", DEFINED[0]["key"])]


@pytest.fixture
def mid(world):
    return world.model(world.project()["id"], customMetadataList=CUSTOM, definedMetadataList=DEFINED)["id"]


def _op(world, verb, flavour, mid, key, expect=None, **kw):
    suffix = "_content" if verb == "get" else ""
    name = f"{verb}_model_{flavour}_metadatum_artifact{suffix}"
    return world.client.op(name, model_id=mid, metadatum_key_name=key, expect=expect, **kw)


def _has_artifact(world, mid, flavour):
    field = f"{flavour}MetadataList"
    return [entry.get("hasArtifact") for entry in world.get("get_model", model_id=mid)[field]]


@pytest.mark.parametrize(("flavour", "key"), FLAVOURS)
def test_create_update_delete(world, emu, mid, flavour, key):
    assert _has_artifact(world, mid, flavour) == [False]
    created = _op(world, "create", flavour, mid, key, data=b"one", expect=200)
    assert _has_artifact(world, mid, flavour) == [True]
    assert _op(world, "create", flavour, mid, key, data=b"again", expect=409).json()["code"] == "Conflict"
    head = _op(world, "head", flavour, mid, key, expect=200)
    assert head.headers["etag"] == created.headers["etag"]
    assert head.headers["content-disposition"] == f"attachment; filename={mid}-{key}.zip"
    stale = _op(world, "update", flavour, mid, key, data=b"two", headers={"if-match": "old"}, expect=412)
    assert stale.json()["code"] == "NoEtagMatch"
    updated = _op(
        world, "update", flavour, mid, key, data=b"two", headers={"if-match": created.headers["etag"]}
    )
    assert updated.status_code == 200 and updated.headers["etag"] != created.headers["etag"]
    assert _op(world, "get", flavour, mid, key, expect=200).content == b"two"
    _op(world, "delete", flavour, mid, key, expect=204)
    assert _has_artifact(world, mid, flavour) == [False]
    for verb in ("head", "get", "delete"):
        assert _op(world, verb, flavour, mid, key).status_code == 404
    assert _op(world, "update", flavour, mid, key, data=b"x", expect=404).status_code == 404
    _op(world, "create", flavour, mid, key, data=b"three", expect=200)  # created again after a delete


@pytest.mark.parametrize(("flavour", "key"), FLAVOURS)
def test_the_key_must_be_a_metadatum_of_the_model(world, emu, mid, flavour, key):
    other = "UseCaseType" if flavour == "custom" else "readme"  # a key of the other list only
    assert _op(world, "head", flavour, mid, other).status_code == 404  # HEAD: no body
    for verb, kw in (("create", {"data": b"x"}), ("update", {"data": b"x"}), ("get", {})):
        resp = _op(world, verb, flavour, mid, other, expect=404, **kw)
        assert resp.json()["message"].startswith(f"metadatumKeyName: model {mid} has no {flavour} metadatum")
    bare = world.model(world.project()["id"])["id"]
    assert _op(world, "create", flavour, bare, key, data=b"x").status_code == 404


def test_a_deleted_model_takes_no_metadata_artifact(world, emu, mid):
    world.client.op("delete_model", model_id=mid, expect=204)
    resp = _op(world, "create", "custom", mid, "readme", data=b"x", expect=409)
    assert resp.json()["code"] == "IncorrectState"


def test_create_if_match_is_the_models_etag(world, emu, mid):
    etag = world.client.op("get_model", model_id=mid, expect=200).headers["etag"]
    assert (
        _op(world, "create", "custom", mid, "readme", data=b"x", headers={"if-match": "old"}).status_code
        == 412
    )
    _op(world, "create", "custom", mid, "readme", data=b"x", headers={"if-match": etag}, expect=200)


def test_uploads_are_signed_without_body_headers(world, emu, mid):
    # the spec marks the metadata uploads as signed without x-content-sha256 / content-length
    resp = _op(world, "create", "defined", mid, "UseCaseType", data=b"unsigned body", expect=200)
    assert resp.status_code == 200
    assert _op(world, "get", "defined", mid, "UseCaseType", expect=200).content == b"unsigned body"


def test_update_model_keeps_has_artifact_true(world, emu, mid):
    _op(world, "create", "custom", mid, "readme", data=b"x", expect=200)
    fresh = [{**CUSTOM[0], "value": "new"}, {"key": "extra", "value": "y", "category": "Other"}]
    world.client.op("update_model", model_id=mid, json={"customMetadataList": fresh}, expect=200)
    assert _has_artifact(world, mid, "custom") == [True, False]
