"""``example_ds_model_deployment`` end to end through ``dag.test()`` against the emulator."""

from __future__ import annotations

import base64
import hashlib

from ._helpers import ASSETS_DIR, created, deferred_tasks, leftovers

DAG_ID = "example_ds_model_deployment"
TEARDOWNS = ("delete_deployment", "delete_model", "delete_project")


def test_deploys_checks_deactivates_and_deletes_everything(example_dagbag, run_dag, emu, caplog):
    result = run_dag(example_dagbag.dags[DAG_ID])

    assert result.state == "success", result.task_states()
    assert set(result.task_states().values()) == {"success"}
    assert created(emu) == {"project": 1, "model": 1, "model_deployment": 1}
    assert leftovers(emu) == {}

    model_id = result.xcom("create_model", "resource_id")
    deployment = result.xcom("create_deployment")
    assert deployment["lifecycleState"] == "ACTIVE"
    config = deployment["modelDeploymentConfigurationDetails"]["modelConfigurationDetails"]
    assert config["modelId"] == model_id
    assert config["instanceConfiguration"]["instanceShapeName"] == "VM.Standard.E4.Flex"
    assert result.xcom("create_deployment", "console_url").startswith(
        "https://cloud.oracle.com/data-science/model-deployments/" + deployment["id"]
    )
    assert deferred_tasks(caplog.messages) == ["create_deployment"]
    assert result.xcom("deployment_is_active")["lifecycleState"] == "ACTIVE"
    assert result.xcom("deactivate_deployment")["lifecycleState"] == "INACTIVE"
    # The artifact uploaded is the zip shipped in the package.
    zip_path = ASSETS_DIR / "model_artifact.zip"
    artifact = result.xcom("upload_artifact")
    assert (
        artifact["contentMd5"]
        == base64.b64encode(hashlib.md5(zip_path.read_bytes(), usedforsecurity=False).digest()).decode()
    )
    assert artifact["contentLength"] == zip_path.stat().st_size
    provenance = result.xcom("record_provenance")
    assert provenance["gitBranch"] == "main" and provenance["trainingScript"] == "train.py"
    # Deactivate then delete, in that order, each once.
    ops = [r["operation"] for r in emu.requests if r["method"] in ("POST", "DELETE", "PUT")]
    assert ops.index("deactivate_model_deployment") < ops.index("delete_model_deployment")
    assert ops.index("delete_model_deployment") < ops.index("delete_model") < ops.index("delete_project")
    assert ops.count("create_model_deployment") == 1


def test_failed_deployment_fails_the_dag_run_but_still_cleans_up(example_dagbag, run_dag, emu):
    conf = {
        "deployment_freeform_tags": {
            "emulator-outcome": "FAILED",
            "emulator-details": "the container did not pass its health check",
        }
    }
    result = run_dag(example_dagbag.dags[DAG_ID], run_conf=conf)

    states = result.task_states()
    assert result.state == "failed", states
    assert states["create_deployment"] == "failed"
    assert states["deployment_is_active"] == "upstream_failed"
    assert states["deactivate_deployment"] == "upstream_failed"
    assert {t: states[t] for t in TEARDOWNS} == dict.fromkeys(TEARDOWNS, "success")
    [deployment] = emu.list("model_deployment")
    assert deployment["lifecycleState"] == "DELETED"
    assert created(emu) == {"project": 1, "model": 1, "model_deployment": 1}
    assert leftovers(emu) == {}
