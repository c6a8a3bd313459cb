"""Kernel threads: how many numba threads each kernel call runs on (memory: gnss.resources).

Threads: a kernel call runs on ``numba.set_num_threads(n)`` threads (Python threads
running the compiled kernel with the GIL released, see :func:`gnss.kernels.driver.accumulate`;
at most the ``NUMBA_NUM_THREADS`` pool, by default the number of cores). ``threads=None`` (and no
``GNSS_THREADS`` in the environment) chooses per block of points: the processors this process
may use (``os.sched_getaffinity``) minus the tasks of other processes running right now (the
fourth field of ``/proc/loadavg`` less this process's running threads), at least one. With
three runs on two cores each then runs one thread, as in a fair share; alone, a run uses
every core. The number of threads never changes a result
(see :func:`gnss.kernels.driver.accumulate`).
"""

from __future__ import annotations

import operator
import os
from pathlib import Path

from ..errors import ParameterError

#: Environment variable that fixes the number of kernel threads (as ``threads=``).
THREADS_ENV = "GNSS_THREADS"


def max_threads() -> int:
    """Most kernel threads: the numba pool size (``NUMBA_NUM_THREADS``)."""
    from numba import config

    return int(config.NUMBA_NUM_THREADS)


def check_threads(threads, what: str = "threads") -> int | None:
    """Validate a thread count: None (automatic) or an integer from 1 to :func:`max_threads`.

    Raises
    ------
    ParameterError
        For anything else, naming the allowed range.
    """
    if threads is None:
        return None
    n_max = max_threads()
    try:
        n = -1 if isinstance(threads, bool) else operator.index(threads)
    except TypeError:
        n = -1
    if not 1 <= n <= n_max:
        raise ParameterError(
            f"{what}: expected a whole number of threads from 1 to {n_max} (the numba pool, "
            f"NUMBA_NUM_THREADS), got {threads!r}; leave it unset for the automatic choice"
        )
    return n


def threads_from_env() -> int | None:
    """Return the thread count in ``GNSS_THREADS`` (None when unset or empty)."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        value = text
    return check_threads(value, what=f"environment variable {THREADS_ENV}")


def _running_tasks() -> int | None:
    """Tasks running or runnable now, system-wide (``/proc/loadavg``, 4th field), or None."""
    try:
        return int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None


def _own_running_tasks() -> int:
    """Threads of this process running now (this one included; idle kernel threads may spin)."""
    n = 0
    try:
        for task in Path("/proc/self/task").iterdir():
            try:
                stat = (task / "stat").read_text()
            except OSError:
                continue
            n += stat[stat.rindex(")") + 2 :].startswith("R")
    except OSError:
        return 1
    return max(n, 1)


def auto_threads() -> int:
    """Threads for the next kernel call: free processors now, at least 1 (see the module)."""
    try:
        n_cpu = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n_cpu = os.cpu_count() or 1
    running = _running_tasks()
    others = 0 if running is None else max(running - _own_running_tasks(), 0)
    return max(1, min(max_threads(), n_cpu - others))


class ThreadPolicy:
    """Sets numba's thread count before each kernel call; restores it at the end.

    Parameters
    ----------
    threads : int or None
        A fixed count, or None for ``GNSS_THREADS`` or else :func:`auto_threads` per call.
    """

    def __init__(self, threads: int | None):
        self.fixed = check_threads(threads)
        if self.fixed is None:
            self.fixed = threads_from_env()
        self.used: list[int] = []

    def __enter__(self) -> ThreadPolicy:
        import numba

        self._saved = numba.get_num_threads()
        return self

    def apply(self) -> int:
        """Set the thread count for the next kernel call and return it."""
        import numba

        n = self.fixed if self.fixed is not None else auto_threads()
        numba.set_num_threads(n)
        self.used.append(n)
        return n

    def __exit__(self, *exc) -> None:
        import numba

        numba.set_num_threads(self._saved)
