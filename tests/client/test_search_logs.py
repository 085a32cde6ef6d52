"""Logging Search through the same signed client (the emulator serves /20190909/search too)."""

from __future__ import annotations

import datetime as dt

import ds_bodies as bodies
import pytest

from airflow_ds_provider.client import AsyncDataScienceClient, ClientConfig, DataScienceClient
from airflow_ds_provider.client.errors import InvalidArgumentError


def _rfc3339(value: dt.datetime) -> str:
    return (
        value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


@pytest.fixture(scope="module")
def emu(ds_emulator_factory):
    with ds_emulator_factory.private(manual_clock=True) as emulator:
        yield emulator


async def test_search_job_run_logs(emu) -> None:
    ident = emu.create_identity()
    comp = ident.compartment_id
    config = ClientConfig.from_connection(emu.connection_extra(ident))
    assert config.logging_endpoint == f"{emu.url}/20190909"
    with DataScienceClient(config) as client:
        pid = client.create_project(bodies.project(comp)).data["id"]
        job_body = bodies.job(comp, pid, **{"emulator-logs": "hello\nworld"})
        job_body["jobLogConfigurationDetails"] = {
            "enableLogging": True,
            "enableAutoLogCreation": True,
            "logGroupId": "ocid1.loggroup.oc1.iad.g",
        }
        jid = client.create_job(job_body).data["id"]
        emu.advance(10)
        run = client.create_job_run(bodies.job_run(comp, pid, jid)).data
        emu.advance(60)
        run = client.get_job_run(run["id"]).data
        logs = run["logDetails"]
        start = dt.datetime.fromisoformat(run["timeAccepted"].replace("Z", "+00:00"))
        stream = f"{comp}/{logs['logGroupId']}/{logs['logId']}"
        details = {
            "timeStart": _rfc3339(start - dt.timedelta(minutes=1)),
            "timeEnd": _rfc3339(start + dt.timedelta(days=1)),
            "searchQuery": f"search \"{stream}\" | where source = '*{run['id']}' | sort by datetime asc",
        }
        resp = client.search_logs(details, limit=1000)
        messages = [r["data"]["logContent"]["data"]["message"] for r in resp.data["results"]]
        assert messages == ["hello", "world"]
        with pytest.raises(InvalidArgumentError, match="searchQuery"):
            client.search_logs({})
    async with AsyncDataScienceClient(config) as aclient:
        resp = await aclient.search_logs(details, limit=1)
        assert len(resp.data["results"]) == 1 and resp.next_page
