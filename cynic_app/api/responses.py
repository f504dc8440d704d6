"""What each answer holds, stated once: pydantic models that generate the response schemas of
/openapi.json and name the fields present.py puts on the wire, in order.

The service does not build answers through these models (a judgment is presented from its stored
JSON without a second validation); the tests validate real answers against them, and
schemathesis checks every answer of the live service against the document they generate.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..judgment.cell import REALITIES, TIME_DIMS
from ..judgment.dogs import LEVELS
from ..judgment.phi import MAX_CONFIDENCE, VERDICTS
from ..judgment.rules import RULES
from ..judgment.source import LANGUAGES
from ..judgment.state import RECENT
from ..store.listing import EXCERPT_CHARS

Id = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
Instant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Score = Annotated[float, Field(ge=0, le=100)]
Count = Annotated[int, Field(ge=0)]


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow")  # an answer may grow fields; clients ignore unknown ones


class Finding(Wire):
    dog: str
    rule: Literal[tuple(sorted(RULES))]
    severity: Annotated[float, Field(ge=0, le=1)]
    line: Annotated[int, Field(ge=0, description="1-based; 0: the whole unit")]
    message: str
    cwe: Annotated[
        int,
        Field(ge=0, description="the weakness, as a MITRE CWE number (0 in judgments stored before CWEs)"),
    ] = 0
    confidence: Annotated[float, Field(ge=0, le=1, description="how sure the check is")] = 0.9
    column: Annotated[int, Field(ge=0, description="1-based column; 0: unknown")] = 0
    kind: Annotated[
        Literal["security", "defect", "smell", ""],
        Field(description="what it counts as: security vetoes (BARK), defect caps at GROWL, smell lowers"),
    ] = ""
    suppressed: Annotated[
        str | None,
        Field(
            description="the comment suppressing it (nosec, noqa, cynic: ignore): it then counts for nothing"
        ),
    ] = None
    end_line: Annotated[int, Field(ge=0, description="the last line it concerns, when it spans lines")] = 0
    source_line: Annotated[int, Field(ge=0, description="where the untrusted input it carries came from")] = 0


class Judgment(Wire):
    """A judgment with its cell's fields alongside (POST /judge, GET /judge/<id>)."""

    judgment_id: Id
    q_score: Score
    verdict: Literal[VERDICTS]
    confidence: Annotated[float, Field(ge=0, le=round(MAX_CONFIDENCE, 6))]
    axiom_scores: dict[str, Score]
    dog_votes: dict[str, Score]
    consensus_reached: bool
    consensus_votes: Count
    residual_variance: Annotated[float, Field(ge=0, le=1)]
    unnameable_detected: bool
    cost_usd: Annotated[float, Field(ge=0)]
    llm_calls: Count
    duration_ms: Annotated[float, Field(ge=0)]
    level_used: Literal[tuple(LEVELS)]
    dog_reasons: dict[str, list[str]]
    vetoed_by: list[str]
    findings: Annotated[
        list[Finding],
        Field(description="what the dogs found, by line; empty for judgments stored before findings"),
    ]
    language: Annotated[
        Literal[("", *LANGUAGES)],
        Field(description="how the content was read; empty for judgments stored before it was recorded"),
    ]
    # the cell's fields
    cell_id: Id
    reality: Literal[REALITIES]
    analysis: Annotated[str, Field(pattern="^[A-Z][A-Z0-9_]{0,31}$")]
    time_dim: Literal[TIME_DIMS]
    content: str
    context: str
    lod: Annotated[int, Field(ge=0, le=3)]
    consciousness: Annotated[int, Field(ge=0, le=6)]
    budget_usd: Annotated[float, Field(ge=0)]
    timestamp: float
    # added when presented
    state_key: str
    created_at: Instant
    persisted: bool


class JudgmentSummary(Wire):
    """A stored judgment in a list (GET /judge); GET /judge/<id> gives the whole of it."""

    judgment_id: Id
    created_at: Instant
    verdict: Literal[VERDICTS]
    q_score: Score
    confidence: Annotated[float, Field(ge=0, le=round(MAX_CONFIDENCE, 6))]
    reality: Literal[REALITIES]
    analysis: Annotated[str, Field(pattern="^[A-Z][A-Z0-9_]{0,31}$")]
    state_key: str
    language: Literal[("", *LANGUAGES)]
    level_used: Literal[tuple(LEVELS)]
    finding_count: Count
    context: str
    excerpt: Annotated[str, Field(max_length=EXCERPT_CHARS, description="the content's first characters")]


class JudgmentPage(Wire):
    """GET /judge: a page of stored judgments, newest first."""

    items: list[JudgmentSummary]
    next_cursor: Annotated[
        str | None,
        Field(description="pass as ?cursor= for the next page (same filters); null: this is the last"),
    ]


class Perception(Wire):
    """A perception, with its judgment when it was judged on arrival (POST /perceive, GET /perceive/<id>)."""

    perception_id: Id
    source: str
    reality: Literal[REALITIES]
    judgment_id: Id | None
    verdict: Literal[VERDICTS] | None
    judgment: Judgment | None
    content: str
    context: str
    time_dim: Literal[TIME_DIMS]
    created_at: Instant
    persisted: bool


class State(Wire):
    """GET /state: what the node knows about its recent judgments."""

    consciousness_level: Annotated[int, Field(ge=0, le=6)]
    total_judgments: Count
    verdict_counts: dict[str, int]
    dog_averages: dict[str, Score]
    dog_totals: dict[str, list[Any]]
    recent_judgments: Annotated[list[dict[str, Any]], Field(max_length=RECENT)]


class Health(Wire):
    status: Literal["ok"]
    pid: int
    node: str


class Ready(Wire):
    status: Literal["ready", "not_ready"]
    checks: dict[str, Any]


class ErrorBody(Wire):
    code: str
    message: str
    details: dict[str, Any]


class Error(Wire):
    """Every error: a code for programs, a message for people, details (fields, outcome, ids)."""

    error: ErrorBody


MODELS = (Judgment, JudgmentPage, Perception, State, Health, Ready, Error)
