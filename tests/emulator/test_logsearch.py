"""The Logging Search API over scripted job-run log lines: window, paging, late-arriving records."""

from __future__ import annotations

from airflow_ds_provider.emulator.clock import rfc3339

GROUP = "ocid1.loggroup.oc1.iad.amaaaaaagroup"
LOG = "ocid1.log.oc1.iad.amaaaaaalog"


def _run_with_logs(world, lines, duration=10):
    project = world.project()
    job = world.job(
        project["id"], jobLogConfigurationDetails={"enableLogging": True, "logGroupId": GROUP, "logId": LOG}
    )
    tags = {"emulator-logs": "\n".join(lines), "emulator-duration": str(duration)}
    return world.run(job, freeformTags=tags)


def _search(world, run, start, end, *, limit=None, page=None, order="asc", query=None):
    params = {k: v for k, v in (("limit", limit), ("page", page)) if v is not None}
    body = {
        "timeStart": rfc3339(start),
        "timeEnd": rfc3339(end),
        "searchQuery": query
        or f"search \"{world.comp}/{GROUP}/{LOG}\" | where source = '*{run['id']}' | sort by datetime {order}",
        "isReturnFieldInfo": False,
    }
    return world.client.call("POST", "/search", json=body, params=params, version="/20190909")


def test_late_arriving_records_and_paging(world, emu):
    lines = [f"line {i}" for i in range(25)]
    run = _run_with_logs(world, lines)
    t0 = emu.clock.now()
    emu.advance(11.5)  # run finished; ingestion delay is 5 s, so only early lines are searchable
    early = _search(world, run, t0 - 60, t0 + 3600).json()
    assert 0 < early["summary"]["resultCount"] < 25
    emu.advance(10)
    messages, page, pages = [], None, 0
    while True:
        resp = _search(world, run, t0 - 60, t0 + 3600, limit=10, page=page)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        pages += 1
        for result in body["results"]:
            content = result["data"]["logContent"]
            assert content["source"] == run["id"]
            assert content["oracle"]["loggroupid"] == GROUP
            assert isinstance(result["data"]["datetime"], int)
            messages.append(content["data"]["message"])
        page = resp.headers.get("opc-next-page")
        if not page:
            break
    assert pages == 3
    assert messages == lines
    desc = _search(world, run, t0 - 60, t0 + 3600, order="desc", limit=1000).json()
    assert [r["data"]["logContent"]["data"]["message"] for r in desc["results"]] == lines[::-1]


def test_window_filters_and_limits(world, emu):
    run = _run_with_logs(world, ["a", "b"])
    t0 = emu.clock.now()
    emu.advance(30)
    assert _search(world, run, t0 + 20, t0 + 30).json()["results"] == []
    too_wide = _search(world, run, t0 - 15 * 86400, t0)
    assert too_wide.status_code == 400 and "14 days" in too_wide.json()["message"]
    assert _search(world, run, t0, t0 + 60, limit=1001).status_code == 400
    assert _search(world, run, t0, t0 + 60, query="select everything").status_code == 400
    other = _search(world, {"id": "ocid1.datasciencejobrun.oc1.iad.other"}, t0 - 10, t0 + 60)
    assert other.json()["results"] == []
    whole_group = f'search "{world.comp}/{GROUP}"'
    assert len(_search(world, run, t0 - 10, t0 + 60, query=whole_group).json()["results"]) == 2


def test_search_is_signed(world, emu):
    resp = world.client.call("POST", "/search", json={}, version="/20190909", sign_body=False)
    assert resp.status_code == 401


def test_cancel_stops_future_lines(world, emu):
    run = _run_with_logs(world, [f"l{i}" for i in range(9)], duration=10)
    t0 = emu.clock.now()
    emu.advance(1 + 5.5)  # started at +1, lines every 1 s: 5 emitted
    world.client.op("cancel_job_run", job_run_id=run["id"], expect=202)
    emu.advance(60)
    assert len(_search(world, run, t0 - 1, t0 + 120).json()["results"]) == 5
    assert len(emu.log_records(run["id"])) == 5
