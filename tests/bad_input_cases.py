"""The table of bad-input cases run by ``tests/test_bad_input.py``: the case type and the id cases.

The other cases (bodies, states, templates, connections) are in ``bad_input_more_cases.py``.

A :class:`Case` is one task of one operator or sensor with one bad argument (an id, a body, a
state, a number, a template, a connection) and the message its failure must carry: the field's
name and what was expected. ``Ctx`` holds real resources made in the emulator (so a wrong-kind
id names something that exists) and ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airflow_ds_provider.emulator.ids import new_ocid
from airflow_ds_provider.operators.job_runs import (
    DataScienceCancelJobRunOperator,
    DataScienceChangeJobRunCompartmentOperator,
    DataScienceCreateJobRunOperator,
    DataScienceDeleteJobRunOperator,
    DataScienceUpdateJobRunOperator,
)
from airflow_ds_provider.operators.jobs import (
    DataScienceChangeJobCompartmentOperator,
    DataScienceCreateJobArtifactOperator,
    DataScienceCreateJobOperator,
    DataScienceDeleteJobOperator,
    DataScienceUpdateJobOperator,
)
from airflow_ds_provider.operators.model_deployments import (
    DataScienceActivateModelDeploymentOperator,
    DataScienceCreateModelDeploymentOperator,
    DataScienceDeactivateModelDeploymentOperator,
    DataScienceDeleteModelDeploymentOperator,
    DataScienceUpdateModelDeploymentOperator,
)
from airflow_ds_provider.operators.models import (
    DataScienceActivateModelOperator,
    DataScienceChangeModelCompartmentOperator,
    DataScienceCreateModelArtifactOperator,
    DataScienceCreateModelOperator,
    DataScienceCreateModelProvenanceOperator,
    DataScienceDeactivateModelOperator,
    DataScienceDeleteModelOperator,
    DataScienceUpdateModelOperator,
)
from airflow_ds_provider.operators.notebook_sessions import (
    DataScienceActivateNotebookSessionOperator,
    DataScienceCreateNotebookSessionOperator,
    DataScienceDeleteNotebookSessionOperator,
)
from airflow_ds_provider.operators.projects import (
    DataScienceChangeProjectCompartmentOperator,
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
    DataScienceUpdateProjectOperator,
)
from airflow_ds_provider.operators.work_requests import DataScienceCancelWorkRequestOperator

BOGUS = "12345-bogus"
SYNC = {"poll_interval": 0.05, "timeout": 30, "deferrable": False}
JOB_BODY = {
    "jobConfigurationDetails": {"jobType": "DEFAULT"},
    "jobInfrastructureConfigurationDetails": {
        "jobInfrastructureType": "ME_STANDALONE",
        "shapeName": "VM.Standard.E4.Flex",
        "blockStorageSizeInGBs": 50,
    },
}


@dataclass
class Ctx:
    """Resources that exist in the emulator, ids that do not, and a local artifact file."""

    project: str
    job: str
    compartment: str
    artifact: str
    missing: dict[str, str] = field(default_factory=dict)

    def absent(self, kind: str) -> str:
        """A well-formed OCID of ``kind`` that the emulator does not know."""
        return self.missing.setdefault(kind, new_ocid(kind, "us-ashburn-1"))


@dataclass(frozen=True)
class Case:
    """One bad-input task.

    :param id: test id and task id.
    :param group: ``ids``, ``bodies``, ``states``, ``templates`` or ``connection`` (numbers are
        checked at construction: ``tests/test_bad_input.py`` has their table).
    :param cls: the operator or sensor class.
    :param kwargs: its arguments, from the context.
    :param match: a regex the failure's message must match (it names the field and what was expected).
    :param params: DAG params the templates read (or a function of the context giving them).
    """

    id: str
    group: str
    cls: type
    kwargs: Callable[[Ctx], dict[str, Any]]
    match: str
    params: dict[str, Any] | Callable[[Ctx], dict[str, Any]] = field(default_factory=dict)

    def params_for(self, ctx: Ctx) -> dict[str, Any]:
        """The DAG params of this case."""
        return self.params(ctx) if callable(self.params) else dict(self.params)


def _c(
    id: str, group: str, cls: type, kwargs: Callable[[Ctx], dict[str, Any]], match: str, **kw: Any
) -> Case:
    return Case(id, group, cls, kwargs, match, **kw)


PROJECT_KIND = r"the OCID of a project \(ocid1\.datascienceproject\.\.\.\)"
COMPARTMENT_KIND = r"the OCID of a compartment \(ocid1\.compartment\.\.\.\) or tenancy"

ID_CASES: list[Case] = [
    # --- ids: shape and kind, after rendering; deletes of them never end green ------------------
    _c(
        "delete_project_bogus",
        "ids",
        DataScienceDeleteProjectOperator,
        lambda c: {"project_id": BOGUS, **SYNC},
        rf"project_id: expected {PROJECT_KIND}, got '12345-bogus'",
    ),
    _c(
        "delete_project_job_ocid",
        "ids",
        DataScienceDeleteProjectOperator,
        lambda c: {"project_id": c.job, **SYNC},
        rf"project_id: '.*' is the OCID of a job, expected {PROJECT_KIND}",
    ),
    _c(
        "delete_job_project_ocid",
        "ids",
        DataScienceDeleteJobOperator,
        lambda c: {"job_id": c.project, **SYNC},
        r"job_id: '.*' is the OCID of a project, expected the OCID of a job",
    ),
    _c(
        "delete_job_run_bogus",
        "ids",
        DataScienceDeleteJobRunOperator,
        lambda c: {"job_run_id": BOGUS},
        r"job_run_id: expected the OCID of a job_run \(ocid1\.datasciencejobrun",
    ),
    _c(
        "delete_model_deployment_ocid",
        "ids",
        DataScienceDeleteModelOperator,
        lambda c: {"model_id": c.absent("model_deployment"), **SYNC},
        r"model_id: .* is the OCID of a model_deployment, expected the OCID of a model \(",
    ),
    _c(
        "delete_model_deployment_bogus",
        "ids",
        DataScienceDeleteModelDeploymentOperator,
        lambda c: {"model_deployment_id": "ocid1.datasciencemodeldeployment", **SYNC},
        r"model_deployment_id: expected the OCID of a model_deployment .*which is not an OCID",
    ),
    _c(
        "delete_notebook_job_run_ocid",
        "ids",
        DataScienceDeleteNotebookSessionOperator,
        lambda c: {"notebook_session_id": c.absent("job_run"), **SYNC},
        r"notebook_session_id: .* is the OCID of a job_run, expected the OCID of a notebook_session",
    ),
    _c(
        "update_project_blank",
        "ids",
        DataScienceUpdateProjectOperator,
        lambda c: {"project_id": "  ", "description": "x"},
        rf"project_id: expected {PROJECT_KIND}, got '  '",
    ),
    _c(
        "update_job_model_ocid",
        "ids",
        DataScienceUpdateJobOperator,
        lambda c: {"job_id": c.absent("model"), "display_name": "x"},
        r"job_id: .* is the OCID of a model, expected",
    ),
    _c(
        "update_job_run_job_ocid",
        "ids",
        DataScienceUpdateJobRunOperator,
        lambda c: {"job_run_id": c.job, "display_name": "x"},
        r"job_run_id: .* is the OCID of a job, expected",
    ),
    _c(
        "update_model_bogus",
        "ids",
        DataScienceUpdateModelOperator,
        lambda c: {"model_id": BOGUS, "display_name": "x"},
        r"model_id: expected the OCID of a model",
    ),
    _c(
        "activate_model_project_ocid",
        "ids",
        DataScienceActivateModelOperator,
        lambda c: {"model_id": c.project},
        r"model_id: .* is the OCID of a project, expected the OCID of a model",
    ),
    _c(
        "deactivate_model_bogus",
        "ids",
        DataScienceDeactivateModelOperator,
        lambda c: {"model_id": "ocid1..."},
        r"model_id: expected the OCID of a model .*not an OCID",
    ),
    _c(
        "deactivate_deployment_bogus",
        "ids",
        DataScienceDeactivateModelDeploymentOperator,
        lambda c: {"model_deployment_id": BOGUS, **SYNC},
        r"model_deployment_id: expected the OCID of a model_deployment",
    ),
    _c(
        "activate_deployment_model_ocid",
        "ids",
        DataScienceActivateModelDeploymentOperator,
        lambda c: {"model_deployment_id": c.absent("model"), **SYNC},
        r"model_deployment_id: .* is the OCID of a model,",
    ),
    _c(
        "update_deployment_bogus",
        "ids",
        DataScienceUpdateModelDeploymentOperator,
        lambda c: {"model_deployment_id": BOGUS, "display_name": "x", **SYNC},
        r"model_deployment_id: expected the OCID",
    ),
    _c(
        "activate_notebook_job_ocid",
        "ids",
        DataScienceActivateNotebookSessionOperator,
        lambda c: {"notebook_session_id": c.job, **SYNC},
        r"notebook_session_id: .* is the OCID of a job, expected",
    ),
    _c(
        "cancel_job_run_job_ocid",
        "ids",
        DataScienceCancelJobRunOperator,
        lambda c: {"job_run_id": c.job, **SYNC},
        r"job_run_id: .* is the OCID of a job, expected the OCID of a job_run",
    ),
    _c(
        "cancel_work_request_bogus",
        "ids",
        DataScienceCancelWorkRequestOperator,
        lambda c: {"work_request_id": BOGUS, **SYNC},
        r"work_request_id: expected the OCID of a work_request",
    ),
    _c(
        "change_project_compartment_bogus",
        "ids",
        DataScienceChangeProjectCompartmentOperator,
        lambda c: {"project_id": c.project, "compartment_id": BOGUS},
        rf"compartment_id: expected {COMPARTMENT_KIND}",
    ),
    _c(
        "change_job_compartment_project_ocid",
        "ids",
        DataScienceChangeJobCompartmentOperator,
        lambda c: {"job_id": c.job, "compartment_id": c.project},
        rf"compartment_id: .* is the OCID of a project, expected {COMPARTMENT_KIND}",
    ),
    _c(
        "change_job_run_compartment_bogus_run",
        "ids",
        DataScienceChangeJobRunCompartmentOperator,
        lambda c: {"job_run_id": BOGUS, "compartment_id": c.compartment},
        r"job_run_id: expected the OCID of a job_run",
    ),
    _c(
        "change_model_compartment_model_kind",
        "ids",
        DataScienceChangeModelCompartmentOperator,
        lambda c: {"model_id": c.job, "compartment_id": c.compartment},
        r"model_id: .* is the OCID of a job,",
    ),
    _c(
        "create_job_project_is_job",
        "ids",
        DataScienceCreateJobOperator,
        lambda c: {"project_id": c.job, "create_job_details": JOB_BODY, **SYNC},
        r"project_id.*is the OCID of a job, expected the OCID of a project",
    ),
    _c(
        "create_job_compartment_bogus",
        "ids",
        DataScienceCreateJobOperator,
        lambda c: {"project_id": c.project, "compartment_id": BOGUS, "create_job_details": JOB_BODY, **SYNC},
        rf"compartment_id.*expected {COMPARTMENT_KIND}",
    ),
    _c(
        "create_job_run_job_is_project",
        "ids",
        DataScienceCreateJobRunOperator,
        lambda c: {"job_id": c.project, **SYNC},
        r"job_id: .* is the OCID of a project, expected the OCID of a job \(",
    ),
    _c(
        "create_job_run_body_job_is_project",
        "ids",
        DataScienceCreateJobRunOperator,
        lambda c: {"create_job_run_details": {"jobId": c.project}, **SYNC},
        r"job_id: .* is the OCID of a project",
    ),
    _c(
        "create_job_run_project_is_job",
        "ids",
        DataScienceCreateJobRunOperator,
        lambda c: {"job_id": c.job, "project_id": c.job, **SYNC},
        r"project_id .*is the OCID of a job, expected",
    ),
    _c(
        "create_model_project_bogus",
        "ids",
        DataScienceCreateModelOperator,
        lambda c: {"project_id": BOGUS},
        rf"project_id.*expected {PROJECT_KIND}",
    ),
    _c(
        "create_deployment_model_is_job",
        "ids",
        DataScienceCreateModelDeploymentOperator,
        lambda c: {"project_id": c.project, "model_id": c.job, **SYNC},
        r"model_id: .* is the OCID of a job, expected",
    ),
    _c(
        "create_notebook_project_is_job",
        "ids",
        DataScienceCreateNotebookSessionOperator,
        lambda c: {
            "project_id": c.job,
            "create_notebook_session_details": {
                "notebookSessionConfigDetails": {"shape": "VM.Standard.E4.Flex"}
            },
            **SYNC,
        },
        r"project_id.*is the OCID of a job, expected the OCID of a project",
    ),
    _c(
        "create_job_artifact_job_bogus",
        "ids",
        DataScienceCreateJobArtifactOperator,
        lambda c: {"job_id": BOGUS, "artifact_path": c.artifact},
        r"job_id: expected the OCID of a job \(",
    ),
    _c(
        "create_model_artifact_model_is_job",
        "ids",
        DataScienceCreateModelArtifactOperator,
        lambda c: {"model_id": c.job, "artifact_path": c.artifact},
        r"model_id: .* is the OCID of a job",
    ),
    _c(
        "create_model_provenance_bogus",
        "ids",
        DataScienceCreateModelProvenanceOperator,
        lambda c: {"model_id": BOGUS, "create_model_provenance_details": {"gitBranch": "main"}},
        r"model_id: expected the OCID of a model",
    ),
    _c(
        "create_project_body_compartment_is_project",
        "ids",
        DataScienceCreateProjectOperator,
        lambda c: {"create_project_details": {"compartmentId": c.project}},
        r"compartment_id.*is the OCID of a project, expected the OCID of a compartment",
    ),
    _c(
        "create_job_run_job_404",
        "ids",
        DataScienceCreateJobRunOperator,
        lambda c: {"job_id": c.absent("job"), **SYNC},
        r"job_id: job .* does not exist or is not visible",
    ),
]
