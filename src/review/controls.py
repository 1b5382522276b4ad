"""Control characters: refused in settings, shown visibly in data text.

A NUL, an escape sequence or a Unicode bidirectional override in text has no business in a board
paper or a terminal: it can hide text, recolour or clear a terminal, or make one protective
marking *display* as another. Settings the team writes (the config) refuse them outright
(review.config); data text from the exports (post text, names, notes) cannot be refused, so it is
shown with each C0 control as its Unicode "control picture" (NUL as ␀, ESC as ␛), C1 controls as
the replacement character and bidirectional controls removed, at the places text leaves the
toolkit: the report's templates (review.render), and every table and message printed to a
terminal (review.cli).
"""

from __future__ import annotations

import re
import unicodedata

# Unicode bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069): they
# reorder how the text around them displays.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# C0 controls (but tab, line feed and carriage return, which are layout), DEL, C1 controls, and the
# bidirectional controls.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _picture(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if code <= 0x9F:
        return "\ufffd"
    return ""  # a bidirectional control: dropped, so the text reads in its own order


def show_controls(text: str) -> str:
    """`text` with every control character visible (or, for a bidirectional control, removed);
    other text, tabs and line breaks unchanged. Returns `text` itself when there is none."""
    return _HIDDEN.sub(_picture, text) if _HIDDEN.search(text) else text


def control_characters(text: str, allowed: str = "") -> list[str]:
    """The control characters in `text` a setting may not hold, named (U+001B), in order of first
    appearance: C0 and C1 controls and DEL (except those in `allowed`), and bidirectional controls."""
    found = [c for c in text if (unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI_CONTROLS]
    return [f"U+{ord(c):04X}" for c in dict.fromkeys(found)]
