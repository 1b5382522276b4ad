"""P4's plain-English scoring gives textstat's numbers, exactly, however it gets there.

review.evidence.plain_english scores many posts at once from textstat's own steps (each distinct word's
syllables counted once, each text split once) rather than calling textstat four times a post.
The report's methodology cites Flesch reading ease and Flesch-Kincaid grade as textstat
computes them, so every number here is compared with equality, floats included, against
textstat's functions: over every post of the seeded S and M samples, every post text in the
real platform exports (../shared/exports, when beside the repo) and texts made to catch the
edge cases (apostrophes, case, Unicode spaces, punctuation-only words, links, tags).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from review.evidence.plain_english import JARGON, jargon_hits, jargon_list, jargon_uses, score_texts, strip_non_prose

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT.parent / "shared" / "exports"
REVIEW = [str(Path(sys.executable).with_name("review"))]

EDGE_CASES = [
    "",
    "   ",
    "...",
    "!!! ??? ...",
    "Hi.",
    "A. B. C. D.",
    "Don't drink and drive. It's not worth it! We'll be out tonight; they're watching.",
    "DON'T DRINK AND DRIVE. IT'S NOT WORTH IT.",
    "'Tis the season. Rock'n'roll isn't dead' 'quoted' text ''s here.",
    "Officers attended an RTC on the A1(M) - the road is closed both ways (north-bound & south-bound).",
    "Re-opened: the B1234 at 3.5 miles, near No. 10. Mr. Smith & Mrs. Jones ... thanks!!",
    "ΟΔΟΣ ΚΛΕΙΣΤΗ ΣΉΜΕΡΑ. Ο ΔΡΌΜΟΣ ΕΊΝΑΙ ΚΛΕΙΣΤΌΣ ΣΉΜΕΡΑ ΛΌΓΩ ΑΤΥΧΉΜΑΤΟΣ.",
    "İstanbul ıc1 ſuspect ſtolen Kelvin KELVIN vehicle conveyed.",
    "Tabs\tand\u00a0no-break\u2003em\u2028line\x1cseparator words here. And\u200bzero width.",
    "Émigré café naïve coöperate façade. Zoë's résumé.",
    "Call 101 or 999 now. 24/7 service @ all times.",
    "Visit https://example.org/a?b=1 or WWW.police.uk/x or HTTP://X.Y for more #StaySafe @NorthshirePolice",
    "a@b.com x@y #a#b @a#b @@c ##d #_ @_ end#tag mid#tag",
    "Emoji 🚓🚨 only words 👍. Then more words after the emoji here.",
    "word " * 300,
    "one two\nthree four\n\nfive six seven. eight",
]


def _textstat_scores(text: str) -> tuple:
    """The numbers P4 used to ask textstat for, one text at a time (the definition)."""
    import textstat

    if not text:
        return textstat.lexicon_count(text), 0, np.nan, np.nan
    return (textstat.lexicon_count(text), textstat.sentence_count(text),
            textstat.flesch_reading_ease(text), textstat.flesch_kincaid_grade(text))  # fmt: skip


def _strip_reference(text: str) -> str:
    """strip_non_prose as first written: the three patterns in turn over every text."""
    text = re.sub(r"https?://\S+|www\.\S+", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<!\w)@\w+", " ", text)
    text = re.sub(r"(?<!\w)#(\w+)", " ", text)
    return " ".join(text.split())


def _sample_texts(size: str, tmp_path_factory) -> list[str]:
    out = tmp_path_factory.mktemp(f"sample-{size}")
    subprocess.run([*REVIEW, "sample", "--size", size, "--year", "2025", "--out", str(out)],
                   check=True, capture_output=True, cwd=ROOT)  # fmt: skip
    return pd.read_csv(out / "posts.csv", usecols=["text"], dtype={"text": object})["text"].dropna().tolist()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, list[str]]:
    texts = {"edge cases": EDGE_CASES, "S": _sample_texts("S", tmp_path_factory), "M": _sample_texts("M", tmp_path_factory)}
    if EXPORTS.is_dir():
        from review.inputs.ingest import read_folder
        from review.inputs.validate import validate_files

        raw, _ = read_folder(EXPORTS)
        texts["exports"] = validate_files(raw, EXPORTS).tables["posts"]["text"].dropna().tolist()
    return texts


def test_the_corpus_is_what_it_claims(corpus):
    assert len(corpus["S"]) > 5_000 and len(corpus["M"]) > 50_000
    if EXPORTS.is_dir():
        assert len(corpus["exports"]) >= 100  # the post-level exports' texts and captions


@pytest.mark.parametrize("name", ["edge cases", "S", "M", "exports"])
def test_scores_equal_textstat_exactly(corpus, name):
    if name not in corpus:
        pytest.skip("../shared/exports is not beside the repo")
    texts = pd.Series(corpus[name], dtype=object)
    scores = score_texts(texts)
    cleaned = texts.map(_strip_reference)
    assert (texts.map(strip_non_prose) == cleaned).all()
    unique = cleaned.unique()
    reference = pd.DataFrame([_textstat_scores(t) for t in unique], index=unique,
                             columns=["words", "sentences", "reading_ease", "reading_grade"]).loc[cleaned]  # fmt: skip
    for column in reference:
        got, expected = scores[column].to_numpy(), reference[column].to_numpy()
        same = (got == expected) | (np.isnan(got.astype(float)) & np.isnan(expected.astype(float)))
        assert same.all(), f"{column} differs from textstat for {texts[~same].head(3).tolist()!r}"
    assert scores["words"].dtype == scores["sentences"].dtype == "int64"
    expected_wps = reference["words"].to_numpy() / reference["sentences"].where(reference["sentences"] > 0).to_numpy()
    assert np.array_equal(scores["words_per_sentence"].to_numpy(), expected_wps, equal_nan=True)
    assert scores["reading_ease"].isna().equals(cleaned.eq("").set_axis(scores.index))


@pytest.mark.parametrize("name", ["edge cases", "S", "M", "exports"])
def test_jargon_counts_equal_jargon_hits(corpus, name):
    if name not in corpus:
        pytest.skip("../shared/exports is not beside the repo")
    texts = pd.Series(corpus[name], dtype=object)
    # the built-in list (ASCII texts searched by DuckDB), one of terms beyond plain letters (all by re)
    for jargon in (JARGON, jargon_list({"Blue-light": "emergency", "naïve": "x", "ıc9": "y"}, ("male",))):
        hits = texts.map(lambda t: jargon_hits(t, jargon))
        assert (score_texts(texts, jargon)["jargon"] == hits.map(len)).all()
        expected = Counter(term for terms in hits for term in terms)
        assert expected or name == "exports"
        for dtype in (object, "str", "string[python]", "string[pyarrow]"):
            assert jargon_uses(pd.Series([*texts, None, *texts[:50]], dtype=dtype), jargon) == (
                expected + Counter(term for terms in hits[:50] for term in terms)), dtype


def test_scores_keep_the_index_and_missing_texts():
    texts = pd.Series(["Officers attended. The road is closed.", None, "#only @tags https://x.y", "Officers attended. The road is closed."],
                      index=[7, 3, 11, 2], dtype="string")  # fmt: skip
    scores = score_texts(texts)
    assert list(scores.index) == [7, 3, 11, 2]
    assert list(scores.columns) == ["words", "sentences", "reading_ease", "reading_grade", "words_per_sentence", "jargon"]
    assert scores.loc[3, "words"] == 0 and np.isnan(scores.loc[3, "reading_ease"]) and scores.loc[11, "words"] == 0
    assert scores.loc[7].equals(scores.loc[2]) and scores.loc[7, "jargon"] == 1
    assert score_texts(pd.Series([], dtype=object)).empty


def test_scores_are_the_same_whatever_the_dtype_and_the_chunk(corpus, monkeypatch):
    """Distinct texts are found by Arrow (or by pandas for texts Arrow cannot hold) and scored a
    chunk at a time: neither the column's dtype nor the chunk size changes a score."""
    import review.evidence.plain_english as plain_english

    texts = [*corpus["edge cases"], *corpus["M"][:3_000], None, "", *corpus["M"][:500]]
    expected = score_texts(pd.Series(texts, dtype=object))
    monkeypatch.setattr(plain_english, "SCORE_CHUNK", 7)
    for dtype in (object, "str", "string[python]", "string[pyarrow]"):
        got = score_texts(pd.Series(texts, dtype=dtype))
        pd.testing.assert_frame_equal(got, expected, check_dtype=True)
    # a lone surrogate is not UTF-8, so not an Arrow string: pandas finds the distinct texts
    odd = pd.Series(["Officers attended \ud800 the scene.", *texts[:50]], dtype=object)
    with_odd = score_texts(odd)
    assert with_odd.iloc[1:].reset_index(drop=True).equals(expected.iloc[:50].reset_index(drop=True))
    assert with_odd.loc[0, "jargon"] == 1 and with_odd.loc[0, "words"] == 4


