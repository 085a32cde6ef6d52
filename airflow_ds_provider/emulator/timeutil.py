"""OCIDs, RFC 3339 timestamps and HTTP dates in the wire format of OCI.

OCID types come from the one table in :mod:`airflow_ds_provider.ocids`.
"""

from __future__ import annotations

import email.utils
import secrets
import uuid
from datetime import datetime, timezone

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


def rfc3339(ts: float) -> str:
    """``2024-01-02T03:04:05.678Z``: UTC, milliseconds, ``Z``."""
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_rfc3339(value: str) -> float:
    """Parse an RFC 3339 timestamp (``Z`` or offset, any fraction digits) to epoch seconds.

    :raises ValueError: when the value is not a timestamp.
    """
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(f"not an RFC 3339 timestamp: {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    head, sep, tail = text.partition(".")
    if sep:  # normalise the fraction to 6 digits for fromisoformat on Python 3.10
        digits = ""
        rest = tail
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{(digits + '000000')[:6]}{rest}"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return dt.timestamp()


def http_date(ts: float) -> str:
    """An RFC 7231 date (``last-modified``)."""
    return email.utils.formatdate(ts, usegmt=True)


def request_id() -> str:
    """A generated ``opc-request-id``: 32 uppercase hex characters."""
    return uuid.uuid4().hex.upper()


def new_etag() -> str:
    """A fresh opaque etag."""
    return uuid.uuid4().hex
