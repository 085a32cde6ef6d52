"""Identifiers in the wire format of OCI: OCIDs, ``opc-request-id`` values and etags.

OCID types come from the one table in :mod:`airflow_ds_provider.ocids`; timestamps are in
:mod:`.clock`.
"""

from __future__ import annotations

import secrets
import uuid

from airflow_ds_provider.ocids import OCID_TYPES

_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"

#: A few region identifiers and their short keys (used in OCIDs); others use their first 3 letters.
REGION_KEYS: dict[str, str] = {
    "us-ashburn-1": "iad",
    "us-phoenix-1": "phx",
    "us-chicago-1": "ord",
    "us-sanjose-1": "sjc",
    "eu-frankfurt-1": "fra",
    "eu-amsterdam-1": "ams",
    "uk-london-1": "lhr",
    "ap-tokyo-1": "nrt",
    "ap-sydney-1": "syd",
    "ap-mumbai-1": "bom",
    "ca-toronto-1": "yyz",
    "sa-saopaulo-1": "gru",
}


def region_key(region: str) -> str:
    """Short key of a region identifier (``us-ashburn-1`` -> ``iad``)."""
    return REGION_KEYS.get(region, region.replace("-", "")[:3])


def unique_part() -> str:
    """The random tail of an OCID: ``amaaaaaa`` plus 52 base32 characters."""
    return "amaaaaaa" + "".join(secrets.choice(_ALPHABET) for _ in range(52))


def new_ocid(kind: str, region: str) -> str:
    """A new OCID ``ocid1.<type>.oc1.<region-key>.<unique>`` for an emulator kind."""
    return f"ocid1.{OCID_TYPES.get(kind, kind)}.oc1.{region_key(region)}.{unique_part()}"


def global_ocid(kind: str) -> str:
    """A new realm-global OCID (tenancy, user, compartment): ``ocid1.<type>.oc1..<unique>``."""
    return f"ocid1.{kind}.oc1..{unique_part()}"


def request_id() -> str:
    """A generated ``opc-request-id``: 32 uppercase hex characters."""
    return uuid.uuid4().hex.upper()


def new_etag() -> str:
    """A fresh opaque etag."""
    return uuid.uuid4().hex
