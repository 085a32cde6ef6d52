"""ML applications: applications, their implementations and implementation versions, instances and
instance views.

States are the models' (``API_FULL.md``). ML applications, implementations and implementation
versions have no ``DELETED`` state: a deleted one is gone (404), so their deletes are not actions
of this table (``Action.settled`` must be a state); the emulator serves them as such. The flow
operations (``trigger_*_flow``, ``enable``/``disable_*_trigger``) leave the lifecycle state alone
and are no actions either. An instance view is created and deleted with its instance (it has no
create or delete operation of its own).

OCID types: ``datasciencemlappinstance`` and ``datasciencemlappinstanceview`` follow the OCIDs
Oracle's ML application samples show (there in the ``...int`` spelling of the internal realm);
``datasciencemlapp``, ``datasciencemlappimpl`` and ``datasciencemlappimplversion`` follow the
same spelling (not confirmed by the reference).
"""

from __future__ import annotations

from airflow_ds_provider.resource_model import Action, Resource, fs

#: ``lifecycleSubstate`` of ML application instances and instance views (the models' enum): the
#: states themselves plus ``UPGRADING`` (an ``UPDATING`` that moves to a new package version) and
#: the four kinds of ``NEEDS_ATTENTION``.
LIFECYCLE_SUBSTATES = fs(
    "CREATING",
    "UPDATING",
    "UPGRADING",
    "ACTIVE",
    "INACTIVE",
    "DELETING",
    "DELETED",
    "NEEDS_ATTENTION",
    "FAILED",
    "NON_RECOVERABLE_PROVIDER_ISSUE",
    "RECOVERABLE_PROVIDER_ISSUE",
    "NON_RECOVERABLE_SERVICE_ISSUE",
    "RECOVERABLE_SERVICE_ISSUE",
)
#: The substates from which ``recover_ml_application_instance_view`` may be requested.
RECOVERABLE_SUBSTATES = fs("RECOVERABLE_PROVIDER_ISSUE", "RECOVERABLE_SERVICE_ISSUE")

_INSTANCE_STATES = fs(
    "CREATING", "UPDATING", "ACTIVE", "INACTIVE", "DELETING", "DELETED", "NEEDS_ATTENTION", "FAILED"
)

KINDS: tuple[Resource, ...] = (
    Resource(
        name="ml_application",
        ocid_type="datasciencemlapp",
        collection="mlApplications",
        states=fs("ACTIVE", "FAILED"),
        pending=fs(),
        success=fs("ACTIVE"),
        failure=fs("FAILED"),
        final=fs("FAILED"),
        actions={"create": Action(None, "ACTIVE")},
        operators=False,
        display="ML application",
    ),
    Resource(
        name="ml_application_implementation",
        ocid_type="datasciencemlappimpl",
        collection="mlApplicationImplementations",
        states=fs("CREATING", "ACTIVE", "NEEDS_ATTENTION", "FAILED", "DELETING", "UPDATING"),
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "NEEDS_ATTENTION"),
        final=fs("FAILED"),
        actions={
            "create": Action("CREATING", "ACTIVE"),
            # also what a package upload (put_ml_application_package) goes through
            "update": Action(
                "UPDATING",
                "ACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("ACTIVE", "NEEDS_ATTENTION"),
                outcomes=fs("ACTIVE", "NEEDS_ATTENTION", "FAILED"),
            ),
        },
        operators=False,
        display="ML application implementation",
    ),
    Resource(
        name="ml_application_implementation_version",
        ocid_type="datasciencemlappimplversion",
        collection="mlApplicationImplementationVersions",
        states=fs("CREATING", "ACTIVE", "FAILED", "DELETING"),
        pending=fs("CREATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED"),
        final=fs("FAILED"),
        operators=False,
        display="ML application implementation version",
    ),
    Resource(
        name="ml_application_instance",
        ocid_type="datasciencemlappinstance",
        collection="mlApplicationInstances",
        states=_INSTANCE_STATES,
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "NEEDS_ATTENTION", "DELETED"),
        actions={
            # an instance created or updated with isEnabled false settles INACTIVE
            "create": Action(
                "CREATING", "ACTIVE", outcomes=fs("ACTIVE", "INACTIVE", "NEEDS_ATTENTION", "FAILED")
            ),
            "update": Action(
                "UPDATING",
                "ACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("ACTIVE", "INACTIVE", "NEEDS_ATTENTION"),
                outcomes=fs("ACTIVE", "INACTIVE", "NEEDS_ATTENTION", "FAILED"),
            ),
            "delete": Action(
                "DELETING", "DELETED", sources=fs("ACTIVE", "INACTIVE", "NEEDS_ATTENTION", "FAILED")
            ),
        },
        operators=False,
        display="ML application instance",
    ),
    Resource(
        name="ml_application_instance_view",
        ocid_type="datasciencemlappinstanceview",
        collection="mlApplicationInstanceViews",
        states=_INSTANCE_STATES,
        pending=fs("CREATING", "UPDATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "NEEDS_ATTENTION", "DELETED"),
        actions={
            # only from a recoverable substate (RECOVERABLE_SUBSTATES)
            "recover": Action(
                "UPDATING",
                "ACTIVE",
                failed="NEEDS_ATTENTION",
                sources=fs("NEEDS_ATTENTION"),
                outcomes=fs("ACTIVE", "NEEDS_ATTENTION", "FAILED"),
            ),
        },
        operators=False,
        display="ML application instance view",
    ),
)
