"""Pagination, filters and sorts, retry tokens, etags, validation errors, artifacts."""

from __future__ import annotations

import base64
import hashlib

import pytest


def test_pagination_walks_every_item(world):
    for i in range(7):
        world.project(displayName=f"p{i}")
    seen, page, pages = [], None, 0
    while True:
        params = {"compartmentId": world.comp, "limit": 3, **({"page": page} if page else {})}
        resp = world.client.op("list_projects", params=params, expect=200)
        seen += [p["displayName"] for p in resp.json()]
        pages += 1
        page = resp.headers.get("opc-next-page")
        if not page:
            break
    assert pages == 3
    assert sorted(seen) == [f"p{i}" for i in range(7)]
    assert len(set(seen)) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"page": "garbage"}, "page"),
        ({"sortBy": "size"}, "sortBy"),
        ({"lifecycleState": "X"}, "lifecycleState"),
    ],
)
def test_bad_list_parameters(world, params, field):
    resp = world.client.op("list_projects", params={"compartmentId": world.comp, **params})
    assert resp.status_code == 400
    assert resp.json()["code"] == "InvalidParameter"
    assert field in resp.json()["message"]


def test_list_requires_compartment(world):
    resp = world.client.op("list_jobs")
    assert resp.status_code == 400 and "compartmentId" in resp.json()["message"]
    resp = world.client.op("list_jobs", params={"compartmentId": "nope"})
    assert resp.status_code == 400


def test_filters_and_sorting(world, emu):
    a = world.project(displayName="b-proj")
    emu.advance(1)
    b = world.project(displayName="a-proj")
    other = world.client.op(
        "create_project", json={"compartmentId": world.comp.replace("amaaaaaa", "amaaaaac")}
    )
    assert other.status_code == 200
    q = {"compartmentId": world.comp}

    def ids(**p):
        resp = world.client.op("list_projects", params={**q, **p}, expect=200)
        return [x["id"] for x in resp.json()]

    assert ids() == [b["id"], a["id"]]  # timeCreated DESC by default
    assert ids(sortOrder="ASC") == [a["id"], b["id"]]
    assert ids(sortBy="displayName") == [b["id"], a["id"]]
    assert ids(sortBy="displayName", sortOrder="DESC") == [a["id"], b["id"]]
    assert ids(displayName="a-proj") == [b["id"]]
    assert ids(id=a["id"]) == [a["id"]]
    assert ids(lifecycleState="DELETED") == []
    job_a, job_b = world.job(a["id"]), world.job(b["id"])
    runs = {world.run(job_a)["id"], world.run(job_b)["id"]}
    listed = world.client.op("list_job_runs", params={**q, "jobId": job_a["id"]}, expect=200).json()
    assert len(listed) == 1 and listed[0]["id"] in runs
    assert [j["id"] for j in world.client.op("list_jobs", params={**q, "projectId": b["id"]}).json()] == [
        job_b["id"]
    ]


