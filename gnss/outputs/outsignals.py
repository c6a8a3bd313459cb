"""Signals while results are written: SIGTERM/SIGHUP end a run like Ctrl-C; workers die with it.

By default SIGTERM and SIGHUP kill Python at once, so the staged files of an output
folder and the map worker processes would stay behind. :class:`TerminationSignals` turns
them into a :class:`Terminated` exception (exit status 128 + signal number, as a shell
reports it) while an output folder is open, so the ``with`` blocks clean up;
:func:`worker_initializer` makes a worker process end with its parent, however the
parent ends (on Linux through ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, which holds for
SIGKILL too; elsewhere a thread that watches the parent).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

_NAMES = ("SIGTERM", "SIGHUP")
_SIGNALS = tuple(getattr(signal, n) for n in _NAMES if hasattr(signal, n))
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM/SIGHUP; exits with status 128 + signal number."""

    def __init__(self, signum: int):
        super().__init__(128 + signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


class TerminationSignals:
    """Turn SIGTERM/SIGHUP into :class:`Terminated` between :meth:`install` and :meth:`restore`.

    Only signals whose handler is the default are taken (a handler someone else installed
    is left alone), and only in the main thread (the only one Python delivers signals to).
    SIGINT, where its handler is Python's default, is taken too: it still raises
    ``KeyboardInterrupt``, and every signal taken is also recorded, so :meth:`lost` can tell
    when its exception never reached the caller. Python raises it in whatever Python code
    runs next, and when that is a callback called from C (numba's compiler calls one as it
    caches machine code) the exception is printed as "ignored" and the C code goes on: the
    run then finished as if no Ctrl-C had come.
    """

    def __init__(self):
        self._saved: dict[int, object] = {}
        self._pending: list[int] = []
        self._seen: list[int] = []

    def install(self) -> None:
        """Raise :class:`Terminated` (``KeyboardInterrupt`` for SIGINT) from now on."""
        if threading.current_thread() is not threading.main_thread():
            return
        self._seen = []
        for s in _SIGNALS:
            if signal.getsignal(s) is signal.SIG_DFL:
                self._saved[s] = signal.signal(s, self._raise)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._saved[signal.SIGINT] = signal.signal(signal.SIGINT, self._raise)

    def _raise(self, signum, frame):
        self._seen.append(signum)
        raise signal_exception(signum)

    def lost(self) -> BaseException | None:
        """Return the exception of a signal taken since :meth:`install` (None if none came)."""
        return signal_exception(self._seen[0]) if self._seen else None

    def defer(self) -> None:
        """Only record the signals from now on (while cleaning up)."""
        for s in self._saved:
            signal.signal(s, lambda signum, frame: self._pending.append(signum))

    def restore(self, raise_pending: bool = True) -> None:
        """Put the previous handlers back; raise for a signal recorded while deferred."""
        for s, handler in self._saved.items():
            signal.signal(s, handler)
        self._saved = {}
        pending, self._pending = self._pending, []
        if pending and raise_pending:
            raise signal_exception(pending[0])


def signal_exception(signum: int) -> BaseException:
    """``KeyboardInterrupt`` for SIGINT, :class:`Terminated` for the others."""
    return KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)


def worker_initializer(parent_pid: int) -> None:
    """Set up a worker process: end with the parent; leave signals to it.

    The parent handles SIGINT/SIGTERM/SIGHUP and stops the workers itself, so a worker
    ignores SIGINT (Ctrl-C reaches the whole process group) and dies on SIGTERM/SIGHUP.
    When the parent dies by SIGKILL, the kernel sends the worker SIGKILL (Linux); the
    parent may already be gone before that request takes effect, so the worker checks
    that its parent is still the process that started it.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for s in _SIGNALS:
        signal.signal(s, signal.SIG_DFL)
    if not _set_parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int, period_s: float = 1.0) -> None:
    """Fallback where prctl is missing: exit once the parent is gone (reparented)."""
    while os.getppid() == parent_pid:
        time.sleep(period_s)
    os._exit(1)
