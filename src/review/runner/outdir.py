"""Where a command writes: one rule for every output folder, so nothing that is not ours is lost.

Every command that writes a folder (`review run`, `ingest`, `national`, `sample`, `partition`,
`init`) asks `claim` first, and `claim` decides on the real path (symbolic links resolved):

- a missing or empty folder is fine;
- a folder this toolkit wrote is known by the marker file (MARKER) it leaves inside, which says
  what kind of folder it is and lists every file in it. Only a folder of the same kind, holding
  nothing but those files, is replaced: a run's outputs never replace a national store, and a
  `thesis.docx` dropped into last year's outputs stops the run instead of being deleted;
- anything else is refused, naming it: a folder without the marker, a file, and any output
  equal to, inside or around an input, the config or the project folder.

A folder is built beside its final place (`.OUT.staging`, marked as ours from the start) and
swapped in by `publish`, so a failed or killed command leaves the last outputs whole. A full
disk or a read-only folder ends in one line saying what failed, where and (for space) about how
much is needed: `write_error`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from review import __version__
from review.errors import ReviewError
from review.paths import ROOT

MARKER = ".policy-review.json"
WRITTEN_BY = "policy-review"
# What a command writes, by kind; a folder is replaced only by a command of its own kind.
KINDS = {
    "run": "a review run's outputs",
    "failed": "a failed run's notebooks",
    "national": "a national review's outputs",
    "ingest": "review ingest's checked tables",
    "sample": "review sample's synthetic data",
    "store": "a national store",
}
# A store grows a partition at a time (review.outputs.national), so its files are not listed.
UNLISTED = {"store"}
# Files a desktop leaves in any folder it shows; replaced with the folder, never a reason to refuse.
DESKTOP_LITTER = re.compile(r"^(\.DS_Store|Thumbs\.db|desktop\.ini|\._.*)$")
TOOLKIT_ROOT = ROOT
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
SHOWN = 3  # foreign files named in a refusal


def resolve(path: Path) -> Path:
    """The real path: a symbolic link is decided by what it points to."""
    return Path(os.path.abspath(Path(path).expanduser())).resolve()


def _shown(given: Path, real: Path) -> str:
    given = Path(given)
    return str(given) if resolve(given) == Path(os.path.abspath(given)) else f"{given} (a link to {real})"


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder this toolkit wrote, or None. A marker that is a link, unreadable or
    not ours counts as none."""
    path = Path(folder) / MARKER
    if path.is_symlink() or not path.is_file():
        return None
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("written_by") != WRITTEN_BY or marker.get("kind") not in KINDS:
        return None
    return marker


def _entries(folder: Path) -> list[str]:
    """Every file and link under `folder` (links not followed), as relative POSIX paths."""
    found = []
    for top, dirs, files in os.walk(folder):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            found.append(Path(os.path.join(top, name)).relative_to(folder).as_posix())
    return sorted(found)


def mark(folder: Path, kind: str, *, listed: bool = True) -> None:
    """Write the marker into `folder`: ours, of `kind`, listing the files it holds now (unless
    `listed` is False: a staging folder still being filled, or a store)."""
    files = [e for e in _entries(folder) if e != MARKER] if listed and kind not in UNLISTED else None
    doc = {"written_by": WRITTEN_BY, "kind": kind, "review_version": __version__, "files": files}
    (Path(folder) / MARKER).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _relation(out: Path, other: Path) -> str | None:
    if out == other:
        return "is"
    if other in out.parents:
        return "is inside"
    if out in other.parents:
        return "contains"
    return None


