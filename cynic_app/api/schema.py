"""What a request may hold, stated once: pydantic models that validate every write request and
the query of GET /judge, and generate their schemas in /openapi.json.

Each rule is written here and nowhere else; the domain (judgment/) receives validated values.
An invalid body is a 422 naming every bad field with a short reason ("must be …"): pydantic's
own constraint errors are turned into ours in ``field_errors``. Enums accept any case (the
contract lists their values, and says so). The content limit is the serving node's
CYNIC_MAX_CONTENT_CHARS, passed as validation context.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..judgment.cell import (
    CANONICAL_ANALYSES,
    DEFAULT_MAX_CONTENT_CHARS,
    MAX_CONTEXT_CHARS,
    REALITIES,
    TIME_DIMS,
    Cell,
)
from ..judgment.dogs import LEVELS
from ..judgment.perception import MAX_SOURCE_CHARS, Perception
from ..judgment.phi import VERDICTS
from ..store.listing import Position
from . import cursor as cursors
from .errors import ApiError

#: Whitespace as JSON Schema (ECMA-262) regexes see it, so the contract says exactly which
#: strings count as blank.
BLANK_CHARS = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: The same characters, for str.strip (which would strip more: U+001C to U+001F, U+0085).
BLANK_STRIP = BLANK_CHARS.replace("\u2000-\u200a", "".join(map(chr, range(0x2000, 0x200B))))
NON_BLANK = f"[^{BLANK_CHARS}]"
NON_BLANK_RE = re.compile(NON_BLANK)
NO_NUL = "^[^\\u0000]*$"
UUID4 = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
CONTENT_DESCRIPTION = (
    "what to judge, a whole file if you like (empty too; no NUL): the judge reads its first 100,000"
    " characters and says so in a finding when there is more; all of it is stored"
)
#: A 422 names at most this many unknown fields (then only counts them): a body of 90,000 unknown
#: keys must not cost 90,000 errors.
MAX_LISTED_UNKNOWN = 32


class Rule:
    """The reason a field gives for any failure pydantic finds in it (type, range, pattern)."""

    def __init__(self, message: str):
        self.message = message


class Schema:
    """JSON Schema keywords for a check a validator beside it makes (pydantic cannot say it)."""

    def __init__(self, **keywords: Any):
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


def _invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("cynic", message)


def _storable(value: str) -> str:
    """Text PostgreSQL can store: no NUL characters, no unpaired surrogates."""
    if "\x00" in value:
        raise _invalid("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid("must be valid Unicode (no unpaired surrogates)") from None
    return value


def _non_blank(value: str) -> str:
    if not NON_BLANK_RE.search(value):
        raise _invalid("must not be empty")
    return value


def _within_content_limit(value: str, info: ValidationInfo) -> str:
    limit = (info.context or {}).get("max_content_chars", DEFAULT_MAX_CONTENT_CHARS)
    if len(value) > limit:
        raise _invalid(f"must be at most {limit} characters")
    return value


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


def _upper(value: object) -> object:
    return value.upper() if isinstance(value, str) and value.isascii() else value


def _integral(value: object) -> object:
    """JSON has one number type: 2.0 is the integer 2."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _any_case(options) -> type:
    """One of options, in any case (upper-cased). The contract lists them as an enum, so that
    generated clients get the choices, and says that any case is accepted too."""
    return Annotated[
        Literal[tuple(options)],
        BeforeValidator(_upper),
        WithJsonSchema(
            {"type": "string", "enum": list(options), "description": "one of these; any case is accepted"}
        ),
        Rule(f"must be one of {', '.join(options)} (any case)"),
    ]


def _integer(low: int, high: int) -> type:
    return Annotated[
        int,
        Strict(),
        Field(ge=low, le=high),
        BeforeValidator(_integral),
        Rule(f"must be an integer from {low} to {high}"),
    ]


Text = Annotated[str, Strict(), AfterValidator(_storable), Schema(pattern=NO_NUL), Rule("must be a string")]
Content = Annotated[
    str,
    Strict(),
    AfterValidator(_storable),
    AfterValidator(_within_content_limit),
    Schema(maxLength=DEFAULT_MAX_CONTENT_CHARS, pattern=NO_NUL, description=CONTENT_DESCRIPTION),
    Rule("must be a string"),
]
_CONTENT = TypeAdapter(Content)
Level = _any_case(tuple(LEVELS))
Reality = _any_case(REALITIES)
TimeDim = _any_case(TIME_DIMS)
Verdict = _any_case(VERDICTS)
Context = Annotated[Text, Field(max_length=MAX_CONTEXT_CHARS)]


