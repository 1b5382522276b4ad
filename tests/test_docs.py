"""Documentation is generated from the one place each thing is defined, and kept fresh."""

from review.inputs.contracts import TABLES
import re

from review.docs import configuration, data_dictionary, metric_definitions
from review.evidence.metrics.registry import METRICS


def test_every_column_has_title_and_description():
    for table in TABLES.values():
        assert table.description, f"{table.name} has no docstring"
        for column in table.columns:
            field = table.field(column)
            assert field["title"] and field["description"], f"{table.name}.{column} is undocumented"


def test_every_metric_is_defined():
    for metric in METRICS.values():
        assert metric.title and metric.definition and metric.formula, metric.metric_id
        assert metric.clause in {"P1", "P2", "P3", "P4", "P5", "P6", "P7"}
        assert metric.unit in {"count", "pct", "minutes", "days", "people", "rate"}


def test_every_clause_has_metrics():
    assert {m.clause for m in METRICS.values()} == {f"P{i}" for i in range(1, 8)}


def test_data_dictionary_is_fresh(repo_root):
    committed = (repo_root / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(), "docs/data-dictionary.md is stale: run `review docs`"


def test_metric_definitions_are_fresh(repo_root):
    committed = (repo_root / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert committed == metric_definitions(), "docs/metrics.md is stale: run `review docs`"


def test_configuration_is_fresh(repo_root):
    committed = (repo_root / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == configuration(), "docs/configuration.md is stale: run `review docs`"


def test_every_setting_is_documented():
    from pydantic import BaseModel

    from review.config import ReviewConfig

    for name, info in ReviewConfig.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
            assert info.annotation.__doc__, f"config section {name} has no docstring"
            for field, sub in info.annotation.model_fields.items():
                assert sub.description, f"config setting {name}.{field} is undocumented"
        else:
            assert info.description, f"config setting {name} is undocumented"


def test_the_configuration_doc_names_every_setting_with_its_default():
    text = configuration()
    assert "| `targets.first_response_minutes` | A contact counts as answered in time within this many minutes. | number, more than 0 | `60` |" in text
    assert "| `period.kind` |" in text and "one of: `calendar`, `financial`" in text
    assert "| `year` |" in text and "| required |" in text
    assert "Missing people: [missing, '#missing'" in text  # a long default, as YAML below the table


# --- links: every file a doc or a comment points at is there -------------------------------------

_MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
# a project path named in prose or a comment: `docs/guide.md`, `src/review/evidence/rollup.py`, with an
# optional section after it: docs/guide.md#engines, or docs/guide.md, "Engines"
_MENTION = re.compile(r"(?<![\w/.-])((?:docs|src|templates|notebooks|scripts)/[\w/.-]*\.(?:md|py|ipynb|j2|css|sh|yml))"
                      r"(?:#([\w-]+)|, [\"']([^\"']+)[\"'])?")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def _headings(path) -> set[str]:
    return {h.strip().strip("`") for h in re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), flags=re.M)}


def _tracked(repo_root) -> list:
    import subprocess

    listed = subprocess.run(["git", "ls-files"], cwd=repo_root, capture_output=True, text=True, check=True).stdout
    return [repo_root / p for p in listed.splitlines()]


def broken_links(repo_root) -> list[str]:
    """Every link in a Markdown file, and every project path named in a doc, config comment,
    template, notebook or source file, that points at a file or section that is not there."""
    broken = []
    for path in _tracked(repo_root):
        if (path.suffix not in {".md", ".yml", ".yaml", ".py", ".ipynb", ".j2", ".toml", ".sh"} or not path.is_file()
                or path.relative_to(repo_root).parts[0] == "tests"):  # tests name missing files on purpose
            continue
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(repo_root)
        if path.suffix == ".md":
            for target in _MD_LINK.findall(text):
                if re.match(r"[a-z]+:", target):
                    continue  # a web address
                file, _, anchor = target.partition("#")
                linked = (path.parent / file).resolve() if file else path
                if not linked.exists():
                    broken.append(f"{where}: link to {target}: no such file")
                elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                    broken.append(f"{where}: link to {target}: no such section")
        for mention, anchor, section in _MENTION.findall(_MD_LINK.sub("]", text) if path.suffix == ".md" else text):
            named = repo_root / mention
            if not named.exists():
                broken.append(f"{where}: names {mention}: no such file")
            elif anchor and anchor not in _anchors(named):
                broken.append(f"{where}: names {mention}#{anchor}: no such section")
            elif section and named.suffix == ".md" and section not in _headings(named):
                broken.append(f"{where}: names {mention}, section \"{section}\": no such section")
    return broken


def test_every_link_to_a_file_is_there(repo_root):
    assert broken_links(repo_root) == []


def test_a_link_to_a_missing_file_is_found(tmp_path):
    import subprocess

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text("# Guide\n\n## Engines\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("[guide](docs/guide.md), [gone](docs/gone.md), [x](docs/guide.md#nowhere)\n")
    (tmp_path / "2025.yml").write_text("# meanings: docs/configuration.md; see docs/guide.md, \"Engines\"; "
                                       "docs/guide.md, 'Spark'\nyear: 2025\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    assert broken_links(tmp_path) == [
        "2025.yml: names docs/configuration.md: no such file",
        "2025.yml: names docs/guide.md, section \"Spark\": no such section",
        "README.md: link to docs/gone.md: no such file",
        "README.md: link to docs/guide.md#nowhere: no such section",
    ]


def test_the_dictionary_says_how_times_are_read_and_the_code_agrees():
    """Register times were documented as "UTC timestamp" while a time without a zone is read as
    UK time. The dictionary's own examples are checked against the code that reads them."""
    import pandas as pd

    from review.inputs.validate import _coerce_timestamp

    text = data_dictionary()
    assert "UTC timestamp" not in text
    summer = re.search(r"in summer \(British Summer Time, UTC\+1\) `([^`]+)` is stored as (\d\d:\d\d) UTC", text)
    winter = re.search(r"in winter `([^`]+)` as (\d\d:\d\d) UTC", text)
    for written, stored in [summer.groups(), winter.groups()]:
        read, bad = _coerce_timestamp(pd.Series([written]))
        assert not bad.any() and read.iloc[0].strftime("%H:%M") == stored, written
    zoned, bad = _coerce_timestamp(pd.Series(["2025-07-01T09:30:00+01:00", "2025-07-01T09:30:00Z"]))
    assert zoned.dt.strftime("%H:%M").tolist() == ["08:30", "09:30"]  # "taken as given"


def test_person_columns_tell_one_story_with_the_guide(repo_root):
    """The dictionary said person_ref must be "a keyed hash, never a name"; the guide said ingest
    does the hashing. Each person column now says it is pseudonymised as it is read, and points
    at the guide's section on the key."""
    text = data_dictionary()
    for table in TABLES.values():
        for column in table.columns:
            if table.field(column)["personal"]:
                row = next(line for line in text.splitlines() if line.startswith(f"| `{column}` |"))
                assert "Replaced by a [pseudonym](#people) as it is read." in row
                assert "keyed hash, never a name" not in row
    assert "(guide.md#the-pseudonymisation-key)" in text
    guide = (repo_root / "docs" / "guide.md").read_text(encoding="utf-8")
    assert "Ingest\nreplaces every value of a person column" in guide