def claim(out: Path, kind: str, *, inputs: Iterable[tuple[str, Path | None]] = (), option: str = "--out",
          empty_only: bool = False, advice: str = "choose a new or empty folder, or move its files away") -> Path:
    """Check that `out` may be written by a command writing `kind`; return its real path.

    `inputs` are (what it is, path) pairs the command reads: the output must not be, be inside or
    contain any of them. `empty_only`: the folder must be missing or empty (review init, which
    never replaces anything). Raises ReviewError, one line naming the folder, otherwise."""
    real = resolve(out)
    shown = _shown(out, real)
    # An output inside the project is the usual place (reports/2025); the project itself is not.
    projects = [("the project folder (the working folder)", Path.cwd()), ("the toolkit's own folder", TOOLKIT_ROOT)]
    for label, path in [(label, p) for label, p in inputs if p is not None] + projects:
        relation = _relation(real, resolve(path))
        if relation and not (relation == "is inside" and (label, path) in projects):
            raise ReviewError(f"{option} {shown}: {relation} {label} {path}; choose an output folder apart from "
                              "the inputs, the config and the project, so writing it cannot touch them")
    if not real.exists():
        return real
    if not real.is_dir():
        raise ReviewError(f"{option} {shown}: is a file, not a folder; choose a new or empty folder")
    names = sorted(p.name for p in real.iterdir())  # the top level only: `--out ~` is not walked
    if not names:
        return real
    marker = read_marker(real)
    if marker is None or empty_only:
        why = "" if empty_only else f", and policy-review did not write it (no {MARKER} inside)"
        raise ReviewError(f"{option} {shown}: already exists and is not empty{why}: it holds {_some(names)}. "
                          f"Nothing of yours is replaced: {advice}")
    if marker["kind"] != kind:
        raise ReviewError(f"{option} {shown}: holds {KINDS[marker['kind']]}, not {KINDS[kind]}; "
                          "it is never replaced by this command: choose another folder")
    if kind not in UNLISTED:
        listed = set(marker.get("files") or [])
        foreign = [e for e in _entries(real)
                   if e != MARKER and e not in listed and not DESKTOP_LITTER.match(Path(e).name)]
        if foreign:
            raise ReviewError(f"{option} {shown}: holds {KINDS[kind]}, but also file(s) policy-review did not write: "
                              f"{_some(foreign)}. Replacing the folder would delete them: move them out, or choose "
                              "another folder")
    return real


def _some(names: list[str]) -> str:
    return ", ".join(names[:SHOWN]) + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def remove(folder: Path, kind: str) -> bool:
    """Delete `folder` if it is empty or ours of `kind` (a link is never followed); return whether
    it is gone. Anything else is left alone."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.exists():
        return not folder.is_symlink()
    if not folder.is_dir():
        return False
    marker = read_marker(folder)
    if marker is not None and marker["kind"] == kind:
        shutil.rmtree(folder)
        return True
    try:
        folder.rmdir()  # empty
        return True
    except OSError:
        return False


def clear(folder: Path, kind: str) -> Path:
    """Make `folder` free for this command: missing, or removed when empty or ours; else refuse."""
    if not remove(folder, kind):
        raise ReviewError(f"{folder}: left where policy-review keeps its work beside the output, but it was not "
                          "written by policy-review; move it away and run again")
    return folder


def new_folder(parent: Path, prefix: str) -> Path:
    """A new, uniquely named folder in `parent` (so nothing of the same name is ever deleted),
    readable as the umask allows: mkdtemp makes it private, and outputs are for sharing."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    return folder


@contextmanager
def staging(out: Path, kind: str) -> Iterator[Path]:
    """A folder beside `out` to build the new outputs in, marked as ours from the start. On any
    failure it is removed; a full disk or a read-only folder becomes one line (write_error)."""
    folder = clear(out.parent / f".{out.name}.staging", kind)
    try:
        with write_errors(out, folder):
            folder.mkdir(parents=True)
            mark(folder, kind, listed=False)
            yield folder
    finally:
        remove(folder, kind)


def publish(folder: Path, out: Path, kind: str) -> None:
    """Swap the finished `folder` in at `out`, marked with the files it holds. Between the two
    renames `out` is briefly absent: the old copy is then at `.OUT.old`, which the next run puts
    back if this one was killed (review.runner.run._lock). The old copy is deleted only if it is ours."""
    mark(folder, kind)
    old = clear(out.parent / f".{out.name}.old", kind)
    if out.exists():
        claim(out, kind)  # again: a file may have been put there while the command ran
        out.rename(old)
    try:
        folder.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise
    remove(old, kind)


