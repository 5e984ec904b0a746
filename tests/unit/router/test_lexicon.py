"""The keyword lexicon: a valid file over the taxonomy, deterministic weak examples, and real-style
messages of the issue routed to the right area, with the words that decided named."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from services.router.classifier import Classifier, GrievanceText
from services.router.classifier.classifier import CATEGORY_ROUTE_MIN_PROBABILITY
from services.router.classifier.lexicon import load_lexicon, parse_lexicon
from services.router.classifier.taxonomy import category_label, load_taxonomy, split_label
from services.router.training.fitting import TrainingOptions, lexicon_examples, prepare_records


def _raw() -> str:
    return resources.files("services.router.classifier").joinpath("lexicon.yaml").read_text(encoding="utf-8")


def test_every_key_is_a_category_or_item_of_the_taxonomy_and_no_list_is_empty() -> None:
    taxonomy = load_taxonomy()
    data = yaml.safe_load(_raw())["lexicon"]
    for area, categories in data.items():
        for category, entry in categories.items():
            assert taxonomy.has_category(area, category), (area, category)
            assert entry["words"], (area, category)
            for item, words in (entry.get("items") or {}).items():
                assert taxonomy.has_item(area, category, item), (area, category, item)
                assert words, (area, category, item)
    lexicon = load_lexicon()
    assert set(lexicon.categories) == set(taxonomy.category_labels)  # every category has words
    # 10 or more words per category; a catch-all 其他 has few distinctive words by nature
    thin = [label for label, words in lexicon.categories.items() if len(words) < 10 and not label.endswith("/其他")]
    assert thin == []


def test_no_word_is_under_two_areas_and_shared_words_are_explained() -> None:
    lexicon = load_lexicon()
    areas: dict[str, set[str]] = {}
    for label, words in lexicon.categories.items():
        for word in words:
            areas.setdefault(word, set()).add(split_label(label)[0])
    assert {word: sorted(a) for word, a in areas.items() if len(a) > 1} == {}
    assert all(reason.strip() for reason in lexicon.shared.values())
    generic = {"投诉", "领导", "反映", "问题", "处理", "解决"}
    assert generic.isdisjoint(areas)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("lexicon:\n  城乡建设:\n    不存在的类:\n      words: [停电]\n", "not a category"),
        ("lexicon:\n  城乡建设:\n    城乡规划:\n      words: []\n", "non-empty"),
        (
            "lexicon:\n  城乡建设:\n    城乡规划:\n      words: [规划]\n      items:\n        无此项: [违建]\n",
            "not an item",
        ),
        (
            "lexicon:\n  城乡建设:\n    城乡规划:\n      words: [停电]\n    城市建设和市政管理:\n      words: [停电]\n",
            "list it in 'shared'",
        ),
    ],
)
def test_a_bad_lexicon_is_refused(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_lexicon(raw, load_taxonomy())


def test_the_weak_examples_are_built_deterministically() -> None:
    first = lexicon_examples(load_lexicon())
    assert first == lexicon_examples(parse_lexicon(_raw(), load_taxonomy()))
    texts, labels = first
    assert ("停电", category_label("城乡建设", "城市建设和市政管理")) in zip(texts, labels, strict=True)
    options = TrainingOptions()
    prepared = prepare_records([], load_taxonomy(), options)
    assert prepared == prepare_records([], load_taxonomy(), options)
    if options.lexicon_weight > 0:  # the lexicon's examples follow the taxonomy's names, with their weight
        assert prepared.weak_texts[-len(texts) :] == texts
        assert prepared.weak_weights[-1] == options.lexicon_weight


@pytest.mark.parametrize(
    ("title", "text", "area"),
    [
        ("停电", "我们小区昨晚又停电了，一个月跳闸好几次，供电局说是变压器老化", "城乡建设"),
        ("小贩", "我家楼下每天晚上都有流动摊贩占道经营，向城管反映了也没人来管", "城乡建设"),
        ("公厕", "公园旁边的公厕太脏了，臭气熏天，环卫工好几天都不来打扫", "城乡建设"),
        ("补偿", "我家房屋被征收，拆迁后安置补偿款到现在还没有发，回迁房也一直没建好", "城乡建设"),
        ("垄断", "本地建材协会搞垄断，统一定价，不入会的商户就不让进货，强买强卖", "商贸旅游"),
        ("学位", "尊敬的李书记您好：我家孩子今年读小一，积分够了却没有分到学位，入学的事请您关注", "教育文体"),
    ],
)
def test_real_style_messages_route_to_their_area(classifier: Classifier, title: str, text: str, area: str) -> None:
    result = classifier.classify(GrievanceText(title, text))
    assert result.area.value == area, result.reasons


def test_a_power_cut_names_its_lexicon_words_and_goes_to_the_power_supply_body(classifier: Classifier) -> None:
    result = classifier.classify(
        GrievanceText("小区停电三天没人管", "小区从周一开始停电，物业说是供电线路故障，请尽快恢复供电")
    )
    assert (result.area.value, result.category) == ("城乡建设", "城市建设和市政管理")
    reason = next(r for r in result.reasons if r.code == "model.category")
    assert "类别词" in reason.description and "停电" in reason.description
    if result.category_probability >= CATEGORY_ROUTE_MIN_PROBABILITY:
        assert result.item == "电力供应"
        assert result.departments.lead == "power-supply"
    else:  # unsure of the category: the area's lead, never a guess
        assert result.departments.lead == "housing"