class JudgeRequest(BaseModel):
    """POST /judge: a cell to judge. Optional fields accept null, meaning "use the default"."""

    model_config = ConfigDict(extra="forbid", title="JudgeRequest")

    content: Content
    reality: Reality | None = None
    analysis: (
        Annotated[
            str,
            Strict(),
            Field(
                pattern="^[A-Za-z][A-Za-z0-9_]{0,31}$",
                description="any identifier (not a fixed choice); the canonical ones are the examples",
                examples=list(CANONICAL_ANALYSES),
            ),
            AfterValidator(str.upper),
            Rule("must be an identifier matching [A-Z][A-Z0-9_]{0,31} (any case)"),
        ]
        | None
    ) = None
    time_dim: Annotated[TimeDim | None, Field(description="inferred from the content when absent")] = None
    context: Context | None = None
    lod: _integer(0, 3) | None = None
    consciousness: _integer(0, 6) | None = None
    budget_usd: (
        Annotated[
            float,
            Strict(),
            Field(ge=0, le=1_000_000, allow_inf_nan=False),
            Rule("must be a finite number from 0 to 1000000"),
        ]
        | None
    ) = None
    level: Annotated[
        Level | None,
        Field(description="REFLEX, MICRO or MACRO; chosen from budget and consciousness if absent"),
    ] = None
    cell_id: (
        Annotated[
            str,
            Strict(),
            Field(pattern=UUID4),
            AfterValidator(str.lower),
            Rule("must be a version-4 UUID (8-4-4-4-12 hex digits)"),
        ]
        | None
    ) = None
    timestamp: (
        Annotated[
            float,
            Strict(),
            Field(ge=0, lt=32503680000, allow_inf_nan=False),  # 1970 to the year 3000
            Rule("must be a number of seconds since the epoch, between 1970 and 3000"),
        ]
        | None
    ) = None

    def cell(self) -> Cell:
        return Cell.create(**self.model_dump(exclude={"level"}, exclude_none=True))


class PerceiveRequest(BaseModel):
    """POST /perceive: something a source observed, judged on arrival unless run_judgment is false."""

    model_config = ConfigDict(
        extra="forbid",
        title="PerceiveRequest",
        json_schema_extra={
            "anyOf": [
                {"required": ["content"], "properties": {"content": {"type": "string"}}},
                {"required": ["data"], "properties": {"data": {"not": {"type": "null"}}}},
            ]
        },
    )

    source: Annotated[
        str,
        Strict(),
        AfterValidator(_storable),
        AfterValidator(_non_blank),
        Field(min_length=1, max_length=MAX_SOURCE_CHARS),
        Schema(allOf=[{"pattern": NON_BLANK}, {"pattern": NO_NUL}]),
        Rule("is required and must be a non-empty string"),
    ]
    reality: Annotated[Reality | None, BeforeValidator(_empty_is_none)] = None  # "": CYNIC
    content: Content | None = None
    data: Annotated[
        Any,
        WithJsonSchema(
            {"description": "legacy: any JSON value, perceived as its JSON text when content is absent"}
        ),
    ] = None
    context: Context | None = None
    time_dim: TimeDim | None = None
    run_judgment: Annotated[bool, Strict(), Rule("must be true or false")] | None = Field(
        default=None, json_schema_extra={"default": True}
    )
    level: Level | None = None

    @model_validator(mode="after")
    def _content_or_data(self, info: ValidationInfo) -> PerceiveRequest:
        """Older clients sent data instead of content; it is perceived as its JSON text, which
        must then be what content may be."""
        if self.content is None and self.data is not None:
            try:
                text = self.data if isinstance(self.data, str) else json.dumps(self.data, sort_keys=True)
                self.content = _CONTENT.validate_python(text, context=info.context)
            except RecursionError:  # json.loads took it, with a few stack frames to spare
                raise PydanticCustomError("cynic", "is nested too deeply", {"field": "data"}) from None
            except ValidationError as exc:
                raise PydanticCustomError("cynic", exc.errors()[0]["msg"], {"field": "data"}) from None
        if self.content is None:
            raise PydanticCustomError("cynic", "is required", {"field": "content"})
        return self

    def perception(self) -> Perception:
        cell = Cell.create(
            reality=self.reality or "CYNIC",
            analysis="PERCEIVE",
            lod=0,
            **self.model_dump(include={"content", "context", "time_dim"}, exclude_none=True),
        )
        return Perception(
            self.source.strip(BLANK_STRIP),  # what was validated non-blank stays non-empty
            cell,
            True if self.run_judgment is None else self.run_judgment,
            self.level or "REFLEX",
        )


