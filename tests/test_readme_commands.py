"""Every `gnss ...` command of the README (and of docs/refused/*.md) runs as written.

The commands are taken from the ```bash blocks and run as real subprocesses through bash, from a
copy of the repository root (symbolic links to its entries, so written files land in a temporary
folder) with `../shared` beside it. A command documented to succeed runs on small sizes: `gnss
compare` gets `--resolution-deg 15 --hours 1 --step-s 1800 --maps none` where it does not set
them, and sizes it sets are capped at these (a coarser grid, a shorter span, a longer step:
the README's 8-day example took 52 s on the loaded 2-core machine); `elements validate` gets
`--step-s 3600 --site Moscow,55.75,37.62`. A command documented to fail runs as written (its
refusal comes before any work; `--maps none` would even lift one). An absolute `-o` becomes a
fresh folder. The exit status must be the documented one: 0, or N where a comment on the line
(or a comment line just above it) says `exit N`. A non-zero status must come with an `Error:`
line, and no command may end in a traceback.

`gnss elements fetch` asks a local stand-in for CelesTrak (the shipped nominal elements, in the
format asked for) through its hidden `--base-url`, with a fresh `--cache-dir`. Skipped, with the
reason: the quick-start commands (`python3 -m venv ...`, `bash .ci/run`). Any other kind of
command fails the test, so that a new example is either run or skipped on purpose.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DOCS = [REPO / "README.md", *sorted((REPO / "docs" / "refused").glob("*.md"))]

#: Options given to `gnss compare` where the command does not set them: a run of seconds.
SMALL_COMPARE = {
    "--resolution-deg": "15",
    "--hours": "1",
    "--step-s": "1800",
    "--maps": "none",
}
#: How a size the command sets is capped: the cheaper of its value and SMALL_COMPARE's.
CAP_COMPARE = {"--resolution-deg": max, "--hours": min, "--step-s": max}
#: The same for `gnss elements validate` (its DOP step dominates: ~65 s with the defaults).
SMALL_VALIDATE = {"--step-s": "3600", "--site": "Moscow,55.75,37.62"}
#: The same for `gnss site` (a README picture run is 24 h at 60 s: ~30 s on the loaded machine).
SMALL_SITE = {"--hours": "2", "--step-s": "600"}
CAP_SITE = {"--hours": min, "--step-s": max}
SKIPPED = {
    "python3 -m venv": "quick start: builds a virtual environment (CI does that)",
    "bash .ci/run": "quick start: the CI script itself",
}
_EXIT = re.compile(r"\bexit (?:status )?(\d+)\b")


@dataclass(frozen=True)
class DocCommand:
    """One command of a ```bash block: where it is, its text and its documented exit status."""

    where: str
    text: str
    exit_status: int
    skip: str | None = None


def split_comment(line: str) -> tuple[str, str]:
    """Split a shell line into (command, comment) at the first unquoted ``#`` after a blank."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1 :].strip()
    return line.rstrip(), ""


def bash_lines(path: Path):
    """Yield (line number, line) of the ```bash blocks, continuation lines joined."""
    in_block, pending, start = False, "", 0
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip().startswith("```"):
            in_block = line.strip() == "```bash"
            continue
        if not in_block:
            continue
        command, comment = split_comment(line)
        if command.endswith("\\"):
            pending, start = pending + command[:-1], start or n
            continue
        yield (start or n), pending + line if pending else line
        pending, start = "", 0


def extract(path: Path, base: Path = REPO) -> list[DocCommand]:
    """The commands of ``path``'s bash blocks with their documented exit status."""
    name = path.relative_to(base) if path.is_relative_to(base) else path
    out, pending_exit = [], None
    for n, line in bash_lines(path):
        command, comment = split_comment(line)
        said = _EXIT.search(comment)
        if not command.strip():
            pending_exit = int(said.group(1)) if said else pending_exit
            continue
        status = int(said.group(1)) if said else (pending_exit or 0)
        pending_exit = None
        skip = next((why for head, why in SKIPPED.items() if head in command), None)
        out.append(DocCommand(f"{name}:{n}", command.strip(), status, skip))
    return out


