"""Load the labelled corpus: merge the raw files, validate each record, drop exact duplicate texts.

The raw files (``services/router/corpus/raw/*.jsonl``, format in ``corpus/GUIDE.md``) are written
by several people; a bad record is reported and skipped rather than failing the whole training.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.router.classifier.taxonomy import load_taxonomy
from shared.events.vocabulary import Area, PetitionKind, Street, Track

RAW_DIR = Path(__file__).resolve().parents[1] / "corpus" / "raw"
Style = Literal[
    "plain",
    "letter",
    "proposal",
    "numbered",
    "pasted",
    "place_code",
    "multi_topic",
    "repost",
    "artefact",
    "vague_title",
    "segmented",
]
STYLES: tuple[str, ...] = Style.__args__  # type: ignore[attr-defined]


class LabelledRecord(BaseModel):
    """One labelled grievance (GUIDE.md); ``source`` says where it came from.

    ``track`` is missing only on a bureau's history rows (area and category only); ``category`` is
    missing on records not yet relabelled: they train the heads they have labels for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=4)
    track: Track | None = None
    petition_kind: PetitionKind | None = None
    area: Area
    category: str | None = Field(default=None, min_length=1)
    item: str | None = Field(default=None, min_length=1)
    style: Style = "plain"
    urgent: bool = False
    boundary: bool = False
    street: Street | None = None
    note: str | None = None
    source: str = "corpus"

    @model_validator(mode="after")
    def _kind_only_for_petitions(self) -> LabelledRecord:
        if self.track is None and self.source.endswith(".jsonl"):
            raise ValueError("track is required in the corpus")
        if self.track is Track.petition and self.petition_kind is None:
            raise ValueError("a petition needs petition_kind")
        if self.track is not Track.petition and self.petition_kind is not None:
            raise ValueError("petition_kind is only for petitions")
        return self

    @model_validator(mode="after")
    def _category_of_the_taxonomy(self) -> LabelledRecord:
        taxonomy = load_taxonomy()
        if self.category is None:
            if self.item is not None:
                raise ValueError("item needs a category")
            return self
        if not taxonomy.has_category(self.area.value, self.category):
            raise ValueError(f"category {self.category!r} is not a category of area {self.area.value} in the taxonomy")
        if self.item is not None and not taxonomy.has_item(self.area.value, self.category, self.item):
            raise ValueError(f"item {self.item!r} is not an item of {self.area.value}/{self.category}")
        return self


@dataclass
class Corpus:
    records: list[LabelledRecord]
    problems: list[str] = field(default_factory=list)
    # (dropped id, kept id) for texts that appeared more than once
    duplicates: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.records)} records, {len(self.problems)} invalid lines skipped, "
            f"{len(self.duplicates)} exact duplicate texts dropped, {self.without_category()} without a category"
        )

    def without_category(self) -> int:
        return sum(1 for r in self.records if r.category is None)


def raw_files(directory: Path = RAW_DIR) -> list[Path]:
    return sorted(directory.glob("*.jsonl"))


def load_corpus(paths: Iterable[Path] | None = None) -> Corpus:
    """Every valid record of the raw files, sorted by id, the first of equal texts kept."""
    corpus = Corpus(records=[])
    kept_by_text: dict[str, str] = {}
    seen_ids: set[str] = set()
    for path in paths if paths is not None else raw_files():
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                record = LabelledRecord.model_validate({**json.loads(line), "source": path.name})
            except (json.JSONDecodeError, ValidationError) as exc:
                corpus.problems.append(f"{where}: {_short(exc)}")
                continue
            if record.id in seen_ids:
                corpus.problems.append(f"{where}: duplicate id {record.id}")
                continue
            seen_ids.add(record.id)
            text_key = "".join(record.text.split())
            if text_key in kept_by_text:
                corpus.duplicates.append((record.id, kept_by_text[text_key]))
                continue
            kept_by_text[text_key] = record.id
            corpus.records.append(record)
    corpus.records.sort(key=lambda r: r.id)
    return corpus


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in exc.errors())
    return str(exc)
