"""Parameters of a coverage run: elevation mask, horizon, clock model, availability threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError

CLOCK_MODELS = ("per-system", "common")

#: ``progress(stage, done, total)``: how runs report progress (the library never prints).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CoverageConfig:
    """Parameters of a run (all quantities carry their unit in the name)."""

    elevation_mask_deg: float = 5.0
    clock: str = "per-system"
    pdop_max: float = 6.0
    #: A :class:`gnss.Horizon` (or None): the effective mask is max(mask, skyline(az)).
    horizon: object = None
    #: One-sigma user range error per system (m) for the accuracy in metres: None (no
    #: accuracy), or pairs ``(system, sigma_m)`` (a mapping or ``"R=1,C=0.3"`` is accepted;
    #: systems not given keep the performance-standard defaults, :mod:`gnss.coverage.uere`).
    uere_m: tuple | None = None

    def __post_init__(self):
        if self.uere_m is not None:
            from .uere import as_uere_m

            value = self.uere_m
            value = dict(value) if isinstance(value, tuple | list) else value
            object.__setattr__(self, "uere_m", tuple(as_uere_m(value).items()))
        if not np.isfinite(self.elevation_mask_deg) or not -10.0 <= self.elevation_mask_deg < 90.0:
            raise ParameterError(
                f"elevation_mask_deg must be in [-10, 90), got {self.elevation_mask_deg!r}"
            )
        if self.clock not in CLOCK_MODELS:
            raise ParameterError(f"clock must be 'per-system' or 'common', got {self.clock!r}")
        if not np.isfinite(self.pdop_max) or self.pdop_max <= 0:
            raise ParameterError(f"pdop_max must be a positive number, got {self.pdop_max!r}")
        from ..receivers.horizon import Horizon

        if self.horizon is not None and not isinstance(self.horizon, Horizon):
            raise ParameterError(
                f"horizon must be a gnss.Horizon or None, got {type(self.horizon).__name__}; "
                "read one with gnss.read_horizon(path) or gnss.horizon_preset(name)",
                parameter="horizon",
            )

    def skyline(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the horizon, mask folded in (:meth:`gnss.Horizon.kernel_table`), or None."""
        if self.horizon is None:
            return None
        return self.horizon.kernel_table(self.elevation_mask_deg)
