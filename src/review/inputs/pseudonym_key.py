"""Where the pseudonymisation key is found (review.inputs.pseudonym makes the pseudonyms with it).

Standard library only: the run's check for unchanged inputs (review.runner.cache) digests the key
before pandas is imported, and must find it by the same rule as the data-quality stage; and the
run hands it to each kernel it starts (`kernel_environment`) without waiting a second for pandas.
"""

from __future__ import annotations

import os
from pathlib import Path

from review.errors import ReviewError
from review.paths import ROOT

KEY_ENV = "REVIEW_PSEUDONYM_KEY"
KEY_FILE = ".review-key"
PROJECT_DIR = ROOT
MIN_KEY_BYTES = 16


def key_text(search: list[Path] | None = None) -> tuple[str, str] | None:
    """(the key as written, where it came from), or None: the environment first, then
    KEY_FILE in the working folder, then in the project. Its length is not checked."""
    value, source = os.environ.get(KEY_ENV), f"the {KEY_ENV} environment variable"
    if not value:
        for folder in search or [Path.cwd(), PROJECT_DIR]:
            path = Path(folder) / KEY_FILE
            if path.is_file():
                value, source = path.read_text(encoding="utf-8").strip(), str(path)
                break
    return (value.strip(), source) if value else None


def find_key(search: list[Path] | None = None) -> tuple[bytes, str] | None:
    """(key, where it came from), or None when no key is set up.

    A key shorter than MIN_KEY_BYTES is refused: it could be guessed.
    """
    found = key_text(search)
    if found is None:
        return None
    key, source = found[0].encode("utf-8"), found[1]
    if len(key) < MIN_KEY_BYTES:
        raise ReviewError(
            f"{source}: the pseudonymisation key is {len(key)} characters; use at least {MIN_KEY_BYTES} "
            "(make one with: python -c \"import secrets; print(secrets.token_hex(32))\")"
        )
    return key, source


def kernel_environment() -> dict[str, str]:
    """The environment for a run's kernels: this process's, with the key found by the one rule.

    The kernels start in `notebooks/`, so a `.review-key` in the folder the user ran `review`
    from would be out of their sight; the driver finds it and passes it on in the kernels'
    environment only (never as a notebook parameter, which would be written into the
    executed notebooks). A key too short is left for the data-quality stage to report.
    """
    env = dict(os.environ)
    # The kernels start in notebooks/: a relative PYTHONPATH (`PYTHONPATH=src review run ...`)
    # would name another folder there, and the kernels would import another copy of review.
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) if p else p for p in env["PYTHONPATH"].split(os.pathsep))
    try:
        found = find_key()
    except ReviewError:
        return env
    if found is not None:
        env[KEY_ENV] = found[0].decode("utf-8")
    return env
