#!/usr/bin/env python
"""Regenerate the nominal constellations ``tle/nominal_{glonass,beidou,gps,galileo}.tle``.

    python builders/build_nominal.py [--epoch 2026-01-01T00:00:00Z] [--out tle/]

A thin command line over :mod:`gnss.elements.nominal`, which holds every number with its source
(``shared/GUIDE.md`` §4: GLONASS ICD ed. 5.1, BDS-OS-PS-3.0, GPS SPS PS 5th ed., Galileo OS SDD
1.1), the GPS slot table, the BeiDou phase anchors read once from a CelesTrak element set, and the
conventions (pattern clock, Earth rate, GLONASS node frame). Needs no network and nothing under
``shared/``; the output is deterministic for a given epoch and skyfield version (GMST comes from
skyfield's built-in UT1 tables). ``tle/README.md`` describes the shipped files.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script from anywhere, without installing the package
    sys.path.insert(0, str(REPO))

from gnss.elements import nominal  # noqa: E402
from gnss.errors import GnssError  # noqa: E402


def parse_epoch(text: str) -> datetime:
    """ISO 8601 instant with a time zone ('Z' or an offset); naive times are refused."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO 8601 instant such as 2026-01-01T00:00:00Z, got {text!r}"
        ) from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"expected a time zone, got the naive {text!r}; fix: append 'Z' (UTC) or '+00:00'"
        )
    return when


def _span(values, fmt):
    low, high = min(values), max(values)
    return fmt.format(low) if low == high else f"{fmt.format(low)} … {fmt.format(high)}"


def _describe(key: str, path: Path, slots: list[nominal.NominalSlot]) -> list[str]:
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = path
    lines = [f"{key}: {shown} ({len(slots)} slots)"]
    for orbit_class in ("MEO", "GEO", "IGSO"):
        group = [s for s in slots if s.orbit_class == orbit_class]
        if not group:
            continue
        first = group[0]
        quoted = first.nominal_semi_major_axis_km
        n = [s.mean_motion_rev_per_day for s in group]
        a = [s.semi_major_axis_km for s in group]
        lines.append(
            f"  {orbit_class:4s} {len(group):2d} x  i = {first.inclination_deg:g} deg, repeat "
            f"{first.repeat_revolutions} rev / {first.repeat_sidereal_days} sidereal day(s)"
        )
        lines.append(f"       mean motion {_span(n, '{:.8f}')} rev/day (Kozai, per plane)")
        lines.append(
            f"       a (SGP4 mean, WGS72) {_span(a, '{:.3f}')} km vs quoted {quoted:.3f} km: "
            f"{_span([x - quoted for x in a], '{:+.3f}')} km"
        )
        if first.reference_epoch is not None:
            lines.append(
                f"       advanced from {first.reference_epoch.isoformat()} with pattern period "
                f"{first.pattern_period_s:.3f} s"
            )
        lines.append(f"       source: {first.source}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the nominal GLONASS, BeiDou-3, GPS and Galileo TLE files.",
    )
    parser.add_argument(
        "--epoch",
        type=parse_epoch,
        default=nominal.NOMINAL_EPOCH,
        help="element epoch, ISO 8601 with a time zone (default 2026-01-01T00:00:00Z)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "tle",
        help="existing output folder (default: the repository's tle/)",
    )
    args = parser.parse_args(argv)
    if not args.out.is_dir():
        parser.error(f"--out: expected an existing folder, got {str(args.out)!r}")
    try:
        written = nominal.write_nominal_tle_files(args.out, args.epoch)
    except GnssError as exc:
        print(f"build_nominal: {exc}", file=sys.stderr)
        return 1
    epoch = args.epoch.astimezone(nominal.NOMINAL_EPOCH.tzinfo)
    print(f"nominal constellations at {epoch.isoformat()} (GMST {nominal.gmst_deg(epoch):.6f} deg)")
    for anchor in (nominal.BEIDOU3_MEO_ANCHOR, nominal.BEIDOU3_IGSO_ANCHOR):
        print(
            f"BeiDou phase anchor: {anchor.satellite} NORAD {anchor.norad_id}, TLE epoch "
            f"{anchor.tle_epoch}, RAAN {anchor.raan_deg} argp {anchor.argument_of_perigee_deg} "
            f"M {anchor.mean_anomaly_deg} (from {anchor.source.split(' (')[0]})"
        )
    for key, (path, slots) in written.items():
        print("\n".join(_describe(key, path, slots)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
