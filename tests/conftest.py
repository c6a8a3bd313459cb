"""Shared test setup: the one place that knows where ``../shared/data`` is.

The real element sets, SP3 and RINEX navigation files live in ``../shared/data`` beside the
repository (never inside it). Tests reach them through the ``shared_data`` fixture, or, where a
path is needed at collection time (``parametrize`` over the snapshots), through the module-level
helpers below (``from conftest import SHARED_DATA, shared_file``). Either way a test skips with
the same clear reason when the data are absent, and carries the ``shared_data`` marker
(``pytest -m "not shared_data"`` runs the rest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: ``../shared/data`` beside the repository (tests/conftest.py -> repository -> its parent).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The CelesTrak snapshots of ``../shared/data/tle`` (see its PROVENANCE.md).
TLE_DIR = SHARED_DATA / "tle"
#: The snapshot most tests use.
SNAPSHOT_2026 = TLE_DIR / "gnss_2026-10-06.tle"


def missing_reason(path: Path) -> str:
    """Why a test that needs ``path`` is skipped."""
    return (
        f"{path} not found: the real data (../shared/data: tle/, sp3/, rinex_nav/) are not "
        "beside the repository; put the shared folder there to run this test"
    )


def shared_file(relpath: str | Path = "") -> Path:
    """Path under ``../shared/data``; inside a test, skip it with the reason when absent."""
    path = SHARED_DATA / relpath
    if not path.exists():
        pytest.skip(missing_reason(path))
    return path


def requires_shared(relpath: str | Path = "") -> pytest.MarkDecorator:
    """A ``skipif`` mark for a test or module that needs ``../shared/data/<relpath>``."""
    path = SHARED_DATA / relpath
    return pytest.mark.skipif(not path.exists(), reason=missing_reason(path))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ``../shared/data`` folder; the test is skipped with the reason when it is absent."""
    return shared_file()


_HELPERS = (SHARED_DATA, TLE_DIR, SNAPSHOT_2026, shared_file, requires_shared)


def pytest_collection_modifyitems(config, items):
    """Mark the tests that use ``shared_data``, or whose module imports a helper from here."""
    for item in items:
        module = getattr(item, "module", None)
        names = vars(module).values() if module is not None else ()
        helpers = any(any(v is h for h in _HELPERS) for v in names)
        if "shared_data" in getattr(item, "fixturenames", ()) or helpers:
            item.add_marker(pytest.mark.shared_data)


@pytest.fixture(scope="session")
def nominal_day():
    """Nominal GPS+GLONASS+Galileo+BeiDou over 24 h at 5 min: positions and systems.

    ``positions`` float64[n_t, n_s, 3] (ITRS, m), as :func:`gnss.propagate_itrs_m` gives them.
    """
    import gnss

    con = gnss.read_elements(gnss.nominal_element_files(["G", "R", "E", "C"]))
    span = gnss.epoch_span(con.median_epoch(), duration_s=86400, step_s=300)
    pos, failures = gnss.propagate_itrs_m(con.satellites, span)
    assert not failures
    return pos, [s.system for s in con.satellites]
