"""Command line: the ``gnss`` group and its commands (click).

Logs go to stderr (``-v`` for more, ``-q`` for errors only); results go to stdout. Long work
shows a progress bar when stderr is a terminal. Each command lives in its own module
(``compare``, ``elements``, ``fetch``, ``refs``, ``regions``, ``site``) and imports the library
only when it runs, so that ``gnss --help`` loads only click.
"""

from __future__ import annotations

import click

from .progress import setup_logging
from .run_options import CLOCK_MODELS, THREADS_ENV  # noqa: F401  (checked by tests/test_cli.py)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gnss-coverage")
def main():
    """Compare the coverage of GNSS constellations (GLONASS, BeiDou, GPS, Galileo ...)."""
    setup_logging(0, False)  # library warnings as `Warning: ...` in every command


def _register_subcommands() -> None:
    from .compare import compare
    from .elements import elements
    from .fetch import fetch
    from .refs import identify_command, validate_command
    from .regions import regions
    from .site import site

    main.add_command(compare)
    main.add_command(regions)
    main.add_command(site)

    for command in (fetch, identify_command, validate_command):
        elements.add_command(command)
    main.add_command(elements)


_register_subcommands()

if __name__ == "__main__":  # pragma: no cover
    main()
