"""The grid runner of a Dask run: scatter the orbits, submit the tiles, merge as they finish.

Orbits are propagated once, on the client (:func:`gnss.coverage.run.propagate_layout`), and
scattered to every worker: the workers need no element or orbit files, every task reads the
same positions (so the numbers are those of one process), and the positions (24 B per
satellite-epoch, 33 MB for 120 satellites over 8 days at 1 minute) cost less to ship than to
recompute in every task (README "Scale-out" has the figures).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid

from ..coverage.grouprun import GroupWork
from ..coverage.run import zone_weights_m2
from ..errors import ParameterError
from ..kernels.driver import N_METRICS
from .merge import GlobalExtremes, TileMerge
from .tasks import run_tile
from .tiles import tiles

log = logging.getLogger("gnss")

#: Clusters up to this size get the positions on every worker at once (larger: on three).
BROADCAST_MAX = 8
#: Seconds to wait for a first worker to join the scheduler.
WORKER_WAIT_S = 60.0


class DaskGridRunner:
    """A ``grid_runner`` for :func:`gnss.coverage.run.compute_resolved` on a Dask client.

    Parameters
    ----------
    client : distributed.Client
        A connected client (:func:`gnss.scale.cluster.open_client`, or the user's own).
    groups_per_tile : int, optional
        Groups of points per task (default: :func:`gnss.scale.tiles.tiles` chooses).

    Attributes
    ----------
    stats : dict
        Of the last run: ``n_tiles``, ``n_workers``, ``scatter_s`` (shipping the orbits),
        ``wall_s`` (submit to last merge), ``task_s`` (sum of the tasks' own times).
    """

    def __init__(self, client, groups_per_tile: int | None = None):
        self.client = client
        self.groups_per_tile = groups_per_tile
        self.stats: dict = {}
        self.passes: list[dict] = []

    def __call__(self, pos, layout, grid, config, regions, report, policy, group_w=None,
                 sink=None):  # fmt: skip
        """Run the grid on the cluster (see :func:`run_on_cluster`).

        ``group_w``: as :func:`gnss.coverage.run.run_groups` (the accuracy's weighted pass,
        reported as stage "accuracy" by the caller). ``stats`` then holds that pass's figures,
        and ``passes`` lists the stats of every pass of the run (a plain pass starts a run).
        ``sink``: takes each tile's per-cell fields as it arrives (:mod:`gnss.scale.zarrsink`);
        the outputs returned then hold only the run-wide extremes.
        """
        stats: dict = {}
        out = run_on_cluster(self.client, pos, layout, grid, config, regions, report, policy,
                             self.groups_per_tile, stats, group_w, sink)  # fmt: skip
        self.stats = stats | {"weighted": group_w is not None}
        self.passes = [*self.passes, self.stats] if group_w is not None else [self.stats]
        return out


def dask_grid_runner(client, groups_per_tile: int | None = None) -> DaskGridRunner:
    """Return a :class:`DaskGridRunner` on ``client``."""
    return DaskGridRunner(client, groups_per_tile)


def _workers(client) -> int:
    """Workers of the cluster (waits for the first one)."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except TimeoutError as exc:
        raise ParameterError(
            f"the Dask scheduler {client.scheduler.address} has no worker after "
            f"{WORKER_WAIT_S:g} s; start workers (dask worker ADDRESS) or use --scheduler local:N",
            parameter="scheduler",
        ) from exc
    return len(client.scheduler_info(n_workers=-1)["workers"])


def run_on_cluster(client, pos, layout, grid, config, regions, report, policy,
                   groups_per_tile=None, stats=None, group_w=None, sink=None):  # fmt: skip
    """Run the grid's groups as Dask tasks; return the outputs and zone sums of one process.

    ``group_w``: range weights per group and histogram shift of the accuracy's weighted pass
    (:func:`gnss.coverage.uere.group_weights`), passed on to every task; None: plain DOPs.
    ``sink``: ``sink.add(start, stop, outputs)`` gets each tile's per-point statistics as it
    arrives, so the client never holds the whole grid's (the returned outputs: extremes only).
    Ctrl-C (or any error) cancels the tasks still pending before it propagates. A worker lost
    during the run has its tasks re-run by the scheduler (the positions are on every worker).
    """
    from distributed import as_completed

    points, up = grid.points()
    zone_w = zone_weights_m2(grid, regions)
    n_p = points.shape[0]
    n_workers = _workers(client)
    plan = tiles(n_p, n_workers, groups_per_tile, work_per_point=float(pos.shape[0] * pos.shape[1]))
    log.info("Dask: %d tiles on %d workers", len(plan), n_workers)
    lite = dataclasses.replace(layout, satellites=[], starts=[])  # workers need the arrays only
    threads = policy.fixed or 1
    t0 = time.perf_counter()
    pos_f = client.scatter(pos, broadcast=True, workers=_holders(client), hash=False)
    t1 = time.perf_counter()
    token = uuid.uuid4().hex[:8]
    futures = [
        client.submit(
            run_tile, pos_f, lite, config, points[t.start : t.stop], up[t.start : t.stop],
            zone_w[:, t.start : t.stop], t.index, t.start, t.stop, n_p, t.g0, t.g1, threads,
            group_w, key=f"gnss-tile-{t.index}-{token}", pure=False,
        )  # fmt: skip
        for t in plan
    ]
    if sink is None:
        out = GroupWork.outputs_for(layout, n_p)
    else:
        out = GlobalExtremes(layout.set_clock.shape[0], N_METRICS)
    merge = TileMerge(out, len(plan), sink)
    report("grid", 0, n_p)
    task_s = 0.0
    try:
        for fut in as_completed(futures):
            res = _result(fut)
            merge.add(res)
            task_s += res.seconds
            fut.release()
            report("grid", merge.done_points, n_p)
    except BaseException:
        client.cancel(futures, force=True)
        log.info("Dask: cancelled the %d unfinished tasks", merge.n_tiles - merge.next_tile)
        raise
    finally:
        client.cancel([pos_f])
    if stats is not None:
        stats.update(n_tiles=len(plan), n_workers=n_workers, scatter_s=t1 - t0,
                     wall_s=time.perf_counter() - t1, task_s=task_s)  # fmt: skip
    return out, merge.zone_sums()


def _holders(client) -> list[str]:
    """Workers that get the positions first: all of up to 8, else 3 (peers fetch from them).

    Several holders, so that a lost worker does not lose the only copy.
    """
    import random

    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    return workers if len(workers) <= BROADCAST_MAX else random.sample(workers, 3)


def _result(fut):
    """Return a finished task's result; a worker that cannot run gnss: a clear error."""
    from distributed import KilledWorker

    try:
        return fut.result()
    except ImportError as exc:
        raise ParameterError(
            f"a Dask worker could not import this package ({exc}); install gnss-coverage "
            "(the client's version) in the workers' environment",
            parameter="scheduler",
        ) from exc
    except KilledWorker as exc:
        raise ParameterError(
            f"Dask workers died while running {fut.key} ({exc}); each task needs about the "
            "memory of its tile (see README Scale-out): give the workers more memory",
            parameter="scheduler",
        ) from exc
