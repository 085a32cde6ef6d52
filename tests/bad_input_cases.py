"""The table of bad-input cases run by ``tests/test_bad_input.py``.

A :class:`Case` is one task of one operator or sensor with one bad argument (an id, a body, a
state, a number, a template, a connection) and the message its failure must carry: the field's
name and what was expected. ``Ctx`` holds real resources made in the emulator (so a wrong-kind
id names something that exists) and ids that do not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from airflow_ds_provider.emulator.timeutil import new_ocid
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
from airflow_ds_provider.sensors import (
    DataScienceJobRunSensor,
    DataScienceLifecycleSensor,
    DataScienceModelDeploymentSensor,
    DataScienceNotebookSessionSensor,
    DataScienceWorkRequestSensor,
)

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

CASES: list[Case] = [
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
    # --- request bodies ---------------------------------------------------------------------------
    _c(
        "create_project_body_is_a_list",
        "bodies",
        DataScienceCreateProjectOperator,
        lambda c: {"create_project_details": "[1, 2]"},
        r"create_project_details: expected a JSON object",
    ),
    _c(
        "create_project_body_invalid_json",
        "bodies",
        DataScienceCreateProjectOperator,
        lambda c: {"create_project_details": '{"displayName": '},
        r"create_project_details: .*invalid JSON",
    ),
    _c(
        "create_project_body_typo",
        "bodies",
        DataScienceCreateProjectOperator,
        lambda c: {"create_project_details": {"displayNme": "x"}},
        r"create_project_details: unknown field\(s\) \['displayNme'\].*expected some of",
    ),
    _c(
        "create_job_missing_project",
        "bodies",
        DataScienceCreateJobOperator,
        lambda c: {"create_job_details": JOB_BODY, **SYNC},
        r"CreateJobDetails\.projectId is required",
    ),
    _c(
        "create_job_bad_enum",
        "bodies",
        DataScienceCreateJobOperator,
        lambda c: {
            "project_id": c.project,
            "create_job_details": {**JOB_BODY, "jobConfigurationDetails": {"jobType": "NOPE"}},
            **SYNC,
        },
        r"jobType:? must be one of \['DEFAULT', 'EMPTY'\], got 'NOPE'",
    ),
    _c(
        "create_job_run_tags_not_a_dict",
        "bodies",
        DataScienceCreateJobRunOperator,
        lambda c: {"job_id": c.job, "create_job_run_details": {"freeformTags": "a=b"}, **SYNC},
        r"freeform_tags: expected a dict",
    ),
    _c(
        "create_job_run_body_typo",
        "bodies",
        DataScienceCreateJobRunOperator,
        lambda c: {"job_id": c.job, "create_job_run_details": {"jobTyp": "x"}, **SYNC},
        r"create_job_run_details: unknown field\(s\) \['jobTyp'\]",
    ),
    _c(
        "update_project_unknown_field",
        "bodies",
        DataScienceUpdateProjectOperator,
        lambda c: {"project_id": c.project, "update_project_details": {"name": "x"}},
        r"update_project_details: unknown field\(s\) \['name'\]",
    ),
    _c(
        "create_deployment_bad_type",
        "bodies",
        DataScienceCreateModelDeploymentOperator,
        lambda c: {
            "project_id": c.project,
            "create_model_deployment_details": {
                "modelDeploymentConfigurationDetails": {"deploymentType": "MANY_MODELS"}
            },
            **SYNC,
        },
        r"deploymentType",
    ),
    _c(
        "create_notebook_unknown_field",
        "bodies",
        DataScienceCreateNotebookSessionOperator,
        lambda c: {"project_id": c.project, "create_notebook_session_details": {"shape": "x"}, **SYNC},
        r"create_notebook_session_details: unknown field\(s\) \['shape'\]",
    ),
    _c(
        "create_job_artifact_missing_file",
        "bodies",
        DataScienceCreateJobArtifactOperator,
        lambda c: {"job_id": c.job, "artifact_path": "/nonexistent/train.py"},
        r"artifact_path: expected an existing file",
    ),
    _c(
        "create_model_body_not_an_object",
        "bodies",
        DataScienceCreateModelOperator,
        lambda c: {"project_id": c.project, "create_model_details": "42"},
        r"create_model_details: expected a JSON object",
    ),
    # --- states -----------------------------------------------------------------------------------
    _c(
        "job_run_sensor_unknown_target",
        "states",
        DataScienceJobRunSensor,
        lambda c: {"job_run_id": c.absent("job_run"), "target_states": ["DONE"]},
        r"target_states: unknown job_run state\(s\) \['DONE'\]; expected some of \['ACCEPTED'",
    ),
    _c(
        "job_run_sensor_failure_states_not_a_list",
        "states",
        DataScienceJobRunSensor,
        lambda c: {"job_run_id": c.absent("job_run"), "failure_states": 3},
        r"failure_states: expected a list of job_run states",
    ),
    _c(
        "job_run_sensor_state_in_both",
        "states",
        DataScienceJobRunSensor,
        lambda c: {
            "job_run_id": c.absent("job_run"),
            "target_states": ["FAILED"],
            "failure_states": ["FAILED"],
        },
        r"both target_states and failure_states",
    ),
    _c(
        "generic_sensor_state_of_another_resource",
        "states",
        DataScienceLifecycleSensor,
        lambda c: {"resource": "job", "resource_id": c.job, "target_states": ["SUCCEEDED"]},
        r"target_states: unknown job state\(s\) \['SUCCEEDED'\]",
    ),
    _c(
        "work_request_sensor_unknown_failure",
        "states",
        DataScienceWorkRequestSensor,
        lambda c: {"work_request_id": c.absent("work_request"), "failure_states": ["FAILURE"]},
        r"failure_states: unknown work_request state\(s\) \['FAILURE'\]",
    ),
    _c(
        "deployment_sensor_empty_targets",
        "states",
        DataScienceModelDeploymentSensor,
        lambda c: {"model_deployment_id": c.absent("model_deployment"), "target_states": []},
        r"target_states: expected at least one of",
    ),
    _c(
        "deferrable_sensor_unknown_state",
        "states",
        DataScienceJobRunSensor,
        lambda c: {"job_run_id": c.absent("job_run"), "target_states": ["FINISHED"], "deferrable": True},
        r"target_states: unknown job_run state\(s\) \['FINISHED'\]",
    ),
    # --- sensed ids: malformed, wrong kind, or a 404 (fails at once, naming the argument) -----------
    _c(
        "job_run_sensor_bogus",
        "ids",
        DataScienceJobRunSensor,
        lambda c: {"job_run_id": BOGUS},
        r"job_run_id: expected the OCID of a job_run",
    ),
    _c(
        "job_run_sensor_job_ocid",
        "ids",
        DataScienceJobRunSensor,
        lambda c: {"job_run_id": c.job},
        r"job_run_id: .* is the OCID of a job, expected the OCID of a job_run",
    ),
    _c(
        "notebook_sensor_404",
        "ids",
        DataScienceNotebookSessionSensor,
        lambda c: {"notebook_session_id": c.absent("notebook_session")},
        r"notebook_session_id: notebook_session .* was not found or is not visible",
    ),
    _c(
        "job_run_sensor_404",
        "ids",
        DataScienceJobRunSensor,
        lambda c: {"job_run_id": c.absent("job_run")},
        r"job_run_id: job_run .* was not found",
    ),
    _c(
        "deferrable_sensor_404",
        "ids",
        DataScienceModelDeploymentSensor,
        lambda c: {"model_deployment_id": c.absent("model_deployment"), "deferrable": True},
        r"model_deployment_id: model_deployment .* was not found",
    ),
    _c(
        "work_request_sensor_project_ocid",
        "ids",
        DataScienceWorkRequestSensor,
        lambda c: {"work_request_id": c.project},
        r"work_request_id: .* is the OCID of a project, expected",
    ),
    _c(
        "generic_sensor_bogus",
        "ids",
        DataScienceLifecycleSensor,
        lambda c: {"resource": "model", "resource_id": BOGUS},
        r"resource_id: expected the OCID of a model",
    ),
    # --- templates: validated after rendering -------------------------------------------------------
    _c(
        "templated_project_id",
        "templates",
        DataScienceDeleteProjectOperator,
        lambda c: {"project_id": "{{ params.pid }}", **SYNC},
        rf"project_id: expected {PROJECT_KIND}, got 'not-an-ocid'",
        params={"pid": "not-an-ocid"},
    ),
    _c(
        "templated_job_id_renders_empty",
        "templates",
        DataScienceCreateJobRunOperator,
        lambda c: {"job_id": "{{ params.missing | default('') }}", **SYNC},
        r"job_id: expected the OCID of a job",
    ),
    _c(
        "templated_body_invalid_json",
        "templates",
        DataScienceCreateProjectOperator,
        lambda c: {"create_project_details": '{"displayName": "{{ params.name }}"'},
        r"create_project_details: .*invalid JSON",
        params={"name": "x"},
    ),
    _c(
        "templated_sensor_states",
        "templates",
        DataScienceModelDeploymentSensor,
        lambda c: {
            "model_deployment_id": c.absent("model_deployment"),
            "target_states": "{{ params.state }}",
        },
        r"target_states: unknown model_deployment state\(s\) \['ACTIV'\]",
        params={"state": "ACTIV"},
    ),
    _c(
        "templated_sensor_id",
        "templates",
        DataScienceNotebookSessionSensor,
        lambda c: {"notebook_session_id": "{{ params.nb }}"},
        r"notebook_session_id: .* is the OCID of a job",
        params=lambda c: {"nb": c.job},
    ),
    _c(
        "templated_region_typo",
        "templates",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_no_endpoint", "region": "{{ params.region }}"},
        r"region: 'us-ashbrun-1' is not a known OCI region; did you mean 'us-ashburn-1'",
        params={"region": "us-ashbrun-1"},
    ),
    _c(
        "templated_compartment",
        "templates",
        DataScienceCreateModelOperator,
        lambda c: {"project_id": c.project, "compartment_id": "{{ params.comp }}"},
        rf"compartment_id.*{COMPARTMENT_KIND}",
        params={"comp": "ocid1.compartment"},
    ),
    # --- connections --------------------------------------------------------------------------------
    _c(
        "connection_region_typo",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_region_typo"},
        r"region: 'us-ashbrun-1' is not a known OCI region; did you mean 'us-ashburn-1'",
    ),
    _c(
        "connection_region_typo_sensor",
        "connection",
        DataScienceJobRunSensor,
        lambda c: {"oci_conn_id": "ds_region_typo", "job_run_id": c.absent("job_run")},
        r"region: 'us-ashbrun-1' is not a known OCI region",
    ),
    _c(
        "connection_endpoint_without_scheme",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_bad_endpoint"},
        r"endpoint: must be an absolute URL starting with http://",
    ),
    _c(
        "connection_no_region_no_endpoint",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_no_region"},
        r"region: is required when no endpoint is given",
    ),
    _c(
        "connection_unknown_auth_type",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_bad_auth_type"},
        r"auth_type",
    ),
    _c(
        "connection_key_not_a_pem",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_bad_key"},
        r"private_key|key_content|key",
    ),
    _c(
        "connection_bad_fingerprint",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_bad_fingerprint"},
        r"fingerprint",
    ),
    _c(
        "connection_encrypted_key_wrong_pass_phrase",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_wrong_pass_phrase"},
        r"pass_phrase",
    ),
    _c(
        "connection_max_attempts_text",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_bad_max_attempts"},
        r"max_attempts",
    ),
    _c(
        "connection_missing",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_does_not_exist"},
        r"ds_does_not_exist",
    ),
    _c(
        "connection_compartment_extra_malformed",
        "connection",
        DataScienceCreateProjectOperator,
        lambda c: {"oci_conn_id": "ds_bad_compartment"},
        r"compartment_id",
    ),
]
