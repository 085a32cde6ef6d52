"""The model registry: model version sets, model groups and model group version histories.

OCID types: ``datasciencemodelversionset`` and ``datasciencemodelgroup`` are the ones public
documentation shows (Oracle ADS's AQUA docs show ``ocid1.datasciencemodelgroup.oc1...``);
``datasciencemodelgroupversionhistory`` follows the ``datascience<kind>`` spelling (not confirmed).

Console pages: ``model-version-sets`` is attested (oci_facts.md §9); ``model-groups`` follows the
same ``data-science/<collection>`` pattern (not confirmed). Version histories have no operators:
their only actions are create/update/delete of a label holder, done through the hook.
"""

from __future__ import annotations

from airflow_ds_provider.resource_model import Action, Resource, fs

KINDS: tuple[Resource, ...] = (
    Resource(
        name="model_version_set",
        ocid_type="datasciencemodelversionset",
        collection="modelVersionSets",
        states=fs("ACTIVE", "DELETING", "DELETED", "FAILED"),
        pending=fs("DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={
            "create": Action(None, "ACTIVE"),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "FAILED")),
        },
        details_field=None,
        console=("model-version-sets", "OCI Data Science Model Version Set"),
        work_request_kind="MODELVERSIONSET",
    ),
    Resource(
        name="model_group",
        ocid_type="datasciencemodelgroup",
        collection="modelGroups",
        states=fs("CREATING", "ACTIVE", "FAILED", "INACTIVE", "DELETING", "DELETED"),
        pending=fs("CREATING", "DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={
            "create": Action("CREATING", "ACTIVE", outcomes=fs("ACTIVE", "FAILED")),
            "activate": Action(None, "ACTIVE", sources=fs("INACTIVE")),
            "deactivate": Action(None, "INACTIVE", sources=fs("ACTIVE")),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "INACTIVE", "FAILED")),
        },
        waitable=True,
        console=("model-groups", "OCI Data Science Model Group"),
    ),
    Resource(
        name="model_group_version_history",
        ocid_type="datasciencemodelgroupversionhistory",
        collection="modelGroupVersionHistory",
        states=fs("ACTIVE", "DELETED", "FAILED", "DELETING"),
        pending=fs("DELETING"),
        success=fs("ACTIVE"),
        failure=fs("FAILED", "DELETED"),
        final=fs("FAILED", "DELETED"),
        actions={
            "create": Action(None, "ACTIVE"),
            "delete": Action("DELETING", "DELETED", sources=fs("ACTIVE", "FAILED")),
        },
        operators=False,
    ),
)
