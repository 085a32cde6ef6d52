"""Bad-input cases of ``tests/test_bad_input.py`` beyond ids: bodies, states, templates, connections."""

from __future__ import annotations

from bad_input_cases import BOGUS, COMPARTMENT_KIND, JOB_BODY, PROJECT_KIND, SYNC, Case, _c

from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.jobs import (
    DataScienceCreateJobArtifactOperator,
    DataScienceCreateJobOperator,
)
from airflow_ds_provider.operators.model_deployments import DataScienceCreateModelDeploymentOperator
from airflow_ds_provider.operators.models import DataScienceCreateModelOperator
from airflow_ds_provider.operators.notebook_sessions import DataScienceCreateNotebookSessionOperator
from airflow_ds_provider.operators.projects import (
    DataScienceCreateProjectOperator,
    DataScienceDeleteProjectOperator,
    DataScienceUpdateProjectOperator,
)
from airflow_ds_provider.sensors import (
    DataScienceJobRunSensor,
    DataScienceLifecycleSensor,
    DataScienceModelDeploymentSensor,
    DataScienceNotebookSessionSensor,
    DataScienceWorkRequestSensor,
)

OTHER_CASES: list[Case] = [
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
