"""DataScienceCancelWorkRequestOperator against the emulator."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException
from airflow_ds_provider.operators.work_requests import DataScienceCancelWorkRequestOperator

from .conftest import FAST, make_context

START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def accepted_work_request(ds):
    """A PROJECT_DELETE work request held in ACCEPTED; cancelling it takes ~1 s."""
    work_request_id = ds.hook.delete_project(ds.project()).work_request_id
    ds.emu.set_state(work_request_id, "ACCEPTED")
    before = ds.emu.timings.work_request_start
    ds.emu.timings.update(work_request_start=20)
    yield work_request_id
    ds.emu.timings.update(work_request_start=before)


def _cancels(ds) -> list[dict]:
    return [r for r in ds.emu.requests if r["method"] == "DELETE" and "/workRequests/" in r["path"]]


@pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])
def test_cancel_work_request_in_a_dag(ds, run_dag, caplog, accepted_work_request, deferrable) -> None:
    with DAG(
        f"ds_cancel_wr_{deferrable}", schedule=None, start_date=START, params={"wr": accepted_work_request}
    ) as dag:
        DataScienceCancelWorkRequestOperator(
            task_id="cancel", work_request_id="{{ params.wr }}", deferrable=deferrable, **FAST
        )
    result = run_dag(dag)
    assert result.state == "success", result.task_states()
    assert ds.emu.get(accepted_work_request)["status"] == "CANCELED"
    assert result.xcom("cancel")["status"] == "CANCELED"
    assert result.xcom("cancel", "work_request_id") == accepted_work_request
    assert len(_cancels(ds)) == 1
    assert caplog.text.count("running trigger in line") == (1 if deferrable else 0)


def test_cancel_is_safe_to_retry(ds, accepted_work_request) -> None:
    ds.hook.cancel_work_request(accepted_work_request)
    assert ds.emu.get(accepted_work_request)["status"] == "CANCELING"
    op = DataScienceCancelWorkRequestOperator(
        task_id="c", work_request_id=accepted_work_request, deferrable=False, **FAST
    )
    assert op.execute(make_context(op))["status"] == "CANCELED"  # CANCELING: only waited for
    assert op.execute(make_context(op, try_number=2))["status"] == "CANCELED"  # CANCELED: returned
    assert len(_cancels(ds)) == 1


def test_a_finished_work_request_cannot_be_cancelled(ds) -> None:
    work_request_id = ds.hook.delete_project(ds.project()).work_request_id
    ds.hook.wait_for_state("work_request", work_request_id, poll_interval=0.02, timeout=10)
    op = DataScienceCancelWorkRequestOperator(task_id="c", work_request_id=work_request_id, **FAST)
    with pytest.raises(AirflowFailException, match=f"work request {work_request_id} already SUCCEEDED"):
        op.execute(make_context(op))
    assert _cancels(ds) == []
    # a wait that sees it finish instead of being cancelled fails the task too
    op = DataScienceCancelWorkRequestOperator(
        task_id="c", work_request_id=work_request_id, deferrable=False, **FAST
    )
    with pytest.raises(AirflowFailException, match="reached failure state SUCCEEDED"):
        op.wait(make_context(op), work_request_id, failure_states=["SUCCEEDED", "FAILED"])


def test_bad_work_request_id_is_named(ds) -> None:
    op = DataScienceCancelWorkRequestOperator(task_id="c", work_request_id="")
    with pytest.raises(
        ValueError,
        match=r"work_request_id: expected the OCID of a work_request \(ocid1.datascienceworkrequest",
    ):
        op.execute(make_context(op))
