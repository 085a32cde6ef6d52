"""``DataScienceClient``: the synchronous client (requests).

One typed method per API operation (generated in ``_operations.py`` from the spec); everything
but sending one HTTP request is shared with the async client in :class:`~._base.BaseClient`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from airflow_ds_provider.client._base import (
    DOWNLOAD_CHUNK,
    BaseClient,
    PreparedCall,
    download_args,
    download_target,
)
from airflow_ds_provider.client._operations import SyncOperations
from airflow_ds_provider.client.async_client import AsyncDataScienceClient
from airflow_ds_provider.client.auth import Credentials
from airflow_ds_provider.client.call_flow import Refresh, Send, Sleep, Step, call_flow
from airflow_ds_provider.client.config import ClientConfig
from airflow_ds_provider.client.errors import TransportError
from airflow_ds_provider.client.flow_driver import drive_sync
from airflow_ds_provider.client.response import Response
from airflow_ds_provider.client.retry import RetryPolicy
from airflow_ds_provider.client.transport import RequestsSigner
from airflow_ds_provider.client.wait_flow import ClientWait, Read, WaitStep
from airflow_ds_provider.client.wait_flow import Sleep as WaitSleep


class DataScienceClient(SyncOperations, BaseClient):
    """Synchronous Data Science client: one ``requests.Session`` per client, reused.

    Every API operation is a method with the reference's name and arguments, returning a
    :class:`Response`; ``list_all_<x>`` and :meth:`paginate` follow ``opc-next-page``;
    :meth:`request` is the escape hatch for anything else.
    """

    def __init__(
        self,
        config: ClientConfig | Mapping[str, Any],
        *,
        credentials: Credentials | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        super().__init__(config, credentials=credentials, retry_policy=retry_policy)
        self.session = requests.Session()

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def __enter__(self) -> DataScienceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the one sync transport call ----------------------------------------------------------

    def _send_once(self, call: PreparedCall) -> Response:
        data: Any = call.body
        if call.upload is not None:
            call.upload.rewind()
            data = call.upload.sync_body()
        streaming = call.download_to is not None
        try:
            resp = self.session.request(
                call.method,
                call.url,
                data=data,
                headers=call.headers,
                auth=RequestsSigner(self.credentials, call.include_body_headers),
                timeout=self.config.timeout,
                stream=streaming,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise TransportError(call.operation, "request timed out", call.request_id) from None
        except requests.RequestException as exc:
            reason = type(exc).__name__
            host = urlsplit(call.url).netloc
            raise TransportError(
                call.operation, f"connection failed to {host} ({reason})", call.request_id
            ) from None
        try:
            if streaming and resp.status_code < 400:
                return self._write_download(call, resp)
            content = resp.content
        except requests.RequestException as exc:
            reason = type(exc).__name__
            raise TransportError(
                call.operation, f"reading the response failed ({reason})", call.request_id
            ) from None
        finally:
            resp.close()
        return self.finish(call, resp.status_code, resp.headers, content)

    def _write_download(self, call: PreparedCall, resp: requests.Response) -> Response:
        assert call.download_to is not None
        fd, tmp = download_target(call.download_to)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in resp.iter_content(DOWNLOAD_CHUNK):
                    out.write(chunk)
            os.replace(tmp, call.download_to)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return Response.build(call.download_to, resp.headers, resp.status_code)

    def _send(self, call: PreparedCall) -> Response:
        try:
            return drive_sync(call_flow(call, self.retry_policy), self._perform)
        finally:
            if call.upload is not None:
                call.upload.close()

    def _perform(self, step: Step) -> Any:
        """Carry out one step of :func:`~.call_flow.call_flow`."""
        if isinstance(step, Send):
            return self._send_once(step.call)
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, Refresh):
            return self.credentials.on_unauthorized()
        return self._invoke(step.operation, step.args)

    # --- shared entry points -------------------------------------------------------------------

    def _invoke(self, operation: str, args: Mapping[str, Any]) -> Response:
        return self._send(self.prepare(operation, args))

    def call(self, operation: str, **kwargs: Any) -> Response:
        """Call any operation by name, e.g. ``call("get_job_run", job_run_id=...)``."""
        return self._invoke(operation, kwargs)

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
        """Send a signed request to any path of the API (relative to ``/20190101``).

        :param retry: re-send after an ambiguous failure (5xx, lost connection; default: only
            for GET and HEAD). 429 and 409 ``IncorrectState``/``LockConflict`` are always retried.
        """
        call = self.prepare_raw(method, path, params=params, json_body=json, headers=headers, retry=retry)
        return self._send(call)

    def search_logs(
        self, search_logs_details: Mapping[str, Any], limit: int | None = None, page: str | None = None
    ) -> Response:
        """Logging Search API ``POST /20190909/search`` (job-run logs), signed like any call.

        :param search_logs_details: ``{"timeStart", "timeEnd", "searchQuery", "isReturnFieldInfo"}``.
        :param limit: results per page (up to 1000).
        :param page: ``opc-next-page`` of the previous response.
        """
        return self._send(self.prepare_search(search_logs_details, limit, page))

    def paginate(self, operation: str, **kwargs: Any) -> Iterator[Any]:
        """Yield the items of every page of a list operation."""
        page = kwargs.pop("page", None)
        while True:
            resp = self._invoke(operation, {**kwargs, "page": page})
            yield from self.page_items(resp.data)
            page = resp.next_page
            if not page:
                return

    def _list_all(self, operation: str, args: Mapping[str, Any]) -> list[Any]:
        return list(self.paginate(operation, **{k: v for k, v in args.items() if k != "self"}))

    def download_artifact(
        self, operation: str, resource_id: str, path: str | os.PathLike[str], range: str | None = None
    ) -> Response:
        """Stream artifact content to ``path`` (``get_job_artifact_content`` / ``get_model_artifact_content``).

        :param range: an RFC 7233 byte range, e.g. ``bytes=0-99``.
        :returns: a ``Response`` whose ``data`` is the written path.
        """
        op_args = download_args(operation, resource_id, range)
        return self._send(self.prepare(operation, op_args, download_to=path))

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
        """Poll ``get_<resource>`` until a target state (returns the data), a failure state
        (:class:`ResourceFailedError`) or the timeout (:class:`WaitTimeoutError`).

        :param not_found_ok: treat 404 as done (returns ``None``), for waits after a delete.
        """
        wait = ClientWait.create(
            resource, resource_id, target_states, failure_states, poll_interval, timeout, not_found_ok
        )
        return wait.result(drive_sync(wait.flow, self._wait_step))

    def _wait_step(self, step: WaitStep) -> Any:
        """Carry out one step of :func:`~.wait_flow.wait_flow`."""
        if isinstance(step, Read):
            return self._invoke(step.operation, step.args).data
        if isinstance(step, WaitSleep):
            time.sleep(step.seconds)
            return None
        return self._list_all("list_work_request_errors", {"work_request_id": step.work_request_id})


__all__ = ["AsyncDataScienceClient", "DataScienceClient"]
