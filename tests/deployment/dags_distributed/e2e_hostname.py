"""``[core] hostname_callable`` of the distributed test deployment: each component's name.

``CeleryDeployment`` starts every component with ``AIRFLOW_E2E_HOSTNAME`` set to its name
(``worker-1``, ``triggerer-2``, ...), so task instances and triggerer jobs say which process
ran them although all of them run on one machine.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    """The component's name, or the machine's fully qualified name outside the test deployment."""
    return os.environ.get("AIRFLOW_E2E_HOSTNAME") or socket.getfqdn()
