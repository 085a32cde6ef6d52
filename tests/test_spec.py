"""The API tables the client, hook and emulator are driven from."""

from __future__ import annotations

import pytest

from airflow_ds_provider.spec import camel_case, get_operation, models, operations, snake_case


def test_the_whole_api_and_its_paths():
    ops = operations()
    assert len(ops) == 178  # the whole API 20190101 (the seed reference had 61)
    assert len(models()) == 342
    for op in ops.values():
        assert op.path.startswith("/")
        for wire in op.path_params:
            assert "{" + wire + "}" in op.path


def test_models_load():
    assert "JobRun" in models()
    job_run = models()["JobRun"].field_by_wire()
    assert job_run["lifecycleState"].required


def test_render_path_encodes_segments_and_names_missing_args():
    op = get_operation("get_job_run")
    assert op.render_path({"job_run_id": "ocid1.a/b"}) == "/jobRuns/ocid1.a%2Fb"
    with pytest.raises(ValueError, match="job_run_id is required"):
        op.render_path({})


def test_case_conversion_round_trips():
    assert snake_case("jobRunId") == "job_run_id"
    assert snake_case("if-match") == "if_match"
    assert camel_case("job_run_id") == "jobRunId"
    assert camel_case("compartment_id") == "compartmentId"


def test_unknown_operation():
    with pytest.raises(ValueError, match="unknown Data Science operation"):
        get_operation("launch_rocket")
