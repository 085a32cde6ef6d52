"""A model's artifact retention: archival after ``retentionSetting.archiveAfterDays``, and
restores of an archived artifact (``restore_archived_model_artifact``) for some hours.

Nothing runs in the background: :func:`settle` brings ``retentionOperationDetails`` up to the
emulator clock whenever a handler reads the model (:func:`model`).
"""

from __future__ import annotations

from typing import Any

from airflow_ds_provider.emulator.clock import parse_rfc3339, rfc3339
from airflow_ds_provider.emulator.resources.base import ApiError, Services, require
from airflow_ds_provider.emulator.store import Record

DAY = 86400.0
#: ``deleteAfterDays`` when the retention setting names none (the emulator's choice: ten years).
_NO_DELETE_DAYS = 3650
ARCHIVED = "SUCCEEDED"


def default_retention(region: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The retention and backup settings of a model created without them."""
    return (
        {"archiveAfterDays": 365, "customerNotificationType": "NONE"},
        {"isBackupEnabled": False, "backupRegion": region, "customerNotificationType": "NONE"},
    )


def retention_details(created: float, setting: dict[str, Any]) -> dict[str, Any]:
    """``retentionOperationDetails`` of a model created at ``created`` with ``setting``."""
    archive_days = setting.get("archiveAfterDays", 365)
    delete_days = setting.get("deleteAfterDays")
    return {
        "archiveState": "PENDING",
        "archiveStateDetails": f"Archival is scheduled {archive_days} days after creation",
        "timeArchivalScheduled": rfc3339(created + archive_days * DAY),
        "deleteState": "PENDING",
        "deleteStateDetails": "Deletion is scheduled" if delete_days else "No deletion is scheduled",
        "timeDeletionScheduled": rfc3339(created + (delete_days or _NO_DELETE_DAYS) * DAY),
    }


def settle(svc: Services, record: Record) -> None:
    """Apply what retention has done by now: a restore that finished, an archival that is due."""
    details = dict(record.data["retentionOperationDetails"])
    now = svc.now()
    restore = record.extra.get("restore")
    if restore is not None:
        if now < restore["end"]:
            return
        record.extra.pop("restore")
        details.update(
            archiveState="PENDING",
            archiveStateDetails=f"Restored; archived again after {restore['hours']} hours",
            timeArchivalScheduled=rfc3339(restore["end"] + restore["hours"] * 3600.0),
        )
        record.apply({"retentionOperationDetails": details})
    if details["archiveState"] == "PENDING" and now >= parse_rfc3339(details["timeArchivalScheduled"]):
        details.update(archiveState=ARCHIVED, archiveStateDetails="The model artifact is archived")
        record.apply({"retentionOperationDetails": details})


def model(svc: Services, ocid: str) -> Record:
    """The model (404 otherwise), its retention settled (call with the lock held)."""
    record = require(svc, "model", ocid, "model")
    settle(svc, record)
    return record


def is_archived(record: Record) -> bool:
    """Whether the model's artifact is archived (also while a restore is running)."""
    return record.data["retentionOperationDetails"]["archiveState"] == ARCHIVED


def check_not_archived(record: Record) -> None:
    """409 when the model's artifact is archived: it must be restored first."""
    if is_archived(record):
        raise ApiError(
            409,
            "IncorrectState",
            f"the artifact of model {record.id} is archived; restore it first (restore_archived_model_artifact)",
        )
