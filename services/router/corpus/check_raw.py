"""Check a raw corpus file against GUIDE.md: python services/router/corpus/check_raw.py FILE..."""

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

AREAS = {
    "城乡建设",
    "农村农业",
    "政法",
    "教育文体",
    "劳动和社会保障",
    "民政",
    "党务政务",
    "经济管理",
    "卫生计生",
    "商贸旅游",
    "环境保护",
    "交通运输",
    "纪检监察",
    "国土资源",
    "科技与信息产业",
}
STREETS = {"光明街道", "公明街道", "新湖街道", "凤凰街道", "玉塘街道", "马田街道", None}
KINDS = {"suggestion", "report", "claim"}
FIELDS = {"id", "title", "text", "track", "petition_kind", "area", "urgent", "boundary", "street", "note"}
# category is required once the corpus is relabelled; until then a missing one is counted, not an error
OPTIONAL = {"note", "category", "item", "style"}
STYLES = {
    "plain", "letter", "proposal", "numbered", "pasted", "place_code",
    "multi_topic", "repost", "artefact", "vague_title", "segmented",
}  # fmt: skip
TAXONOMY = Path(__file__).resolve().parents[3] / "shared" / "catalog" / "taxonomy.tsv"


def load_taxonomy() -> dict[tuple[str, str], set[str]]:
    """(area, category) -> items, from shared/catalog/taxonomy.tsv."""
    pairs: dict[tuple[str, str], set[str]] = {}
    for line in TAXONOMY.read_text(encoding="utf-8").splitlines()[1:]:
        area, category, item = line.split("\t")
        pairs.setdefault((area, category), set()).add(item)
    return pairs


PAIRS = load_taxonomy()


def check(path: str) -> list[dict[str, Any]]:
    records, problems, seen = [], [], set()
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{lineno}: not JSON: {exc}")
                continue
            where = f"{path}:{lineno} ({r.get('id')})"
            extra = set(r) - FIELDS - OPTIONAL
            missing = (FIELDS - OPTIONAL) - set(r)
            if extra or missing:
                problems.append(f"{where}: extra {sorted(extra)} missing {sorted(missing)}")
            if r.get("id") in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(r.get("id"))
            if r.get("track") not in {"litigation", "mediation", "petition"}:
                problems.append(f"{where}: bad track {r.get('track')!r}")
            if r.get("track") == "petition" and r.get("petition_kind") not in KINDS:
                problems.append(f"{where}: petition needs petition_kind")
            if r.get("track") != "petition" and r.get("petition_kind") is not None:
                problems.append(f"{where}: petition_kind only for petitions")
            if r.get("area") not in AREAS:
                problems.append(f"{where}: bad area {r.get('area')!r}")
            if r.get("street") not in STREETS:
                problems.append(f"{where}: bad street {r.get('street')!r}")
            if not isinstance(r.get("urgent"), bool) or not isinstance(r.get("boundary"), bool):
                problems.append(f"{where}: urgent/boundary must be booleans")
            category, item = r.get("category"), r.get("item")
            if category is not None and (r.get("area"), category) not in PAIRS:
                problems.append(f"{where}: ({r.get('area')}, {category}) is not an area and category of the taxonomy")
            if item is not None and item not in PAIRS.get((r.get("area"), category), set()):
                problems.append(f"{where}: item {item!r} is not an item of {r.get('area')}/{category}")
            if r.get("style", "plain") not in STYLES:
                problems.append(f"{where}: bad style {r.get('style')!r}")
            if r.get("boundary") and not r.get("note"):
                problems.append(f"{where}: boundary case needs a note")
            if not (2 <= len(r.get("title", "")) <= 40) or len(r.get("text", "")) < 8:
                problems.append(f"{where}: title or text too short/long")
            records.append(r)
    for p in problems:
        print(p)
    return records


def main() -> None:
    records = [r for path in sys.argv[1:] for r in check(path)]
    texts = Counter(r["text"] for r in records)
    dupes = [t for t, n in texts.items() if n > 1]
    if dupes:
        print(f"{len(dupes)} duplicated texts")
    lengths = [len(r["text"]) for r in records]
    buckets = Counter("<30" if n < 30 else "<200" if n < 200 else "<500" if n < 500 else ">=500" for n in lengths)
    print(f"records {len(records)}")
    print("tracks", dict(Counter(r["track"] for r in records)))
    print("kinds", dict(Counter(r["petition_kind"] for r in records if r["petition_kind"])))
    print("areas", dict(Counter(r["area"] for r in records)))
    print("boundary", sum(r["boundary"] for r in records), "urgent", sum(r["urgent"] for r in records))
    print("without category", sum(1 for r in records if r.get("category") is None))
    print("styles", dict(Counter(r.get("style", "plain") for r in records)))
    print("lengths", dict(buckets))


if __name__ == "__main__":
    main()
