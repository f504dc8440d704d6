"""The pack: eleven dogs, their priority weights, and which of them run at each level."""

from __future__ import annotations

from ..phi import PHI, PHI_INV, PHI_INV2
from ..vote import Vote
from . import (
    analyst,
    architect,
    cartographer,
    cynic,
    deployer,
    guardian,
    janitor,
    oracle,
    sage,
    scholar,
    scout,
)

DOGS = {
    m.NAME: m
    for m in (
        cynic,
        sage,
        analyst,
        guardian,
        oracle,
        architect,
        cartographer,
        scholar,
        deployer,
        scout,
        janitor,
    )
}

WEIGHTS = {
    "CYNIC": PHI**3,
    "SAGE": PHI**2,
    "ANALYST": PHI**2,
    "GUARDIAN": PHI,
    "ORACLE": PHI,
    "ARCHITECT": 1.0,
    "CARTOGRAPHER": 1.0,
    "SCHOLAR": PHI_INV,
    "DEPLOYER": PHI_INV,
    "SCOUT": PHI_INV2,
    "JANITOR": PHI_INV2,
}

REFLEX = ("CYNIC", "GUARDIAN", "ANALYST", "JANITOR", "ARCHITECT", "ORACLE")
MICRO = (*REFLEX, "SCHOLAR")
MACRO = tuple(DOGS)
LEVELS = {"REFLEX": REFLEX, "MICRO": MICRO, "MACRO": MACRO}

__all__ = ["DOGS", "LEVELS", "WEIGHTS", "Vote"]
