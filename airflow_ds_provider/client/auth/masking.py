"""Registering secrets with a log masker, as soon as they are read (no Airflow import).

The client knows nothing about Airflow: :class:`~airflow_ds_provider.hooks.data_science.DataScienceHook`
plugs Airflow's ``mask_secret`` in with :func:`set_secret_masker`. Every private key, pass phrase
and token the client reads (connection values, key files, token files, federation answers) is
passed to :func:`mask_secret` or :func:`mask_private_key`; without a masker they are no-ops.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

log = logging.getLogger("airflow_ds_provider.client.auth")

#: Takes the secrets read together (a PEM and its body lines), so a masker that tells another
#: process (Airflow's task supervisor) does it in one message.
SecretMasker = Callable[[list[str]], None]

_masker: SecretMasker | None = None
_lock = threading.Lock()
#: Body lines of a PEM shorter than this are not registered on their own (the last line of a
#: key can be a few characters; masking those would blank unrelated text).
_MIN_PEM_LINE = 16
_ARMOUR = re.compile(r"-----(BEGIN|END)[A-Z0-9 ]*-----")


def set_secret_masker(masker: SecretMasker | None) -> SecretMasker | None:
    """Install the function that registers a secret with the log masker; return the previous one.

    :param masker: called with a list of secret strings (``None`` removes the masker).
    """
    global _masker
    with _lock:
        previous, _masker = _masker, masker
    return previous


def get_secret_masker() -> SecretMasker | None:
    """The installed masker, if any."""
    return _masker


def mask_secret(*values: str | bytes | None) -> None:
    """Register ``values`` with the installed masker (nothing happens without one; empty values
    are skipped).

    A masker that fails never fails the caller: the failure is logged without the value.
    """
    masker = _masker
    texts = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values if v]
    if masker is None or not texts:
        return
    try:
        masker(texts)
    except Exception as exc:  # masking is a safety net; never turn it into an outage
        log.debug("Could not register a secret with the log masker (%s)", type(exc).__name__)


def pem_secret_parts(pem: str | bytes) -> list[str]:
    """The strings to mask for a PEM private key: the text as given and each base64 body line.

    Body lines are substrings of every way the key can be printed (newlines, ``\\n`` escapes,
    the spaces of a PEM flattened by a single-line input, JSON), so masking them masks all.
    """
    text = pem.decode("utf-8", "replace") if isinstance(pem, bytes) else str(pem)
    parts = [text]
    body = _ARMOUR.sub(" ", text.replace("\\n", "\n"))
    for chunk in body.split():
        if ":" in chunk or len(chunk) < _MIN_PEM_LINE:
            continue  # headers (Proc-Type, DEK-Info) and short tails are not secret
        parts.append(chunk)
    return parts


def mask_private_key(pem: str | bytes | None, pass_phrase: str | None = None) -> None:
    """Register a PEM private key (see :func:`pem_secret_parts`) and its pass phrase together."""
    if _masker is not None and (pem or pass_phrase):
        mask_secret(*(pem_secret_parts(pem) if pem else ()), pass_phrase)
