"""The time control: per-epoch snapshots of every set, a slider and a play button.

The frames (:func:`gnss.coverage.snapshots.global_snapshots`) travel in the page as colour
indices (one byte per cell, base64) with the colour table of their statistic's shared scale;
a small hand-written script (:data:`SCRIPT`, no library) paints a frame onto a canvas and
puts it into the panels' ``<img>``. Without JavaScript the panels show the first frame, drawn
by Python with the same colours. ``#frame=N`` in the address opens frame N (the browser
test uses it).
"""

from __future__ import annotations

import base64
import json

import numpy as np
import xarray as xr

from ...stats_catalog import STATISTICS
from .pictures import colorbar_html, raster_uri
from .scales import Scale, fit_scale
from .tables import esc

#: Statistics of the frames: (variable, label, colour map, is a DOP); the colour maps of the
#: statistics they are folded into (gnss/stats_catalog.py).
FRAME_STATS = (
    ("visible", "satellites in view", STATISTICS["visible_mean"].cmap, False),
    ("pdop", "PDOP", STATISTICS["pdop_mean"].cmap, True),
)


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, np.uint8).tobytes()).decode("ascii")


def _frame_means(snap: xr.Dataset, name: str) -> list[list[float | None]]:
    """Per frame and set: the area mean of the visible count, the median PDOP over cells."""
    da = snap[name].astype(np.float64)
    if name == "visible":
        w = np.cos(np.radians(snap["lat"]))
        v = da.weighted(w).mean(("lat", "lon"))
    else:
        v = da.median(("lat", "lon"), skipna=True)
    return [[None if not np.isfinite(x) else round(float(x), 2) for x in row] for row in v.values]


def frames_payload(snap: xr.Dataset) -> tuple[dict, dict[str, Scale]]:
    """Return the JSON data of the viewer and the scale of each frame statistic."""
    times = [str(t)[:16].replace("T", " ") + " UTC" for t in snap["time"].values]
    stats, scales = [], {}
    for name, label, cmap, dop in FRAME_STATS:
        values = snap[name].values.astype(np.float64)
        scale = fit_scale([values], cmap, label, dop=dop)
        scales[name] = scale
        idx = scale.indices(values[:, :, ::-1, :])  # north up
        stats.append({"key": name, "lut": _b64(scale.lut()), "data": _b64(idx),
                      "mean": _frame_means(snap, name)})  # fmt: skip
    data = {"times": times, "sets": snap["set"].values.tolist(), "nlat": snap.sizes["lat"],
            "nlon": snap.sizes["lon"], "stats": stats}  # fmt: skip
    return data, scales


def viewer_html(snap: xr.Dataset) -> str:
    """Return the time-control section: static first frames, controls, inline data."""
    data, scales = frames_payload(snap)
    sets = data["sets"]
    rows = []
    for k, (name, label, _, _) in enumerate(FRAME_STATS):
        figs = []
        for s, set_name in enumerate(sets):
            src = raster_uri(snap[name].isel(time=0, set=s).values.astype(float), scales[name])
            mean = data["stats"][k]["mean"][0][s]
            figs.append(
                f'<figure><div class="map"><img class="tc-img" data-stat="{k}" data-set="{s}" '
                f'src="{src}" alt="{esc(label)} of {esc(set_name)}"></div>'
                f'<figcaption>{esc(set_name)}: <span class="tc-val" data-stat="{k}" '
                f'data-set="{s}">{esc(_mean_text(name, mean))}</span></figcaption></figure>'
            )
        bar = colorbar_html(scales[name], "grey: no fix" if name == "pdop" else "")
        title = f"<h3>{esc(label[:1].upper() + label[1:])}</h3>"
        rows.append(f'{title}<div class="row">{"".join(figs)}</div>{bar}')
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    step = float(snap.attrs.get("frame_step_s", 0))
    return (
        f'<p>{len(data["times"])} epochs, every {step / 60:g} min, on a '
        f'{float(snap.attrs.get("resolution_deg", 0)):g}° grid. '
        '<span class="nojs">Shown: the first epoch (the slider needs JavaScript).</span></p>'
        '<div id="tc-controls" class="controls" hidden>'
        '<button type="button" id="tc-play">Play</button> '
        f'<input type="range" id="tc-slider" min="0" max="{len(data["times"]) - 1}" value="0" '
        'step="1" aria-label="epoch"> '
        f'<output id="tc-label">{esc(data["times"][0])}</output></div>'
        + "".join(rows)
        + f'<script type="application/json" id="tc-data">{payload}</script>'
        + f"<script>{SCRIPT}</script>"
    )


