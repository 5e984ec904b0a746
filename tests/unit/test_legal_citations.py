"""Every legal citation in the code and documents names an article that exists and says what the
citation claims (docs/legal-basis.md: the articles, read in their official texts, and the words a
citation of each must stand near)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.legal_citations import REGULATION, Citation, citations_in, repository_citations

ROOT = Path(__file__).resolve().parents[2]
INDEX = ROOT / "docs" / "legal-basis.md"
REGULATION_ARTICLES = 50


@dataclass(frozen=True, slots=True)
class Article:
    items: int
    words: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def load_index(text: str) -> dict[str, dict[int, Article]]:
    """law → article → its item count and check words, from the page's two tables."""
    index: dict[str, dict[int, Article]] = defaultdict(dict)
    section_law: str | None = None
    for line in text.splitlines():
        heading = re.match(r"## 《(.+)》", line)
        if heading:
            section_law = heading.group(1)
        elif line.startswith("## "):
            section_law = None
        if not line.startswith("| ") or line.startswith(("| article", "| law", "|---")):
            continue
        cells = _cells(line)
        if section_law == REGULATION:
            article, items, words = cells[0], cells[1], cells[3]
            law = REGULATION
        else:
            named = re.match(r"《(.+?)》", cells[0])
            assert named, f"a row of another law must name it: {line}"
            law, article, items, words = named.group(1), cells[1], "—", cells[3]
        number = int(article.removeprefix("§"))
        index[law][number] = Article(
            0 if items == "—" else int(items), tuple(word.strip() for word in words.split(","))
        )
    return index


def distinctive_words(articles: dict[int, Article]) -> dict[str, int]:
    """Words listed for one article of a law only, each with its article."""
    owners: dict[str, set[int]] = defaultdict(set)
    for number, article in articles.items():
        for word in article.words:
            owners[word].add(number)
    return {word: next(iter(numbers)) for word, numbers in owners.items() if len(numbers) == 1}


def _mentions(text: str, words: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(word.lower() in lowered for word in words)


def problems(citations: list[Citation], index: dict[str, dict[int, Article]]) -> list[str]:
    found: list[str] = []
    cited_on_line: dict[tuple[Path, int, str], set[int]] = defaultdict(set)
    for citation in citations:
        cited_on_line[(citation.path, citation.line, citation.law)].add(citation.article)
    for citation in citations:
        articles = index.get(citation.law)
        if articles is None:
            found.append(f"{citation}: a law docs/legal-basis.md does not list")
            continue
        if citation.in_range and citation.law == REGULATION:
            if not 1 <= citation.article <= REGULATION_ARTICLES:
                found.append(f"{citation}: outside the regulation's {REGULATION_ARTICLES} articles")
            continue
        article = articles.get(citation.article)
        if article is None:
            found.append(f"{citation}: an article docs/legal-basis.md does not list — read it, then add it")
            continue
        if citation.item is not None and not 1 <= citation.item <= article.items:
            found.append(f"{citation}: the article has {article.items} items")
        if not _mentions(citation.context, article.words):
            found.append(f"{citation}: none of its words ({', '.join(article.words)}) near: {citation.context!r}")
        if citation.gloss is not None:
            cited = cited_on_line[(citation.path, citation.line, citation.law)]
            words_of_cited = tuple(word for number in cited for word in articles[number].words if number in articles)
            present = [word for word in words_of_cited if word in citation.gloss]
            foreign = {
                word: owner
                for word, owner in distinctive_words(articles).items()
                if owner not in cited
                and word in citation.gloss
                # 调解 is §33's word, but inside §37's 人民调解 it is §37's
                and not any(word in own for own in present)
            }
            if foreign or not _mentions(citation.gloss, words_of_cited):
                found.append(
                    f"{citation}: the paraphrase （{citation.gloss}） says what another article says: {foreign}"
                )
    return found


INDEXED = load_index(INDEX.read_text(encoding="utf-8"))


def test_the_index_lists_the_articles_the_platform_relies_on() -> None:
    regulation = INDEXED[REGULATION]
    assert {22, 23, 31, 34, 35, 36, 37, 40, 41} <= set(regulation)
    assert regulation[31].items == 6 and regulation[41].items == 4
    assert all(article.words for law in INDEXED.values() for article in law.values())


def test_every_citation_in_code_and_documents_is_checked_against_the_index() -> None:
    citations = list(repository_citations(ROOT))
    # Code, messages, templates and documents all cite; a change in the finder would show here.
    assert len(citations) > 300
    assert {c.path.parts[0] for c in citations} >= {"services", "shared", "docs"}
    assert problems(citations, INDEXED) == []


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        # The article exists, but the paraphrase is another article's (§37's 调解联动).
        ("《信访工作条例》第三十三条（人民调解、行政调解、司法调解联动）", "another article"),
        # §22(一) says 报请决定; reporting at once is §25.
        ("《信访工作条例》第二十二条（情况重大的及时报告）", "another article"),
        # §35 is 复查, not assistance.
        ("Assistance referral (§35) for a petitioner in hardship", "none of its words"),
        ("复查 (§53) within 30 days", "does not list"),
        ("《信访工作条例》第三十一条第（七）项（听证）", "items"),
        ("see §12–§58 of the regulation", "outside"),
        ("《不存在法》第一条", "a law"),
    ],
)
def test_a_wrong_citation_is_reported(text: str, complaint: str) -> None:
    found = problems(list(citations_in(Path("example.md"), text)), INDEXED)
    assert any(complaint in problem for problem in found), found


@pytest.mark.parametrize(
    "text",
    [
        "《信访工作条例》第三十七条（人民调解、行政调解、司法调解联动）",
        "复查 (§35) or 复核 (§36) of a reply",
        "refusal ends mediation (人民调解法 §17)",
        "DESIGN §8: statistics for the bureau",
        "《信访工作条例》第二十二条、第三十条（检举控告转送纪检监察机关；不得转给被检举的人员或者单位）",
    ],
)
def test_a_right_citation_passes(text: str) -> None:
    assert problems(list(citations_in(Path("example.md"), text)), INDEXED) == []
