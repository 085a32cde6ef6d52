"""Region / realm -> service URLs (OCI Data Science and Logging Search).

The region table is Appendix A of the OCI facts (85 regions, generated from the SDK's
``REGIONS_SHORT_NAMES``/``REGION_REALMS``/``REALMS``), kept as one compact string per realm.
Without an explicit endpoint, a region that is not in the table is a configuration error naming
the closest known names (a typo such as ``us-ashbrun-1`` would otherwise retry DNS for minutes);
an explicit endpoint overrides everything (that is how the local emulator, or a region newer
than this table, is reached).
"""

from __future__ import annotations

import difflib
from functools import cache
from urllib.parse import urlsplit

from airflow_ds_provider.client.errors import ConfigurationError

DATA_SCIENCE_API_VERSION = "20190101"
LOGGING_SEARCH_API_VERSION = "20190909"

#: Realm -> second-level domain (``oci/regions_definitions.py``).
REALMS: dict[str, str] = {
    "oc1": "oraclecloud.com",
    "oc2": "oraclegovcloud.com",
    "oc3": "oraclegovcloud.com",
    "oc4": "oraclegovcloud.uk",
    "oc8": "oraclecloud8.com",
    "oc9": "oraclecloud9.com",
    "oc10": "oraclecloud10.com",
    "oc14": "oraclecloud14.com",
    "oc15": "oraclecloud15.com",
    "oc19": "oraclecloud.eu",
    "oc20": "oraclecloud20.com",
    "oc21": "oraclecloud21.com",
    "oc23": "oraclecloud23.com",
    "oc24": "oraclecloud24.com",
    "oc26": "oraclecloud26.com",
    "oc29": "oraclecloud29.com",
    "oc35": "oraclecloud35.com",
    "oc42": "oraclecloud42.com",
    "oc51": "oraclecloud51.com",
    "oc52": "oraclecloud52.com",
}

# "short-key:region-name" pairs per realm (generated from Appendix A).
_REGIONS_BY_REALM: dict[str, str] = {
    "oc1": (
        "lej:af-casablanca-1 jnb:af-johannesburg-1 hsg:ap-batam-1 yny:ap-chuncheon-1 onm:ap-delhi-1 "
        "hyd:ap-hyderabad-1 jbp:ap-kulai-2 mel:ap-melbourne-1 bom:ap-mumbai-1 kix:ap-osaka-1 "
        "icn:ap-seoul-1 sin:ap-singapore-1 xsp:ap-singapore-2 syd:ap-sydney-1 nrt:ap-tokyo-1 "
        "yul:ca-montreal-1 yyz:ca-toronto-1 ams:eu-amsterdam-1 fra:eu-frankfurt-1 mad:eu-madrid-1 "
        "orf:eu-madrid-3 mrs:eu-marseille-1 lin:eu-milan-1 cdg:eu-paris-1 arn:eu-stockholm-1 "
        "nrq:eu-turin-1 zrh:eu-zurich-1 mtz:il-jerusalem-1 auh:me-abudhabi-1 dxb:me-dubai-1 "
        "jed:me-jeddah-1 ruh:me-riyadh-1 mty:mx-monterrey-1 qro:mx-queretaro-1 bog:sa-bogota-1 "
        "scl:sa-santiago-1 gru:sa-saopaulo-1 vap:sa-valparaiso-1 vcp:sa-vinhedo-1 cwl:uk-cardiff-1 "
        "lhr:uk-london-1 iad:us-ashburn-1 ord:us-chicago-1 phx:us-phoenix-1 aga:us-saltlake-2 "
        "sjc:us-sanjose-1"
    ),
    "oc2": "lfi:us-langley-1 luf:us-luke-1",
    "oc3": "ric:us-gov-ashburn-1 pia:us-gov-chicago-1 tus:us-gov-phoenix-1",
    "oc4": "brs:uk-gov-cardiff-1 ltn:uk-gov-london-1",
    "oc8": "nja:ap-chiyoda-1 ukb:ap-ibaraki-1",
    "oc9": "mct:me-dcc-muscat-1 ibr:me-ibri-1",
    "oc10": "wga:ap-dcc-canberra-1",
    "oc14": (
        "ork:eu-dcc-dublin-1 snn:eu-dcc-dublin-2 bgy:eu-dcc-milan-1 mxp:eu-dcc-milan-2 "
        "dus:eu-dcc-rating-1 dtm:eu-dcc-rating-2"
    ),
    "oc15": "dac:ap-dcc-gazipur-1",
    "oc19": "str:eu-frankfurt-2 vll:eu-madrid-2",
    "oc20": "beg:eu-jovanovac-1",
    "oc21": "vve:me-alrayyan-1 doh:me-dcc-doha-1",
    "oc23": "ebb:us-somerset-1 ebl:us-thames-1",
    "oc24": "avf:eu-crissier-1 avz:eu-dcc-zurich-1",
    "oc26": "ahu:me-abudhabi-3 rba:me-alain-1",
    "oc29": "rkt:me-abudhabi-2 shj:me-abudhabi-4",
    "oc35": "bno:ap-chuncheon-2 dtz:ap-seoul-2 dln:ap-suwon-1",
    "oc42": "yxj:us-ashburn-2 pgc:us-newark-1",
    "oc51": "jsk:eu-budapest-1",
    "oc52": "hnw:sa-riodejaneiro-1",
}


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(short key -> region name, region name -> realm)."""
    short: dict[str, str] = {}
    realm_of: dict[str, str] = {}
    for realm, pairs in _REGIONS_BY_REALM.items():
        for pair in pairs.split():
            key, region = pair.split(":")
            short[key] = region
            realm_of[region] = realm
    return short, realm_of


def known_regions() -> dict[str, str]:
    """Every known region name -> its realm."""
    return dict(_tables()[1])


def short_region_keys() -> dict[str, str]:
    """Every region short key (``iad``) -> its region name (``us-ashburn-1``)."""
    return dict(_tables()[0])


def canonical_region(region: str) -> str:
    """``iad`` / ``US-Ashburn-1`` -> ``us-ashburn-1``; unknown names are returned lowercased."""
    if not region or not region.strip():
        raise ConfigurationError(
            "region", "must be a region name such as 'us-ashburn-1' or a short key such as 'iad'"
        )
    name = region.strip().lower()
    return _tables()[0].get(name, name)


def second_level_domain(region: str) -> str:
    """The realm's domain for ``region`` (``oraclecloud.com`` for unknown regions)."""
    realm = _tables()[1].get(canonical_region(region), "oc1")
    return REALMS[realm]


