"""Each example DAG works when copied alone into an empty DAGs folder, as a user would copy it:
it parses with no import error and its run succeeds (``dag.test()`` against the emulator)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from airflow_ds_provider.example_assets import ASSETS_DIR, example_asset, example_asset_names

from ._helpers import EXAMPLES_DIR, VERSION_SET_ENV, VERSION_SET_EXAMPLES, leftovers, seed_version_set
from .conftest import GRACE_ENV, POLL_ENV

EXAMPLES = sorted(path.name for path in EXAMPLES_DIR.glob("example_*.py"))
#: Asset-scheduled examples: they read the triggering asset events and create nothing.
EVENT_DRIVEN = ("example_ds_job_run_watcher.py", "example_ds_model_version_consumer.py")


def _parse_alone(example: str, folder: Path, env: dict[str, str] | None = None) -> Any:
    """A DagBag of a DAGs folder holding nothing but a copy of ``example``."""
    from dag_db import dag_bag_class

    DagBag = dag_bag_class()

    shutil.copy(EXAMPLES_DIR / example, folder / example)
    assert [p.name for p in folder.iterdir()] == [example]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(POLL_ENV, "0.1")
        mp.setenv(GRACE_ENV, "0")
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        return DagBag(dag_folder=str(folder))


def test_every_example_is_covered() -> None:
    assert len(EXAMPLES) == 9
    assert not (EXAMPLES_DIR / "artifacts").exists()  # nothing beside the DAGs to forget to copy


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_copied_alone_parses_and_runs(example, tmp_path, run_dag, emu) -> None:
    seeded: dict[str, list[tuple[str, str]]] = {}
    env = {}
    if example in VERSION_SET_EXAMPLES:  # they register into a set that already exists
        project_id, set_id = seed_version_set(emu)
        seeded, env = {"project": [(project_id, "ACTIVE")]}, {VERSION_SET_ENV: set_id}
    bag = _parse_alone(example, tmp_path, env)
    assert bag.import_errors == {}
    [dag] = bag.dags.values()
    assert dag.dag_id == example.removesuffix(".py")

    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    assert set(result.task_states().values()) == {"success"}
    assert leftovers(emu) == seeded
    if example in EVENT_DRIVEN:
        assert result.xcom(dag.task_ids[0]) == []  # triggered by hand: no asset event to read
        return
    uploads = [
        r
        for r in emu.requests
        if r["operation"] in ("create_job_artifact", "create_model_artifact", "create_step_artifact")
    ]
    assert uploads, "every example uploads a shipped file"


def test_example_assets_are_the_files_the_examples_name() -> None:
    assert example_asset_names() == [
        "model/runtime.yaml",
        "model/score.py",
        "model_artifact.zip",
        "prepare_data.py",
        "train.py",
    ]
    assert Path(example_asset("train.py")) == ASSETS_DIR / "train.py"
    assert Path(example_asset("train.py")).is_file()
    for path in EXAMPLES_DIR.glob("example_*.py"):
        assert "example_asset(" in path.read_text() or path.name in EVENT_DRIVEN, path.name


def test_unknown_asset_fails_naming_it_and_the_choices() -> None:
    with pytest.raises(ValueError, match=r"name 'trian\.py' .*expected one of \[.*'train\.py'\]"):
        example_asset("trian.py")
    with pytest.raises(ValueError, match="name 'model'"):
        example_asset("model")  # a folder is not a file to upload
