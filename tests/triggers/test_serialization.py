"""Every trigger survives serialize() -> Airflow's serde / encrypted storage -> rebuild by classpath."""

from __future__ import annotations

import json

import pytest
from airflow.models.trigger import Trigger
from compat.airflow_parts import deserialize, serialize

from airflow_ds_provider._compat import import_string
from airflow_ds_provider.triggers import (
    DataScienceJobRunTrigger,
    DataScienceLifecycleTrigger,
    DataScienceModelDeploymentTrigger,
    DataScienceNotebookSessionTrigger,
    DataScienceWorkRequestTrigger,
)

COMMON = {
    "oci_conn_id": "oci_other",
    "region": "eu-frankfurt-1",
    "target_states": ["SUCCEEDED", "CANCELED"],
    "failure_states": ["FAILED"],
    "poll_interval": 7.5,
    "deadline": 1_900_000_000.25,
    "not_found_ok": True,
    "cancel_on_kill": True,
}
ACTIVE = {**COMMON, "target_states": ["ACTIVE"], "failure_states": ["FAILED", "DELETED"]}

TRIGGERS = [
    DataScienceLifecycleTrigger("job_run", "ocid1.datasciencejobrun.oc1.iad.a", **COMMON),
    DataScienceLifecycleTrigger("model", "ocid1.datasciencemodel.oc1.iad.m"),
    DataScienceJobRunTrigger("ocid1.datasciencejobrun.oc1.iad.b", **COMMON),
    DataScienceModelDeploymentTrigger("ocid1.datasciencemodeldeployment.oc1.iad.c", **ACTIVE),
    DataScienceWorkRequestTrigger("ocid1.datascienceworkrequest.oc1.iad.d", **COMMON),
    DataScienceNotebookSessionTrigger("ocid1.datasciencenotebooksession.oc1.iad.e", **ACTIVE),
    DataScienceJobRunTrigger("ocid1.datasciencejobrun.oc1.iad.f"),  # defaults only
]


def _same_config(a: DataScienceLifecycleTrigger, b: DataScienceLifecycleTrigger) -> None:
    assert type(a) is type(b)
    for attr in (
        "resource",
        "resource_id",
        "oci_conn_id",
        "region",
        "target_states",
        "failure_states",
        "poll_interval",
        "deadline",
        "not_found_ok",
        "cancel_on_kill",
        "lifecycle",
    ):
        assert getattr(a, attr) == getattr(b, attr), attr


@pytest.mark.parametrize("trigger", TRIGGERS, ids=lambda t: type(t).__name__)
def test_round_trip_through_the_classpath(trigger) -> None:
    classpath, kwargs = trigger.serialize()
    assert classpath == f"{type(trigger).__module__}.{type(trigger).__qualname__}"
    assert json.loads(json.dumps(kwargs)) == kwargs  # plain JSON only
    rebuilt = import_string(classpath)(**kwargs)
    assert rebuilt.serialize() == (classpath, kwargs)
    _same_config(trigger, rebuilt)


@pytest.mark.parametrize("trigger", TRIGGERS, ids=lambda t: type(t).__name__)
def test_round_trip_through_airflow_serde_and_trigger_storage(trigger) -> None:
    """As the worker defers (sdk serde) and the scheduler stores the row (encrypted kwargs)."""
    classpath, kwargs = trigger.serialize()
    on_the_wire = serialize(kwargs)
    json.dumps(on_the_wire)
    assert deserialize(on_the_wire) == kwargs
    stored = Trigger._decrypt_kwargs(Trigger.encrypt_kwargs(deserialize(on_the_wire)))
    assert stored == kwargs
    rebuilt = import_string(classpath)(**stored)
    assert rebuilt.serialize() == (classpath, kwargs)
    _same_config(trigger, rebuilt)


def test_thin_triggers_name_their_id_argument() -> None:
    assert TRIGGERS[2].serialize()[1]["job_run_id"] == "ocid1.datasciencejobrun.oc1.iad.b"
    assert "resource" not in TRIGGERS[2].serialize()[1]
    assert TRIGGERS[3].resource == "model_deployment"
    assert TRIGGERS[4].resource == "work_request"
    assert TRIGGERS[5].resource == "notebook_session"
