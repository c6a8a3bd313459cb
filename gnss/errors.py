"""One exception family for the whole package.

Every message names what was expected, what arrived, where (file:line or
satellite) and how to fix it.
"""

from __future__ import annotations


class GnssError(Exception):
    """Base class of every error raised on purpose by :mod:`gnss`."""


class ElementError(GnssError, ValueError):
    """An element set (TLE/3LE or OMM) could not be read or classified."""


class TimeInputError(GnssError, ValueError):
    """A time argument is missing its time zone, malformed or out of range."""


class ParameterError(GnssError, ValueError):
    """A numeric or choice parameter is outside its allowed range.

    Parameters
    ----------
    message : str
        What was expected, what arrived and the fix.
    parameter : str, optional
        The library parameter at fault (e.g. ``"sets"``, ``"regions"``, ``"step_s"``), so a
        front end can name its own option for it; None when no single one is.
    """

    def __init__(self, message: str = "", *, parameter: str | None = None):
        super().__init__(message)
        self.parameter = parameter


class OutputError(GnssError, OSError):
    """An output could not be written (exists, not writable, ...)."""


class GnssTypeError(GnssError, TypeError):
    """An argument of a library call has the wrong type (the message says what was expected)."""
