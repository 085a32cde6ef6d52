"""``DataScienceHook``: an Airflow connection -> the Data Science client, plus waits."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_ds_provider._compat import (
    BaseHook,
    aextra_dejson,
    aget_connection,
    has_declarative_conn_fields,
    legacy_connection_form_widgets,
    legacy_ui_field_behaviour,
    run_sync,
)
from airflow_ds_provider.client.auth.masking import set_secret_masker
from airflow_ds_provider.client.errors import BadRequestError, DataScienceError, ServiceError

if TYPE_CHECKING:
    # The HTTP stacks (requests, httpx) load when a client is first built, the configuration
    # parser when a connection is first read, and the generated operation methods on their first
    # use, not when a DAG file imports an operator (tests/triggers/test_lazy_imports.py). Type
    # checkers and IDEs see the generated ``SyncOperations`` as the hook's base.
    from airflow_ds_provider.client._operations import SyncOperations as _Operations
    from airflow_ds_provider.client.async_client import AsyncDataScienceClient
    from airflow_ds_provider.client.client import DataScienceClient
    from airflow_ds_provider.client.config import ClientConfig
    from airflow_ds_provider.client.response import Response
    from airflow_ds_provider.client.shared_clients import ClientLease
else:
    from airflow_ds_provider.client.lazy_operations import LazySyncOperations as _Operations


log = logging.getLogger(__name__)

_UI_PREFIX = "extra__oci_data_science__"
_warned_connections: set[str] = set()
_warned_lock = threading.Lock()


def airflow_mask_secret(values: list[str]) -> None:
    """Register ``values`` with Airflow's secrets masker (and the task supervisor's, in one message).

    Installed as the client's masker when this module is imported, so every key, pass phrase and
    token the client reads is masked in any later log line of the task or the triggerer.
    """
    from airflow_ds_provider._compat import mask_secret

    mask_secret(values)


set_secret_masker(airflow_mask_secret)


def _masked_by_airflow(name: str) -> bool:
    """True when Airflow's masker hides extras named ``name`` (``[core] sensitive_var_conn_names``)."""
    from airflow_ds_provider._compat import should_hide_value_for_key

    return bool(should_hide_value_for_key(name))


def warn_unmasked_secret_names(conn_id: str, extra: Mapping[str, Any]) -> None:
    """Log one warning per connection (per process) that holds secrets under alias names.

    ``key_content`` and ``pass_phrase`` are not names Airflow masks, so the REST API, the
    connection form and ``airflow connections get`` show their values in clear. The warning
    names the keys and what to rename them to; it never contains the values.
    """
    from airflow_ds_provider.client.config import SECRET_ALIASES

    found = sorted(
        name
        for name in (key.removeprefix(_UI_PREFIX) for key in extra)
        if name in SECRET_ALIASES and not _masked_by_airflow(name)
    )
    if not found:
        return
    with _warned_lock:
        if conn_id in _warned_connections:
            return
        _warned_connections.add(conn_id)
    renames = ", ".join(f"{name} -> {SECRET_ALIASES[name]}" for name in found)
    log.warning(
        "Connection %r keeps secrets in the extras %s, names Airflow does not mask: the REST API, "
        "the connection form and 'airflow connections get' show these values in clear. Rename them "
        "(%s; the pass phrase may also go in the connection password), or add the names to "
        "[core] sensitive_var_conn_names.",
        conn_id,
        ", ".join(found),
        renames,
    )


def _host_endpoint(host: str | None, port: int | None, schema: str | None) -> str | None:
    """The standard ``host`` field as an endpoint (``https://`` assumed when it has no scheme)."""
    if not host:
        return None
    if "://" in host:
        return host
    scheme = schema if schema in ("http", "https") else "https"
    return f"{scheme}://{host}{f':{port}' if port else ''}"


def config_from_connection(conn: Any, extra: Mapping[str, Any], region: str | None = None) -> ClientConfig:
    """Parse an Airflow connection (fields + already-decoded extras) into a :class:`ClientConfig`.

    :param region: a hook argument that wins over the connection's region.
    """
    from airflow_ds_provider.client.config import ClientConfig

    return ClientConfig.from_connection(
        extra,
        login=conn.login,
        password=conn.password,
        host=_host_endpoint(conn.host, conn.port, conn.schema),
        overrides={"region": region},
    )


