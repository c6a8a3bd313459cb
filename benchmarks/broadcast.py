"""Case 9: broadcast-ephemeris evaluation (RINEX navigation records) next to SGP4.

Two configurations, both 24 h at 60 s (1441 epochs), timed warm, best and range of the
repeats (cores are shared, so the range says more than one figure):

* the real file ``SEPT1890.23P`` (RINEX 3.04, 2023-07-08, 58 satellites with healthy
  records over about 7 h): ``ReferenceOrbits.positions_at`` over the day, the public
  path (time conversion included); epochs without a valid record are NaN, so it does
  less work than its size says;
* a synthetic day of 150 satellites: each satellite's records are copies of one real
  record of that file (cycling over its satellites), repeated at its system's update
  interval over the whole day (Keplerian elements carried along consistently: mean
  anomaly, node and inclination rates; GLONASS state vectors keep their state and get
  new t_b labels, so the RK4 integration does the real amount of work), so every epoch of
  every satellite is evaluated.

The baseline is SGP4 (:func:`gnss.propagate_itrs_m`, TEME to ITRS included) for 150
satellites of the kernel cases' element set over the same 1441 epochs, in the same run.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from .common import SHARED_DATA, Row

NAV_FILE = SHARED_DATA / "rinex_nav" / "SEPT1890.23P"
N_SYNTHETIC = 150
N_EPOCHS = 1441  # 24 h at 60 s
STEP_S = 60.0
#: Update interval of the synthetic records per system (s): GPS 2 h, Galileo 10 min,
#: BeiDou and QZSS 1 h, GLONASS 30 min (what the real files show).
_UPDATE_S = {"G": 7200.0, "E": 600.0, "C": 3600.0, "J": 3600.0, "R": 1800.0}
_GM = {"G": 3.986005e14, "J": 3.986005e14, "E": 3.986004418e14, "C": 3.986004418e14}


def synthetic_day(evaluator, n_sats: int, t0_s: float):
    """A new evaluator of ``n_sats`` satellites with records over 24 h from ``t0_s``."""
    sats = []
    for k in range(n_sats):
        tpl = evaluator.sats[k % len(evaluator.sats)]
        sysl = tpl.prn[0]
        step = _UPDATE_S[sysl]
        shift = t0_s + np.arange(-1.0, 86400.0 / step + 2.0) * step - tpl.ref_tai_s[0]
        f = {key: np.full(shift.size, v[0]) for key, v in tpl.fields.items()}
        if sysl != "R":
            n = np.sqrt(_GM[sysl] / f["sqrtA"] ** 6) + f.get("DeltaN", 0.0)
            f["Toe"] = f["Toe"] + shift
            f["M0"] = f["M0"] + n * shift
            f["Omega0"] = f["Omega0"] + f.get("OmegaDot", 0.0) * shift
            f["Io"] = f["Io"] + f.get("IDOT", 0.0) * shift
        ref = tpl.ref_tai_s[0] + shift
        sats.append(replace(tpl, prn=f"{sysl}{k:03d}", ref_tai_s=ref, fields=f))
    return type(evaluator)(sats)


def _timed(fn, repeats: int) -> tuple[float, float, object]:
    fn()  # warm: imports, caches
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), max(times), out


def case_broadcast(ctx) -> None:
    """Broadcast evaluation of the real file and of 150 synthetic satellites, and SGP4."""
    import gnss

    if not NAV_FILE.is_file():
        ctx.notes.append(f"broadcast: {NAV_FILE} not found; case 9 skipped")
        return
    repeats = max(3, ctx.sizes.repeats)
    t0 = time.perf_counter()
    nav = gnss.load_reference(NAV_FILE)
    load_s = time.perf_counter() - t0
    span = gnss.epoch_span(nav.start_utc, duration_s=(N_EPOCHS - 1) * STEP_S, step_s=STEP_S)
    con = ctx.constellation()
    sats = con.satellites[:N_SYNTHETIC]
    sgp4 = _timed(lambda: gnss.propagate_itrs_m(sats, span), repeats)
    sgp4_tp = len(sats) * N_EPOCHS / sgp4[0]
    real = _timed(lambda: nav.positions_at(span), repeats)
    ev = synthetic_day(nav._evaluate, N_SYNTHETIC, float(nav.t_s[0]))
    tq = float(nav.t_s[0]) + np.arange(N_EPOCHS) * STEP_S
    cols = np.arange(N_SYNTHETIC)
    syn = _timed(lambda: ev(tq, cols), repeats)
    if not np.isfinite(syn[2]).all():
        from . import BenchmarkError

        raise BenchmarkError("the synthetic broadcast day has epochs without a valid record")
    evaluated = int(np.isfinite(real[2][..., 0]).sum())
    for label, (best, worst, _), n_s, extra in (
        (f"SEPT1890.23P, {len(nav.prns)} sats", real, len(nav.prns),
         f"{evaluated} of {real[2][..., 0].size} sat-epochs have a valid record; file load "
         f"(georinex) {load_s:.1f} s, not timed"),
        (f"synthetic, {N_SYNTHETIC} sats (G/R/E/C/J records over 24 h)", syn, N_SYNTHETIC,
         "evaluator called directly (TAI seconds), every sat-epoch evaluated"),
    ):  # fmt: skip
        tp = n_s * N_EPOCHS / best
        ctx.add(
            Row(
                "9 broadcast", f"{label}, {N_EPOCHS} epochs (24 h at 60 s), points = 1",
                float(n_s * N_EPOCHS), best, "1 (NumPy)", f"broadcast/SGP4 {tp / sgp4_tp:.2f}x",
                note=(
                    f"best of {repeats} warm runs, range {best:.3f}-{worst:.3f} s; {extra}; "
                    f"SGP4 baseline: propagate_itrs_m of {len(sats)} element sets, same epochs, "
                    f"{sgp4[0]:.3f}-{sgp4[1]:.3f} s"
                ),
                extra={"range_s": [best, worst], "sgp4_range_s": [sgp4[0], sgp4[1]]},
            )
        )  # fmt: skip
