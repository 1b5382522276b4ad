"""Every command that reads a config says which on its first line, and the run's manifest records
it: run from another folder without --config, the built-in defaults were used without a word."""

from typer.testing import CliRunner

from review.cli import app
from review.config import config_used


def test_without_a_config_the_first_line_says_the_defaults_and_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/2025.yml here
    result = CliRunner().invoke(app, ["run", "--data", str(tmp_path / "nowhere"), "--year", "2025"])
    said = " ".join(result.output.split())
    assert said.startswith(f"Config: the built-in defaults (no --config given, and no config/2025.yml in {tmp_path}); "
                           "without a config file nothing is cached for a re-run"), said
    assert "data folder not found" in result.output  # the run then goes on (here: to fail on the data)


def test_with_a_config_the_first_line_names_the_file(tmp_path, monkeypatch, repo_root):
    monkeypatch.chdir(repo_root)  # config/2025.yml is found without --config
    result = CliRunner().invoke(app, ["run", "--data", str(tmp_path / "nowhere"), "--year", "2025"])
    assert result.output.splitlines()[0] == f"Config: {repo_root / 'config' / '2025.yml'}"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"),
                                      "--year", "2025", "--config", str(repo_root / "config" / "2025.yml")])
    assert result.output.splitlines()[0] == f"Config: {repo_root / 'config' / '2025.yml'}"


def test_a_config_given_to_ingest_without_a_year_is_not_ignored(tmp_path, repo_root):
    result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--config", str(repo_root / "config" / "2025.yml")])
    assert result.exit_code == 1 and "give --year too; without it no config is read" in result.output


def test_the_words_for_a_file_and_for_the_defaults(tmp_path, monkeypatch):
    """What the first line and the manifest's `config_used` say (tests/test_run.py checks a run's manifest)."""
    monkeypatch.chdir(tmp_path)
    assert config_used(None, 2025) == f"the built-in defaults (no --config given, and no config/2025.yml in {tmp_path})"
    (tmp_path / "my.yml").write_text("year: 2025\n")
    assert config_used(tmp_path / "my.yml", 2025) == str(tmp_path / "my.yml")


def test_the_next_command_is_given_as_the_user_typed_it(tmp_path, monkeypatch):
    """A newcomer runs `.venv/bin/review` without the environment activated: 'Next: review run ...'
    would be 'command not found'."""
    from review import cli

    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "review").write_text("#!/bin/sh\n")
    (venv_bin / "review").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [".venv/bin/review", "ingest"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert cli._program() == ".venv/bin/review"
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin:/bin")
    assert cli._program() == "review"
