"""Each optional Airflow feature: used where the running Airflow has it, its fallback where not.

Which behaviour a version must show comes from :mod:`compat.features` (the release notes), not
from the flags under test. The end-to-end cells (``dag.test()`` over real HTTP) are in the
resource test folders; ``docs/COMPATIBILITY.md`` names them.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_ds_provider._compat import AirflowFailException, TaskDeferred
from airflow_ds_provider._retry_policy import FAIL_AT_ONCE_ATTR, MissingResourceError, fail_at_once
from airflow_ds_provider.client.errors import BadRequestError, ConfigurationError
from airflow_ds_provider.get_provider_info import connection_type
from airflow_ds_provider.hooks.data_science import DataScienceHook
from airflow_ds_provider.operators.job_runs import DataScienceCreateJobRunOperator
from airflow_ds_provider.operators.projects import DataScienceCreateProjectOperator
from airflow_ds_provider.sensors.job_runs import DataScienceJobRunSensor
from compat.features import has

RUN = "ocid1.datasciencejobrun.oc1.iad.amaaaaaanotthere"
JOB = "ocid1.datasciencejob.oc1.iad.amaaaaaanotthere"


# --- bad input: retry policy (3.3) or the operator's own AirflowFailException ----------------------


@pytest.mark.parametrize("cls", [DataScienceCreateProjectOperator, DataScienceJobRunSensor])
def test_default_fail_at_once_uses_the_retry_policy_where_there_is_one(cls: Any) -> None:
    kwargs = {"job_run_id": RUN} if cls is DataScienceJobRunSensor else {}
    op = cls(task_id="t", **kwargs)
    if has("retry_policy"):
        assert op.retry_policy is not None
        assert getattr(op, FAIL_AT_ONCE_ATTR) is False
    else:
        assert not hasattr(op, "retry_policy")
        assert getattr(op, FAIL_AT_ONCE_ATTR) is True


def test_retry_policy_none_opts_out_on_every_version() -> None:
    op = DataScienceCreateProjectOperator(task_id="t", retry_policy=None)
    assert getattr(op, FAIL_AT_ONCE_ATTR) is False
    if has("retry_policy"):
        assert op.retry_policy is None


def test_a_retry_policy_without_the_api_names_the_argument() -> None:
    if has("retry_policy"):
        from airflow.sdk import ExceptionRetryPolicy

        op = DataScienceCreateProjectOperator(task_id="t", retry_policy=ExceptionRetryPolicy(rules=[]))
        assert isinstance(op.retry_policy, ExceptionRetryPolicy)
    else:
        with pytest.raises(TypeError, match=r"^retry_policy: .*expected None"):
            DataScienceCreateProjectOperator(task_id="t", retry_policy=object())


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("create_project_details: expected a JSON object"),
        TypeError("display_name: expected a string"),
        MissingResourceError("job_id", "job", JOB, "HTTP 404"),
        ConfigurationError("region", "unknown region 'us-ashbrun-1'"),
        BadRequestError("create_project", 400, "InvalidParameter", "bad", "req-1", {}),
    ],
    ids=lambda e: type(e).__name__,
)
def test_bad_input_becomes_an_airflow_fail_exception_of_the_same_class(exc: Exception) -> None:
    new = fail_at_once(exc)
    assert isinstance(new, AirflowFailException) and isinstance(new, type(exc))
    assert type(new).__name__ == type(exc).__name__
    assert str(new) == str(exc) and new.args == exc.args
    assert vars(new) == {**vars(exc)} or vars(exc).items() <= vars(new).items()


@pytest.mark.parametrize(
    "exc", [RuntimeError("503 storm"), AirflowFailException("already final"), KeyError("x")]
)
def test_other_errors_are_left_alone(exc: Exception) -> None:
    assert fail_at_once(exc) is None


def test_an_already_converted_error_is_not_converted_again() -> None:
    """A subclass's ``execute`` calling its parent's (both wrapped) raises one conversion."""
    once = fail_at_once(ValueError("region: expected a region"))
    assert once is not None and fail_at_once(once) is None


def test_execute_itself_fails_at_once_without_retry_policies(ds_connection: Any) -> None:
    """Bad input found in ``execute``: an AirflowFailException only where there is no retry policy."""
    op = DataScienceCreateProjectOperator(task_id="t", create_project_details="[1, 2]")
    with pytest.raises(ValueError, match="create_project_details") as raised:
        op.execute({"ti": None})
    assert isinstance(raised.value, AirflowFailException) is not has("retry_policy")
    opted_out = DataScienceCreateProjectOperator(
        task_id="t", create_project_details="[1, 2]", retry_policy=None
    )
    with pytest.raises(ValueError) as raised:
        opted_out.execute({"ti": None})
    assert not isinstance(raised.value, AirflowFailException)


def test_resume_after_deferral_fails_at_once_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The deferral callback (``execute_complete`` through ``resume_execution``) is covered as well."""
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=JOB)

    def bad_event(context: Any, event: Any = None) -> None:
        raise ValueError("event: expected a trigger event")

    monkeypatch.setattr(op, "execute_complete", bad_event)
    with pytest.raises(ValueError, match=r"^event: expected") as raised:
        op.resume_execution("execute_complete", {"event": None}, {"ti": None})
    assert isinstance(raised.value, AirflowFailException) is not has("retry_policy")


