"""The one OCID table and the shape-and-kind check every operator, sensor, trigger and the emulator use."""

from __future__ import annotations

import pytest

from airflow_ds_provider.emulator.ids import global_ocid, new_ocid
from airflow_ds_provider.lifecycle import LIFECYCLES
from airflow_ds_provider.ocids import OCID_TYPES, argument_kinds, is_ocid_argument, kind_of, validate_ocid
from airflow_ds_provider.operators._body import check_body_ocids, require_ocid, require_str


@pytest.mark.parametrize("kind", list(LIFECYCLES))
def test_the_emulator_mints_ocids_from_the_same_table(kind: str) -> None:
    ocid = new_ocid(kind, "us-ashburn-1")
    assert ocid.startswith(f"ocid1.{LIFECYCLES[kind].ocid_type}.oc1.iad.")
    assert kind_of(ocid) == kind
    assert validate_ocid(ocid, f"{kind}_id") == ocid


@pytest.mark.parametrize(
    ("field", "kinds"),
    [
        ("project_id", ("project",)),
        ("job_run_id", ("job_run",)),
        ("model_deployment_id", ("model_deployment",)),
        ("work_request_id", ("work_request",)),
        ("compartment_id", ("compartment", "tenancy")),
        ("log_group_id", ("log_group",)),
        ("subnet_id", ("subnet",)),
        ("projectId", ("project",)),
        ("logGroupId", ("log_group",)),
        ("create_job_run_details.jobId", ("job",)),
        ("some_id", ()),
        ("artifact_path", ()),
    ],
)
def test_the_kind_comes_from_the_argument_name(field: str, kinds: tuple[str, ...]) -> None:
    assert argument_kinds(field) == kinds


def test_shape_kind_and_messages() -> None:
    compartment = global_ocid("compartment")
    assert validate_ocid(f"  {compartment} ", "compartment_id") == compartment
    assert validate_ocid(global_ocid("tenancy"), "compartment_id").startswith("ocid1.tenancy.oc1..")
    assert validate_ocid("ocid1.instance.oc1.iad.abc", "some_id") == "ocid1.instance.oc1.iad.abc"
    assert validate_ocid("ocid1.datasciencejob.oc1.iad.future.abc", "job_id")  # a future-use segment
    for bad in (
        "12345-bogus",
        "ocid1.datasciencejob",
        "ocid1.datasciencejob.oc1.iad.",
        "ocid2.x.oc1..y",
        "ocid1.x.oc1..a/b",
    ):
        with pytest.raises(
            ValueError,
            match=r"^job_id: expected the OCID of a job \(ocid1\.datasciencejob\.\.\.\), got .*not an OCID",
        ):
            validate_ocid(bad, "job_id")
    for empty in (None, "", "   ", 3):
        with pytest.raises(ValueError, match=r"^project_id: expected the OCID of a project"):
            validate_ocid(empty, "project_id")
    with pytest.raises(
        ValueError,
        match=r"compartment_id: '.*' is the OCID of a project, expected the OCID of a compartment \(ocid1\.compartment\.\.\.\) or tenancy",
    ):
        validate_ocid(new_ocid("project", "us-ashburn-1"), "compartment_id")
    with pytest.raises(ValueError, match=r"is the OCID of a instance, expected"):
        validate_ocid("ocid1.instance.oc1.iad.abc", "job_id")
    with pytest.raises(ValueError, match="unknown resource kind"):
        validate_ocid(compartment, "x", ["no_such_kind"])
    assert set(OCID_TYPES) >= set(LIFECYCLES)


def test_operator_helpers() -> None:
    assert is_ocid_argument("job_id") and is_ocid_argument("jobId") and not is_ocid_argument("artifact_path")
    assert require_str(" a.py ", "artifact_path") == "a.py"
    with pytest.raises(ValueError, match="artifact_path: expected a non-empty string, got ''"):
        require_str("", "artifact_path")
    with pytest.raises(ValueError, match=r"job_id: '.*' is the OCID of a project"):
        require_str(new_ocid("project", "us-ashburn-1"), "job_id")
    assert require_ocid(new_ocid("job", "us-ashburn-1"), "source", ["job"]).startswith(
        "ocid1.datasciencejob."
    )
    project = new_ocid("project", "us-ashburn-1")
    check_body_ocids({"projectId": project, "displayName": "x", "jobId": "", "count": 3}, "details")
    with pytest.raises(ValueError, match=r"^project_id \(details\.projectId\): '.*' is the OCID of a job"):
        check_body_ocids({"projectId": new_ocid("job", "us-ashburn-1")}, "details")
    check_body_ocids({"sourceId": "anything"}, "details")  # a name the table does not know: left alone
