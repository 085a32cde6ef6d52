"""Region / realm -> endpoint resolution."""

from __future__ import annotations

import pytest

from airflow_ds_provider.client.endpoints import (
    canonical_region,
    data_science_endpoint,
    known_regions,
    logging_search_endpoint,
)
from airflow_ds_provider.client.errors import ConfigurationError


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("us-ashburn-1", "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"),
        ("iad", "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"),
        ("IAD", "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"),
        ("fra", "https://datascience.eu-frankfurt-1.oci.oraclecloud.com/20190101"),
        ("us-langley-1", "https://datascience.us-langley-1.oci.oraclegovcloud.com/20190101"),
        ("ltn", "https://datascience.uk-gov-london-1.oci.oraclegovcloud.uk/20190101"),
        ("eu-frankfurt-2", "https://datascience.eu-frankfurt-2.oci.oraclecloud.eu/20190101"),
        ("hnw", "https://datascience.sa-riodejaneiro-1.oci.oraclecloud52.com/20190101"),
    ],
)
def test_data_science_endpoint(region: str, url: str) -> None:
    assert data_science_endpoint(region) == url


def test_table_has_all_85_regions_and_unique_short_keys() -> None:
    assert len(known_regions()) == 85
    assert canonical_region("bom") == "ap-mumbai-1"


def test_endpoint_override_appends_version() -> None:
    assert data_science_endpoint("iad", "http://127.0.0.1:8080") == "http://127.0.0.1:8080/20190101"
    assert data_science_endpoint(None, "http://127.0.0.1:8080/") == "http://127.0.0.1:8080/20190101"
    assert data_science_endpoint(None, "http://h:1/20190101") == "http://h:1/20190101"
    assert logging_search_endpoint(None, "http://127.0.0.1:8080") == "http://127.0.0.1:8080/20190909"


def test_logging_endpoint() -> None:
    assert logging_search_endpoint("iad") == "https://logging.us-ashburn-1.oci.oraclecloud.com/20190909"


@pytest.mark.parametrize("endpoint", ["127.0.0.1:8080", "localhost", "ftp://x", "http://"])
def test_endpoint_without_scheme_is_rejected(endpoint: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint") as info:
        data_science_endpoint(None, endpoint)
    assert "http://" in str(info.value)


def test_missing_region_and_endpoint() -> None:
    with pytest.raises(ConfigurationError, match="region"):
        data_science_endpoint(None)


@pytest.mark.parametrize(
    ("region", "suggested"),
    [
        ("us-ashbrun-1", "'us-ashburn-1'"),
        ("eu-frankfort-1", "'eu-frankfurt-1'"),
        ("iadd", "'iad'"),
    ],
)
def test_unknown_region_without_endpoint_fails_at_once_with_the_closest_names(region, suggested) -> None:
    for resolve in (data_science_endpoint, logging_search_endpoint):
        with pytest.raises(
            ConfigurationError, match=f"^region: '{region}' is not a known OCI region"
        ) as info:
            resolve(region)
        assert info.value.field == "region"
        assert suggested in str(info.value) and "endpoint" in str(info.value)


def test_unknown_region_without_any_close_name_gives_no_guess() -> None:
    with pytest.raises(ConfigurationError, match="not a known OCI region; expected a region name"):
        data_science_endpoint("zzzzzzzz-9")


def test_an_explicit_endpoint_reaches_a_region_the_table_does_not_know() -> None:
    assert data_science_endpoint("xx-new-1", "https://ds.example:443") == "https://ds.example:443/20190101"
