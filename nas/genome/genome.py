"""Immutable architecture specs with one canonical string and a stable id.

String form: blocks are joined by ``,`` inside a stage, stages by ``/``, and the last
segment is the head token. Seed 003's network, for example::

    cv_c16_b1,ds_c32_b1/ds_c48_b1,cv_c48_s2_b1/ds_c64_b1,cv_c64_d2_b1/
    ds_c96_s2_b1,cv_k1_c96_b1/head_p0.05

(one line, no spaces). ``Genome.from_string(g.to_string()) == g`` for every genome, and
``arch_id`` is a hash of the canonical string, so two spellings of one architecture
(explicit defaults, other option order) share an id.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from nas.errors import NasError
from nas.genome.schema import ACTIVATIONS, HEAD, OPS, OpSchema, Option


class GenomeError(NasError):
    """A genome string, JSON object or block is malformed; the message names the culprit."""


_KEY_RE = re.compile(r"^(se|[a-z])(.*)$")


def _parse_value(opt: Option, text: str, token: str) -> Any:
    try:
        if opt.kind == "int":
            value: Any = int(text)
        elif opt.kind == "float":
            value = float(text)
        elif opt.kind == "bool":
            if text not in ("0", "1"):
                raise ValueError
            value = text == "1"
        elif opt.kind == "act":
            if text not in ACTIVATIONS:
                raise ValueError
            value = text
        else:  # ints
            value = tuple(int(v) for v in text.split("-"))
    except ValueError:
        raise GenomeError(
            f"bad value {text!r} for option '{opt.key}' in token {token!r}: expected "
            f"{_expected(opt)}"
        ) from None
    return _check_range(opt, value, token)


def _expected(opt: Option) -> str:
    return {
        "int": "an integer",
        "float": "a number",
        "bool": "0 or 1",
        "act": "one of " + ", ".join(ACTIVATIONS),
        "ints": "integers joined by '-'",
    }[opt.kind]


def _check_range(opt: Option, value: Any, token: str) -> Any:
    items = value if opt.kind == "ints" else (value,)
    if opt.kind in ("int", "float", "ints"):
        for v in items:
            if v < opt.low or (opt.high is not None and v > opt.high):
                bound = f"{opt.low}..{opt.high}" if opt.high is not None else f">= {opt.low}"
                raise GenomeError(
                    f"option '{opt.key}' = {v} out of range {bound} in token {token!r}"
                )
    return value


def _format_value(opt: Option, value: Any) -> str:
    if opt.kind == "bool":
        return "1" if value else "0"
    if opt.kind == "float":
        return format(float(value), "g")
    if opt.kind == "ints":
        return "-".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Block:
    """One block: an op name and the full, defaults-filled tuple of its option values.

    Use ``Block.make("ds", c=64, d=2)`` or ``Block.parse("ds_c64_d2")``; both validate.
    """

    op: str
    args: tuple[tuple[str, Any], ...]

    @property
    def schema(self) -> OpSchema:
        return HEAD if self.op == HEAD.name else OPS[self.op]

    def __getitem__(self, key: str) -> Any:
        for k, v in self.args:
            if k == key:
                return v
        raise KeyError(f"op '{self.op}' has no option '{key}'")

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.args).get(key, default)

    @classmethod
    def make(cls, op: str, **values: Any) -> Block:
        """Build a validated block from keyword options (defaults filled in)."""
        schema = _schema(op, op)
        token = cls._token(op, schema, values)  # for messages only
        unknown = set(values) - {o.key for o in schema.options}
        if unknown:
            raise GenomeError(f"op '{op}' has no option '{sorted(unknown)[0]}' (token {token!r})")
        args = []
        for opt in schema.options:
            value = values.get(opt.key, opt.default)
            if value is None:
                raise GenomeError(f"op '{op}' needs option '{opt.key}' ({opt.doc}) in {token!r}")
            value = _parse_value(opt, _format_value(opt, value), token)
            args.append((opt.key, value))
        return cls(op, tuple(args))

    @classmethod
    def parse(cls, token: str) -> Block:
        """Parse one token such as ``ir_k5_c40_s2_e6_se0.25``."""
        op, *parts = token.split("_")
        schema = _schema(op, token)
        values: dict[str, Any] = {}
        for part in parts:
            m = _KEY_RE.match(part)
            opt = schema.option(m.group(1)) if m else None
            if opt is None:
                known = ", ".join(o.key for o in schema.options)
                raise GenomeError(
                    f"unknown option {part!r} in token {token!r} (op '{op}' takes: {known})"
                )
            if opt.key in values:
                raise GenomeError(f"option '{opt.key}' given twice in token {token!r}")
            values[opt.key] = _parse_value(opt, m.group(2), token)
        return cls.make(op, **values)

    def to_string(self) -> str:
        """Canonical token: options that differ from their default, in schema order."""
        parts = [self.op]
        for opt in self.schema.options:
            value = self[opt.key]
            if value != opt.default:
                parts.append(opt.key + _format_value(opt, value))
        return "_".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, **{k: list(v) if isinstance(v, tuple) else v for k, v in self.args}}

    @staticmethod
    def _token(op: str, schema: OpSchema, values: dict[str, Any]) -> str:
        return "_".join([op] + [f"{k}{v}" for k, v in values.items()])


def _schema(op: str, token: str) -> OpSchema:
    if op == HEAD.name:
        return HEAD
    if op not in OPS:
        raise GenomeError(
            f"unknown op {op!r} in token {token!r}; known ops: {', '.join(OPS)}"
        )
    return OPS[op]


@dataclass(frozen=True)
class Genome:
    """A whole network: stages of blocks (the first stage is the stem) and a head."""

    stages: tuple[tuple[Block, ...], ...]
    head: Block

    def __post_init__(self) -> None:
        if not self.stages or any(not s for s in self.stages):
            raise GenomeError("a genome needs at least one stage and no empty stage")
        if self.head.op != HEAD.name:
            raise GenomeError(f"the last segment must be a head token, got '{self.head.op}'")
        if any(b.op == HEAD.name for s in self.stages for b in s):
            raise GenomeError("'head' may only appear as the last segment")

    @property
    def blocks(self) -> tuple[Block, ...]:
        return tuple(b for s in self.stages for b in s)

    def to_string(self) -> str:
        stages = "/".join(",".join(b.to_string() for b in s) for s in self.stages)
        return f"{stages}/{self.head.to_string()}"

    __str__ = to_string

    @classmethod
    def from_string(cls, text: str) -> Genome:
        """Parse a genome string; whitespace around separators is ignored."""
        segments = [seg.strip() for seg in text.strip().split("/")]
        if len(segments) < 2:
            raise GenomeError(
                f"genome {text!r} needs stages and a head separated by '/', "
                "e.g. 'cv_c16/ds_c32_s2/head'"
            )
        stages = []
        for i, seg in enumerate(segments[:-1], 1):
            tokens = [t.strip() for t in seg.split(",")]
            if not seg or any(not t for t in tokens):
                raise GenomeError(f"stage {i} of genome {text!r} has an empty block token")
            stages.append(tuple(Block.parse(t) for t in tokens))
        head = Block.parse(segments[-1])
        return cls(tuple(stages), head)

    @property
    def arch_id(self) -> str:
        """12 hex digits of SHA-256 of the canonical string: stable across runs and machines."""
        return hashlib.sha256(self.to_string().encode()).hexdigest()[:12]

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stages": [[b.to_dict() for b in s] for s in self.stages],
            "head": self.head.to_dict(),
        }

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> Genome:
        data = json.loads(text) if isinstance(text, str) else text
        try:
            stages = tuple(tuple(_block_from_dict(b) for b in s) for s in data["stages"])
            return cls(stages, _block_from_dict(data["head"]))
        except (KeyError, TypeError) as e:
            raise GenomeError(f"genome JSON lacks or mistypes a field: {e}") from None

    def replace_head(self, **values: Any) -> Genome:
        """A copy with head options changed, e.g. the number of classes of a data set."""
        current = {k: v for k, v in self.head.args}
        return Genome(self.stages, Block.make(HEAD.name, **{**current, **values}))


def _block_from_dict(d: dict[str, Any]) -> Block:
    d = dict(d)
    op = d.pop("op")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
    return Block.make(op, **values)


def parse(text: str) -> Genome:
    """Parse a genome string (``Genome.from_string``)."""
    return Genome.from_string(text)
