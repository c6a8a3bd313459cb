"""User range error per system, range weights, and the 95 % accuracy in metres.

Accuracy from a DOP: with a range error of standard deviation ``sigma_s`` (m) for the
satellites of system ``s``, the weighted least-squares position has the covariance
``(G^T W G)^-1`` (m^2) with ``W = diag(1 / sigma_s(i)^2)``; eliminating the clocks works as
for the DOPs (GUIDE section 3) with weighted sums, so the kernel forms the same sums with
each group's rows multiplied by its weight (:func:`gnss.kernels.steps.tile_sums`). With
``sigma_E, sigma_N, sigma_U`` from that covariance:

- horizontal 95 %: ``2 drms = 2 sqrt(sigma_E^2 + sigma_N^2)`` (the GPS SPS PS's convention of
  quoting "95 % horizontal" as twice the horizontal rms; between 95.4 % and 98.2 %
  probability depending on the ellipse's shape, so slightly conservative);
- vertical 95 %: ``1.96 sigma_U`` (one-dimensional normal distribution).

With one UERE ``sigma`` for every system: ``hacc95 = 2 HDOP sigma`` and
``vacc95 = 1.96 VDOP sigma`` exactly.

The defaults (:data:`UERE_DEFAULTS_95_M`) are the signal-in-space range error commitments of
each system's performance standard (95 %), turned into one sigma as ``/ 1.96``. They
contain no ionosphere, troposphere, multipath or receiver noise (the standards leave them
out too), so the metres are the signal-in-space part of the error: give larger values with
``--uere-m`` for a single-frequency user budget.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..elements.classify import SYSTEM_NAMES, SYSTEMS
from ..errors import ParameterError

#: Factor of the 95 % horizontal accuracy: 2 drms (see the module docstring).
H95_FACTOR = 2.0
#: Factor of the 95 % vertical accuracy: the two-sided 95 % point of a normal distribution.
V95_FACTOR = 1.96
#: 95 % -> one sigma for a normal error.
SIGMA_PER_95 = 1.0 / 1.96

#: Signal-in-space user range error, 95 %, global average, metres, and the document.
#: The values are the commitments as the documents state them; they were entered from the
#: documents' text without a network in this session: check them against the editions cited
#: before relying on the last digit.
UERE_DEFAULTS_95_M: dict[str, tuple[float, str]] = {
    "G": (2.0, "GPS SPS Performance Standard, 5th ed. (2020), Table 3.4-1: SPS SIS URE "
               "<= 2.0 m 95 % global average over all ages of data"),
    "R": (1.8, "GLONASS Open Service Performance Standard, ed. 2.2 (2020): SIS URE "
               "<= 1.8 m (P = 0.95)"),
    "E": (7.0, "Galileo OS Service Definition Document, issue 1.1 (2019), §3.3: SIS "
               "ranging accuracy <= 7 m 95th percentile, global average"),
    "C": (0.5, "BDS-OS-PS-3.0 (2021), §5.2: BDS-3 SIS URE <= 0.5 m (95 %)"),
    "J": (2.6, "QZSS Performance Standard PS-QZSS-002 (2018): SIS-URE <= 2.6 m (95 %)"),
}  # fmt: skip


def uere_sigma_m(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """One-sigma UERE per system (m): the defaults, replaced by ``overrides`` (one sigma).

    Systems without a default (NavIC ``I``, SBAS ``S``) appear only when given.

    Parameters
    ----------
    overrides : mapping, optional
        One-sigma metres per system (checked values, :func:`as_uere_m`).

    Returns
    -------
    dict
        ``{system: sigma_m}``.

    Examples
    --------
    >>> s = uere_sigma_m({"R": 1.5})
    >>> s["R"], round(s["C"], 4)
    (1.5, 0.2551)
    """
    sigma = {s: v95 * SIGMA_PER_95 for s, (v95, _) in UERE_DEFAULTS_95_M.items()}
    sigma |= dict(overrides or {})
    return sigma


def as_uere_m(value) -> dict[str, float]:
    """Check and normalise a UERE mapping ``{system: sigma_m}`` (or ``"R=1,C=0.5"``).

    Values are one-sigma range errors in metres. ``"default"`` (or an empty mapping) keeps
    the defaults of every system.

    Raises
    ------
    ParameterError
        (``parameter="uere_m"``) for a malformed item, an unknown system or a value that is
        not a positive finite number.

    Examples
    --------
    >>> as_uere_m("R=1.5, C=0.4")
    {'R': 1.5, 'C': 0.4}
    """
    if isinstance(value, str):
        value = _parse_text(value)
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"uere_m: expected a mapping such as {{'R': 1.0, 'C': 0.3}} (one-sigma metres), "
            f"got {value!r}", parameter="uere_m",
        )  # fmt: skip
    out: dict[str, float] = {}
    for sys, v in value.items():
        if sys not in SYSTEMS:
            raise ParameterError(
                f"uere_m: unknown system {sys!r}; use one of {', '.join(SYSTEMS)} "
                "(e.g. R=1.0,C=0.3)", parameter="uere_m",
            )  # fmt: skip
        try:
            x = float(v)
        except (TypeError, ValueError):
            x = float("nan")
        if not (np.isfinite(x) and x > 0.0):
            raise ParameterError(
                f"uere_m: the range error of {SYSTEM_NAMES[sys]} ({sys}) must be a positive "
                f"number of metres, got {v!r}; e.g. {sys}=1.0", parameter="uere_m",
            )  # fmt: skip
        out[sys] = x
    return out


def _parse_text(text: str) -> dict[str, str]:
    """``"R=1.0,C=0.3"`` -> ``{"R": "1.0", "C": "0.3"}`` (values checked by the caller)."""
    if text.strip().lower() in ("", "default", "defaults"):
        return {}
    items: dict[str, str] = {}
    for item in text.split(","):
        sys, sep, val = item.partition("=")
        sys, val = sys.strip(), val.strip()
        if not sep or not sys or not val:
            raise ParameterError(
                f"uere_m: {item.strip()!r} in {text!r} is not SYSTEM=METRES; write e.g. "
                "R=1.0,C=0.3 (one-sigma metres) or 'default'", parameter="uere_m",
            )  # fmt: skip
        if sys in items:
            raise ParameterError(
                f"uere_m: system {sys!r} given twice in {text!r}; give each system once",
                parameter="uere_m",
            )  # fmt: skip
        items[sys] = val
    return items


def set_sigmas(systems, sigma: Mapping[str, float], what: str) -> list[float]:
    """One-sigma UERE of each system of a set; refuse a system without a value."""
    missing = [s for s in systems if s not in sigma]
    if missing:
        raise ParameterError(
            f"uere_m: no range error for {', '.join(missing)} in set {what} (no performance "
            f"standard default); give it, e.g. --uere-m {missing[0]}=1.0", parameter="uere_m",
        )  # fmt: skip
    return [float(sigma[s]) for s in systems]


def group_weights(layout, sigma: Mapping[str, float]) -> tuple[np.ndarray, float, int]:
    """Per-group range weights of a kernel layout (all >= 1), the scale, the histogram shift.

    Returns ``(w[n_groups], sigma_ref_m, hist_shift)`` with ``w_g = (sigma_ref / sigma_g)^2``
    and ``sigma_ref`` the largest sigma of the layout's systems. Every weight is >= 1, so the
    kernel's "at least 3 + clocks satellites" test on the weighted counts passes whenever it
    passes on the counts (and near-singular epochs stay above the DOP ceiling: the weighted
    DOP is at most the plain one); the weighted DOP ``sqrt(Q_w)`` times ``sigma_ref`` is the
    one-sigma error in metres. The weighted DOP is at least ``DOP sigma_min / sigma_max``, so
    the kernel bins it times ``2**hist_shift`` with ``hist_shift = floor(log2(sigma_max /
    sigma_min))`` (then at least DOP / 2: inside the histograms' range like the DOPs).
    """
    systems = layout.systems
    sig = np.array(set_sigmas(systems, sigma, "of this run"))
    ref = float(sig.max())
    group_sys = [systems[_group_system(layout, g)] for g in range(layout.group_start.size - 1)]
    w = np.array([(ref / sigma[s]) ** 2 for s in group_sys], np.float64)
    shift = int(np.floor(np.log2(ref / sig.min())))
    return w, ref, max(shift, 0)


def _group_system(layout, g: int) -> int:
    """Index into ``layout.systems`` of group ``g``'s system (from its first satellite)."""
    sats = layout.satellites
    if sats:
        return layout.systems.index(sats[int(layout.group_start[g])].system)
    return g  # gnss.coverage.layout.layout_for_systems: one group per system, in order


def needs_weighted_pass(set_systems, sigma: Mapping[str, float]) -> bool:
    """Whether a set's accuracy needs the weighted pass (its systems' sigmas differ)."""
    return len({sigma[s] for s in set_systems}) > 1
