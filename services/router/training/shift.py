"""Style-shifted evaluations: train without whole styles (or a whole writer's file) and test on
them, which is what real messages do to a model trained on texts written for this project.

- ``style``: records of the held-out styles (letters, segmented exports, spreadsheet artefacts,
  place codes) are never trained on, the rest of the corpus is;
- ``writer``: one raw file is held out whole (its writer's habits are unseen);
- ``synthetic``: the random split's held-out records rewritten in those styles (a letter's
  salutation and closing, ``_x000D_`` breaks, word-segmented spacing, place codes), classified by
  the same model as the plain ones: how much the wrapping alone costs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.router.training.corpus import LabelledRecord

HELD_OUT_STYLES = ("letter", "segmented", "artefact", "place_code")


@dataclass(frozen=True)
class ShiftSplit:
    name: str
    train: list[LabelledRecord]
    test: list[LabelledRecord]


def style_split(records: Sequence[LabelledRecord], styles: Sequence[str] = HELD_OUT_STYLES) -> ShiftSplit:
    held = set(styles)
    return ShiftSplit(
        f"styles held out: {', '.join(styles)}",
        [r for r in records if r.style not in held],
        [r for r in records if r.style in held],
    )


def writer_split(records: Sequence[LabelledRecord], source: str) -> ShiftSplit:
    return ShiftSplit(
        f"writer held out: {source}",
        [r for r in records if r.source != source],
        [r for r in records if r.source == source],
    )


_STREET = re.compile(r"(光明|公明|新湖|凤凰|玉塘|马田)(街道|社区)?")
_CLAUSE_END = re.compile(r"([，。！？])")


def _letter(text: str) -> str:
    return f"尊敬的李书记您好：\n    {text}\n望领导重视，尽快解决！此致敬礼"


def _artefact(text: str) -> str:
    return _CLAUSE_END.sub(r"\1_x000D_\n\t", text).replace("，", ",")


def _segmented(text: str) -> str:
    # two characters a word is crude, but it is what the normaliser must undo, whatever the words
    return " ".join(text[i : i + 2] for i in range(0, len(text), 2))


def _place_code(text: str) -> str:
    return "A市A3区" + _STREET.sub("K5街道", text)


SYNTHETIC: dict[str, Callable[[str], str]] = {
    "letter": _letter,
    "artefact": _artefact,
    "segmented": _segmented,
    "place_code": _place_code,
}


def synthetic(records: Sequence[LabelledRecord], style: str) -> list[LabelledRecord]:
    rewrite = SYNTHETIC[style]
    return [r.model_copy(update={"text": rewrite(r.text), "style": style}) for r in records]
