"""A perception: something a source observed, optionally judged on arrival."""

from __future__ import annotations

import json
from dataclasses import dataclass

from .cell import NON_BLANK_RE, Cell, storable_text
from .engine import validate_level
from .errors import InvalidCell

MAX_SOURCE_CHARS = 256


@dataclass(frozen=True)
class Perception:
    source: str
    cell: Cell  # analysis PERCEIVE, lod 0
    run_judgment: bool
    level: str

    @classmethod
    def create(cls, fields: dict, *, max_content_chars: int) -> Perception:
        """Validate a /perceive body; every bad field is reported at once."""
        fields = dict(fields)
        errors: dict[str, str] = {}
        source = fields.pop("source", None)
        if not isinstance(source, str) or not NON_BLANK_RE.search(source):
            errors["source"] = "is required and must be a non-empty string"
        elif len(source) > MAX_SOURCE_CHARS:
            errors["source"] = f"must be at most {MAX_SOURCE_CHARS} characters"
        else:
            try:
                storable_text(source)
            except ValueError as exc:
                errors["source"] = str(exc)
        run_judgment = fields.pop("run_judgment", None)
        run_judgment = True if run_judgment is None else run_judgment
        if not isinstance(run_judgment, bool):
            errors["run_judgment"] = "must be true or false"
        try:
            level = validate_level(fields.pop("level", None)) or "REFLEX"
        except InvalidCell as exc:
            errors.update(exc.errors)
        legacy = fields.pop("data", None)
        if fields.get("content") is None and legacy is not None:
            # Older clients sent structured data; it is perceived as its JSON text.
            fields["content"] = legacy if isinstance(legacy, str) else json.dumps(legacy, sort_keys=True)
        unknown = set(fields) - {"reality", "content", "context", "time_dim"}
        errors.update({name: "unknown field" for name in sorted(unknown)})
        cell = None
        try:
            cell = Cell.create(
                max_content_chars=max_content_chars,
                reality=fields.get("reality") or "CYNIC",
                analysis="PERCEIVE",
                lod=0,
                **{k: fields[k] for k in ("content", "context", "time_dim") if k in fields},
            )
        except InvalidCell as exc:
            errors.update(exc.errors)
        if errors:
            raise InvalidCell(errors)
        return cls(source.strip(), cell, run_judgment, level)
