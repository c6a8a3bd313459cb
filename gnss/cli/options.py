"""Conventions shared by every ``gnss`` command (click): options, callbacks, messages.

One way everywhere, as rasterio's ``rio`` does it:

* element files: ``-e/--elements FILE``, repeatable (:func:`elements_option`);
* JSON: ``--json`` prints JSON to stdout instead of the table, ``--json-file FILE`` writes it to
  a file (:func:`json_options`);
* output paths: ``-o -`` and ``-o ''`` are refused (:func:`output_path`);
* messages on stderr start with ``Error:`` or ``Warning:`` (click prints ``Error:``;
  :func:`warn` and :class:`MessageFormatter` the rest);
* an extra argument names the option it was probably meant for (:class:`Command`).

Only click is imported here: ``gnss --help`` must not load the library.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime

import click

#: The hint given for a stray positional argument to a command that reads element files.
ELEMENTS_HINT = "element files are given with -e FILE (repeat -e for several)"


class Command(click.Command):
    """A click command whose extra arguments are refused with a hint, not "unexpected".

    ``extra_hint`` (default :data:`ELEMENTS_HINT`) says how the value is given instead.
    """

    def __init__(self, *args, extra_hint: str | None = ELEMENTS_HINT, **kwargs):
        kwargs.setdefault("context_settings", {}).setdefault("allow_extra_args", True)
        super().__init__(*args, **kwargs)
        self.extra_hint = extra_hint

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, then refuse what is left over."""
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            ctx.fail(extra_arguments_message(ctx.args, self.extra_hint))
        return rest


def extra_arguments_message(extra: list[str], hint: str | None) -> str:
    """``got an extra argument 'X'; <hint>``, with the ``--json FILE`` case spelt out."""
    quoted = " ".join(repr(a) for a in extra)
    head = f"got an extra argument {quoted}" if len(extra) == 1 else f"got extra arguments {quoted}"
    if any(a.lower().endswith(".json") for a in extra):
        hint = "--json is a flag (JSON to stdout); write a JSON file with --json-file FILE"
    return f"{head}; {hint}" if hint else head


def positive(name: str, above: float = 0.0):
    """Return a callback accepting numbers above ``above`` (None passes), quoting bad values."""

    def check(ctx, param, value):
        if value is None:
            return value
        if not math.isfinite(value) or value <= above:
            raise click.BadParameter(f"'{value:g}' is not allowed; {name} must be > {above:g}")
        return value

    return check


def utc_time(name: str, default: Callable[[], datetime] | None = None):
    """Return a callback parsing ISO 8601 text with a zone into an aware UTC datetime.

    A missing value gives ``default()`` (or None); a naive or malformed time is refused with
    the message of :func:`gnss.to_utc`, which shows the fix.
    """

    def check(ctx, param, value):
        if value is None:
            return default() if default is not None else None
        from ..errors import TimeInputError
        from ..timeutil import to_utc

        try:
            return to_utc(value, what=name)
        except TimeInputError as exc:
            raise click.BadParameter(str(exc)) from exc

    return check


def output_path(what: str, example: str):
    """Return a callback refusing ``-`` (standard output) and empty paths for ``what``."""

    def check(ctx, param, value):
        if value is None:
            return value
        if not str(value).strip():
            raise click.BadParameter(f"the path is empty; give {what}, e.g. {example}")
        if value == "-":
            raise click.BadParameter(
                f"'-' (standard output) is not supported here; give {what}, e.g. {example}"
            )
        return value

    return check


def elements_option(required: bool, help: str):
    """``-e/--elements FILE``, repeatable: the one way element files are given."""
    return click.option(
        "-e",
        "--elements",
        "elements",
        multiple=True,
        required=required,
        metavar="FILE",
        help=help,
    )


def json_options(f):
    """``--json`` (JSON to stdout instead of the table), ``--json-file FILE``, ``--overwrite``."""
    f = click.option("--overwrite", is_flag=True, help="Replace an existing --json-file.")(f)
    f = click.option(
        "--json-file",
        "json_file",
        metavar="FILE",
        type=click.Path(dir_okay=False),
        callback=output_path("a JSON file name", "--json-file result.json"),
        help="Also write the results as JSON to FILE.",
    )(f)
    f = click.option(
        "--json", "as_json", is_flag=True, help="Print JSON to stdout instead of the table."
    )(f)
    return f


def emit_json(doc: dict, as_json: bool, json_file: str | None) -> None:
    """Print ``doc`` as strict JSON to stdout (``--json``) and/or write it (``--json-file``)."""
    from ..io import json_text, write_json

    if as_json:
        click.echo(json_text(doc))
    if json_file:
        try:
            write_json(doc, json_file)  # strict JSON: NaN/inf become null
        except OSError as exc:
            raise click.ClickException(f"cannot write {json_file}: {exc.strerror or exc}") from exc


def check_json_file(json_file: str | None, overwrite: bool) -> None:
    """Refuse an existing ``--json-file`` before any work unless ``--overwrite``."""
    from pathlib import Path

    if json_file and Path(json_file).exists() and not overwrite:
        raise click.ClickException(f"{json_file} exists; pass --overwrite or choose another name")


def warn(message: str) -> None:
    """Print ``Warning: message`` on stderr."""
    click.echo(f"Warning: {message}", err=True)


class MessageFormatter(logging.Formatter):
    """Log records as the CLI's messages: ``Error: ...``, ``Warning: ...``, else the text."""

    PREFIXES = {logging.WARNING: "Warning: ", logging.ERROR: "Error: ", logging.CRITICAL: "Error: "}

    def format(self, record: logging.LogRecord) -> str:
        """Return the message with its prefix."""
        return self.PREFIXES.get(record.levelno, "") + super().format(record)