@pytest.mark.parametrize("name", ["edge cases", "S", "exports"])
def test_text_searches_equal_python_re_on_the_lowered_texts(corpus, name, monkeypatch):
    """lower_matches (P1's themes, P2's incident hashtags) and hashtag_counts (P7's hashtags)
    search Arrow columns, ASCII texts by RE2: what they find is what Python's re finds in each text
    (in lower case for lower_matches), whatever the dtype and the chunk."""
    import review.evidence.plain_english as plain_english
    from review.config import ReviewConfig
    from review.evidence.plain_english import hashtag_counts, hashtags, lower_matches

    if name not in corpus:
        pytest.skip("../shared/exports is not beside the repo")
    monkeypatch.setattr(plain_english, "SEARCH_CHUNK", 97)
    texts = [*corpus[name], *EDGE_CASES, None]  # with texts beyond ASCII
    themes = ReviewConfig(year=2025).content.themes
    patterns = [r"\bvehicle\b", r"#staysafe\b", r"\bkelvin\b|\bistanbul\b", r"\bſtolen\b", r"caf\w\b", r"(?<!\w)@\w+",
                *("|".join((re.escape(w.lower()) + r"\b") if w.startswith("#") else (r"\b" + re.escape(w.lower()) + r"\b")
                           for w in words) for words in themes.values())]
    assert themes and any(not t.isascii() for t in texts if t)
    for dtype in (object, "str", "string[python]"):
        column = pd.Series(texts, dtype=dtype)
        for pattern in patterns:
            expected = [isinstance(t, str) and re.search(pattern, t.lower()) is not None for t in texts]
            assert lower_matches(column, pattern).tolist() == expected, pattern
        tags = Counter(tag for t in texts if t is not None for tag in hashtags(t))
        assert hashtag_counts(column) == tags and tags
    assert sum(lower_matches(pd.Series(texts, dtype="str"), p).sum() for p in patterns[-3:]) > 0


