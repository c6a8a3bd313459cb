"""Outputs: ``benchmarks.md`` (Markdown table), ``benchmarks.json`` and ``scaling.png``."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

from matplotlib.ticker import NullFormatter

from .common import Row, atomic_write, fmt_num, machine_line

#: Table columns (header, row -> text).
COLUMNS = (
    "case", "configuration", "work (sat·pt·ep)", "seconds", "throughput (sat·pt·ep/s)",
    "ratio", "peak RSS (MiB)", "Δ RSS (MiB)", "threads", "notes",
)  # fmt: skip


def _cells(row: Row) -> list[str]:
    return [
        row.case,
        row.config,
        fmt_num(row.work),
        "-" if row.seconds is None else f"{row.seconds:.3f}",
        fmt_num(row.throughput),
        row.ratio or "-",
        "-" if row.peak_rss_mib is None else f"{row.peak_rss_mib:.0f}",
        "-" if row.delta_rss_mib is None else f"{row.delta_rss_mib:+.1f}",
        "-" if row.threads is None else str(row.threads),
        row.note,
    ]


def _load(machine: dict, key: str) -> str:
    value = machine.get(key)
    return "?" if value is None else f"{value:.2f}"


def markdown(rows: list[Row], machine: dict, mode: str, notes: list[str], total_s: float) -> str:
    """The Markdown report: machine line, the table, then the notes."""
    esc = [[c.replace("|", "\\|") for c in _cells(r)] for r in rows]
    lines = [
        f"# gnss benchmarks ({mode} mode)",
        "",
        f"Machine: {machine_line(machine)}",
        "",
        f"Load average (1 min) at the start: {_load(machine, 'load_start')}, at the end: "
        f"{_load(machine, 'load_end')} (other work on the machine slows every row).",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
        *("| " + " | ".join(c) + " |" for c in esc),
        "",
        "Work is satellites used x points x epochs; throughput is work / seconds. Peak RSS is "
        "the process's resident-set high-water mark during the step (reset before it where "
        "Linux allows); Δ RSS is that peak minus the resident size when the step began.",
        "",
    ]
    lines += [f"- {n}" for n in notes]
    lines += ["", f"Suite wall time: {total_s:.1f} s.", ""]
    return "\n".join(lines)


def as_json(
    rows: list[Row], machine: dict, mode: str, notes: list[str], checks: dict, scaling: dict,
    total_s: float,
) -> str:  # fmt: skip
    """The JSON report (every row with its extra fields)."""

    def clean(x):
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    doc = {
        "mode": mode,
        "machine": machine,
        "columns": list(COLUMNS),
        "rows": [r.as_dict() for r in rows],
        "checks": checks,
        "scaling": scaling,
        "notes": notes,
        "suite_seconds": total_s,
    }
    return json.dumps(clean(doc), indent=2, default=float) + "\n"


def scaling_png(scaling: dict, machine: dict, mode: str) -> bytes:
    """Four panels: kernel-stage seconds against points, epochs, satellites and threads."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(10, 7.5), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2)
    panels = (
        ("points", "points (grid cells)", True),
        ("epochs", "epochs", True),
        ("satellites", "satellites", False),
        ("threads", "numba threads", False),
    )
    for ax, (key, xlabel, loglog) in zip(axes.ravel(), panels, strict=True):
        pts = sorted(scaling.get(key, []), key=lambda p: p["x"])
        ax.set_xlabel(xlabel)
        ax.set_ylabel("kernel-stage seconds")
        ax.set_title(f"time vs {key}")
        ax.grid(True, alpha=0.3)
        if not pts:
            ax.text(0.5, 0.5, "not measured", ha="center", va="center", transform=ax.transAxes)
            continue
        xs = [p["x"] for p in pts]
        ys = [p["seconds"] for p in pts]
        ax.plot(xs, ys, "o-", color="C0", label="measured")
        for p in pts:
            ax.annotate(p["label"], (p["x"], p["seconds"]), textcoords="offset points",
                        xytext=(4, 4), fontsize=8)  # fmt: skip
        if key == "threads":
            ideal = [ys[0] * xs[0] / x for x in xs]
            ax.plot(xs, ideal, "--", color="0.5", label="ideal (1/threads)")
            ax.set_xticks(xs)
        else:
            ideal = [ys[0] * x / xs[0] for x in xs]
            ax.plot(xs, ideal, "--", color="0.5", label="linear from the first point")
        if loglog:
            ax.set_xscale("log")
            ax.set_yscale("log")
            # Label the measured x values and plain numbers on y; minor labels on a log
            # axis run into each other, so they are left out.
            plain = FuncFormatter(lambda v, _: f"{v:g}")
            ax.set_xticks(xs)
            ax.xaxis.set_major_formatter(plain)
            ax.yaxis.set_major_formatter(plain)
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.yaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8)
    fig.suptitle(
        f"gnss kernel scaling ({mode} mode) — {machine['cpu']}, {machine['cores']} cores",
        fontsize=10,
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def write_all(
    out_dir: Path, rows, machine, mode, notes, checks, scaling, total_s
) -> dict[str, Path]:
    """Write the three files (each through a temporary file and a rename)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "md": out_dir / "benchmarks.md",
        "json": out_dir / "benchmarks.json",
        "png": out_dir / "scaling.png",
    }
    atomic_write(paths["png"], scaling_png(scaling, machine, mode))
    atomic_write(paths["json"], as_json(rows, machine, mode, notes, checks, scaling, total_s))
    atomic_write(paths["md"], markdown(rows, machine, mode, notes, total_s))
    return paths
