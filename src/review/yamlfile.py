"""The one way the toolkit reads a YAML file: the config, the decisions file, a register.

Stricter than `yaml.safe_load` where a silent surprise would change the paper:
- a key written twice in one mapping is an error naming the key and both lines (PyYAML keeps the
  last copy: OFFICIAL-SENSITIVE became OFFICIAL, a rejected recommendation became accepted);
- nesting deeper than MAX_DEPTH is an error, not a RecursionError traceback;
- only plain data: no Python tags (safe loading), and aliases are followed without copying, so a
  "billion laughs" document stays small.
Every error is one line naming the file, and the line and column where YAML knows them.
The document keeps the line of every key, so a later check can say where a bad value sits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from review.errors import ReviewError

# Deeper than any file the toolkit reads (a register entry's evidence is four levels down).
MAX_DEPTH = 32
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and the line (1-based) of every key and list item, by path."""

    path: Path
    data: Any
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)

    def line(self, loc: tuple | list) -> int | None:
        """The line of the deepest part of `loc` (a key path, as pydantic reports it) found in the file."""
        parts = tuple(str(p) for p in loc)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return None

    def where(self, loc: tuple | list) -> str:
        """`key.path (line N)` for an error message."""
        dotted = ".".join(str(p) for p in loc) or "the file"
        line = self.line(loc)
        return f"{dotted} (line {line})" if line else dotted

    def problems(self, errors: list[dict], within: tuple = ()) -> str:
        """pydantic's errors (ValidationError.errors()) of the data at `within`, each as
        `key.path (line N): what is wrong`, joined by '; '."""
        return "; ".join(
            f"{self.where((*within, *e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in errors
        )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: Node, deep: bool = False) -> dict:
        if isinstance(node, MappingNode):
            seen: dict[Any, Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue  # `<<: *defaults` may be overridden by the keys written beside it
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: SafeLoader reports it below
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"key {key!r} appears twice (first on line {first.start_mark.line + 1}); "
                        "keep one, or the last would silently win",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: ScalarNode):
        # 2025-13-01 looks like a date to YAML but is none: a ValueError PyYAML does not place.
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date ({exc})", node.start_mark
            ) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


def _key_lines(root: Node, path: Path) -> dict[tuple[str, ...], int]:
    """Line of each key and list item by path; refuses nesting deeper than MAX_DEPTH. Each node is
    visited once, so aliases (shared nodes) cost nothing however often they are used."""
    lines: dict[tuple[str, ...], int] = {}
    seen: set[int] = set()
    stack: list[tuple[Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, at = stack.pop()
        if len(at) > MAX_DEPTH:
            raise ReviewError(
                f"{path}: line {node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep; "
                "no setting of the toolkit is that deep"
            )
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, ScalarNode) else "?"
                lines.setdefault(at + (key,), key_node.start_mark.line + 1)
                stack.append((value_node, at + (key,)))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                lines.setdefault(at + (str(i),), item.start_mark.line + 1)
                stack.append((item, at + (str(i),)))
    return lines


def _yaml_error(path: Path, exc: yaml.YAMLError) -> ReviewError:
    mark = getattr(exc, "problem_mark", None)
    where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark:
        context += f" started on line {context_mark.line + 1}, column {context_mark.column + 1}"
    detail = f"{context}: {problem}" if context else problem
    return ReviewError(f"{path}:{where} is not valid YAML: {detail}")


def read_yaml_document(path: Path, text: str | None = None) -> YamlDocument:
    """Parse a YAML file strictly (see the module docstring). An empty file is None.
    A missing file raises FileNotFoundError, for the caller to name what it was looking for."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ReviewError(f"{path}: byte {exc.start + 1}: not UTF-8 text") from None
        except IsADirectoryError:
            raise ReviewError(f"{path}: is a folder, not a YAML file") from None
    loader = None
    try:
        loader = _StrictLoader(text)  # refuses a raw control character in the text, by position
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(path, None)
        lines = _key_lines(root, path)
        data = loader.construct_document(root)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ReviewError(f"{path}: line {line}, column {column}: control character U+{exc.character:04X} "
                          "is not allowed in a YAML file") from None
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    except RecursionError:
        raise ReviewError(
            f"{path}: nested too deeply to read (more than {MAX_DEPTH} levels); no setting of the toolkit is that deep"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDocument(path, data, lines)


def read_yaml(path: Path, text: str | None = None) -> Any:
    """The data of a YAML file read strictly (read_yaml_document); None for an empty file."""
    return read_yaml_document(path, text).data
