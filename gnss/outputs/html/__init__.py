"""``report.html``: one self-contained page (styles, scripts, pictures and data inline).

:func:`write_report` for a comparison (:mod:`.compare`), :func:`write_site_report` for a site
run (:mod:`.site`); the colour scales (:mod:`.scales`), pictures (:mod:`.pictures`), tables
(:mod:`.tables`), words (:mod:`.content`) and the time control (:mod:`.viewer`) are shared.
"""

from .compare import write_report
from .site import write_site_report

__all__ = ["write_report", "write_site_report"]
