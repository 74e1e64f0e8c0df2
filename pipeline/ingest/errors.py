"""The one error ingest raises for unusable input, so a user sees which file, layer and field to fix."""
from __future__ import annotations

from pathlib import Path


class IngestError(ValueError):
    """A source that cannot be read as configured.

    The message names the file, the layer and the field involved and says what was expected and what
    was found, because the person fixing it usually has only the message and the file.
    """

    def __init__(self, problem: str, *, path: str | Path | None = None, layer: str | None = None,
                 field: str | None = None, expected: object = None, found: object = None):
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.layer = layer
        self.field = field
        self.expected = expected
        self.found = found
        super().__init__(self._compose())

    def __reduce__(self):  # whole through a pipe: an error in a helper process keeps its file, layer and field
        return _rebuild, (self.problem, self.path, self.layer, self.field, self.expected, self.found)

    def _compose(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"file {self.path}")
        if self.layer is not None:
            where.append(f"layer {self.layer!r}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.expected is not None:
            text += f"; expected {_show(self.expected)}"
        if self.found is not None:
            text += f"; found {_show(self.found)}"
        return text


def _rebuild(problem, path, layer, field, expected, found) -> IngestError:
    return IngestError(problem, path=path, layer=layer, field=field, expected=expected, found=found)


def _show(value: object) -> str:
    if isinstance(value, (list, tuple, set)):
        items = list(value)
        shown = ", ".join(repr(v) if not isinstance(v, str) or v == "" else v for v in items[:30])
        return f"[{shown}{', ...' if len(items) > 30 else ''}]"
    return str(value)
