"""Shared pieces: result rows, stage timing, peak-memory probes, machine description, data."""

from __future__ import annotations

import os
import platform
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: ``../shared/data`` beside the repository (``benchmarks/common.py`` -> repo -> its parent).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REAL_TLE = SHARED_DATA / "tle" / "gnss_2026-10-06.tle"

MIB = 2.0**20


@dataclass
class Row:
    """One result row of the report (one timed configuration)."""

    case: str
    config: str
    work: float | None  # satellite x point x epoch products
    seconds: float | None
    threads: int | str | None = None
    ratio: str | None = None  # e.g. "kernel/NumPy 40x"
    peak_rss_mib: float | None = None
    delta_rss_mib: float | None = None  # peak minus the resident size before the step
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def throughput(self) -> float | None:
        """Satellite x point x epoch products per second."""
        if not self.work or not self.seconds:
            return None
        return self.work / self.seconds

    def as_dict(self) -> dict:
        d = asdict(self)
        d["throughput"] = self.throughput
        return d


class StageTimer:
    """``progress`` callback for :func:`gnss.compute_coverage` that times each stage.

    A stage runs from its first report (``done == 0``) to its last one; a stage whose first
    report already has ``done > 0`` (e.g. propagation, reported once at the end) starts
    where the previous stage ended (or when the timer was made).
    """

    def __init__(self):
        self.t0 = time.perf_counter()
        self.first: dict[str, tuple[float, int]] = {}
        self.last: dict[str, float] = {}
        self.order: list[str] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage not in self.first:
            self.first[stage] = (now, done)
            self.order.append(stage)
        self.last[stage] = now

    def seconds(self, stage: str) -> float:
        """Duration of ``stage`` in seconds (KeyError if it was never reported)."""
        start, done = self.first[stage]
        if done != 0:
            i = self.order.index(stage)
            start = self.last[self.order[i - 1]] if i > 0 else self.t0
        return self.last[stage] - start


# --------------------------------------------------------------------------- memory
def _status_kib(key: str) -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def rss_mib() -> float | None:
    """Current resident set size (Linux ``VmRSS``), MiB."""
    kib = _status_kib("VmRSS")
    return None if kib is None else kib / 1024.0


def peak_rss_mib() -> float:
    """Peak resident set size since the last reset (``VmHWM``), else ``ru_maxrss``, MiB."""
    kib = _status_kib("VmHWM")
    if kib is not None:
        return kib / 1024.0
    import resource

    scale = 1.0 if sys.platform == "darwin" else 1024.0  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / MIB


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux: write 5 to ``/proc/self/clear_refs``)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class MemoryProbe:
    """Peak RSS of a step: ``with probe.measure(): ...`` then ``probe.peak``, ``probe.delta``."""

    def __init__(self):
        self.peak: float | None = None
        self.delta: float | None = None
        self.resettable = True

    @contextmanager
    def measure(self):
        self.resettable = reset_peak_rss()
        before = rss_mib()
        try:
            yield self
        finally:
            self.peak = peak_rss_mib()
            self.delta = None if before is None or not self.resettable else self.peak - before


# --------------------------------------------------------------------------- machine
def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` (else :func:`platform.processor`)."""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> float | None:
    """One-minute load average (None where the platform has none)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def machine_info() -> dict:
    """CPU, cores, numba threads and library versions (imports numba and gnss)."""
    import llvmlite
    import numba
    import numpy
    import sgp4
    import skyfield

    import gnss

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "numba_threads": numba.get_num_threads(),
        "numba_num_threads_config": int(numba.config.NUMBA_NUM_THREADS),
        "platform": platform.platform(),
        "versions": {
            "python": platform.python_version(),
            "gnss": gnss.__version__,
            "numpy": numpy.__version__,
            "numba": numba.__version__,
            "llvmlite": llvmlite.__version__,
            "sgp4": sgp4.__version__,
            "skyfield": skyfield.__version__,
        },
        "numba_cache_dir": os.environ.get("NUMBA_CACHE_DIR") or "(default: next to the module)",
    }


def machine_line(info: dict) -> str:
    """One line describing the machine, for the Markdown report."""
    v = info["versions"]
    libs = ", ".join(f"{k} {v[k]}" for k in v)
    return (
        f"CPU {info['cpu']}; {info['cores']} cores ({info['usable_cores']} usable); "
        f"numba threads {info['numba_threads']}; {libs}"
    )


# --------------------------------------------------------------------------- data
def element_files() -> tuple[list[Path], str]:
    """Element set of the kernel cases: the 2026-10-06 CelesTrak snapshot, else nominal sets.

    Returns the files and a note saying which was used.
    """
    if REAL_TLE.is_file():
        return [REAL_TLE], f"elements {REAL_TLE.name} (CelesTrak snapshot)"
    import gnss

    files = gnss.nominal_element_files()
    return list(files), (
        f"elements: {REAL_TLE} not found; using the shipped nominal sets G, R, E, C instead"
    )


def n_used(constellation, sets: str) -> int:
    """Distinct satellites a plain-set string such as ``"R,C,R+C"`` uses."""
    systems = {s for part in sets.split(",") for s in part.split("+")}
    return sum(1 for sat in constellation.satellites if sat.system in systems)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def fmt_num(x: float | None, digits: int = 3) -> str:
    """Compact number for the table (``-`` for missing)."""
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 1e5 or abs(x) < 1e-2:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"
