"""Trigger that waits for a Data Science model deployment."""

from __future__ import annotations

from airflow_ds_provider.triggers.lifecycle import DEFAULT_CONN_ID, DataScienceLifecycleTrigger


class DataScienceModelDeploymentTrigger(DataScienceLifecycleTrigger):
    """Wait for a model deployment until it is ``ACTIVE`` (failure: ``FAILED``, ``NEEDS_ATTENTION``, ``DELETED``;
    the event message carries ``lifecycleDetails``).

    :param model_deployment_id: OCID of the model deployment.

    The other parameters are those of :class:`DataScienceLifecycleTrigger`.
    """

    id_arg = "model_deployment_id"

    def __init__(
        self,
        model_deployment_id: str,
        oci_conn_id: str = DEFAULT_CONN_ID,
        region: str | None = None,
        target_states: list[str] | None = None,
        failure_states: list[str] | None = None,
        poll_interval: float = 30.0,
        deadline: float | None = None,
        not_found_ok: bool = False,
        cancel_on_kill: bool = False,
    ) -> None:
        super().__init__(
            "model_deployment",
            model_deployment_id,
            oci_conn_id=oci_conn_id,
            region=region,
            target_states=target_states,
            failure_states=failure_states,
            poll_interval=poll_interval,
            deadline=deadline,
            not_found_ok=not_found_ok,
            cancel_on_kill=cancel_on_kill,
        )
