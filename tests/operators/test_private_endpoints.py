"""Data Science private endpoint operators against the emulator, in DAGs and directly."""

from __future__ import annotations

import pytest
from airflow.sdk import DAG

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider.operators.private_endpoints import (
    DataScienceChangePrivateEndpointCompartmentOperator,
    DataScienceCreatePrivateEndpointOperator,
    DataScienceDeletePrivateEndpointOperator,
    DataScienceUpdatePrivateEndpointOperator,
)

from ._models_helpers import START, operations, run_deferred
from .conftest import FAST, OTHER_COMPARTMENT, make_context

SUBNET = "ocid1.subnet.oc1.iad.amaaaaaaendpointsubnet"
NSG = "ocid1.networksecuritygroup.oc1.iad.amaaaaaansg"
PEID = "{{ ti.xcom_pull(task_ids='create', key='resource_id') }}"
MODES = pytest.mark.parametrize("deferrable", [False, True], ids=["sync", "deferrable"])


def _create(**kwargs):
    return DataScienceCreatePrivateEndpointOperator(
        task_id="create", subnet_id=SUBNET, data_science_resource_type="NOTEBOOK_SESSION", **kwargs
    )


@MODES
def test_private_endpoint_lifecycle_in_a_dag(ds, run_dag, deferrable) -> None:
    dag_id = f"ds_private_endpoints_{deferrable}"
    with DAG(dag_id, schedule=None, start_date=START) as dag:
        wait = {"deferrable": deferrable, **FAST}
        create = _create(sub_domain="nb-{{ ds_nodash }}", display_name="pe", **wait)
        update = DataScienceUpdatePrivateEndpointOperator(
            task_id="update",
            data_science_private_endpoint_id=PEID,
            nsg_ids=[NSG],
            description="locked",
            **wait,
        )
        move = DataScienceChangePrivateEndpointCompartmentOperator(
            task_id="move", data_science_private_endpoint_id=PEID, compartment_id=OTHER_COMPARTMENT
        )
        delete = DataScienceDeletePrivateEndpointOperator(
            task_id="delete", data_science_private_endpoint_id=PEID, **wait
        )
        create >> update >> move >> delete
    result = run_dag(dag)

    assert result.state == "success", result.task_states()
    peid = result.xcom("create", "resource_id")
    created = result.xcom("create")
    assert created["id"] == peid and created["lifecycleState"] == "ACTIVE"
    assert created["fqdn"].startswith("nb-20") and created["subnetId"] == SUBNET
    assert created["compartmentId"] == ds.compartment
    assert created["freeformTags"]["airflow-dag-id"] == dag_id
    assert "/data-science/private-endpoints/" in result.xcom("create", "console_url")
    updated = result.xcom("update")
    assert (updated["lifecycleState"], updated["nsgIds"], updated["description"]) == (
        "ACTIVE",
        [NSG],
        "locked",
    )
    assert result.xcom("move")["compartmentId"] == OTHER_COMPARTMENT
    assert ds.emu.get(peid)["lifecycleState"] == "DELETED"
    assert len(operations(ds.emu, "update_data_science_private_endpoint")) == 1


def test_a_failed_update_ends_needs_attention_and_fails_with_its_details(ds) -> None:
    tags = {"emulator-fail-actions": "update", "emulator-details": "subnet is full"}
    op = _create(freeform_tags=tags, **FAST)
    peid = op.execute(make_context(op))["id"]
    update = DataScienceUpdatePrivateEndpointOperator(
        task_id="update", data_science_private_endpoint_id=peid, display_name="x", **FAST
    )
    with pytest.raises(AirflowFailException, match="subnet is full"):
        update.execute(make_context(update))
    assert ds.emu.get(peid)["lifecycleState"] == "NEEDS_ATTENTION"
    # NEEDS_ATTENTION is a state an update may start from: a second update repairs it
    fixed = {**tags, "emulator-fail-actions": "create"}  # (already done: nothing fails now)
    retry = DataScienceUpdatePrivateEndpointOperator(
        task_id="update", data_science_private_endpoint_id=peid, freeform_tags=fixed, **FAST
    )
    assert retry.execute(make_context(retry))["lifecycleState"] == "ACTIVE"


def test_a_failed_create_fails_the_task_with_its_details(ds) -> None:
    op = _create(freeform_tags={"emulator-fail-actions": "create", "emulator-details": "no capacity"}, **FAST)
    with pytest.raises(AirflowFailException, match="no capacity"):
        op.execute(make_context(op))


def test_create_defers_and_resumes_with_the_active_endpoint(ds) -> None:
    op = _create(deferrable=True, **FAST)
    context = make_context(op)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    trigger = deferred.value.trigger
    assert type(trigger).__name__ == "DataScienceLifecycleTrigger"
    assert trigger.resource_id == context["ti"].xcoms["resource_id"]
    assert run_deferred(op, context, deferred.value)["lifecycleState"] == "ACTIVE"


def test_updating_a_deleted_endpoint_fails_naming_the_state(ds) -> None:
    op = _create(**FAST)
    peid = op.execute(make_context(op))["id"]
    ds.emu.set_state(peid, "DELETED")
    update = DataScienceUpdatePrivateEndpointOperator(
        task_id="update", data_science_private_endpoint_id=peid, display_name="x", **FAST
    )
    with pytest.raises(
        AirflowFailException, match=r"data_science_private_endpoint_id: cannot update .* DELETED"
    ):
        update.execute(make_context(update))
    assert operations(ds.emu, "update_data_science_private_endpoint") == []


@pytest.mark.parametrize(
    ("operator", "kwargs", "message"),
    [
        (
            DataScienceCreatePrivateEndpointOperator,
            {"data_science_resource_type": "NOTEBOOK_SESSION"},
            r"CreateDataSciencePrivateEndpointDetails\.subnetId is required",
        ),
        (
            DataScienceCreatePrivateEndpointOperator,
            {"subnet_id": SUBNET, "data_science_resource_type": "JOB"},
            r"dataScienceResourceType.*'MODEL_DEPLOYMENT'",
        ),
        (
            DataScienceCreatePrivateEndpointOperator,
            {"subnet_id": "ocid1.datasciencejob.oc1.iad.j", "data_science_resource_type": "NOTEBOOK_SESSION"},
            r"subnetId",
        ),
        (
            DataScienceUpdatePrivateEndpointOperator,
            {"data_science_private_endpoint_id": "ocid1.datascienceprivateendpoint.oc1.iad.pe"},
            "update_data_science_private_endpoint_details: nothing to update",
        ),
        (
            DataScienceDeletePrivateEndpointOperator,
            {"data_science_private_endpoint_id": "ocid1.datasciencejob.oc1.iad.j"},
            r"^data_science_private_endpoint_id: .* is the OCID of a job",
        ),
    ],
)
def test_bad_input_fails_before_any_request_naming_the_field(ds, operator, kwargs, message) -> None:
    op = operator(task_id="t", **kwargs)
    ds.emu.clear_requests()
    with pytest.raises(ValueError, match=message):
        op.execute(make_context(op))
    assert ds.emu.requests == []
