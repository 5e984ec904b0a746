"""Check a raw corpus file against GUIDE.md: python services/router/corpus/check_raw.py FILE..."""

import json
import sys
from collections import Counter
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
            extra = set(r) - FIELDS
            missing = (FIELDS - {"note"}) - set(r)
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
    print("lengths", dict(buckets))


if __name__ == "__main__":
    main()
