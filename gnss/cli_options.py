"""Click callbacks shared by the ``gnss`` commands: bad values become ``click.BadParameter``."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

import click

from .errors import TimeInputError
from .timeutil import to_utc


def positive(name: str, above: float = 0.0):
    """Return a callback accepting numbers above ``above`` (None passes), quoting bad values."""

    def check(ctx, param, value):
        if value is None:
            return value
        if not math.isfinite(value) or value <= above:
            raise click.BadParameter(f"'{value:g}' is not allowed; {name} must be > {above:g}")
        return value

    return check


def utc_time(name: str, default: Callable[[], datetime] | None = None):
    """Return a callback parsing ISO 8601 text with a zone into an aware UTC datetime.

    A missing value gives ``default()`` (or None); a naive or malformed time is refused with
    the message of :func:`gnss.to_utc`, which shows the fix.
    """

    def check(ctx, param, value):
        if value is None:
            return default() if default is not None else None
        try:
            return to_utc(value, what=name)
        except TimeInputError as exc:
            raise click.BadParameter(str(exc)) from exc

    return check
