"""Trigger that waits for a Data Science job run."""

from __future__ import annotations

from airflow_ds_provider.triggers.lifecycle import DEFAULT_CONN_ID, DataScienceLifecycleTrigger


class DataScienceJobRunTrigger(DataScienceLifecycleTrigger):
    """Wait for a job run until it ``SUCCEEDED`` (failure: ``FAILED``, ``CANCELED``, ``NEEDS_ATTENTION``,
    ``DELETED``; the event message carries ``lifecycleDetails``).

    :param job_run_id: OCID of the job run.

    The other parameters are those of :class:`DataScienceLifecycleTrigger`.
    """

    id_arg = "job_run_id"

    def __init__(
        self,
        job_run_id: str,
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
            "job_run",
            job_run_id,
            oci_conn_id=oci_conn_id,
            region=region,
            target_states=target_states,
            failure_states=failure_states,
            poll_interval=poll_interval,
            deadline=deadline,
            not_found_ok=not_found_ok,
            cancel_on_kill=cancel_on_kill,
        )
