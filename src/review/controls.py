"""Control characters: refused in settings, shown visibly in data text.

A NUL, an escape sequence or a Unicode bidirectional override in text has no business in a board
paper or a terminal: it can hide text, recolour or clear a terminal, or make one protective
marking *display* as another. Settings the team writes (the config) refuse them outright
(review.config); data text from the exports (post text, names, notes) cannot be refused, so it is
shown with each control as its name in brackets ([NUL], [ESC], [U+0085]) and bidirectional
controls removed, at the places text leaves the toolkit: the report's templates (review.outputs.render),
and every table and message printed to a terminal (review.cli). Names in plain ASCII, not the
Unicode control pictures (␀, ␛): the report's fonts have no glyphs for those, so the PDF showed
empty boxes.
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


_C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
             "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()


def _name(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return f"[{_C0_NAMES[code]}]"
    if code == 0x7F:
        return "[DEL]"
    if code <= 0x9F:
        return f"[U+{code:04X}]"
    return ""  # a bidirectional control: dropped, so the text reads in its own order


def show_controls(text: str) -> str:
    """`text` with every control character visible (or, for a bidirectional control, removed);
    other text, tabs and line breaks unchanged. Returns `text` itself when there is none."""
    return _HIDDEN.sub(_name, text) if _HIDDEN.search(text) else text


def control_characters(text: str, allowed: str = "") -> list[str]:
    """The control characters in `text` a setting may not hold, named (U+001B), in order of first
    appearance: C0 and C1 controls and DEL (except those in `allowed`), and bidirectional controls."""
    found = [c for c in text if (unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI_CONTROLS]
    return [f"U+{ord(c):04X}" for c in dict.fromkeys(found)]
