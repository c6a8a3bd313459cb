"""What the element-file parsers share: the record they return and the error they raise.

Each parser (:mod:`gnss.elements.tle`, :mod:`gnss.elements.omm`) turns a file's text into
records ``(name, line number, satrec)``; every problem becomes an
:class:`~gnss.errors.ElementError` made by :func:`element_error`, which puts ``file:line``
first and the fix last.
"""

from __future__ import annotations

from sgp4.api import Satrec

from ..errors import ElementError

#: One record of an element file: (name, first line number, initialised SGP4 model).
Record = tuple[str, int, Satrec]


def element_error(path: str, line: int | None, what: str, fix: str) -> ElementError:
    """Build the error for a problem at ``path:line`` (or the whole file when ``line`` is None).

    Parameters
    ----------
    path : str
        The element file.
    line : int or None
        Line (or JSON record) number; None when the problem concerns the whole file.
    what : str
        What was expected and what arrived (no final full stop).
    fix : str
        What to do about it.

    Returns
    -------
    ElementError
        To be raised by the caller.

    Examples
    --------
    >>> str(element_error("a.tle", 3, "TLE line 1 is short", "Download it again."))
    'a.tle:3: TLE line 1 is short. Download it again.'
    """
    where = f"{path}:{line}" if line is not None else path
    return ElementError(f"{where}: {what}. {fix}")
