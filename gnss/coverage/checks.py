"""Argument types of the coverage calls, refused with what was expected and the fix."""

from __future__ import annotations

from collections.abc import Mapping

from ..elements.read import Constellation
from ..elements.sets import SetSpec
from ..errors import GnssTypeError
from ..receivers.grid import Grid
from ..timeutil import EpochSpan
from .config import CoverageConfig


def _expect(value, types, what: str, hint: str) -> None:
    """Raise GnssTypeError unless ``value`` is one of ``types``."""
    if not isinstance(value, types):
        raise GnssTypeError(
            f"{what}: expected {hint}, got {type(value).__name__} {_short(value)}"
        )


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_types(constellation, sets, span, grid, config, regions) -> None:
    """Refuse arguments of the wrong type with what was expected and the fix."""
    con_hint = (
        "a gnss.Constellation (read one with gnss.read_elements(path)) or a mapping "
        "label -> Constellation"
    )
    if isinstance(constellation, Mapping):
        for label, con in constellation.items():
            _expect(con, Constellation, f"constellation[{label!r}]", con_hint)
            if label is not None and not isinstance(label, str):
                raise GnssTypeError(
                    f"constellation: labels must be str or None, got {type(label).__name__} "
                    f"{_short(label)}"
                )
    else:
        _expect(constellation, Constellation, "constellation", con_hint)
    if not isinstance(sets, str):
        _expect(sets, (list, tuple), "sets", "a text such as 'R,C,R+C' or a list of SetSpec")
        for item in sets:
            _expect(item, SetSpec, "sets item", "a SetSpec (from gnss.parse_sets('R,C'))")
    _expect(span, EpochSpan, "span", "a gnss.EpochSpan (from gnss.epoch_span(start, ...))")
    _expect(grid, Grid, "grid", "a gnss.Grid, e.g. gnss.Grid(1.0)")
    if config is not None:
        _expect(config, CoverageConfig, "config", "a gnss.CoverageConfig or None")
    if regions is not None:
        from ..regions.definitions import Region

        _expect(regions, (list, tuple), "regions", "a list of gnss.Region (gnss.get_regions)")
        for item in regions:
            _expect(item, Region, "regions item", "a gnss.Region (from gnss.get_regions)")
