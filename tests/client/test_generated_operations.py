"""The generated typed methods: up to date, complete, same names and arguments as the reference."""

from __future__ import annotations

import inspect

from airflow_ds_provider.client import AsyncDataScienceClient, DataScienceClient, _generate
from airflow_ds_provider.client._base import allowed_args
from airflow_ds_provider.spec import operations


def test_generated_file_is_up_to_date() -> None:
    assert _generate.main(["--check"]) == 0, "run: python -m airflow_ds_provider.client._generate"


def test_every_operation_has_sync_and_async_methods() -> None:
    ops = operations()
    assert len(ops) == 178
    for name, op in ops.items():
        sync = getattr(DataScienceClient, name)
        asyn = getattr(AsyncDataScienceClient, name)
        assert inspect.iscoroutinefunction(asyn) and not inspect.iscoroutinefunction(sync)
        params = list(inspect.signature(sync).parameters)[1:]
        assert params == allowed_args(op)
        assert list(inspect.signature(asyn).parameters)[1:] == params
        positional = [
            p.name for p in inspect.signature(sync).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD
        ][1:]
        assert positional == list(op.required_args)
        assert sync.__doc__ and op.method in sync.__doc__
        if op.is_list:
            assert hasattr(DataScienceClient, "list_all_" + name.removeprefix("list_"))


def test_reference_signatures() -> None:
    sig = inspect.signature(DataScienceClient.create_job_run)
    assert list(sig.parameters)[:2] == ["self", "create_job_run_details"]
    assert sig.parameters["opc_retry_token"].default is None
    sig = inspect.signature(DataScienceClient.list_job_runs)
    assert {"compartment_id", "job_id", "lifecycle_state", "limit", "page", "sort_by"} <= set(sig.parameters)
    assert list(inspect.signature(DataScienceClient.get_job_run).parameters) == [
        "self",
        "job_run_id",
        "opc_request_id",
    ]


def test_type_hints_resolve() -> None:
    import typing

    from airflow_ds_provider.client.response import Response

    hints = typing.get_type_hints(DataScienceClient.create_job_artifact)
    assert hints["return"] is Response and hints["job_id"] is str