def connection_fingerprint(conn: Any, extra: Mapping[str, Any], region: str | None) -> str:
    """A digest of everything a client is built from (a change means a new client); no secret
    can be read back from it."""
    fields = [conn.conn_type, conn.host, conn.login, conn.password, conn.schema, conn.port, region]
    text = json.dumps([fields, extra], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _new_async_client(config: ClientConfig) -> AsyncDataScienceClient:
    """Build an async client; run in a worker thread, so that the first build's imports (the
    HTTP stack, the generated methods) and the spec tables' parsing stay off the event loop."""
    from airflow_ds_provider.client.async_client import AsyncDataScienceClient
    from airflow_ds_provider.spec import operations

    operations()
    return AsyncDataScienceClient(config)


class ConnectionSource:
    """An Airflow connection (and a region override) as the source of an async client
    (:class:`~airflow_ds_provider.client.shared_clients.ClientSource`), read with the async
    connection API.

    :param oci_conn_id: the Airflow connection id.
    :param region: region override (wins over the connection).
    """

    def __init__(self, oci_conn_id: str, region: str | None = None) -> None:
        self.oci_conn_id = oci_conn_id
        self.region = region
        self._loaded: tuple[Any, Mapping[str, Any]] | None = None

    async def _load(self) -> tuple[Any, Mapping[str, Any]]:
        conn = await aget_connection(self.oci_conn_id)
        extra = await aextra_dejson(conn)
        self._loaded = (conn, extra)
        return conn, extra

    async def fingerprint(self) -> str:
        """Read the connection (again) and digest it."""
        conn, extra = await self._load()
        return connection_fingerprint(conn, extra, self.region)

    async def build(self) -> AsyncDataScienceClient:
        """A client from the connection last read (read now if never): configuration, key file
        and key parsing, and a principal's region lookup all run in a worker thread."""
        conn, extra = self._loaded or await self._load()
        warn_unmasked_secret_names(self.oci_conn_id, extra)
        config = await run_sync(config_from_connection, conn, extra, self.region)  # masks secrets
        return await run_sync(_new_async_client, config)


class DataScienceHook(_Operations, BaseHook):
    """Interact with OCI Data Science: every API operation is a method of the hook.

    The connection holds the extras ``auth_type``, ``tenancy``, ``user``, ``fingerprint``,
    ``key_file`` or ``private_key`` (the PEM), ``private_key_passphrase``, ``region``,
    ``config_file``, ``profile``, ``endpoint``, ``compartment_id``, ``max_attempts``,
    ``max_retry_seconds``, ``timeout``; the password is the key pass phrase. Still read: the login
    (when there is no ``user``) and the OCI config-file names ``key_content`` and ``pass_phrase``,
    with one warning per connection because Airflow does not mask those names. Every secret read
    is registered with Airflow's secrets masker.

    :param oci_conn_id: the Airflow connection id.
    :param region: region override (wins over the connection).
    """

    conn_name_attr = "oci_conn_id"
    default_conn_name = "oci_data_science_default"
    conn_type = "oci_data_science"
    hook_name = "OCI Data Science"

    if not has_declarative_conn_fields():  # Airflow 3.0/3.1 read the form from the hook

        @classmethod
        def get_connection_form_widgets(cls) -> dict[str, Any]:
            """The connection form's extra fields (Airflow < 3.2; 3.2+ reads ``conn-fields``)."""
            from airflow_ds_provider.get_provider_info import connection_type

            return legacy_connection_form_widgets(connection_type()["conn-fields"])

        @classmethod
        def get_ui_field_behaviour(cls) -> dict[str, Any]:
            """Hidden, relabelled and placeholder fields (Airflow < 3.2; 3.2+ reads the provider info)."""
            from airflow_ds_provider.get_provider_info import connection_type

            return legacy_ui_field_behaviour(connection_type()["ui-field-behaviour"])

    def __init__(
        self, oci_conn_id: str = default_conn_name, region: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.oci_conn_id = oci_conn_id
        self.region = region

    # --- configuration and clients -------------------------------------------------------------

    @cached_property
    def config(self) -> ClientConfig:
        """The parsed connection (read once per hook)."""
        conn = self.get_connection(self.oci_conn_id)
        extra = conn.extra_dejson
        warn_unmasked_secret_names(self.oci_conn_id, extra)
        return config_from_connection(conn, extra, self.region)

    @cached_property
    def client(self) -> DataScienceClient:
        """The sync client (one HTTP session per hook instance)."""
        from airflow_ds_provider.client.client import DataScienceClient

        return DataScienceClient(self.config)

    def get_conn(self) -> DataScienceClient:
        """The sync client (Airflow's conventional accessor)."""
        return self.client

    @property
    def compartment_id(self) -> str | None:
        """The connection's default compartment OCID."""
        return self.config.compartment_id

    async def aget_async_client(self) -> AsyncDataScienceClient:
        """Build an :class:`AsyncDataScienceClient`, loading the connection with the async API.

        File reads (key file, config file) and a principal's region lookup (done when the client
        builds its endpoint) run in a worker thread, never on the event loop. The
        caller owns the client: use ``async with await hook.aget_async_client() as client``.
        """
        return await ConnectionSource(self.oci_conn_id, self.region).build()

    async def aacquire_shared_client(self) -> ClientLease:
        """A lease on the one :class:`AsyncDataScienceClient` this event loop shares for this
        connection and region (see :mod:`airflow_ds_provider.client.shared_clients`): built
        once (off the loop), rebuilt when the connection changes, closed when its last lease is
        released. Use ``client = await lease.client()`` before each request, and
        ``await lease.release()`` when done.
        """
        from airflow_ds_provider.client.shared_clients import pool_for_loop

        source = ConnectionSource(self.oci_conn_id, self.region)
        return await pool_for_loop().acquire((self.oci_conn_id, self.region), source)

    # --- operations (delegated to the client) --------------------------------------------------

    def _invoke(self, operation: str, args: Mapping[str, Any]) -> Response:
        return self.client._invoke(operation, args)

    def _list_all(self, operation: str, args: Mapping[str, Any]) -> list[Any]:
        return self.client._list_all(operation, args)

    def call(self, operation: str, **kwargs: Any) -> Response:
        """Call any operation by name."""
        return self.client.call(operation, **kwargs)

    def paginate(self, operation: str, **kwargs: Any) -> Iterator[Any]:
        """Yield the items of every page of a list operation."""
        return self.client.paginate(operation, **kwargs)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> Response:
        """Escape hatch: a signed request to any API path (relative to ``/20190101``)."""
        return self.client.request(method, path, params=params, json=json, headers=headers, retry=retry)

    def search_logs(
        self, search_logs_details: Mapping[str, Any], limit: int | None = None, page: str | None = None
    ) -> Response:
        """Logging Search API ``POST /20190909/search`` (job-run logs)."""
        return self.client.search_logs(search_logs_details, limit=limit, page=page)

    def download_artifact(
        self, operation: str, resource_id: str, path: str | os.PathLike[str], range: str | None = None
    ) -> Response:
        """Stream ``get_job_artifact_content``/``get_model_artifact_content`` to ``path``."""
        return self.client.download_artifact(operation, resource_id, path, range=range)

    def wait_for_state(
        self,
        resource: str,
        resource_id: str,
        target_states: list[str] | None = None,
        failure_states: list[str] | None = None,
        poll_interval: float = 10.0,
        timeout: float = 3600.0,
        not_found_ok: bool = False,
    ) -> dict[str, Any] | None:
        """Poll ``get_<resource>`` until a target state; see :meth:`DataScienceClient.wait_for_state`.

        :param resource: ``project``, ``job``, ``job_run``, ``model``, ``model_deployment``,
            ``notebook_session`` or ``work_request``.
        :param target_states: success states (default: the lifecycle table's).
        :param failure_states: failure states (default: the lifecycle table's).
        :param not_found_ok: treat 404 as done (for a delete); returns ``None`` then.
        :raises ResourceFailedError: on a failure state (with lifecycleDetails or work-request errors).
        :raises WaitTimeoutError: when ``timeout`` passes first.
        """
        return self.client.wait_for_state(
            resource, resource_id, target_states, failure_states, poll_interval, timeout, not_found_ok
        )

    # --- connection test -----------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Make one cheap signed call (``list_projects`` with ``limit=1``) and report the outcome."""
        try:
            config = self.config
            compartment = config.compartment_id or config.tenancy
            quick = config.with_overrides(max_attempts=min(config.max_attempts, 2), max_retry_seconds=10.0)
            from airflow_ds_provider.client.client import DataScienceClient

            with DataScienceClient(quick) as client:
                if compartment:
                    resp = client.list_projects(compartment, limit=1)
                else:
                    resp = client.request("GET", "/jobShapes", params={"limit": 1})
            return True, (
                f"Connected to OCI Data Science at {client.base_url} "
                f"(opc-request-id {resp.request_id or 'n/a'})"
            )
        except BadRequestError as exc:
            if not compartment:
                # Principals carry no tenancy in the connection: the service parsed and
                # authenticated the signed call, it only wants a compartment to list in.
                return True, (
                    f"Authenticated to OCI Data Science ({exc.code}: {exc.message}); set the "
                    "compartment_id extra so operators and this test can list resources"
                )
            return (
                False,
                f"{exc.code} (HTTP {exc.status}): {exc.message} [opc-request-id {exc.opc_request_id}]",
            )
        except ServiceError as exc:
            return (
                False,
                f"{exc.code} (HTTP {exc.status}): {exc.message} [opc-request-id {exc.opc_request_id}]",
            )
        except DataScienceError as exc:
            return False, str(exc)
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"
