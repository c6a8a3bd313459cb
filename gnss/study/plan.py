"""A checked plan of a comparison: everything refused that can be, before any heavy work.

:func:`plan_comparison` reads and filters the elements, chooses the start, checks the span
against the element epochs, resolves the what-if sets (each with its one-line description),
resolves the regions, checks the output names and folder, and estimates the peak memory. The
:class:`Plan` then computes and writes (:meth:`Plan.compute`, :meth:`Plan.run`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analysis.differences import difference_pairs
from ..coverage.memory import plan_memory_bytes
from ..elements.read import Constellation
from ..elements.sets import ResolvedSet, resolve_sets, set_starts
from ..errors import GnssError, ParameterError
from ..outputs.comparison import estimate_output_bytes, planned_files
from ..outputs.outdir import OutputDir
from ..receivers.grid import Grid
from ..resources import available_memory_bytes
from ..timeutil import EpochSpan, epoch_span
from .load import check_spans, default_start, label_starts, load_constellations
from .question import Study

MAPS = ("default", "all", "none")
#: Formats of the per-cell statistics: coverage.nc (default) or coverage.zarr.
OUTPUT_FORMATS = ("netcdf", "zarr")


@dataclass
class Plan:
    """A study checked and resolved; nothing computed yet.

    Attributes
    ----------
    study : Study
    constellations : dict
        Element sets by label (None: the unlabelled one), filtered by the selectors.
    span : EpochSpan
        Epochs of the unlabelled elements (labelled snapshots use their own median epoch).
    resolved : list of ResolvedSet
        The sets with their satellites; ``description`` says what each is.
    regions : list of Region
    output : OutputDir or None
        The output folder (checked: writable, no unexpected files), opened by :meth:`run`.
    maps : str
    file_names : list of str
        Files the run writes into the output folder.
    memory_bytes, memory_limit_bytes : float
        Estimated peak memory of the run and the limit it is held to.
    report : bool
    output_format : {"netcdf", "zarr"}
        coverage.nc, or coverage.zarr (with a client: written tile by tile).
    """

    study: Study
    constellations: dict[str | None, Constellation]
    span: EpochSpan
    resolved: list[ResolvedSet]
    regions: list
    grid: Grid
    output: OutputDir | None
    maps: str
    file_names: list[str]
    memory_bytes: float
    memory_limit_bytes: float
    report: bool = True
    output_format: str = "netcdf"

    @property
    def set_descriptions(self) -> dict[str, str]:
        """One line per set: satellites per system, what its modifiers removed and added."""
        return {rs.spec.name: rs.description for rs in self.resolved}

    def check_memory(self) -> None:
        """Refuse the run when its estimated peak memory exceeds the limit.

        Raises
        ------
        ParameterError
            With both figures and the fixes (``parameter`` is "max_memory_bytes").
        """
        need, limit = self.memory_bytes, self.memory_limit_bytes
        if not need <= limit:
            raise ParameterError(
                f"this run needs about {need / 2**30:.1f} GiB but {limit / 2**30:.1f} GiB are "
                "available; use a coarser resolution_deg, fewer sets, or regions instead of a "
                "finer global grid (or raise max_memory_bytes if you know better)",
                parameter="max_memory_bytes",
            )


def plan_comparison(
    study: Study,
    output_dir: str | os.PathLike | None = None,
    *,
    maps: str = "default",
    overwrite: bool = False,
    report: bool = True,
    output_format: str = "netcdf",
) -> Plan:
    """Load, check and resolve a study; refuse what would fail, before any heavy work.

    Parameters
    ----------
    study : Study
    output_dir : path, optional
        Folder for the files (checked now, written by :meth:`Plan.run`); None: compute only.
    maps : {"default", "all", "none"}
        Which per-statistic PNG maps to draw.
    overwrite : bool
        Replace the files of an earlier run in ``output_dir``.
    report : bool
        Write ``report.html`` too (:func:`gnss.write_report`).
    output_format : {"netcdf", "zarr"}
        ``coverage.nc`` (default) or ``coverage.zarr`` (needs zarr: ``pip install ".[dask]"``),
        whose per-cell statistics are written chunk by chunk: the memory plan then counts the
        cells held at once (:data:`gnss.scale.zarrsink.HELD_POINTS_PLANNED`), not the grid's.

    Raises
    ------
    GnssError
        ElementError for unreadable elements; ParameterError (with ``.parameter``) for a
        selector or modifier that changes nothing, a span far from the element epochs,
        unknown regions or colliding output names; OutputError for an unusable folder.

    Examples
    --------
    >>> import gnss
    >>> plan = gnss.plan_comparison(gnss.Study("R,R+C", duration_s=3600, step_s=1800,
    ...                                        resolution_deg=10))
    >>> plan.set_descriptions["R"]
    '24 satellites (R 24)'
    """
    if maps not in MAPS:
        raise ParameterError(f"maps must be one of {MAPS}, got {maps!r}", parameter="maps")
    _check_format(output_format)
    specs = list(study.specs)
    cons = load_constellations(specs, study.elements, study.select, study.exclude, study.start,
                               study.include_unhealthy)  # fmt: skip
    start = study.start or default_start(cons)
    try:
        span = epoch_span(start, study.duration_s, study.step_s)
    except ParameterError as exc:
        raise ParameterError(str(exc), parameter="duration_s") from exc
    check_spans(cons, span, study.max_age_days, study.force)
    try:
        resolved = resolve_sets(specs, cons, set_starts(cons, span.start, label_starts(cons)))
    except ParameterError as exc:
        raise ParameterError(str(exc), parameter="sets") from exc
    regions = _regions(study.regions)
    pairs = difference_pairs([s.name for s in specs], [s.systems for s in specs],
                             [s.is_plain for s in specs])  # fmt: skip
    names = _file_names(specs, list(pairs), maps, regions, report, output_format)
    grid = study.grid()
    output = None
    if output_dir is not None:
        output = _output_dir(output_dir, overwrite, specs, len(pairs), names, grid, regions)
    need = plan_memory_bytes(cons, specs, span, grid, len(regions),
                             cell_points=_held_points(output_format))  # fmt: skip
    limit = study.max_memory_bytes or available_memory_bytes()
    return Plan(study, cons, span, resolved, regions, grid, output, maps, names, need, limit,
                report, output_format)


def _check_format(output_format: str) -> None:
    """Refuse an unknown output format, and zarr without the zarr package."""
    if output_format not in OUTPUT_FORMATS:
        raise ParameterError(f"output_format must be one of {OUTPUT_FORMATS}, got "
                             f"{output_format!r}", parameter="format")  # fmt: skip
    if output_format == "zarr":
        from ..outputs.zarrstore import require_zarr

        require_zarr()


def _held_points(output_format: str) -> int | None:
    """Cells whose statistics the run holds at once: None (all) unless written to a store."""
    if output_format != "zarr":
        return None
    from ..scale.zarrsink import HELD_POINTS_PLANNED

    return HELD_POINTS_PLANNED


def _regions(regions) -> list:
    """``Study.regions`` as a list of Region (codes and names resolved)."""
    if regions is None or regions == "":
        return []
    if isinstance(regions, str):
        from ..regions.definitions import RegionError, get_regions

        try:
            return list(get_regions(regions))
        except GnssError as exc:
            raise RegionError(f"{regions!r}: {exc}", parameter="regions") from exc
    return list(regions)


def _file_names(specs: Sequence, pairs: list, maps: str, regions: list, report: bool,
                output_format: str = "netcdf") -> list[str]:  # fmt: skip
    """Files the run writes; two sets or regions writing the same file are refused."""
    try:
        return planned_files([s.name for s in specs], pairs, maps, regions or None, report,
                             output_format)  # fmt: skip
    except ParameterError as exc:
        which = "regions" if str(exc).startswith("regions") else "sets"
        raise ParameterError(str(exc), parameter=which) from exc


def _output_dir(path, overwrite, specs, n_pairs, names, grid, regions) -> OutputDir:
    """Open the output folder check: unexpected files and free space, before any work."""
    out_bytes = estimate_output_bytes(
        grid.n_points, len(specs), len({x for s in specs for x in s.systems}), n_pairs,
        sum(n.endswith(".png") for n in names), len(regions),
    )  # fmt: skip
    out = OutputDir(Path(path), overwrite=overwrite, needed_bytes=out_bytes)
    out.check_free(names)
    return out
