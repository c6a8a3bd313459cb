"""``--scheduler``: run the grid of ``gnss compare`` on a Dask cluster (:mod:`gnss.scale`).

Only click at import time: the option's check imports :mod:`gnss.scale.cluster` (which
imports no dask) and dask itself loads only when the option is given.
"""

from __future__ import annotations

import contextlib

import click


def _parse(ctx, param, value):
    if value is None:
        return None
    from ..errors import ParameterError
    from ..scale.cluster import parse_scheduler

    try:
        return parse_scheduler(value)
    except ParameterError as exc:
        raise click.BadParameter(str(exc)) from exc


def scheduler_option():
    """Declare ``--scheduler ADDRESS|local:N``."""
    return click.option(
        "--scheduler", metavar="tcp://HOST:PORT|local:N", callback=_parse,
        help="Run the grid as Dask tasks: on the scheduler at this address (tls:// with dask's "
        "security configuration), or on a LocalCluster of N single-threaded worker processes "
        "on 127.0.0.1. Same numbers as without it. Needs pip install '.[dask]'.",
    )  # fmt: skip


@contextlib.contextmanager
def client_for(spec):
    """Yield a Dask client for a parsed ``--scheduler`` (None: yield None, import nothing)."""
    if spec is None:
        yield None
        return
    import logging

    from ..scale.cluster import open_client

    logging.getLogger("gnss").info("running the grid on %s", spec.describe())
    with open_client(spec) as client:
        yield client