# --- trigger on_kill (3.3): without it, say so at deferral time -----------------------------------


@pytest.mark.parametrize("cancel_on_kill", [True, False])
def test_deferring_says_when_a_user_kill_cannot_cancel_the_run(
    cancel_on_kill: bool, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    op = DataScienceCreateJobRunOperator(task_id="run", job_id=JOB, deferrable=True)
    with caplog.at_level(logging.WARNING), pytest.raises(TaskDeferred) as deferred:
        op.defer_to_trigger(
            resource="job_run",
            resource_id=RUN,
            target_states=["SUCCEEDED"],
            failure_states=["FAILED"],
            poll_interval=5,
            timeout=60,
            cancel_on_kill=cancel_on_kill,
        )
    assert deferred.value.trigger.cancel_on_kill is cancel_on_kill
    # the task logger is stdlib logging on 3.0 and structlog (printed) on 3.1+
    captured = capsys.readouterr()
    printed = (captured.out + captured.err).splitlines()
    warned = [m for r in caplog.records if "does not tell a trigger" in (m := r.getMessage())] or [
        line for line in printed if "does not tell a trigger" in line
    ]
    if cancel_on_kill and not has("trigger_on_kill"):
        assert len(warned) == 1 and RUN in warned[0] and "attaches to it" in warned[0]
    else:
        assert warned == []


# --- connection form: conn-fields (3.2+) or the hook's form methods (3.0, 3.1) --------------------


def test_the_hook_serves_the_form_only_where_airflow_reads_it_from_the_hook() -> None:
    own = vars(DataScienceHook)
    served = "get_connection_form_widgets" in own and "get_ui_field_behaviour" in own
    assert served is not has("conn_fields")
    if served:
        assert DataScienceHook.get_ui_field_behaviour() == {
            "hidden_fields": ["schema", "port", "host", "login"],
            "relabeling": {"password": "Private key pass phrase"},
            "placeholders": {"password": "only for an encrypted private key"},
        }


def test_the_legacy_form_has_every_declared_field() -> None:
    """The WTForms fields of Airflow 3.0/3.1 come from the same ``conn-fields`` as 3.2+."""
    pytest.importorskip("wtforms", reason="the form is built only where wtforms is installed")
    from wtforms import Form, IntegerField, PasswordField, StringField

    from airflow_ds_provider._compat import legacy_connection_form_widgets

    declared = connection_type()["conn-fields"]
    widgets = legacy_connection_form_widgets(declared)
    assert list(widgets) == list(declared)
    kinds = {name: w.field_class for name, w in widgets.items()}
    assert kinds["private_key"] is PasswordField and kinds["max_attempts"] is IntegerField
    assert kinds["region"] is StringField and kinds["max_retry_seconds"] is StringField
    form_class = type("F", (Form,), widgets)
    assert form_class().auth_type.label.text == "Authentication"
    assert form_class().auth_type.default == "api_key"
    assert form_class(formdata=_FormData(auth_type="config_file", max_attempts="3")).validate()
    bad = form_class(formdata=_FormData(auth_type="bogus", max_attempts="three"))
    assert not bad.validate() and set(bad.errors) == {"auth_type", "max_attempts"}


class _FormData(dict):
    """What a browser posts (WTForms reads ``getlist``)."""

    def getlist(self, key: str) -> list[str]:
        return [self[key]] if key in self else []
