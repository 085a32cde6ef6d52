"""The ``oci-datascience://<region>/<ocid>`` asset URI scheme (pure, and as Airflow applies it)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from airflow_ds_provider.assets import asset_uri, event_extra, parse_uri, sanitize_uri

MODEL = "ocid1.datasciencemodel.oc1.iad.amaaaaaaexample"


def test_one_resource_one_uri_whatever_the_spelling() -> None:
    uri = "oci-datascience://us-ashburn-1/" + MODEL
    assert asset_uri(MODEL) == asset_uri(MODEL, "iad") == asset_uri(MODEL, "US-Ashburn-1") == uri
    assert sanitize_uri(urlsplit(f"OCI-DataScience://IAD/{MODEL}/")).geturl() == uri
    assert parse_uri(uri) == ("us-ashburn-1", MODEL)
    assert parse_uri("s3://bucket/key") is None


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        (f"oci-datascience://nowhere/{MODEL}", "'nowhere' is not a known OCI region"),
        ("oci-datascience://iad/", "expected oci-datascience://<region>/<ocid>"),
        (f"oci-datascience://iad/{MODEL}/extra", "expected oci-datascience://<region>/<ocid>"),
        ("oci-datascience://iad/ocid1.bucket.oc1.iad.x", "not the OCID of a Data Science resource"),
        (f"oci-datascience://iad/{MODEL}?v=1", "no user, port, query or fragment"),
    ],
)
def test_a_malformed_uri_fails_naming_it(uri: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sanitize_uri(urlsplit(uri))


def test_airflow_normalises_the_scheme_through_the_provider() -> None:
    from airflow.sdk import Asset

    assert Asset(uri=f"oci-datascience://iad/{MODEL}").uri == asset_uri(MODEL)
    with pytest.raises(ValueError, match="not the OCID of a Data Science resource"):
        Asset(uri="oci-datascience://iad/not-an-ocid")


def test_an_ocid_without_a_region_needs_one() -> None:
    with pytest.raises(ValueError, match=r"^region: "):
        asset_uri("ocid1.datascienceproject.oc1..amaaaaaaexample")


def test_event_extra_holds_the_essentials_and_the_console_link() -> None:
    data = {"id": MODEL, "displayName": "m", "lifecycleState": "ACTIVE", "versionLabel": "v2", "other": 1}
    extra = event_extra("model", data, "us-ashburn-1")
    assert extra == {
        "resource": "model",
        "id": MODEL,
        "region": "us-ashburn-1",
        "uri": asset_uri(MODEL),
        "console_url": f"https://cloud.oracle.com/data-science/models/{MODEL}?region=us-ashburn-1",
        "display_name": "m",
        "lifecycle_state": "ACTIVE",
        "version_label": "v2",
    }
