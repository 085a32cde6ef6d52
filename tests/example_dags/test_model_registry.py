"""``example_ds_model_registry`` end to end through ``dag.test()`` against the emulator."""

from __future__ import annotations

import base64
import hashlib

from ._helpers import ASSETS_DIR, created, deferred_tasks, leftovers

DAG_ID = "example_ds_model_registry"
TEARDOWNS = ("delete_deployment", "delete_version_set", "delete_job", "delete_project")
#: What the DAG makes besides the kinds ``_helpers`` tracks.
REGISTRY_KINDS = ("model_version_set",)


def _registry_leftovers(emu) -> dict[str, list[str]]:
    found = {
        kind: [r["id"] for r in emu.list(kind) if r["lifecycleState"] != "DELETED"] for kind in REGISTRY_KINDS
    }
    return {kind: ids for kind, ids in found.items() if ids}


def test_trains_registers_a_version_deploys_it_and_deletes_everything(example_dagbag, run_dag, emu, caplog):
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf={"version_label": "v7"})

    assert result.state == "success", result.task_states()
    assert set(result.task_states().values()) == {"success"}
    assert created(emu) == {"project": 1, "job": 1, "job_run": 1, "model": 1, "model_deployment": 1}
    assert len(emu.list("model_version_set")) == 1
    assert leftovers(emu) == {} and _registry_leftovers(emu) == {}

    version_set = result.xcom("create_version_set")
    model = result.xcom("register_version")
    assert (model["versionId"], model["versionLabel"], model["modelVersionSetId"]) == (
        1,
        "v7",
        version_set["id"],
    )
    assert model["lifecycleState"] == "ACTIVE" and model["displayName"] == "linear-model-v7"
    assert result.xcom("register_version", "version_id") == 1
    assert result.xcom("register_version", "version_label") == "v7"
    assert result.xcom("register_version", "model_version_set_id") == version_set["id"]
    assert result.xcom("train")["lifecycleState"] == "SUCCEEDED"
    assert result.xcom("record_provenance")["trainingId"] == result.xcom("train", "resource_id")
    deployment = result.xcom("deploy")
    assert deployment["lifecycleState"] == "ACTIVE"
    assert (
        deployment["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]["modelId"]
        == model["id"]
    )
    assert deferred_tasks(caplog.messages) == ["train", "deploy"]
    # the artifact registered is the zip shipped in the package
    zip_path = ASSETS_DIR / "model_artifact.zip"
    digest = base64.b64encode(hashlib.md5(zip_path.read_bytes(), usedforsecurity=False).digest()).decode()
    assert emu.store.artifacts[model["id"]].md5_b64 == digest
    ops = [r["operation"] for r in emu.requests if r["method"] in ("POST", "PUT", "DELETE")]
    assert ops.count("create_model") == 1 and ops.count("create_model_artifact") == 1
    assert ops.index("delete_model_deployment") < ops.index("delete_model_version_set")
    assert ops.index("delete_model_version_set") < ops.index("delete_job") < ops.index("delete_project")
    assert emu.get(model["id"])["lifecycleState"] == "DELETED"  # taken along by the version set


def test_a_failed_training_run_registers_nothing_and_still_cleans_up(example_dagbag, run_dag, emu):
    conf = {"training_freeform_tags": {"emulator-outcome": "FAILED", "emulator-details": "training diverged"}}
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf=conf)

    states = result.task_states()
    assert result.state == "failed", states
    assert states["train"] == "failed"
    assert states["register_version"] == states["deploy"] == "upstream_failed"
    assert states["delete_deployment"] == "upstream_failed"  # its setup never ran: nothing was deployed
    assert {t: states[t] for t in TEARDOWNS[1:]} == dict.fromkeys(TEARDOWNS[1:], "success")
    assert emu.list("model") == [] and emu.list("model_deployment") == []
    assert len(emu.list("model_version_set")) == 1
    assert leftovers(emu) == {} and _registry_leftovers(emu) == {}
