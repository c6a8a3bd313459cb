"""What to ask CelesTrak for: the GP endpoint, its groups and formats, and the query URL.

CelesTrak's GP query is ``https://celestrak.org/NORAD/elements/gp.php?GROUP=<group>&FORMAT=<fmt>``
(https://celestrak.org/NORAD/documentation/gp-data-formats.php). This module holds the
endpoint, the GNSS groups, the formats, the polite request interval and the User-Agent, and
checks group names and formats before any URL is built.
"""

from __future__ import annotations

import re
import urllib.parse

from .. import __version__
from ..errors import ParameterError

#: CelesTrak's GP query endpoint (https://celestrak.org/NORAD/documentation/gp-data-formats.php).
GP_URL = "https://celestrak.org/NORAD/elements/gp.php"
#: GNSS groups CelesTrak offers; any other name made of ``[a-z0-9-]`` is accepted too.
KNOWN_GROUPS = ("gps-ops", "glo-ops", "galileo", "beidou", "gnss")
#: Formats: OMM CSV (the default), TLE/3LE, OMM JSON.
FORMATS = ("csv", "tle", "json")
#: CelesTrak updates GP data at most every 2 hours and answers repeat downloads with 403.
MIN_INTERVAL_S = 7200.0
#: Environment variable naming the package's cache root (CelesTrak files go to ``celestrak/``).
CACHE_ENV = "GNSS_CACHE_DIR"
USER_AGENT = f"gnss-coverage/{__version__} (Python urllib; GNSS coverage engine)"

_GROUP_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def validate_group(group: str) -> str:
    """Check a CelesTrak group name and return it.

    Parameters
    ----------
    group : str
        Lower-case letters, digits and hyphens, starting with a letter or digit,
        at most 64 characters, e.g. ``"gps-ops"``.

    Raises
    ------
    ParameterError
        For any other text.

    Examples
    --------
    >>> validate_group("glo-ops")
    'glo-ops'
    >>> validate_group("GPS-OPS")
    Traceback (most recent call last):
    ...
    gnss.errors.ParameterError: invalid CelesTrak group 'GPS-OPS': ...
    """
    if not isinstance(group, str) or not _GROUP_RE.fullmatch(group):
        hint = ""
        if isinstance(group, str) and _GROUP_RE.fullmatch(group.strip().lower()):
            hint = f" Did you mean {group.strip().lower()!r}?"
        raise ParameterError(
            f"invalid CelesTrak group {group!r}: expected lower-case letters, digits and '-' "
            f"(at most 64 characters), e.g. one of {', '.join(KNOWN_GROUPS)}.{hint}"
        )
    return group


def validate_format(fmt: str) -> str:
    """Check a format name (one of :data:`FORMATS`) and return it.

    Raises
    ------
    ParameterError
        For any other value.

    Examples
    --------
    >>> validate_format("tle")
    'tle'
    >>> validate_format("xml")
    Traceback (most recent call last):
    ...
    gnss.errors.ParameterError: invalid format 'xml': expected one of csv, tle, json
    """
    if fmt not in FORMATS:
        raise ParameterError(f"invalid format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


def gp_url(group: str, fmt: str = "csv", base_url: str = GP_URL) -> str:
    """Build the GP query URL for a group and format.

    Examples
    --------
    >>> gp_url("gnss")
    'https://celestrak.org/NORAD/elements/gp.php?GROUP=gnss&FORMAT=csv'
    """
    validate_group(group)
    validate_format(fmt)
    scheme = urllib.parse.urlsplit(base_url).scheme
    if scheme not in ("http", "https"):
        raise ParameterError(
            f"invalid base URL {base_url!r}: expected an http:// or https:// URL such as {GP_URL}"
        )
    return f"{base_url}?{urllib.parse.urlencode({'GROUP': group, 'FORMAT': fmt})}"
