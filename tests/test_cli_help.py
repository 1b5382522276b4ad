"""`review COMMAND --help` as a newcomer reads it: every default shown, every help text whole.

Typer reads "[...]" in a help text as markup and drops it, which once turned "Output folder
[default: reports/YEAR]." into "Output folder ." These tests read the help as it is printed.
"""

import re

import pytest
import typer.main
import typer.rich_utils
from typer.testing import CliRunner

from review.cli import app

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands.items())


def _printed_help(name: str, monkeypatch) -> str:
    """The command's --help as printed, one line per option (a wide terminal), whitespace and box
    lines collapsed."""
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 400)
    result = CliRunner().invoke(app, [name, "--help"] if name else ["--help"])
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", result.output))


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("name,command", [("", GROUP), *COMMANDS], ids=["review", *(n for n, _ in COMMANDS)])
def test_every_option_shows_its_default_and_its_whole_help(name, command, monkeypatch):
    printed = _printed_help(name, monkeypatch)
    params = [p for p in command.params if p.name != "help"]
    # each option's printed row: from its name to the next option's name
    starts, at = [], 0
    for param in params:
        token = param.opts[0] if param.param_type_name == "option" else (param.metavar or param.name)
        found = re.compile(rf" {re.escape(token)}(\.\.\.)? ").search(printed, at)
        assert found, f"review {name}: {token} is not in the help"
        at = found.start()
        starts.append(at)
    for param, start, end in zip(params, starts, [*starts[1:], len(printed)]):
        row = printed[start:end]
        label = f"review {name} {param.opts[0]}"
        assert param.help, f"{label} has no help text"
        help_text = _collapse(param.help)
        assert help_text in row, f"{label}: the help is not printed whole (markup?): {row!r}"
        assert help_text.endswith("."), f"{label}: the help does not end with a full stop: {help_text!r}"
        assert not re.search(r"\s[.,;:]", help_text), f"{label}: a space before punctuation: {help_text!r}"
        if param.required:
            assert "[required]" in row, label
        elif param.is_eager:
            continue  # --version: acts and exits, no default to show
        else:
            assert re.search(r"\[default: [^\]\s][^\]]*\]", row), f"{label}: no default shown: {row!r}"


@pytest.mark.parametrize("name,command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_says_what_it_does_in_a_sentence(name, command, monkeypatch):
    assert command.help and _collapse(command.help).endswith("."), f"review {name}: {command.help!r}"
    assert _collapse(command.help.split("\n\n")[0]) in _printed_help(name, monkeypatch)


def test_the_help_bug_this_guards_against_would_fail():
    """A default written into the help text in brackets is eaten by the markup: the check above
    must catch it."""
    broken = typer.Typer()

    @broken.command()
    def cmd(out: str = typer.Option(None, help="Output folder [default: reports/YEAR].")) -> None:
        """Do it."""

    result = CliRunner().invoke(broken, ["--help"])
    assert "Output folder ." in _collapse(result.output)


def test_the_version_is_the_one_the_manifest_records():
    from review import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"policy-review {__version__}\n"


HEAVY = ("pandas", "numpy", "pyarrow", "papermill", "pandera", "duckdb", "weasyprint", "matplotlib", "nbconvert",
         "jupyter_client", "pyspark")


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["--version"]], ids=" ".join)
def test_the_command_line_starts_without_the_heavy_libraries(args):
    """`review --help` answers at once: pandas, papermill, DuckDB, WeasyPrint and the rest are
    imported inside the commands that use them, never when the command line starts."""
    import subprocess
    import sys

    probe = ("import sys, runpy\nsys.argv = ['review', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('review.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             f"print('imported:', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "imported: []", done.stderr[-2000:]
