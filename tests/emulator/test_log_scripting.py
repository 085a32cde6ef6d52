"""Per-line log ingestion delays, the settable default delay and the "too large" search limit."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from airflow_ds_provider.client import ClientConfig, DataScienceClient
from airflow_ds_provider.emulator.clock import parse_rfc3339, rfc3339
from airflow_ds_provider.logs.search import job_run_query, search_logs

GROUP = "ocid1.loggroup.oc1.iad.amaaaaaagroup"
LOG = "ocid1.log.oc1.iad.amaaaaaalog"


def _job(world):
    config = {"enableLogging": True, "logGroupId": GROUP, "logId": LOG}
    return world.job(world.project()["id"], jobLogConfigurationDetails=config)


def _search(world, run_id, start, end, limit=None):
    body = {
        "timeStart": rfc3339(start),
        "timeEnd": rfc3339(end),
        "searchQuery": f"search \"{world.comp}/{GROUP}/{LOG}\" | where source = '*{run_id}' "
        "| sort by datetime asc",
    }
    params = {"limit": limit} if limit else None
    return world.client.call("POST", "/search", json=body, params=params, version="/20190909")


def _messages(resp):
    assert resp.status_code == 200, resp.text
    return [r["data"]["logContent"]["data"]["message"] for r in resp.json()["results"]]


def test_per_line_delays_make_an_early_line_arrive_late(world, emu):
    run = world.run(_job(world))
    t0 = emu.clock.now()
    # accepted 1 s, then 10 s in progress: lines at +3.5, +6, +8.5 (every 2.5 s); default delay 5 s
    emu.script_job_run(run["id"], duration=10, log_lines=["early", "middle", "late"], log_delays=[30, 0])
    emu.advance(9)
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == ["middle"]
    emu.advance(6)  # "late" (+8.5, delay 5) is in; "early" (+3.5, delay 30) is not
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == ["middle", "late"]
    emu.advance(20)
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == ["early", "middle", "late"]
    records = emu.log_records(run["id"])
    assert records[0]["message"] == "early" and records[0]["ingested"] > records[2]["ingested"]


def test_log_delays_by_tag_and_control_api(world, emu):
    job = _job(world)
    tags = {"emulator-logs": "a\nb", "emulator-log-delays": "0, 40", "emulator-duration": "3"}
    run = world.run(job, freeformTags=tags)
    t0 = emu.clock.now()
    emu.advance(10)
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == ["a"]
    emu.advance(40)
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == ["a", "b"]

    second = world.run(job)
    body = {"id": second["id"], "logLines": ["x", "y"], "logDelays": [50]}
    assert requests.post(f"{emu.url}/_emulator/script/job-run", json=body, timeout=5).status_code == 200
    emu.advance(20)
    assert _messages(_search(world, second["id"], t0, t0 + 120)) == ["y"]
    bad = {"id": second["id"], "logDelays": [-1]}
    assert requests.post(f"{emu.url}/_emulator/script/job-run", json=bad, timeout=5).status_code == 400
    with pytest.raises(ValueError, match="log_delays"):
        emu.script_job_run(second["id"], log_delays=[1, float("nan")])


def test_bad_log_delays_tag_is_rejected(world, emu):
    job = _job(world)
    body = {"projectId": job["projectId"], "compartmentId": world.comp, "jobId": job["id"]}
    body["freeformTags"] = {"emulator-log-delays": "1,soon"}
    resp = world.client.op("create_job_run", json=body)
    assert resp.status_code == 400
    assert "freeformTags.emulator-log-delays" in resp.json()["message"]


def test_set_log_ingestion_delay(world, emu):
    job = _job(world)
    emu.set_log_ingestion_delay(100)
    assert emu.log_ingestion_delay == emu.lifecycles.log_ingestion_delay == 100
    run = world.run(job, freeformTags={"emulator-logs": "one", "emulator-duration": "2"})
    t0 = emu.clock.now()
    emu.advance(50)
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == []
    emu.advance(60)
    assert _messages(_search(world, run["id"], t0, t0 + 60)) == ["one"]
    resp = requests.post(f"{emu.url}/_emulator/log-ingestion-delay", json={"seconds": 0}, timeout=5)
    assert resp.json() == {"seconds": 0.0}
    emu.lifecycles.log_ingestion_delay = 7.0  # the old attribute still works
    assert emu.log_ingestion_delay == 7.0
    with pytest.raises(ValueError, match="seconds"):
        emu.set_log_ingestion_delay(-1)
    emu.set_log_ingestion_delay(5.0)  # the session fixture's value


def test_search_too_large_depends_on_the_window(world, emu):
    run = world.run(_job(world), freeformTags={"emulator-logs": "\n".join(f"l{i}" for i in range(8))})
    t0 = emu.clock.now()
    emu.advance(30)
    emu.set_log_search_max_results(5)
    wide = _search(world, run["id"], t0, t0 + 60, limit=2)
    assert wide.status_code == 400
    assert wide.json()["code"] == "InvalidParameter" and "too large" in wide.json()["message"]
    # the run emits its 8 lines evenly over [t0 + 1, t0 + 3]: the first half of that is small enough
    assert _messages(_search(world, run["id"], t0, t0 + 2)) == [f"l{i}" for i in range(4)]
    resp = requests.post(f"{emu.url}/_emulator/log-search", json={"maxResults": None}, timeout=5)
    assert resp.json() == {"maxResults": None}
    assert len(_messages(_search(world, run["id"], t0, t0 + 60))) == 8
    requests.post(f"{emu.url}/_emulator/log-search", json={"maxResults": 8}, timeout=5)
    assert len(_messages(_search(world, run["id"], t0, t0 + 60))) == 8
    with pytest.raises(ValueError, match="n must be"):
        emu.set_log_search_max_results(-1)
    emu.reset()
    assert emu.services.log_search_max_results is None


def test_provider_bisection_against_the_limit(world, emu, ident):
    lines = [f"line {i}" for i in range(40)]
    run = world.run(_job(world), freeformTags={"emulator-logs": "\n".join(lines), "emulator-duration": "40"})
    t0 = emu.clock.now()
    emu.advance(60)
    emu.set_log_search_max_results(7)
    client = DataScienceClient(ClientConfig.from_connection(emu.connection_extra(ident)))
    emu.clear_requests()
    start = dt.datetime.fromtimestamp(t0 - 10, dt.UTC)
    found = search_logs(
        client, job_run_query(world.comp, GROUP, LOG, run["id"]), start, start + dt.timedelta(minutes=5)
    )
    assert [r.message for r in found] == lines
    searches = [r for r in emu.requests if r["operation"] == "search_logs"]
    assert any(r["status"] == 400 for r in searches) and searches[-1]["status"] == 200
    spans = [parse_rfc3339(r["body"]["timeEnd"]) - parse_rfc3339(r["body"]["timeStart"]) for r in searches]
    assert spans[0] == pytest.approx(300) and searches[0]["status"] == 400  # the whole window first
    assert min(spans) < 300 / 4  # then narrower ones, until each holds at most 7 results
