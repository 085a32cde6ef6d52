"""What each wait and each poll allocates that can be shared: one lifecycle table per kind for
triggers without state overrides, and an operation's argument tables computed once."""

from __future__ import annotations

import pytest

from airflow_ds_provider.lifecycle import get_lifecycle
from airflow_ds_provider.spec import get_operation
from airflow_ds_provider.triggers.job_runs import DataScienceJobRunTrigger
from airflow_ds_provider.triggers.lifecycle import DataScienceLifecycleTrigger

RUN = "ocid1.datasciencejobrun.oc1.iad." + "a" * 20
OTHER = "ocid1.datasciencejobrun.oc1.iad." + "b" * 20


def test_triggers_without_overrides_share_one_table_equal_to_the_defaults() -> None:
    first, second = DataScienceJobRunTrigger(RUN), DataScienceJobRunTrigger(OTHER)
    assert first.lifecycle is second.lifecycle
    assert first.lifecycle == get_lifecycle("job_run").with_states(None, None)
    generic = DataScienceLifecycleTrigger("job_run", RUN)
    assert generic.lifecycle is first.lifecycle


def test_overrides_still_get_their_own_checked_table() -> None:
    custom = DataScienceJobRunTrigger(RUN, target_states=["in_progress"])
    assert custom.lifecycle is not DataScienceJobRunTrigger(OTHER).lifecycle
    assert custom.lifecycle.success == frozenset({"IN_PROGRESS"})
    assert "IN_PROGRESS" not in custom.lifecycle.pending
    with pytest.raises(ValueError, match="target_states"):
        DataScienceJobRunTrigger(RUN, target_states=["NO_SUCH_STATE"])
    assert DataScienceJobRunTrigger(RUN, failure_states=["CANCELING"]).lifecycle.failure >= {"CANCELING"}


def test_an_operations_argument_tables_are_computed_once() -> None:
    op = get_operation("list_job_runs")
    assert op.query_args is op.query_args and op.header_args is op.header_args
    assert op.path_args is op.path_args
    assert op.query_args["compartment_id"] == "compartmentId"
    assert "opc_request_id" in op.header_args and "content_type" not in op.header_args
    assert get_operation("get_job_run").path_args == ("job_run_id",)
