"""One remote resource per task instance, across Airflow tries and worker crashes.

Every create tags what it makes with the task instance's identity (dag, task, run, map index)
and the try that made it, and records the new OCID in ``task_state_store`` as soon as the create
returns. A later try of the same task instance looks there first, then lists the resources with
the identity tags (a create whose answer was lost never reached the store), and adopts what an
earlier try made instead of creating another:

- a resource still on its way to its success state (``CREATING``, ``ACCEPTED``,
  ``IN_PROGRESS``, ``UPDATING``) is adopted on any later try;
- one that reached its success state (``ACTIVE``, a ``SUCCEEDED`` job run) is adopted only when it
  was made since the task instance was last cleared. Airflow 3 gives a cleared task instance a
  new budget of tries: ``clear_task_instances`` sets ``max_tries = try_number + retries``, so the
  first try of the current budget is ``max_tries - retries + 1`` (the formula of the Task SDK's
  ``get_first_reschedule_date``). A retry after a failure or a crash stays in the budget and
  adopts; a deliberate clear starts a new budget and creates anew.
- anything failed, cancelled, deleted or winding down (``DELETING``, ``CANCELING``) is never
  adopted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_ds_provider.client.errors import NotFoundError
from airflow_ds_provider.lifecycle import Lifecycle, get_lifecycle
from airflow_ds_provider.operators._body import airflow_identity_tags as identity_tags
from airflow_ds_provider.spec import camel_case, get_operation

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_ds_provider.operators.base import DataScienceBaseOperator

#: Freeform tag holding the try number that created a resource (not part of the identity).
TRY_TAG = "airflow-try-number"
#: States that are pending but lead away from success: never adopted.
WINDING_DOWN = frozenset({"DELETING", "CANCELING"})
#: List filters taken from the create body when the list operation accepts them.
PARENT_FILTERS = ("project_id", "job_id", "pipeline_id", "model_version_set_id")


def creation_tags(context: Context) -> dict[str, str]:
    """The identity tags plus the try that creates the resource."""
    return {**identity_tags(context), TRY_TAG: str(_try_number(context))}


def state_store_key(kind: str, salt: str = "") -> str:
    """``task_state_store`` key of the ``kind`` resource a task instance created."""
    return f"oci_data_science_{kind}_id" + (f":{salt}" if salt else "")


def _try_number(context: Context) -> int:
    return int(getattr(context["ti"], "try_number", 1) or 1)


def first_try_of_budget(context: Context, retries: int | None) -> int:
    """The first try number since the task instance was last cleared (1 if never cleared)."""
    max_tries = getattr(context["ti"], "max_tries", None)
    if not isinstance(max_tries, int) or max_tries <= 0:
        return 1
    return max(1, max_tries - int(retries or 0) + 1)


def store_get(context: Context, key: str, log: Any) -> Any:
    """Read ``task_state_store[key]`` (``None`` without a store or on a store error)."""
    store = context.get("task_state_store")  # type: ignore[attr-defined]
    if store is None:
        return None
    try:
        return store.get(key)
    except Exception as exc:  # the store is a hint; the tag scan works without it
        log.warning("task_state_store.get(%r) failed: %s", key, exc)
        return None


def store_set(context: Context, key: str, value: str, log: Any) -> None:
    """Write ``task_state_store[key]``; a store error is only logged (the tags still identify it)."""
    store = context.get("task_state_store")  # type: ignore[attr-defined]
    if store is None:
        return
    try:
        store.set(key, value)
    except Exception as exc:
        log.warning("task_state_store.set(%r) failed: %s", key, exc)


def made_by(data: Mapping[str, Any] | None, identity: Mapping[str, str]) -> bool:
    """True when ``data`` carries all of ``identity``'s tags."""
    tags = (data or {}).get("freeformTags") or {}
    return isinstance(tags, Mapping) and all(tags.get(k) == v for k, v in identity.items())


def creating_try(data: Mapping[str, Any]) -> int | None:
    """The try that created ``data`` (its ``airflow-try-number`` tag), if known."""
    value = ((data.get("freeformTags") or {}) if isinstance(data, Mapping) else {}).get(TRY_TAG)
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def adoptable(lifecycle: Lifecycle, data: Mapping[str, Any], budget_start: int) -> bool:
    """Whether a later try may take ``data`` over instead of creating another (module docstring)."""
    state = lifecycle.state_of(dict(data))
    if state in lifecycle.pending and state not in WINDING_DOWN:
        return True
    if state in lifecycle.success:
        made = creating_try(data)
        return made is not None and made >= budget_start
    return False


class Adopter:
    """Finds and records the resource of one kind that a task instance creates.

    :param operator: the operator (for its hook, log and ``retries``).
    :param context: the task context.
    :param kind: resource kind, e.g. ``model_deployment``.
    :param salt: distinguishes several creates of one kind made by one task.
    """

    def __init__(
        self, operator: DataScienceBaseOperator, context: Context, kind: str, salt: str = ""
    ) -> None:
        self.operator = operator
        self.context = context
        self.kind = kind
        self.lifecycle = get_lifecycle(kind)
        self.key = state_store_key(kind, salt)

    @property
    def log(self) -> Any:
        """The operator's logger."""
        return self.operator.log

    def find(self, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """On a later try, the resource an earlier try made that this try should adopt, if any.

        :param body: the create body (its compartment and parent OCIDs narrow the tag scan).
        """
        if _try_number(self.context) <= 1:
            return None
        budget_start = first_try_of_budget(self.context, getattr(self.operator, "retries", 0))
        seen: set[str] = set()
        stored = store_get(self.context, self.key, self.log)
        if isinstance(stored, str) and stored:
            seen.add(stored)
            data = self._read(stored)
            if data is not None and adoptable(self.lifecycle, data, budget_start):
                return self._adopt(data, "task_state_store")
        for summary in self._scan(body):
            if summary.get("id") in seen or not adoptable(self.lifecycle, summary, budget_start):
                continue
            data = self._read(summary["id"])
            if data is not None and adoptable(self.lifecycle, data, budget_start):
                return self._adopt(data, "its identity tags")
        return None

    def record(self, resource_id: str) -> None:
        """Remember the new OCID at once, before anything else can fail the try."""
        store_set(self.context, self.key, resource_id, self.log)

    def _read(self, resource_id: str) -> dict[str, Any] | None:
        try:
            data = self.operator.hook.call(
                self.lifecycle.get_operation, **{self.lifecycle.id_param: resource_id}
            ).data
        except NotFoundError:
            return None
        return data if isinstance(data, dict) else None

    def _scan(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The resources carrying this task instance's identity tags, newest first."""
        operation = f"list_{self.kind}s"
        spec = get_operation(operation)
        args: dict[str, Any] = {"compartment_id": body["compartmentId"]}
        for name in PARENT_FILTERS:
            if name in spec.query_args and body.get(camel_case(name)):
                args[name] = body[camel_case(name)]
        identity = identity_tags(self.context)
        found = [item for item in self.operator.hook.paginate(operation, **args) if made_by(item, identity)]
        found.sort(key=lambda s: str(s.get("timeCreated") or s.get("timeAccepted") or ""), reverse=True)
        return found

    def _adopt(self, data: dict[str, Any], how: str) -> dict[str, Any]:
        made = creating_try(data)
        self.log.info(
            "Adopting %s %s (%s) created by try %s of this task instance (found through %s); "
            "not creating another",
            self.kind.replace("_", " "),
            data["id"],
            self.lifecycle.state_of(data),
            made if made is not None else "?",
            how,
        )
        self.record(data["id"])
        return data
