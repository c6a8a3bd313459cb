"""Text tables of identification and validation results, as ``gnss elements`` prints them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..elements.classify import SYSTEM_NAMES, SYSTEMS
from ..orbits.reference import ReferenceOrbits
from .accuracy import ValidationReport
from .matching import Match, unmatched_prns


def _f(x: float, fmt: str = "8.2f") -> str:
    return f"{x:{fmt}}" if x is not None and math.isfinite(x) else f"{'-':>{fmt.split('.')[0]}}"


def format_matches(matches: Sequence[Match], reference: ReferenceOrbits | None = None) -> str:
    """Text table: NORAD <-> PRN with distances, then the unmatched/ambiguous with reasons."""
    lines = [
        f"{'NORAD':>6}  {'name':<26} {'sys':<3} {'name PRN':<8} {'PRN':<4} "
        f"{'RMS km':>8} {'max km':>8} {'2nd km':>9}  status",
        "-" * 96,
    ]
    done = [m for m in matches if m.status == "matched"]
    rest = [m for m in matches if m.status != "matched"]
    for m in sorted(done, key=lambda m: (SYSTEMS.index(m.system), m.reference_prn)):
        flag = "  (name disagrees)" if m.name_disagrees else ""
        lines.append(
            f"{m.norad_id or '-':>6}  {m.name[:26]:<26} {m.system:<3} {m.name_prn or '-':<8} "
            f"{m.reference_prn:<4} {_f(m.rms_km)} {_f(m.max_km)} {_f(m.second_best_km, '9.1f')}  "
            f"{m.status}{flag}"
        )
    counts = {s: sum(1 for m in done if m.system == s) for s in SYSTEMS}
    lines.append(
        f"matched: {len(done)} of {len(matches)} "
        f"({', '.join(f'{s} {n}' for s, n in counts.items() if n)})"
    )
    if rest:
        lines += ["", "not matched:"]
        for m in sorted(rest, key=lambda m: (SYSTEMS.index(m.system), m.norad_id or 0, m.name)):
            lines.append(
                f"{m.norad_id or '-':>6}  {m.name[:26]:<26} {m.system:<3} {m.status}: {m.reason}"
            )
    if reference is not None:
        free = unmatched_prns(matches, reference)
        if free:
            lines += ["", f"reference PRNs without a match: {' '.join(free)}"]
    return "\n".join(lines)


def format_validation(report: ValidationReport) -> str:
    """Text tables: per-satellite errors, per-system errors, DOP effect per site and set."""
    lines = [
        f"reference: {report.reference.path} ({report.reference.kind}, "
        f"{report.reference.frame}, time {report.reference.time_system})",
        f"span: {report.start_utc} .. {report.end_utc}, step {report.step_s:g} s, "
        f"{report.n_epochs} epochs",
        "",
        f"{'NORAD':>6}  {'name':<26} {'PRN':<4} {'n':>4} {'RMS km':>8} {'max km':>8} "
        f"{'radial':>8} {'along':>8} {'cross':>8}",
        "-" * 90,
    ]
    for r in report.satellites:
        lines.append(
            f"{r.norad_id or '-':>6}  {r.name[:26]:<26} {r.reference_prn:<4} {r.n_epochs:>4} "
            f"{_f(r.rms_km)} {_f(r.max_km)} {_f(r.radial_rms_km)} {_f(r.along_rms_km)} "
            f"{_f(r.cross_rms_km)}"
        )
    lines += [
        "",
        f"{'system':<8} {'sats':>4} {'RMS km':>8} {'max km':>8} {'median':>8} "
        f"{'radial':>8} {'along':>8} {'cross':>8}",
        "-" * 70,
    ]
    for r in report.systems:
        lines.append(
            f"{SYSTEM_NAMES[r.system]:<8} {r.n_satellites:>4} {_f(r.rms_km)} {_f(r.max_km)} "
            f"{_f(r.median_km)} {_f(r.radial_rms_km)} {_f(r.along_rms_km)} {_f(r.cross_rms_km)}"
        )
    lines += [
        "",
        f"DOP effect (elements minus reference, mask {report.elevation_mask_deg:g} deg, "
        "matched satellites only)",
        f"{'site':<12} {'set':<10} {'epochs':>6} {'PDOP':>7} {'max|dPDOP|':>11} "
        f"{'mean|dPDOP|':>12} {'max|dHDOP|':>11} {'max|dVDOP|':>11} {'fix differs':>11}",
        "-" * 100,
    ]
    for r in report.dop:
        lines.append(
            f"{r.site[:12]:<12} {r.set_name:<10} {r.n_epochs:>6} {_f(r.pdop_mean, '7.2f')} "
            f"{_f(r.max_abs_dpdop, '11.4f')} {_f(r.mean_abs_dpdop, '12.5f')} "
            f"{_f(r.max_abs_dhdop, '11.4f')} {_f(r.max_abs_dvdop, '11.4f')} {r.n_fix_differs:>11}"
        )
    return "\n".join(lines)