def test_hashtags_found_by_re2_are_those_python_finds():
    """hashtag_counts searches ASCII texts with RE2, which has no look-behind (_HASHTAG_RE2 matches
    the character before a "#"): on random texts of "#", word characters, punctuation, spaces and
    line breaks it finds the hashtags Python's re finds, each as often."""
    import random

    from review.evidence.plain_english import hashtag_counts, hashtags

    rng = random.Random(18)
    texts = ["".join(rng.choice("##a_1Z ,.\n") for _ in range(rng.randint(0, 24))) for _ in range(30_000)]
    texts += ["#a#b", "##a", "a##b", "#a,#b", "\n#a", "#_", "x#y #z", "#", "#é #ok"]
    expected = Counter(tag for t in texts for tag in hashtags(t))
    assert hashtag_counts(pd.Series(texts, dtype="str")) == expected and sum(expected.values()) > 10_000


@pytest.mark.parametrize("chunks", [[], [[]], [["b", None, "a"]], [["b", None, "a"], [], ["a", "c", None, "b"], ["c"]]])
def test_distinct_texts_are_pandas_factorize_of_any_chunking(chunks):
    """Each text's code and the distinct texts (missing ones one more), in order of first
    appearance, whatever Arrow chunks the column arrives in: what pandas' factorize gives."""
    import pyarrow as pa

    from review.evidence.plain_english import _distinct_texts

    column = pa.chunked_array([pa.array(c, type=pa.large_string()) for c in chunks], type=pa.large_string())
    texts = pd.Series(pd.arrays.ArrowExtensionArray(column))
    codes, distinct, take = _distinct_texts(texts)
    expected_codes, expected = pd.factorize(np.array([t for c in chunks for t in c], dtype=object), use_na_sentinel=False)
    assert codes.dtype == np.int64 and codes.tolist() == expected_codes.tolist()
    assert take(0, len(distinct)) == [None if pd.isna(t) else t for t in expected]