def test_retry_token_same_body_same_resource(world, emu):
    body = {"compartmentId": world.comp, "displayName": "once"}
    headers = {"opc-retry-token": "tok-1"}
    first = world.client.op("create_project", json=body, headers=headers, expect=200).json()
    again = world.client.op("create_project", json=body, headers=headers, expect=200).json()
    assert first["id"] == again["id"]
    assert len(emu.list("project")) == 1
    conflict = world.client.op("create_project", json={**body, "displayName": "other"}, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "InvalidatedRetryToken"
    assert len(emu.list("project")) == 1


def test_retry_token_on_job_run(world, emu):
    job = world.job(world.project()["id"])
    headers = {"opc-retry-token": "run-token"}
    body = {"projectId": job["projectId"], "compartmentId": world.comp, "jobId": job["id"]}
    first = world.client.op("create_job_run", json=body, headers=headers, expect=200).json()
    emu.advance(1)
    again = world.client.op("create_job_run", json=body, headers=headers, expect=200).json()
    assert again["id"] == first["id"]
    assert again["lifecycleState"] == "IN_PROGRESS"
    assert len(emu.list("job_run")) == 1


def test_if_match(world):
    project = world.project()
    resp = world.client.op("get_project", project_id=project["id"], expect=200)
    etag = resp.headers["etag"]
    bad = world.client.op(
        "update_project", project_id=project["id"], json={"displayName": "x"}, headers={"if-match": "stale"}
    )
    assert bad.status_code == 412 and bad.json()["code"] == "NoEtagMatch"
    good = world.client.op(
        "update_project",
        project_id=project["id"],
        json={"displayName": "x"},
        headers={"if-match": etag},
        expect=200,
    )
    assert good.headers["etag"] != etag
    stale = world.client.op("delete_project", project_id=project["id"], headers={"if-match": etag})
    assert stale.status_code == 412
    world.client.op(
        "delete_project", project_id=project["id"], headers={"if-match": good.headers["etag"]}, expect=202
    )


def test_if_match_on_actions(world, emu):
    job = world.job(world.project()["id"])
    run = world.run(job)
    resp = world.client.op("cancel_job_run", job_run_id=run["id"], headers={"if-match": "nope"})
    assert resp.status_code == 412
    etag = world.client.op("get_job_run", job_run_id=run["id"]).headers["etag"]
    world.client.op("cancel_job_run", job_run_id=run["id"], headers={"if-match": etag}, expect=202)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"displayName": "x"}, "compartmentId"),
        ({"compartmentId": "C", "colour": "red"}, "colour"),
        ({"compartmentId": "C", "displayName": 5}, "displayName"),
        ({"compartmentId": "C", "freeformTags": {"a": 1}}, "freeformTags.a"),
        ({"compartmentId": "bad-ocid"}, "compartmentId"),
    ],
)
def test_invalid_project_bodies(world, body, field):
    body = {k: (world.comp if v == "C" else v) for k, v in body.items()}
    resp = world.client.op("create_project", json=body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "InvalidParameter"
    assert field in resp.json()["message"]


@pytest.mark.parametrize(
    ("infra", "field"),
    [
        (
            {"jobInfrastructureType": "STANDALONE", "shapeName": "x", "blockStorageSizeInGBs": 50},
            "jobInfrastructureConfigurationDetails.subnetId",
        ),
        (
            {"jobInfrastructureType": "SPACESHIP"},
            "jobInfrastructureConfigurationDetails.jobInfrastructureType",
        ),
        (
            {"jobInfrastructureType": "ME_STANDALONE", "shapeName": "x", "blockStorageSizeInGBs": "big"},
            "blockStorageSizeInGBs",
        ),
        (
            {
                "jobInfrastructureType": "ME_STANDALONE",
                "shapeName": "x",
                "blockStorageSizeInGBs": 5,
                "jobShapeConfigDetails": {"cpuBaseline": "TURBO"},
            },
            "cpuBaseline",
        ),
    ],
)
def test_invalid_polymorphic_bodies(world, infra, field):
    project = world.project()
    resp = world.client.op(
        "create_job",
        json={
            "projectId": project["id"],
            "compartmentId": world.comp,
            "jobInfrastructureConfigurationDetails": infra,
        },
    )
    assert resp.status_code == 400, resp.text
    assert field in resp.json()["message"]


def test_malformed_json_and_missing_body(world):
    resp = world.client.call(
        "POST", "/projects", data=b"{not json", headers={"content-type": "application/json"}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "InvalidParameter"
    resp = world.client.call("POST", "/projects", data=b"", headers={"content-type": "application/json"})
    assert resp.status_code == 400 and "create_project_details" in resp.json()["message"]
    resp = world.client.call("POST", "/projects", json=[1, 2])
    assert resp.status_code == 400


def test_not_found_and_method_not_allowed(world):
    resp = world.client.op("get_job", job_id="ocid1.datasciencejob.oc1.iad.amaaaaaamissing")
    assert resp.status_code == 404 and resp.json()["code"] == "NotAuthorizedOrNotFound"
    project = world.project()
    assert world.client.op("get_job", job_id=project["id"]).status_code == 404
    assert world.client.call("PATCH", "/projects").status_code == 405
    assert world.client.call("GET", "/nothing").status_code == 404


def test_opc_request_id_echoed_or_generated(world):
    resp = world.client.op(
        "list_projects", params={"compartmentId": world.comp}, headers={"opc-request-id": "MINE"}
    )
    assert resp.headers["opc-request-id"] == "MINE"
    resp = world.client.op("list_projects", params={"compartmentId": world.comp})
    assert len(resp.headers["opc-request-id"]) == 32


def _upload(world, model_id, data, **headers):
    return world.client.op("create_model_artifact", model_id=model_id, data=data, headers=headers)


def test_artifact_stream_range_and_headers(world):
    model = world.model(world.project()["id"])
    payload = bytes(range(256)) * 4096  # 1 MiB

    def chunks():
        for i in range(0, len(payload), 65536):
            yield payload[i : i + 65536]

    op = world.client
    resp = op.call(
        "POST",
        f"/models/{model['id']}/artifact",
        data=chunks(),
        sign_body=False,
        headers={"content-disposition": "attachment; filename=model.zip"},
    )
    assert resp.status_code == 200, resp.text
    got = op.op("get_model_artifact_content", model_id=model["id"], expect=200)
    assert got.content == payload
    assert got.headers["content-md5"] == base64.b64encode(hashlib.md5(payload).digest()).decode()  # noqa: S324
    assert got.headers["content-disposition"] == "attachment; filename=model.zip"
    assert got.headers["last-modified"].endswith("GMT")
    part = op.op("get_model_artifact_content", model_id=model["id"], headers={"range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == payload[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(payload)}"
    tail = op.op("get_model_artifact_content", model_id=model["id"], headers={"range": "bytes=-5"})
    assert tail.content == payload[-5:]
    bad = op.op(
        "get_model_artifact_content", model_id=model["id"], headers={"range": f"bytes={len(payload)}-"}
    )
    assert bad.status_code == 416
    head = op.op("head_model_artifact", model_id=model["id"], expect=200)
    assert head.headers["content-length"] == str(len(payload)) and head.content == b""
    again = _upload(world, model["id"], b"x")
    assert again.status_code == 409


def test_artifact_missing_and_retry_token(world):
    model = world.model(world.project()["id"])
    assert world.client.op("get_model_artifact_content", model_id=model["id"]).status_code == 404
    first = _upload(world, model["id"], b"abc", **{"opc-retry-token": "t"})
    again = _upload(world, model["id"], b"abc", **{"opc-retry-token": "t"})
    assert first.status_code == again.status_code == 200
    assert first.headers["etag"] == again.headers["etag"]


def test_provenance(world):
    model = world.model(world.project()["id"])
    c = world.client
    assert c.op("get_model_provenance", model_id=model["id"]).status_code == 404
    created = c.op("create_model_provenance", model_id=model["id"], json={"repositoryUrl": "r"}, expect=200)
    bad = c.op(
        "update_model_provenance", model_id=model["id"], json={"gitBranch": "b"}, headers={"if-match": "x"}
    )
    assert bad.status_code == 412
    upd = c.op(
        "update_model_provenance",
        model_id=model["id"],
        json={"gitBranch": "b"},
        headers={"if-match": created.headers["etag"]},
        expect=200,
    ).json()
    assert upd == {"repositoryUrl": "r", "gitBranch": "b"}
    assert c.op("create_model_provenance", model_id=model["id"], json={"nope": 1}).status_code == 400


def test_model_wire_fields(world):
    project = world.project()
    first = world.model(project["id"])
    second = world.model(project["id"], versionLabel="gold")
    assert second["versionId"] == first["versionId"] + 1
    assert second["versionLabel"] == "gold"
    assert second["id"].startswith("ocid1.datasciencemodel.oc1.iad.")
