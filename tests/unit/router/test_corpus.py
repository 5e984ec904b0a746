"""Corpus loading, the held-out split and the near-duplicate report."""

from __future__ import annotations

import json
from pathlib import Path

from services.router.training.corpus import load_corpus
from services.router.training.duplicates import near_duplicates
from services.router.training.split import is_held_out, split


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\nnot json\n", encoding="utf-8")
    return path


def record(id_: str, text: str, **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": id_, "title": "标题", "text": text, "track": "mediation", "petition_kind": None,
        "area": "城乡建设", "urgent": False, "boundary": False, "street": None,
    }  # fmt: skip
    return base | extra


def test_loader_validates_merges_and_drops_exact_duplicates(tmp_path: Path) -> None:
    a = write(
        tmp_path / "a.jsonl",
        [record("a-1", "楼上漏水到我家天花板"), record("a-2", "petition without kind", track="petition")],
    )
    b = write(tmp_path / "b.jsonl", [record("b-1", "楼上漏水到我家天花板"), record("b-2", "邻居装修噪音很大")])
    corpus = load_corpus([a, b])
    assert [r.id for r in corpus.records] == ["a-1", "b-2"]
    assert corpus.duplicates == [("b-1", "a-1")]
    assert any("a.jsonl:2" in p and "petition_kind" in p for p in corpus.problems)
    assert any("not JSON" in p or "Expecting value" in p for p in corpus.problems)


def test_split_is_stable_and_disjoint() -> None:
    records = load_corpus().records
    train, held_out = split(records)
    assert not {r.id for r in train} & {r.id for r in held_out}
    assert 0.12 < len(held_out) / len(records) < 0.28
    assert all(is_held_out(r.id) for r in held_out)
    assert split(list(reversed(records)))[1] == list(reversed(held_out))


def test_near_duplicates_find_template_variants(tmp_path: Path) -> None:
    template = "我叫{n}，住在{p}社区，老板欠我{m}元工资一直不给，打电话也不接，希望帮忙协调一下"
    a = write(tmp_path / "t.jsonl", [
        record("t-1", template.format(n="张三", p="玉律", m=3000)),
        record("t-2", template.format(n="李四", p="东周", m=5200)),
        record("t-3", "翠湖那边路灯坏了一个多礼拜了晚上黑乎乎的"),
    ])  # fmt: skip
    pairs = near_duplicates(load_corpus([a]).records)
    assert [(p.first, p.second) for p in pairs] == [("t-1", "t-2")]
    assert pairs[0].jaccard >= 0.5
