"""An all-or-nothing output folder: staging, a manifest per result set, leftovers, free space.

A run's files are written into a hidden staging folder inside the output folder
(``.gnss-partial-<pid>-<random>``, created when the run starts, so an unwritable folder or
a full disk is refused before any work) and moved into place only when all were written.
``gnss-manifest.json`` lists the files of the result set; with ``overwrite`` the files of
the previous set that the new run does not write are removed, after the new ones are in
place, and files no manifest lists are left alone (with a warning). SIGTERM and SIGHUP
end a run like Ctrl-C does: the staged files are removed. A staging folder whose process
died (SIGKILL, power loss) is removed by the next run into the same folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from ..errors import OutputError
from ..io import json_clean, write_json
from .outcheck import (
    OWNER_FILE,
    STAGING_PREFIX,
    disk_full_error,
    missing_folders,
    nearest_existing,
    no_space_message,
    remove_leftovers,
    tree_bytes,
    unwritable_message,
    write_owner,
)
from .outsignals import Terminated, TerminationSignals

log = logging.getLogger(__name__)

MANIFEST = "gnss-manifest.json"


class OutputDir:
    """Stage a run's files in a hidden temporary folder; publish them all at the end.

    Parameters
    ----------
    path : path
        Destination folder (created if needed).
    overwrite : bool
        Allow replacing files that already exist there; the previous result set (the
        files its manifest lists) is replaced as a whole.
    needed_bytes : float, optional
        Estimated size of the files; refused on entry when the disk has less free.

    Attributes
    ----------
    parameters : dict
        Run parameters recorded (with their sha256) in the manifest.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputDir(d / "run") as out:
    ...     _ = (out.path("a.txt")).write_text("x")
    >>> sorted(p.name for p in (d / "run").iterdir())
    ['a.txt', 'gnss-manifest.json']
    """

    def __init__(
        self,
        path: str | os.PathLike,
        overwrite: bool = False,
        *,
        needed_bytes: float | None = None,
    ):
        self.final = Path(path)
        self.overwrite = overwrite
        self.needed_bytes = needed_bytes
        self.parameters: dict = {}
        self._staging: Path | None = None
        self._created: list[Path] = []
        self._signals = TerminationSignals()
        if self.final.exists() and not self.final.is_dir():
            raise OutputError(
                f"output {self.final} exists and is not a folder; give a folder path with -o"
            )

    @property
    def entered(self) -> bool:
        """True inside the ``with`` block (the staging folder exists)."""
        return self._staging is not None

    def __enter__(self) -> OutputDir:
        self._created = missing_folders(self.final)
        try:
            self.final.mkdir(parents=True, exist_ok=True)
            remove_leftovers(self.final)
            staging = self.final / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            staging.mkdir(mode=0o700)
            write_owner(staging, _now())
        except OSError as exc:
            full = self._disk_full(exc, None)
            self._remove_created()
            raise (full or OutputError(unwritable_message(self.final, exc))) from exc
        self._staging = staging
        if self.needed_bytes:
            try:
                self.check_space(self.needed_bytes)
            except OutputError:
                self._discard(staging)
                raise
        self._signals.install()
        return self

    def path(self, name: str) -> Path:
        """Where to write ``name`` while staging."""
        assert self._staging is not None, "use OutputDir as a context manager"
        return self._staging / name

    def check_free(self, names: list[str]) -> None:
        """Refuse (before any work) if files would be replaced without ``overwrite``."""
        if self.overwrite:
            return
        taken = [n for n in names if (self.final / n).exists()]
        if taken:
            raise OutputError(
                f"{self.final} already holds {', '.join(taken[:5])}"
                f"{' ...' if len(taken) > 5 else ''}; "
                "pass --overwrite or choose another folder with -o"
            )

    def check_space(self, needed_bytes: float) -> None:
        """Refuse when the disk under the folder has less than ``needed_bytes`` free."""
        folder = self._staging or nearest_existing(self.final)
        free = shutil.disk_usage(folder).free
        if free < needed_bytes:
            raise OutputError(no_space_message(self.final, needed_bytes, free))

    def __exit__(self, exc_type, exc, tb) -> None:
        self._signals.defer()
        staging, self._staging = self._staging, None
        lost = self._signals.lost() if exc is None else None  # a Ctrl-C swallowed on the way
        exc = exc if lost is None else lost
        try:
            if exc is None:
                try:
                    self._publish(staging)
                except BaseException as err:
                    full = self._disk_full(err, staging)
                    self._discard(staging)
                    if full is not None:
                        raise full from err
                    raise
                shutil.rmtree(staging, ignore_errors=True)
                return
            full = self._disk_full(exc, staging)
            self._discard(staging)
            if isinstance(exc, Terminated | KeyboardInterrupt):
                why = exc.name if isinstance(exc, Terminated) else "SIGINT"
                log.error("stopped by %s: staged files removed, nothing written into %s",
                          why, self.final)  # fmt: skip
            if full is not None:
                raise full from exc
            if lost is not None:
                raise lost
        finally:
            self._signals.restore(raise_pending=exc is None)

    # -- publishing --------------------------------------------------------------------

    def _publish(self, staging: Path) -> None:
        new = sorted(p.name for p in staging.iterdir() if p.name not in (OWNER_FILE, MANIFEST))
        self.check_free(new)
        old = read_manifest(self.final)
        keep = [] if self.overwrite else [n for n in old or () if (self.final / n).exists()]
        write_json(self._manifest(sorted(set(new) | set(keep))), staging / MANIFEST)
        replaced = [n for n in new if (self.final / n).exists()]
        for name in [*new, MANIFEST]:
            target = self.final / name
            if target.is_dir() and not target.is_symlink():  # a store (coverage.zarr) replaced:
                os.replace(target, staging / f".replaced-{name}")  # removed with the staging
            os.replace(staging / name, target)
        if self.overwrite and (old is not None or replaced):
            self._replace_previous(new, old)

    def _manifest(self, files: list[str]) -> dict:
        from .. import __version__

        params = json_clean(self.parameters)
        digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        return {
            "written_by": f"gnss-coverage {__version__}",
            "created": _now(),
            "parameters_sha256": digest,
            "parameters": params,
            "files": files,
        }

    def _replace_previous(self, new: list[str], old: list[str] | None) -> None:
        """Remove the previous set's files this run did not write; warn about unknown ones."""
        stale = [n for n in old or () if n not in new and (self.final / n).exists()]
        for name in stale:
            path = self.final / name
            if path.is_dir() and not path.is_symlink():  # a store (coverage.zarr)
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if stale:
            log.info("removed %d files of the previous result set: %s", len(stale),
                     ", ".join(stale[:10]) + (" ..." if len(stale) > 10 else ""))  # fmt: skip
        known = {*new, MANIFEST}
        unknown = sorted(
            p.name
            for p in self.final.iterdir()
            if p.name not in known and not p.name.startswith(STAGING_PREFIX)
        )
        if unknown:
            log.warning(
                "%s also holds %d files that no gnss manifest lists (not written by a gnss "
                "run, or by a version without manifests), left in place: %s%s",
                self.final, len(unknown), ", ".join(unknown[:5]),
                " ..." if len(unknown) > 5 else "",
            )  # fmt: skip

    # -- failure -----------------------------------------------------------------------

    def _discard(self, staging: Path | None) -> None:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        self._remove_created()

    def _remove_created(self) -> None:
        """Remove the folders this object created, if they are still empty."""
        for folder in self._created:
            try:
                folder.rmdir()
            except OSError:
                break

    def _disk_full(self, err: BaseException, staging: Path | None) -> OutputError | None:
        needed = self.needed_bytes or (tree_bytes(staging) if staging else 0)
        return disk_full_error(err, self.final, needed)


def read_manifest(folder: Path) -> list[str] | None:
    """File names listed by ``folder/gnss-manifest.json``; None when there is none.

    Names that are not plain file names of the folder (paths, hidden names) are ignored,
    so a damaged manifest can never make a run delete anything outside its own files.
    """
    path = Path(folder) / MANIFEST
    if not path.exists():
        return None
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        if not isinstance(files, list):
            raise TypeError("'files' is not a list")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s is unreadable (%s); treating its files as unknown", path, exc)
        return None
    return [
        n for n in files
        if isinstance(n, str) and n == Path(n).name and not n.startswith(".") and n != MANIFEST
    ]  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
