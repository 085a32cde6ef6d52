"""The hook's operation methods load on first use (``client/lazy_operations.py``) and are then
exactly the generated ones: on the class, on an instance, in ``dir()``, with their signatures."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest

from airflow_ds_provider.client._operations import SyncOperations
from airflow_ds_provider.hooks.data_science import DataScienceHook

GENERATED = sorted(n for n in vars(SyncOperations) if not n.startswith("__"))


def _fresh(code: str) -> dict[str, object]:
    script = (
        "import sys, json\n"
        "from airflow_ds_provider.hooks.data_science import DataScienceHook\n"
        "before = 'airflow_ds_provider.client._operations' in sys.modules\n"
        f"{code}\n"
        "print(json.dumps({'before': before, 'after': 'airflow_ds_provider.client._operations' in sys.modules, "
        "'result': result}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    [
        "result = DataScienceHook.get_job_run.__name__",  # on the class (docs, inspect)
        "result = DataScienceHook(oci_conn_id='x').get_job_run.__name__",  # on an instance
        "result = 'get_job_run' if 'get_job_run' in dir(DataScienceHook) else None",
        "result = 'get_job_run' if 'get_job_run' in dir(DataScienceHook(oci_conn_id='x')) else None",
    ],
)
def test_the_methods_load_on_first_lookup_in_a_fresh_interpreter(code: str) -> None:
    seen = _fresh(code)
    assert seen == {"before": False, "after": True, "result": "get_job_run"}


def test_every_generated_method_is_the_hooks_own_with_its_signature() -> None:
    for name in GENERATED:
        method = getattr(DataScienceHook, name)
        assert method is getattr(SyncOperations, name), name
        assert inspect.signature(method) == inspect.signature(getattr(SyncOperations, name))
    assert "list_all_projects" in GENERATED and "create_job" in GENERATED


def test_the_hooks_own_methods_still_win_and_unknown_names_still_fail() -> None:
    hook = DataScienceHook(oci_conn_id="x")
    assert type(hook).call is vars(DataScienceHook)["call"]
    with pytest.raises(AttributeError, match="no_such_operation"):
        hook.no_such_operation  # noqa: B018
    with pytest.raises(AttributeError, match="no_such_operation"):
        DataScienceHook.no_such_operation  # noqa: B018
    assert not hasattr(hook, "__no_such_dunder__")
