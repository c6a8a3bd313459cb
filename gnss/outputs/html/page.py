"""The HTML document: one file, styles and scripts inline, written atomically."""

from __future__ import annotations

from pathlib import Path

from ...io import atomic_write
from .pictures import borders_overlay_uri
from .tables import esc

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1280px;padding:0 18px 40px;color:#1d232a;background:#fff}
h1{font-size:1.6em;margin:18px 0 4px}h2{margin-top:30px;border-bottom:1px solid #d8dde3;
padding-bottom:3px}h3{margin:16px 0 6px;font-size:1.05em}
.lead{font-size:1.05em;background:#eef5fb;border-left:4px solid #2d6cb3;padding:8px 14px}
.lead li{margin:3px 0}.muted{color:#5a6470;font-size:.9em}
table{border-collapse:collapse;margin:6px 0 12px;font-size:.88em}
th,td{border:1px solid #d8dde3;padding:3px 7px;vertical-align:top}
th{background:#f3f5f7;text-align:left}table.num td{text-align:right}
table.num td:first-child{text-align:left}td pre{margin:0;white-space:pre-wrap;font-size:.95em}
.row{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:10px}
figure{margin:0}figcaption{font-size:.85em;color:#39424c;margin-top:2px}
.map{position:relative;border:1px solid #9aa4ae;line-height:0}
.map img{width:100%;height:auto;image-rendering:pixelated;display:block}
.map::after{content:"";position:absolute;inset:0;pointer-events:none;
background:url(BORDERS) 0 0/100% 100% no-repeat}
.cbar{max-width:460px;margin:4px 0 14px;font-size:.8em}.cbar img{display:block;width:100%;
height:12px;border:1px solid #9aa4ae}.cbar-ticks{position:relative;height:1.2em}
.cbar-ticks span{position:absolute;transform:translateX(-50%);top:1px}
img.plot{max-width:100%;border:1px solid #d8dde3}
.controls{position:sticky;top:0;background:#fffffff0;padding:6px 0;z-index:2}
.controls input{width:min(560px,60vw);vertical-align:middle}
button{font:inherit;padding:2px 12px}html.js .nojs{display:none}
nav a{margin-right:12px}
"""

#: Records script errors into the page (tests read ``data-js-errors``; people see a list).
_ERRORS = """
window.addEventListener("error", function (e) {
  var n = +(document.documentElement.getAttribute("data-js-errors") || 0) + 1;
  document.documentElement.setAttribute("data-js-errors", String(n));
  var box = document.getElementById("js-errors");
  if (box) { box.hidden = false; box.textContent += String(e.message) + "\\n"; }
});
"""


def section(anchor: str, title: str, body: str) -> str:
    """Return an ``<h2>`` section with an anchor."""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>{body}</section>'


def document(title: str, sections: list[tuple[str, str, str]], lead: str, footer: str) -> str:
    """Return the whole page: inline CSS, a navigation bar, the sections, a footer."""
    nav = "".join(f'<a href="#{esc(a)}">{esc(t)}</a>' for a, t, _ in sections)
    body = "".join(section(a, t, b) for a, t, b in sections)
    css = _CSS.replace("BORDERS", borders_overlay_uri())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)}</title><style>{css}</style><script>{_ERRORS}</script></head>"
        f"<body><h1>{esc(title)}</h1>{lead}<nav>{nav}</nav>"
        '<pre id="js-errors" hidden></pre>'
        f'{body}<footer class="muted"><hr>{footer}</footer></body></html>\n'
    )


def write_html(path: str | Path, text: str) -> Path:
    """Write the page atomically (a failure leaves no partial file)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
