"""ClientConfig parsing: extras, standard fields, precedence, config file, secrets in repr."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from client_testdata import FINGERPRINT, PASS_PHRASE, TENANCY, USER

from airflow_ds_provider.client.auth import regions
from airflow_ds_provider.client.auth.masking import set_secret_masker
from airflow_ds_provider.client.config import ClientConfig
from airflow_ds_provider.client.errors import ConfigurationError


def _write_config(tmp_path, pems, *, key_file="~/k.pem", extra_profile=""):
    key = tmp_path / "k.pem"
    key.write_text(pems["pkcs8_encrypted"])
    text = (
        "[DEFAULT]\n"
        f"user={USER}\ntenancy={TENANCY}\nfingerprint={FINGERPRINT}\n"
        f"key_file={key_file}\npass_phrase={PASS_PHRASE}\nregion=us-phoenix-1\n\n"
        "[OTHER]\nregion=eu-frankfurt-1\n" + extra_profile
    )
    path = tmp_path / "config"
    path.write_text(text)
    return path


def test_defaults() -> None:
    config = ClientConfig.from_connection({"region": "iad"})
    assert config.auth_type == "api_key"
    assert config.region == "us-ashburn-1"
    assert config.max_attempts == 8
    assert config.max_retry_seconds == 600.0
    assert config.timeout == (10.0, 60.0)
    assert config.service_endpoint == "https://datascience.us-ashburn-1.oci.oraclecloud.com/20190101"


def test_standard_fields_and_precedence() -> None:
    config = ClientConfig.from_connection(
        {"region": "iad", "max_attempts": "3", "max_retry_seconds": "5", "timeout": 7, "compartment_id": "c"},
        login=USER,
        password="pw",
        host="http://127.0.0.1:1234",
        overrides={"region": "fra"},
    )
    assert config.user == USER
    assert config.pass_phrase == "pw"
    assert config.endpoint == "http://127.0.0.1:1234"
    assert config.region == "eu-frankfurt-1"  # hook argument wins
    assert (config.max_attempts, config.max_retry_seconds, config.timeout) == (3, 5.0, (7.0, 7.0))
    # extras win over standard fields
    config = ClientConfig.from_connection({"user": "ocid1.user.oc1..fromextra"}, login=USER)
    assert config.user == "ocid1.user.oc1..fromextra"


def test_ui_prefixed_and_empty_values() -> None:
    config = ClientConfig.from_connection({"extra__oci_data_science__region": "phx", "tenancy": "  "})
    assert config.region == "us-phoenix-1"
    assert config.tenancy is None


def test_unknown_keys_go_to_options_and_are_hidden() -> None:
    config = ClientConfig.from_connection({"security_token_file": "/t", "region": "iad"})
    assert config.options["security_token_file"] == "/t"
    assert "security_token_file" not in repr(config)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"max_attempts": "0"}, "max_attempts"),
        ({"max_attempts": "many"}, "max_attempts"),
        ({"max_retry_seconds": "-1"}, "max_retry_seconds"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": [1, 2, 3]}, "timeout"),
        ({"endpoint": "127.0.0.1:80"}, "endpoint"),
    ],
)
def test_bad_values_name_the_field(extra: dict, field: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        ClientConfig.from_connection({"region": "iad", **extra})
    assert info.value.field == field


@pytest.mark.parametrize(
    "extra",
    [
        {"key_content": "PEM", "pass_phrase": PASS_PHRASE},
        {"private_key": "PEM", "private_key_passphrase": PASS_PHRASE},
    ],
)
def test_repr_hides_secrets(pems, extra) -> None:
    config = ClientConfig.from_connection({k: pems["pkcs1"] if v == "PEM" else v for k, v in extra.items()})
    text = repr(config) + str(config.redacted())
    assert "PRIVATE KEY" not in text
    assert PASS_PHRASE not in text


@pytest.fixture
def recorded_masks():
    """Install a masker that records what the client registers; restore the previous one after."""
    recorded: list[str] = []
    previous = set_secret_masker(recorded.extend)
    yield recorded
    set_secret_masker(previous)


def test_documented_names(pems) -> None:
    config = ClientConfig.from_connection(
        {"private_key": pems["pkcs1"], "private_key_passphrase": PASS_PHRASE, "user": USER}
    )
    assert (config.key_content, config.pass_phrase, config.user) == (pems["pkcs1"], PASS_PHRASE, USER)
    assert config.source_of("key_content") == "private_key"
    assert config.source_of("pass_phrase") == "private_key_passphrase"
    assert config.source_of("user") == "user"
    assert "private_key" not in config.options and "private_key_passphrase" not in config.options


def test_oci_config_file_names_are_aliases(pems) -> None:
    config = ClientConfig.from_connection({"key_content": pems["pkcs1"], "pass_phrase": PASS_PHRASE})
    assert (config.key_content, config.pass_phrase) == (pems["pkcs1"], PASS_PHRASE)
    assert config.source_of("key_content") == "key_content"
    assert config.source_of("pass_phrase") == "pass_phrase"
    same = ClientConfig.from_connection({"key_content": pems["pkcs1"], "private_key": pems["pkcs1"]})
    assert same.key_content == pems["pkcs1"] and same.source_of("key_content") == "private_key"
    ui = ClientConfig.from_connection({"extra__oci_data_science__key_content": pems["pkcs1"]})
    assert ui.key_content == pems["pkcs1"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"private_key": "PEM-A", "key_content": "PEM-B"}, "private_key"),
        ({"private_key_passphrase": "one-phrase", "pass_phrase": "another"}, "private_key_passphrase"),
    ],
)
def test_a_name_and_its_alias_must_agree(extra, field) -> None:
    with pytest.raises(ConfigurationError) as info:
        ClientConfig.from_connection(extra)
    assert info.value.field == field
    for value in extra.values():
        assert value not in str(info.value)


def test_pass_phrase_from_the_password_and_user_from_the_login() -> None:
    config = ClientConfig.from_connection({}, login=USER, password=PASS_PHRASE)
    assert (config.user, config.pass_phrase) == (USER, PASS_PHRASE)
    assert (config.source_of("user"), config.source_of("pass_phrase")) == ("login", "password")
    config = ClientConfig.from_connection(
        {"private_key_passphrase": "from-extra", "user": "ocid1.user.oc1..x"}, login=USER, password="pw"
    )
    assert (config.user, config.pass_phrase) == ("ocid1.user.oc1..x", "from-extra")
    assert (config.source_of("user"), config.source_of("pass_phrase")) == ("user", "private_key_passphrase")
    alias = ClientConfig.from_connection({"pass_phrase": "from-alias"}, password="pw")
    assert alias.pass_phrase == "from-alias" and alias.source_of("pass_phrase") == "pass_phrase"


def test_connection_secrets_are_registered_with_the_masker(pems, recorded_masks) -> None:
    ClientConfig.from_connection({"key_content": pems["pkcs8"]}, password=PASS_PHRASE)
    body = [line for line in pems["pkcs8"].splitlines() if line and not line.startswith("-----")]
    assert pems["pkcs8"] in recorded_masks and PASS_PHRASE in recorded_masks
    assert set(body[:-1]) <= set(recorded_masks)  # every full 64-character line
    parts = [part for part in recorded_masks if part != pems["pkcs8"]]
    assert not any("-----" in part or "PRIVATE" in part for part in parts)  # not the armour
    recorded_masks.clear()
    ClientConfig.from_connection({"region": "iad", "private_key_passphrase": "no-key-just-phrase"})
    assert recorded_masks == ["no-key-just-phrase"]


def test_config_file_pass_phrase_is_registered_with_the_masker(tmp_path, pems, recorded_masks) -> None:
    path = _write_config(tmp_path, pems, key_file=str(tmp_path / "k.pem"))
    config = ClientConfig.from_connection({"auth_type": "config_file", "config_file": str(path)})
    assert config.pass_phrase == PASS_PHRASE and config.source_of("pass_phrase") == "pass_phrase"
    assert PASS_PHRASE in recorded_masks


def test_no_masker_installed_is_a_no_op(pems) -> None:
    previous = set_secret_masker(None)
    try:
        assert ClientConfig.from_connection({"private_key": pems["pkcs1"]}).key_content == pems["pkcs1"]
    finally:
        set_secret_masker(previous)


def test_config_file_profile_inherits_default(tmp_path, pems, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = _write_config(tmp_path, pems)
    config = ClientConfig.from_connection(
        {"auth_type": "config_file", "config_file": str(path), "profile": "OTHER"}
    )
    assert config.region == "eu-frankfurt-1"
    assert config.user == USER and config.tenancy == TENANCY and config.fingerprint == FINGERPRINT
    assert config.key_file == str(tmp_path / "k.pem")  # ~ expanded
    assert config.pass_phrase == PASS_PHRASE


def test_config_file_connection_values_win(tmp_path, pems) -> None:
    path = _write_config(tmp_path, pems, key_file=str(tmp_path / "k.pem"))
    config = ClientConfig.from_connection(
        {"auth_type": "config_file", "config_file": str(path), "region": "iad"}, overrides={"region": None}
    )
    assert config.region == "us-ashburn-1"
    config = ClientConfig.from_connection({"auth_type": "config_file", "config_file": str(path)})
    assert config.region == "us-phoenix-1"


def test_config_file_missing_profile(tmp_path, pems) -> None:
    path = _write_config(tmp_path, pems)
    with pytest.raises(ConfigurationError) as info:
        ClientConfig.from_connection(
            {"auth_type": "config_file", "config_file": str(path), "profile": "NOPE"}
        )
    assert info.value.field == "profile"
    assert "NOPE" in str(info.value) and "OTHER" in str(info.value)


def test_config_file_missing_file(tmp_path) -> None:
    with pytest.raises(ConfigurationError) as info:
        ClientConfig.from_connection({"auth_type": "config_file", "config_file": str(tmp_path / "none")})
    assert info.value.field == "config_file"


def test_config_file_rejects_key_content(tmp_path) -> None:
    path = tmp_path / "config"
    path.write_text("[DEFAULT]\nkey_content=abc\n")
    with pytest.raises(ConfigurationError) as info:
        ClientConfig.from_connection({"auth_type": "config_file", "config_file": str(path)})
    assert info.value.field == "key_content"


def test_with_overrides() -> None:
    config = ClientConfig.from_connection({"region": "iad"}).with_overrides(region="fra", max_attempts=None)
    assert config.region == "eu-frankfurt-1" and config.max_attempts == 8
    with pytest.raises(ConfigurationError):
        config.with_overrides(nonsense=1)


def test_hashable_and_comparable() -> None:
    a = ClientConfig.from_connection({"region": "iad", "security_token_file": "/t"})
    b = ClientConfig.from_connection({"region": "us-ashburn-1", "security_token_file": "/t"})
    assert a == b and hash(a) == hash(b)


@pytest.fixture
def counting_resolver() -> Iterator[list[dict]]:
    """A region resolver for auth type ``test_counting`` that records each call (and its values)."""
    calls: list[dict] = []
    gate = threading.Event()

    @regions.register_region_resolver("test_counting")
    def resolve(values) -> str:
        calls.append(dict(values))
        gate.wait(0.2)  # widens the window in which a second, unlocked lookup could start
        return "fra"

    yield calls
    regions._REGION_RESOLVERS.pop("test_counting", None)


def test_the_principals_region_is_resolved_on_first_use_once(counting_resolver, pems) -> None:
    config = ClientConfig.from_mapping(
        {"auth_type": "test_counting", "private_key": pems["pkcs8"], "pass_phrase": "pp", "x_option": "1"}
    )
    assert counting_resolver == [], "parsing must not resolve the region"
    assert config.declared_region is None and config.redacted()["region"] is None
    threads = [threading.Thread(target=lambda: config.region) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert config.region == "eu-frankfurt-1"  # canonical name
    assert config.service_endpoint == "https://datascience.eu-frankfurt-1.oci.oraclecloud.com/20190101"
    assert config.with_overrides(max_attempts=3).region == "eu-frankfurt-1"  # copies share the lookup
    assert len(counting_resolver) == 1
    assert counting_resolver[0]["x_option"] == "1"
    assert not {"private_key", "private_key_passphrase", "pass_phrase"} & set(counting_resolver[0])


@pytest.mark.parametrize("extra", [{"region": "iad"}, {"endpoint": "https://ds.example.com"}])
def test_a_declared_region_or_endpoint_asks_no_resolver(counting_resolver, extra) -> None:
    config = ClientConfig.from_mapping({"auth_type": "test_counting", **extra})
    assert config.region == ("us-ashburn-1" if "region" in extra else None)
    config.service_endpoint  # noqa: B018
    assert counting_resolver == []
