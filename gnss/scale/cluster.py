"""The ``--scheduler`` option: an existing cluster's address, or a loopback LocalCluster.

``tcp://HOST:PORT`` (or ``tls://``, ``ws://``, ``wss://``, ``inproc://``) connects to a
running scheduler; security (TLS certificates) comes from dask's own configuration
(``distributed.comm.tls.*``, e.g. ``DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT``), as with any
``distributed.Client``. ``local:N`` starts a ``LocalCluster`` of ``N`` single-threaded worker
processes bound to 127.0.0.1, without the dashboard: the only listening ports the client
side ever opens, and only on loopback. :func:`parse_scheduler` imports nothing of dask.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ParameterError

#: Address schemes of distributed's comms a scheduler can be reached with.
SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")
#: The most workers ``local:N`` starts.
MAX_LOCAL_WORKERS = 256


@dataclass(frozen=True)
class SchedulerSpec:
    """Where the tasks run: ``address`` of a scheduler, or ``n_local`` loopback workers."""

    address: str | None = None
    n_local: int | None = None

    def describe(self) -> str:
        """One line for the log."""
        if self.address is not None:
            return f"Dask scheduler {self.address}"
        return f"LocalCluster of {self.n_local} single-threaded worker processes on 127.0.0.1"


def parse_scheduler(text: str) -> SchedulerSpec:
    """``tcp://HOST:PORT`` or ``local:N`` (1 <= N <= 256) as a :class:`SchedulerSpec`.

    Raises
    ------
    ParameterError
        For anything else, quoting the value and showing both forms (``parameter`` is
        "scheduler").

    Examples
    --------
    >>> parse_scheduler("local:2")
    SchedulerSpec(address=None, n_local=2)
    >>> parse_scheduler("tcp://10.0.0.5:8786").address
    'tcp://10.0.0.5:8786'
    """
    text = str(text).strip()
    local = re.fullmatch(r"local:(\d+)", text)
    if local:
        n = int(local.group(1))
        if 1 <= n <= MAX_LOCAL_WORKERS:
            return SchedulerSpec(n_local=n)
    elif re.fullmatch(rf"({'|'.join(SCHEMES)})://\[?[\w.:-]+\]?(:\d+)?(/\S*)?", text):
        return SchedulerSpec(address=text)
    raise ParameterError(
        f"expected tcp://HOST:PORT (a running Dask scheduler; tls:// with dask's "
        f"security configuration) or local:N (N from 1 to {MAX_LOCAL_WORKERS} worker processes "
        f"on this machine), got {text!r}; e.g. --scheduler local:4",
        parameter="scheduler",
    )


@contextlib.contextmanager
def open_client(spec: SchedulerSpec, timeout_s: float = 60.0) -> Iterator:
    """Yield a connected ``distributed.Client`` for ``spec``; close a LocalCluster at the end.

    Raises
    ------
    ParameterError
        When the scheduler cannot be reached within ``timeout_s`` (with the address and the
        fix), or when distributed is not installed (``pip install ".[dask]"``).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ParameterError(
            f"--scheduler needs dask's distributed package, which is not importable ({exc}); "
            'install it with pip install ".[dask]"',
            parameter="scheduler",
        ) from exc
    if spec.n_local is not None:
        cluster = LocalCluster(
            n_workers=spec.n_local, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, scheduler_port=0,
        )  # fmt: skip
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(spec.address, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        raise ParameterError(
            f"--scheduler {spec.address}: no Dask scheduler answered within {timeout_s:g} s "
            f"({exc}); start one (dask scheduler) or check the address and port",
            parameter="scheduler",
        ) from exc
    with client:
        yield client