def validate_endpoint(endpoint: str, field: str = "endpoint") -> str:
    """Check an explicit endpoint has a scheme and a host; return it without a trailing slash."""
    value = endpoint.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(
            field,
            f"must be an absolute URL starting with http:// or https:// (e.g. http://127.0.0.1:8080), got {value!r}",
        )
    return value.rstrip("/")


def _service_base(service: str, version: str, region: str | None, endpoint: str | None) -> str:
    if endpoint:
        base = validate_endpoint(endpoint)
        return base if base.endswith("/" + version) else f"{base}/{version}"
    if not region:
        raise ConfigurationError(
            "region", "is required when no endpoint is given (e.g. 'us-ashburn-1' or 'iad')"
        )
    name = require_known_region(region)
    return f"https://{service}.{name}.oci.{second_level_domain(name)}/{version}"


def require_known_region(region: str, field: str = "region") -> str:
    """The canonical name of a known region (or short key); else a ConfigurationError naming ``field``.

    The message lists the closest known region names and short keys (``difflib``) and says how
    to reach a region this table does not know yet (an explicit ``endpoint``).
    """
    name = canonical_region(region)
    if name in _tables()[1]:
        return name
    candidates = [*_tables()[1], *_tables()[0]]
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise ConfigurationError(
        field,
        f"{region.strip()!r} is not a known OCI region; {hint}expected a region name such as "
        "'us-ashburn-1' or a short key such as 'iad' (or set the endpoint extra to reach a "
        "region by URL)",
    )


def data_science_endpoint(region: str | None, endpoint: str | None = None) -> str:
    """Base URL of the Data Science API, including ``/20190101``.

    :param region: region name or short key.
    :param endpoint: explicit base URL (scheme + host[:port]); ``/20190101`` is appended.
    """
    return _service_base("datascience", DATA_SCIENCE_API_VERSION, region, endpoint)


def logging_search_endpoint(region: str | None, endpoint: str | None = None) -> str:
    """Base URL of the Logging Search API, including ``/20190909`` (``POST {base}/search``).

    With an explicit endpoint the same base URL is used (the emulator serves ``/20190909/search``).
    """
    return _service_base("logging", LOGGING_SEARCH_API_VERSION, region, endpoint)
