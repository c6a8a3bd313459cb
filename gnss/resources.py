"""Machine resources of a run: the memory available (threads: :mod:`gnss.kernels.threads`)."""

from __future__ import annotations

import os
from pathlib import Path


def available_memory_bytes() -> float:
    """MemAvailable from /proc/meminfo (Linux), else total physical memory (bytes).

    Examples
    --------
    >>> available_memory_bytes() > 0
    True
    """
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
