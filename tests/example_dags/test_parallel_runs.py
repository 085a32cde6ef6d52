"""``example_ds_parallel_runs`` end to end through ``dag.test()`` against the emulator."""

from __future__ import annotations

from ._helpers import created, deferred_tasks, leftovers

DAG_ID = "example_ds_parallel_runs"
SETS = [{"LEARNING_RATE": "0.05"}, {"LEARNING_RATE": "0.5", "SEED": "7"}]


def test_one_deferred_run_per_hyperparameter_set_then_summary(example_dagbag, run_dag, emu, caplog):
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf={"hyperparameters": SETS})

    states = result.task_states()
    assert result.state == "success", states
    assert {k: v for k, v in states.items() if k.startswith("train")} == {
        "train[0]": "success",
        "train[1]": "success",
    }
    runs = {r["id"]: r for r in emu.list("job_run")}
    assert len(runs) == 2
    assert leftovers(emu) == {}
    # Each mapped task started one run with its own environment and returned it.
    for index, env in enumerate(SETS):
        run = result.xcom("train", map_index=index)
        assert run["lifecycleState"] == "SUCCEEDED"
        assert runs[run["id"]]["jobConfigurationOverrideDetails"]["environmentVariables"] == env
        assert runs[run["id"]]["freeformTags"]["sweep-index"] == str(index)
        assert runs[run["id"]]["freeformTags"]["airflow-map-index"] == str(index)
    # each mapped run deferred exactly once, in whatever order the mapped tasks ran
    assert sorted(deferred_tasks(caplog.messages)) == ["train[0]", "train[1]"]
    summary = result.xcom("summarize")
    assert [(row["state"], row["environment"]) for row in summary] == [("SUCCEEDED", env) for env in SETS]


def test_summary_fails_the_dag_run_when_runs_fail(example_dagbag, run_dag, emu):
    conf = {"hyperparameters": SETS[:1], "run_freeform_tags": {"emulator-outcome": "FAILED"}}
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf=conf)

    states = result.task_states()
    assert result.state == "failed", states
    assert states["train[0]"] == "failed"
    assert states["summarize"] == "failed"
    assert (states["delete_job"], states["delete_project"]) == ("success", "success")
    assert created(emu) == {"project": 1, "job": 1, "job_run": 1}
    assert leftovers(emu) == {}