def _cursor(value: str) -> str:
    try:
        cursors.parse_cursor(value)
    except cursors.BadCursor:
        raise _invalid("must be the next_cursor of an earlier page") from None
    return value


#: The page sizes of GET /judge.
DEFAULT_PAGE = 20
MAX_PAGE = 100


class JudgmentListQuery(BaseModel):
    """GET /judge: which stored judgments to list (newest first), and after which page.

    Query values arrive as text: limit is read as an integer; an empty value (``verdict=``, as an
    HTML form sends "any") is as if absent.
    """

    model_config = ConfigDict(extra="forbid", title="JudgmentListQuery")

    verdict: Annotated[Verdict | None, Field(description="only judgments with this verdict (any case)")] = (
        None
    )
    reality: Annotated[Reality | None, Field(description="only judgments of this reality (any case)")] = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE), Rule(f"must be an integer from 1 to {MAX_PAGE}")] = (
        DEFAULT_PAGE
    )
    cursor: (
        Annotated[
            str,
            Strict(),
            Field(pattern=cursors.PATTERN, description="next_cursor of the page before; absent: the newest"),
            AfterValidator(_cursor),
            Rule("must be the next_cursor of an earlier page"),
        ]
        | None
    ) = None

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, values: object) -> object:
        return {k: v for k, v in values.items() if v != ""} if isinstance(values, dict) else values

    def after(self) -> Position | None:
        return None if self.cursor is None else cursors.parse_cursor(self.cursor)


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: dict, *, max_content_chars: int) -> M:
    """Validate body against model, or raise a 422 ApiError naming every bad field.

    Unknown fields are found here, not by pydantic (which builds an error per key): the first
    MAX_LISTED_UNKNOWN are named, ``details.unknown_fields`` counts them all, and the known
    fields are still checked.
    """
    names = model.model_fields
    unknown = sum(name not in names for name in body)
    fields: dict[str, str] = {}
    try:
        if not unknown:
            return model.model_validate(body, context={"max_content_chars": max_content_chars})
        known = {name: value for name, value in body.items() if name in names}
        model.model_validate(known, context={"max_content_chars": max_content_chars})
    except ValidationError as exc:
        fields = field_errors(model, exc)
    listed = itertools.islice((name for name in body if name not in names), MAX_LISTED_UNKNOWN)
    fields.update(dict.fromkeys(listed, "unknown field"))
    details: dict = {"fields": fields}
    if unknown:
        details["unknown_fields"] = unknown
    raise ApiError(422, "validation_failed", "the request has invalid fields", details)


def field_errors(model: type[BaseModel], exc: ValidationError) -> dict[str, str]:
    """One reason per bad field, in our words."""
    out: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        name = str(loc[0]) if loc else error.get("ctx", {}).get("field", "body")
        out.setdefault(name, _reason(model, name, error))
    return out


def _reason(model: type[BaseModel], name: str, error: dict) -> str:
    kind = error["type"]
    if kind == "cynic":  # raised by the validators above, in our words already
        return error["msg"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing" or error.get("input") is None:  # optional fields take null: this one is required
        return "is required"
    if kind in ("string_too_long", "too_long"):
        return f"must be at most {error['ctx']['max_length']} characters"
    field = model.model_fields.get(name)
    for meta in [*field.metadata, *_metadata(field.annotation)] if field else []:
        if isinstance(meta, Rule):
            return meta.message
    return error["msg"]


def _metadata(annotation) -> list:
    """The Annotated metadata of annotation, looking inside ``X | None``."""
    found = list(getattr(annotation, "__metadata__", ()))
    for arg in getattr(annotation, "__args__", ()):
        found += _metadata(arg)
    return found