def build(out: Path, kind: str, fill, *, inputs: Iterable[tuple[str, Path | None]] = (), option: str = "--out"):
    """Claim `out`, fill a staging folder with `fill(folder)` and publish it; return what fill
    returned. The whole command in one call, for the commands that write in one go."""
    out = claim(out, kind, inputs=inputs, option=option)
    with write_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
    with staging(out, kind) as folder:
        result = fill(folder)
        publish(folder, out, kind)
    return result


# --- a full disk, a read-only folder ---------------------------------------------------------------


def errno_in(text: str) -> int | None:
    """The errno of a full disk or a read-only file system named in an error's text (a notebook's
    exception arrives as text), else None. Permission errors are left out: in a notebook they are
    as likely to be about reading an input."""
    found = re.search(r"\[errno (\d+)\]", text, re.IGNORECASE)
    codes = NO_SPACE | {errno.EROFS}
    if found and int(found.group(1)) in codes:
        return int(found.group(1))
    return next((code for code in sorted(codes) if os.strerror(code) in text), None)


def folder_bytes(folder: Path) -> int:
    total = 0
    for top, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(top, name)).st_size
            except OSError:
                pass
    return total


def _size(n: int) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e9 else f"{n / 1e6:,.1f} MB" if n >= 1e5 else f"{n / 1e3:,.0f} kB"


def _writing_ours(filename, out: Path) -> bool:
    """Was the failed path one this command writes: `out`, or its siblings `.OUT.*`, `OUT-failed`,
    or the folder that holds them? (A permission error on an input is not about the output.)"""
    if filename is None:
        return False
    path = Path(os.path.abspath(filename))
    if path == out or path in out.parents:  # creating the folders up to the output
        return True
    try:
        top = path.relative_to(out.parent).parts[0]
    except (ValueError, IndexError):
        return False
    return top in (out.name, f"{out.name}-failed") or top.startswith(f".{out.name}.")


def write_error(exc: OSError, out: Path, folder: Path | None = None,
                need: tuple[int, str] | None = None) -> ReviewError | None:
    """One line for a full disk or a read-only output, or None for any other error. For space it
    says about how much is needed: `need` (bytes, what they are the size of) when the caller
    knows, else the size of the last outputs, else at least what was written into `folder` (the
    staging folder) before the disk filled."""
    code = exc.errno
    if code not in NO_SPACE | READ_ONLY:
        return None
    where = exc.filename or out
    if code in NO_SPACE:
        last = folder_bytes(out) if out.is_dir() and need is None else 0
        staged = folder_bytes(folder) if folder is not None and folder.is_dir() else 0
        need = (f"about {_size(need[0])} is needed ({need[1]})" if need
                else f"about {_size(last)} is needed (the size of the last outputs)" if last
                else f"more than {_size(staged)} is needed (written before the disk filled)" if staged
                else "more space is needed")
        probe = next((p for p in [out, *out.parents] if p.exists()), out)
        free = _size(shutil.disk_usage(probe).free)
        return ReviewError(f"{out}: the disk is full ({exc.strerror}, writing {where}): {need}, {free} is free. "
                           "Free some space or choose another --out; the last outputs are untouched")
    if code in READ_ONLY and (code == errno.EROFS or _writing_ours(exc.filename, out)):
        return ReviewError(f"{out}: cannot write there ({exc.strerror}: {where}); choose another --out or ask for "
                           "write access; the last outputs are untouched")
    return None


@contextmanager
def write_errors(out: Path, folder: Path | None = None, need: tuple[int, str] | None = None) -> Iterator[None]:
    """Turn a full disk or a read-only output met inside into its one-line ReviewError (write_error)."""
    try:
        yield
    except OSError as exc:
        error = write_error(exc, out, folder, need)
        if error is None:
            raise
        raise error from None