def _mean_text(name: str, value) -> str:
    if value is None:
        return "no fix"
    return f"mean {value:.1f} in view" if name == "visible" else f"median PDOP {value:.2f}"


#: The viewer: decodes the frames, paints one into every panel, slider and play button.
SCRIPT = r"""
(function () {
  "use strict";
  var el = document.getElementById("tc-data");
  if (!el) { return; }
  var D = JSON.parse(el.textContent);
  function bytes(s) {
    var bin = atob(s), a = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { a[i] = bin.charCodeAt(i); }
    return a;
  }
  D.stats.forEach(function (st) { st.lutA = bytes(st.lut); st.dataA = bytes(st.data); });
  var nT = D.times.length, nS = D.sets.length, n = D.nlat * D.nlon;
  var canvas = document.createElement("canvas");
  canvas.width = D.nlon; canvas.height = D.nlat;
  var ctx = canvas.getContext("2d"), image = ctx.createImageData(D.nlon, D.nlat);
  var imgs = document.querySelectorAll("img.tc-img");
  var vals = document.querySelectorAll(".tc-val");
  var slider = document.getElementById("tc-slider");
  var label = document.getElementById("tc-label");
  var play = document.getElementById("tc-play");
  var timer = null, current = 0;
  function text(k, v) {
    if (v === null) { return "no fix"; }
    return D.stats[k].key === "visible" ? "mean " + v.toFixed(1) + " in view"
                                        : "median PDOP " + v.toFixed(2);
  }
  function show(t) {
    t = Math.max(0, Math.min(nT - 1, t | 0));
    current = t;
    for (var j = 0; j < imgs.length; j++) {
      var k = +imgs[j].getAttribute("data-stat"), s = +imgs[j].getAttribute("data-set");
      var st = D.stats[k], off = (t * nS + s) * n, px = image.data, lut = st.lutA;
      for (var i = 0; i < n; i++) {
        var c = st.dataA[off + i] * 4;
        px[4 * i] = lut[c]; px[4 * i + 1] = lut[c + 1];
        px[4 * i + 2] = lut[c + 2]; px[4 * i + 3] = lut[c + 3];
      }
      ctx.putImageData(image, 0, 0);
      imgs[j].src = canvas.toDataURL("image/png");
    }
    for (var m = 0; m < vals.length; m++) {
      var kk = +vals[m].getAttribute("data-stat"), ss = +vals[m].getAttribute("data-set");
      vals[m].textContent = text(kk, D.stats[kk].mean[t][ss]);
    }
    slider.value = String(t);
    label.textContent = D.times[t] + " (" + (t + 1) + " of " + nT + ")";
    document.body.setAttribute("data-frame", String(t));
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; } }
  play.addEventListener("click", function () {
    if (timer) { stop(); return; }
    play.textContent = "Pause";
    timer = setInterval(function () { show((current + 1) % nT); }, 350);
  });
  slider.addEventListener("input", function () { stop(); show(+slider.value); });
  document.getElementById("tc-controls").hidden = false;
  document.documentElement.className += " js";
  var m = /frame=(\d+)/.exec(location.hash);
  show(m ? +m[1] : 0);
})();
"""
