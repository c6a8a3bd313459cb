"""Studies: the one library workflow behind ``gnss compare`` (load, check, plan, compute, write).

A :class:`~gnss.study.question.Study` is the question (sets, elements, span, grid, mask,
regions); :func:`~gnss.study.plan.plan_comparison` loads and checks everything that can be
checked without heavy work (elements, selectors, what-if sets, span, output names and folder,
memory) and returns a :class:`~gnss.study.plan.Plan`; the plan computes the coverage and writes
the files all or nothing (:func:`~gnss.study.run.run_comparison` does both). The CLI only parses
options and prints; site runs, the HTML report and Dask runs build on the same calls.

Modules: ``question`` (the parameters and their checks), ``sources`` (element and orbit files
told apart by content, one source per satellite), ``load`` (element files, start and span
checks), ``plan`` (the checked plan), ``run`` (compute and write), ``site`` (time series at
named sites through the same plan and kernel: :func:`~gnss.study.site.site_timeseries`),
``route`` (the same along a moving receiver's route: :func:`~gnss.study.route.route_timeseries`).

May import every earlier stage (``gnss.outputs`` and below) and the root foundation modules;
only ``gnss.cli`` imports it.
"""
