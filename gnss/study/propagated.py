"""The satellites of a checked plan, propagated once for a site or route run.

A ``gnss site`` run needs the same ITRS positions for its time series, its sky plots and its
look angles; :func:`propagate_plan` computes them once (labelled snapshots from their own
start, :func:`gnss.coverage.run.propagate_layout`) and the callers pass the result on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..coverage.config import ProgressCallback
from ..coverage.layout import SetLayout
from ..coverage.run import propagate_layout
from ..errors import ParameterError
from .plan import Plan


@dataclass(frozen=True, eq=False)
class Propagated:
    """The layout of a plan's sets and its satellites' positions over the plan's span.

    Attributes
    ----------
    layout : SetLayout
        Satellites (one instance per start), their groups and each set's clocks, for the
        plan's clock model.
    positions_itrs_m : numpy.ndarray, shape (n_epochs, n_sats, 3)
        ITRS positions in metres, in the layout's satellite order (NaN where propagation
        failed).
    """

    layout: SetLayout
    positions_itrs_m: np.ndarray


def propagate_plan(plan: Plan, progress: ProgressCallback | None = None) -> Propagated:
    """Lay out the plan's sets and propagate their satellites over the plan's span, once.

    Parameters
    ----------
    plan : Plan
        A checked plan (:func:`gnss.plan_comparison`).
    progress : callable, optional
        ``progress("propagate", done, total)``.

    Returns
    -------
    Propagated
    """

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)

    layout = SetLayout.build(plan.resolved, plan.study.clock)
    pos, _ = propagate_layout(layout, plan.span, report)
    return Propagated(layout, pos)


def check_propagated(propagated: Propagated, plan: Plan) -> Propagated:
    """Return ``propagated`` when it covers the plan's epochs and sets.

    Raises
    ------
    gnss.ParameterError
        (``parameter`` "propagated") for the positions of another plan.
    """
    pos = propagated.positions_itrs_m
    n_sats = len(propagated.layout.satellites)
    n_sets = propagated.layout.set_clock.shape[0]
    if pos.shape != (plan.span.n_epochs, n_sats, 3) or n_sets != len(plan.resolved):
        raise ParameterError(
            f"propagated: expected positions (n_epochs={plan.span.n_epochs}, n_sats={n_sats}, "
            f"3) for {len(plan.resolved)} sets, got {pos.shape} for {n_sets} sets. Pass the "
            "result of propagate_plan(plan) for the same plan",
            parameter="propagated",
        )
    return propagated
