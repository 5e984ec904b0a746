"""The real taxonomy as the label space: it parses to 15/118/517 and every category can be chosen."""

from __future__ import annotations

import pytest

from services.router.classifier import Classifier, GrievanceText
from services.router.classifier.classifier import prepare
from services.router.classifier.labels import AREAS
from services.router.classifier.taxonomy import category_label, load_taxonomy, parse_taxonomy, split_label
from services.router.training.fitting import weak_examples


def test_the_file_parses_to_15_areas_118_categories_517_items() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.areas) == 15
    assert set(taxonomy.areas) == set(AREAS)
    assert len(taxonomy.categories) == 118
    assert taxonomy.item_count() == 517
    assert taxonomy.has_category("城乡建设", "城市建设和市政管理")
    assert taxonomy.has_item("城乡建设", "城市建设和市政管理", "电力供应")
    assert not taxonomy.has_category("国土资源", "城市建设和市政管理")


def test_a_category_is_read_with_its_area() -> None:
    taxonomy = load_taxonomy()
    others = [area for area, category in taxonomy.categories if category == "其他"]
    assert len(others) > 1  # the same name in several areas: the label must carry the area
    assert split_label(category_label("城乡建设", "其他")) == ("城乡建设", "其他")


def test_a_malformed_line_is_refused() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_taxonomy("area\tcategory\titem\n城乡建设\t只有两列\n")


def test_every_category_is_reachable(classifier: Classifier) -> None:
    taxonomy = load_taxonomy()
    head = classifier.model.heads["category"]
    assert set(head.classes) == set(taxonomy.category_labels)
    # each category's own names (its weak example) make the category head choose it
    first: dict[str, str] = {}
    for text, label in zip(*weak_examples(taxonomy), strict=True):
        first.setdefault(label, text)
    features = classifier.model.features.transform([prepare(GrievanceText("", t))[1] for t in first.values()])
    chosen = classifier.category_probabilities(features).argmax(axis=1)
    missed = [label for label, i in zip(first, chosen, strict=True) if classifier.hierarchy.labels[i] != label]
    assert missed == []


def test_a_decision_carries_a_category_of_its_area_and_names_it(classifier: Classifier) -> None:
    result = classifier.classify(GrievanceText("停电", "我们小区这个月停电五次了，供电局也不给个说法"))
    assert load_taxonomy().has_category(result.area.value, result.category)
    assert 0 < result.category_probability <= result.area_probability + 1e-9
    reason = next(r for r in result.reasons if r.code == "model.category")
    assert result.category in reason.description
    assert result.model_version == classifier.model.version != "unversioned"


def test_an_item_is_named_only_when_its_words_occur(classifier: Classifier) -> None:
    result = classifier.classify(GrievanceText("拆迁", "我家房屋征收的安置补偿款两年了一直没有到位，征收办推来推去"))
    if result.item is not None:
        assert load_taxonomy().has_item(result.area.value, result.category, result.item)
        assert result.category_probability >= 0.5
        assert result.item in next(r for r in result.reasons if r.code == "model.category").description
    plain = classifier.classify(GrievanceText("问题", "请尽快处理一下"))
    assert plain.item is None
