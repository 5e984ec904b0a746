"""Normalisation of real-message artefacts, and addresses to officials that must not vote."""

from __future__ import annotations

import pytest

from services.router.classifier import Classifier, GrievanceText
from services.router.classifier.classifier import prepare
from services.router.classifier.text import clean, mask_place_codes, normalise, strip_addressing


def model_text(text: str) -> str:
    return strip_addressing(mask_place_codes(normalise(clean(text))))


def test_spreadsheet_artefacts_are_undone() -> None:
    assert clean("门口垃圾_x000D_\r\n没人清理\t\t三天了") == "门口垃圾\n\n没人清理 三天了"
    assert clean("小区_X000A_停电") == "小区\n停电"


def test_escapes_kept_as_text_by_an_export_are_undone() -> None:
    # What a twice-escaped export leaves: a backslash and a letter, not the control character.
    assert clean("坑边没有围挡，\\r\\n只拉了红绳\\n孩子差点掉下去") == "坑边没有围挡，\n只拉了红绳\n孩子差点掉下去"
    assert clean("团购的火锅套餐，\\t券上没写\\t周末不能用") == "团购的火锅套餐， 券上没写 周末不能用"
    assert clean("路径写成 C:\\data 也不动") == "路径写成 C:\\data 也不动"


def test_word_segmented_text_is_joined_but_an_ordinary_space_stays() -> None:
    assert clean("小区 门口 垃圾 堆放 多日 无人 清理 ， 请 处理") == "小区门口垃圾堆放多日无人清理，请处理"
    assert clean("井盖不见了 学生天天走这条路 快派人来") == "井盖不见了 学生天天走这条路 快派人来"


def test_full_width_forms_become_ascii_as_nfkc_does() -> None:
    assert normalise("ＡＢＣ１２３，！　好") == "abc123,! 好"


def test_place_codes_become_one_placeholder() -> None:
    assert mask_place_codes(normalise("A市A3区K5县X镇Y村B2小区")) == "某市某区某县某镇某村某小区"
    assert mask_place_codes("wifi坏了") == "wifi坏了"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("尊敬的李书记您好：我们小区停电三天了。望领导重视！此致敬礼", "我们小区停电三天了。"),
        ("各位领导：你们好！公共厕所没人打扫，谢谢", "公共厕所没人打扫,"),
        ("领导好，路灯坏了", "路灯坏了"),
        ("王局长，村里的路坏了", "村里的路坏了"),
    ],
)
def test_salutations_and_closings_are_stripped(text: str, expected: str) -> None:
    assert model_text(text) == expected


def test_an_official_who_is_the_matter_stays() -> None:
    assert model_text("举报李书记受贿") == "举报李书记受贿"


def test_the_rules_keep_the_whole_letter_and_the_model_loses_the_salutation() -> None:
    rule, model = prepare(GrievanceText("求助", "尊敬的领导您好：楼道的灯坏了。恳请领导重视"))
    assert "领导" in rule
    assert "领导" not in model


def test_a_letter_is_routed_like_the_plain_message(classifier: Classifier) -> None:
    plain = "小区门口的公共厕所好几天没人打扫，臭气熏天"
    letter = f"尊敬的李书记您好：\r\n{plain}。望领导重视！此致敬礼"
    first = classifier.classify(GrievanceText("厕所", plain))
    second = classifier.classify(GrievanceText("厕所", letter))
    assert second.area is first.area
    assert second.area.value != "党务政务"
