"""A local OCI Data Science emulator: real HTTP, strict request signing, lifecycles as data.

In process (tests)::

    from airflow_ds_provider.emulator import Emulator

    with Emulator(manual_clock=True) as emu:      # or Emulator(speed=10) for a fast real clock
        ident = emu.create_identity()             # RSA 2048 key pair, registered
        # sign requests to emu.url + "/20190101/..." with ident.key_id / ident.private_key_pem
        emu.advance(5)                            # move lifecycles on without sleeping
        emu.inject_fault(method="GET", path=r"/jobRuns/", status=503, count=2)

Command line: ``python -m airflow_ds_provider.emulator --port 8090 --generate-key`` prints an
``AIRFLOW_CONN_...`` value pointing at itself. Pytest: fixtures ``ds_emulator`` and
``ds_identity`` (entry point ``pytest11``).

Scripted outcomes are freeform tags on a job run (or its job; the run's win), a model
deployment or a notebook session: ``emulator-duration`` (seconds IN_PROGRESS / CREATING, divided
by the speed factor), ``emulator-outcome`` (e.g. ``FAILED``, ``NEEDS_ATTENTION``; deployments
``ACTIVE``/``FAILED``; notebook sessions ``ACTIVE``/``FAILED``), ``emulator-details``
(``lifecycleDetails``), ``emulator-logs`` (``\\n``-separated lines, served by the Logging Search
API at ``POST /20190909/search`` once the ingestion delay has passed), ``emulator-log-delays``
(comma-separated ingestion delay of each line, so an early line can become searchable after a
later one) and ``emulator-fail-actions`` (model deployments: ``create,update,activate,deactivate``;
notebook sessions: ``create,activate,deactivate``; those actions fail: a deployment update or
deactivate ends NEEDS_ATTENTION, anything else FAILED, the work request FAILED with an error;
see :mod:`.actions`). :meth:`Emulator.script_job_run` (``log_delays=``),
:meth:`Emulator.script_model_deployment` and :meth:`Emulator.script_notebook_session`
(``action="create"|"update"|"activate"|"deactivate"``) do the same from code.

Other knobs: :meth:`Emulator.set_log_ingestion_delay`, :meth:`Emulator.set_log_search_max_results`
(a search window holding more results answers 400 "search result is too large"),
:meth:`Emulator.set_retry_token_ttl` (``opc-retry-token`` expires after 24 h of emulator time by
default). ``emu.requests`` entries carry the parsed JSON request ``body`` (None for artifact
uploads, bodiless and control requests; in memory only, never in the log line) and never a header.

Control API (unsigned, under ``/_emulator/``): ``GET health``, ``POST reset``, ``POST advance
{"seconds"}``, ``POST state {"id","state"}``, ``GET|POST|DELETE faults``, ``GET|DELETE requests``,
``POST keys {"keyId","publicKey"}``, ``POST session-tokens {"token","publicKey"}``, ``POST
identities``, ``GET resources[/<ocid>]?kind=``, ``POST script/job-run {"id","duration","outcome",
"details","logLines","logDelays"}``, ``POST script/model-deployment`` and ``POST
script/notebook-session {"id","duration","outcome","details","action"}``, ``POST timings``,
``GET logs?source=``, ``POST log-ingestion-delay {"seconds"}``, ``POST log-search
{"maxResults"}`` (null lifts it), ``POST retry-token-ttl {"seconds"}``.

Layers: :mod:`.clock` (time and its wire formats), :mod:`.ids` (OCIDs, request ids, etags),
:mod:`.store` (state), :mod:`.resources` (one module per resource, each handler registered with
``@handles("<operation>")`` and checked against the spec at import), :mod:`.transitions`
(timing of the transitions in :mod:`airflow_ds_provider.lifecycle`), :mod:`.scripting` (every
scripting rule: tags, outcomes, failure defaults), :mod:`.actions` (planning scripted action
outcomes), :mod:`.faults`, :mod:`.auth` (signature verification), :mod:`.schema` (request
bodies against models.json), :mod:`.server` and :mod:`.wire` (HTTP), :mod:`.control` (the
control route table), :mod:`.logsearch`, :mod:`.scripts` (the ``script_*`` methods),
:mod:`.core` (the :class:`Emulator` facade). No layer imports ``core``, and none imports
another in a circle (``tests/emulator/test_layers.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_ds_provider.emulator.core import Emulator
    from airflow_ds_provider.emulator.faults import Fault
    from airflow_ds_provider.emulator.identity import Identity
    from airflow_ds_provider.emulator.transitions import Timings

__all__ = ["Emulator", "Fault", "Identity", "Timings"]

# Resolved on first use (PEP 562), so that importing a submodule alone (the pytest plugin, which
# every pytest run of an environment with the provider loads) does not start the whole emulator.
_LAZY = {"Emulator": "core", "Fault": "faults", "Identity": "identity", "Timings": "transitions"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
