"""The report's own words pass the plain-English measures it applies to the Force's posts.

Checked: everything review.outputs.narrative writes for a real sample run (purpose, executive summary,
findings, implications, methodology, glossary, plus the wording used when there is no prior
year or no critical incident) and the fixed prose in templates/ (intros, hints, notes). The
measures are review.evidence.plain_english's: Flesch reading ease of the text as a whole at least the
config's `reading_ease_min` (the target posts are held to), no paragraph below "fairly
difficult" (50), no sentence longer than 25 words, and no word from the jargon list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from sample_run import YEAR, sample_run
from review.runner import artifacts
from review.outputs import narrative
from review.config import load_config
from review.evidence.plain_english import jargon_hits, score_texts

pytestmark = pytest.mark.e2e
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
MAX_WORDS_PER_SENTENCE = 25
PARAGRAPH_EASE_MIN = 50
# A sentence ends at . ! ? followed by a space and a capital, digit or quote; "1.2 million" does not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'‘“(])")


@pytest.fixture(scope="module")
def config():
    return load_config(sample_run("S").config, YEAR)


@pytest.fixture(scope="module")
def narrative_texts(config) -> dict[str, str]:
    run = sample_run("S")
    m = artifacts.read_metrics(run.out)
    by_id = {h.metric_id: h for h in m["headlines"]}
    texts = {"purpose": narrative.purpose(config)}
    summary = narrative.executive_summary(by_id, m["recommendations"], config, m["has_prior"])
    texts |= {f"summary {i}": p for i, p in enumerate(summary, 1)}
    no_prior = narrative.executive_summary(by_id, m["recommendations"], config, has_prior=False)
    texts["summary, no prior year"] = no_prior[-1]
    texts |= {f"finding {c}": narrative.finding(c, by_id, config) for c in narrative.FINDINGS}
    # The same findings and summary when no input but the posts was supplied (a run on exports only).
    gone = {k: dataclasses.replace(h, value=None, not_measured_reason="no inbound messages were supplied")
            if not k.startswith(("p1_posts", "p1_impressions")) else h for k, h in by_id.items()}
    texts |= {f"finding {c}, not measured": narrative.finding(c, gone, config) for c in narrative.FINDINGS}
    texts["summary, not measured"] = narrative.executive_summary(gone, m["recommendations"], config, True)[1]
    covered = narrative.coverage(artifacts.read_json(run.out / "artifacts" / "coverage.json"))
    texts |= {f"coverage {i}": p for i, p in enumerate(covered.summary + covered.notes, 1)}
    quiet = {**by_id, "p2_critical_incidents": dataclasses.replace(by_id["p2_critical_incidents"], value=0)}
    texts["finding P2, no incidents"] = narrative.FINDINGS["P2"](quiet, config)
    texts |= {f"implications {k}": v for k, v in narrative.implications(m["recommendations"], by_id, config.policy).items()}
    assessed = config.policy.model_copy(update={"equality_impact_assessment": dt.date(2025, 3, 14)})
    texts["implications Equality, assessed"] = narrative.implications(m["recommendations"], by_id, assessed)["Equality"]
    texts |= {f"methodology {i}": p for i, p in enumerate(narrative.methodology(config), 1)}
    texts |= {f"glossary {k}": v for k, v in narrative.GLOSSARY.items()}
    return texts


def template_prose() -> dict[str, str]:
    """The fixed sentences in templates/: each <p> with its Jinja expressions read as a number."""
    found = {}
    for path in sorted(TEMPLATES.rglob("*.j2")):
        source = re.sub(r"\{#.*?#\}", " ", path.read_text(encoding="utf-8"), flags=re.S)
        for i, para in enumerate(re.findall(r"<p\b[^>]*>(.*?)</p>", source, flags=re.S), 1):
            text = re.sub(r"\{\{.*?\}\}", "12", para, flags=re.S)  # a value: read as a short number
            text = re.sub(r"\{%.*?%\}|<[^>]+>", " ", text, flags=re.S)
            text = " ".join(text.replace("&amp;", "&").split())
            if len(text.split()) >= 6:  # labels such as "Finding" are not prose
                found[f"{path.relative_to(TEMPLATES)} #{i}"] = text
    return found


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def _check(texts: dict[str, str], config) -> None:
    scores = score_texts(pd.Series(texts))
    whole = score_texts(pd.Series([" ".join(texts.values())])).iloc[0]
    problems = []
    if whole["reading_ease"] < config.targets.reading_ease_min:
        problems.append(f"reading ease of the whole is {whole['reading_ease']:.0f}, "
                        f"below the target of {config.targets.reading_ease_min:g}")  # fmt: skip
    for name, row in scores.iterrows():
        if row["reading_ease"] is not None and row["reading_ease"] < PARAGRAPH_EASE_MIN and row["words"] >= 12:
            problems.append(f"{name}: reading ease {row['reading_ease']:.0f}: {texts[name]!r}")
        if row["jargon"]:  # how many jargon words it uses; jargon_hits lists them
            problems.append(f"{name}: jargon {jargon_hits(texts[name])}: {texts[name]!r}")
        for sentence in sentences(texts[name]):
            if len(sentence.split()) > MAX_WORDS_PER_SENTENCE:
                problems.append(f"{name}: {len(sentence.split())} words in one sentence: {sentence!r}")
    assert not problems, "\n".join(problems)


def test_narrative_text_is_plain_english(narrative_texts, config):
    assert len(narrative_texts) > 25
    _check(narrative_texts, config)


def test_template_prose_is_plain_english(config):
    texts = template_prose()
    assert any("synthetic data" in t for t in texts.values())  # the cover's warning is included
    assert len(texts) >= 8
    _check(texts, config)


def test_the_checks_catch_bad_text(config):
    """The measures are not toothless: officialese fails them."""
    bad = {"x": "Officers attended and conveyed the male to custody in relation to enquiries concerning the "
                "perpetrator, whereupon subsequent investigative procedures were commenced notwithstanding "
                "considerable organisational complications regarding operational deployment availability."}
    assert jargon_hits(bad["x"])
    with pytest.raises(AssertionError):
        _check(bad, config)