COMMANDS = [c for doc in DOCS for c in extract(doc)]


def _set_default(tokens: list[str], option: str, value: str, cap=None) -> list[str]:
    """Append ``option value`` unless given; a given value is capped by ``cap`` (max or min)."""
    given = [i for i, t in enumerate(tokens[:-1]) if t == option]
    for i in given:
        if cap is not None:
            tokens[i + 1] = f"{cap(float(tokens[i + 1]), float(value)):g}"
    return tokens if given else [*tokens, option, value]


_ENV_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def _split_env(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Leading ``NAME=value`` words (the shell's environment assignments) and the command."""
    n = 0
    while n < len(tokens) and _ENV_ASSIGNMENT.match(tokens[n]):
        n += 1
    return tokens[:n], tokens[n:]


def small(segment: str, fresh_output: Path, succeeds: bool = True, gp_url: str = "") -> str:
    """One ``&&``-part of a command: a fresh absolute ``-o``; small sizes if it succeeds."""
    env, tokens = _split_env(shlex.split(segment))
    if tokens[:1] != ["gnss"]:
        return segment
    if tokens[1:3] == ["elements", "fetch"]:  # the local stand-in, a fresh cache
        tokens += ["--base-url", gp_url, "--cache-dir", str(fresh_output.parent / "cache")]
    if succeeds and tokens[1:2] == ["compare"]:
        for option, value in SMALL_COMPARE.items():
            tokens = _set_default(tokens, option, value, CAP_COMPARE.get(option))
    if succeeds and tokens[1:2] == ["site"]:
        for option, value in SMALL_SITE.items():
            tokens = _set_default(tokens, option, value, CAP_SITE[option])
    if succeeds and tokens[1:3] == ["elements", "validate"]:
        for option, value in SMALL_VALIDATE.items():
            tokens = _set_default(tokens, option, value)
    for i, t in enumerate(tokens[:-1]):
        if t in ("-o", "--output") and tokens[i + 1].startswith("/"):
            tokens[i + 1] = str(fresh_output)
    return shlex.join([*env, *tokens])


def rewrite(command: str, fresh_output: Path, succeeds: bool = True, gp_url: str = "") -> str:
    """The command as run: each ``gnss`` part made small (see :func:`small`)."""
    parts = command.split(" && ")
    if not any(_split_env(shlex.split(p))[1][:1] == ["gnss"] for p in parts):
        raise AssertionError(
            f"{command!r} runs no `gnss` command and is not skipped on purpose; "
            "run it here or add it to SKIPPED with the reason"
        )
    return " && ".join(small(p, fresh_output, succeeds, gp_url) for p in parts)


@pytest.fixture(scope="module")
def gnss_bin(tmp_path_factory) -> Path:
    """A folder with a `gnss` that runs this checkout's package with this interpreter."""
    folder = tmp_path_factory.mktemp("bin")
    exe = folder / "gnss"
    exe.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m gnss.cli "$@"\n')
    exe.chmod(0o755)
    return folder


def _gp_bodies() -> dict[str, bytes]:
    """The shipped nominal elements as CelesTrak answers them: TLE, OMM CSV and OMM JSON."""
    from sgp4.api import Satrec
    from sgp4.exporter import export_omm, export_tle

    import gnss

    files = gnss.nominal_element_files()
    records = []
    for sat in gnss.read_elements(files).satellites:
        l1, l2 = export_tle(sat.satrec)
        l1 = l1[:9] + "26001A  " + l1[17:]  # export_omm needs an international designator
        records.append(export_omm(Satrec.twoline2rv(l1, l2), sat.name))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(records[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return {
        "tle": "".join(p.read_text() for p in files).encode(),
        "csv": buf.getvalue().encode(),
        "json": json.dumps(records).encode(),
    }


@pytest.fixture(scope="module")
def gp_url():
    """The URL of a local stand-in for CelesTrak's GP endpoint (any GROUP, FORMAT's body)."""
    bodies = _gp_bodies()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output quiet
            pass

        def do_GET(self):
            fmt = parse_qs(urlsplit(self.path).query).get("FORMAT", ["csv"])[0]
            body = bodies.get(fmt, b"No GP data found\n")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/NORAD/elements/gp.php"
    server.shutdown()
    server.server_close()


def repository_root(tmp_path: Path) -> Path:
    """``tmp_path/repo`` with links to the repository's entries, ``tmp_path/shared`` beside it."""
    root = tmp_path / "repo"
    root.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in (".git", ".venv"):
            (root / entry.name).symlink_to(entry)
    (tmp_path / "shared").symlink_to(SHARED)
    return root


def test_every_document_has_commands_and_every_command_is_accounted_for():
    by_doc = {doc: [c for c in COMMANDS if c.where.startswith(str(doc.relative_to(REPO)))]
              for doc in DOCS}  # fmt: skip
    readme = by_doc[REPO / "README.md"]
    assert len([c for c in readme if c.skip is None]) >= 10, readme
    assert {c.skip for c in COMMANDS if c.skip} == set(SKIPPED.values())  # each reason is used
    assert all(cmds for cmds in by_doc.values()), by_doc
    for c in COMMANDS:  # every command either runs gnss or is skipped on purpose
        assert c.skip or rewrite(c.text, Path("/x")), c


def test_extractor_reads_status_comments_and_continuations(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```bash\n"
        "gnss compare -o /tmp/a   # exit 2: refused\n"
        "# exit 1 at once\n"
        "touch f && gnss compare -o f/out\n"
        "gnss compare --sets 'R#1' \\\n"
        "    -o out   # exit status 3\n"
        "gnss regions   # lists, exit code not given\n"
        "```\n"
        "```\ngnss not-bash\n```\n"
    )
    cmds = extract(doc)
    assert [(c.text, c.exit_status) for c in cmds] == [
        ("gnss compare -o /tmp/a", 2),
        ("touch f && gnss compare -o f/out", 1),
        ("gnss compare --sets 'R#1'     -o out", 3),
        ("gnss regions", 0),
    ]
    rewritten = rewrite("touch f && gnss compare -o /tmp/a --hours 5", tmp_path / "fresh")
    assert rewritten == (
        f"touch f && gnss compare -o {tmp_path / 'fresh'} --hours 1 --resolution-deg 15 "
        "--step-s 1800 --maps none"
    )
    rewritten = rewrite("gnss compare --resolution-deg 30 --hours 0.5 --step-s 600", tmp_path)
    assert rewritten == ("gnss compare --resolution-deg 30 --hours 0.5 --step-s 1800 --maps none")
    refused = "gnss compare --sets R,R_C=R+C -o out"
    assert rewrite(refused, tmp_path, succeeds=False) == refused
    with pytest.raises(AssertionError, match="runs no `gnss` command"):
        rewrite("rm -rf build", tmp_path)


@pytest.mark.parametrize("cmd", COMMANDS, ids=[c.where for c in COMMANDS])
def test_documented_command_runs_as_written(cmd, tmp_path, gnss_bin, gp_url):
    if cmd.skip:
        pytest.skip(cmd.skip)
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not found (../shared is not beside the repository)")
    root = repository_root(tmp_path)
    command = rewrite(cmd.text, tmp_path / "fresh-output", cmd.exit_status == 0, gp_url)
    env = dict(os.environ, PATH=f"{gnss_bin}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(REPO))
    env["GNSS_CACHE_DIR"] = str(tmp_path / "user-cache")  # never the user's own cache
    proc = subprocess.run(["bash", "-c", command], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    report = (
        f"{cmd.where}: {command}\nstdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    )
    assert proc.returncode == cmd.exit_status, report
    assert "Traceback" not in proc.stderr, report
    if cmd.exit_status:
        assert "Error: " in proc.stderr, report
    if " elements fetch " in f" {command} " and not cmd.exit_status:
        assert "satellites  downloaded" in proc.stdout, report  # from the stand-in
