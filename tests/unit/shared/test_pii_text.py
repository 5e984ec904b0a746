"""Personal numbers typed into free text are masked like the form fields; other numbers stay."""

import time

import pytest

from shared.pii_text import MaskedText, mask_free_text, mask_optional

MASKED: list[tuple[str, str]] = [
    # ID-card numbers (GB 11643 check character), inside Chinese text without separators.
    ("身份证号是11010519491231002X，手机15012345678", "身份证号是110105********002X，手机150****5678"),
    ("身份证11010519491231002x请核实", "身份证110105********002X请核实"),
    ("我的身份证号码：440306199003071232。", "我的身份证号码：440306********1232。"),
    ("证件号 320106 19851111 0020 已提交", "证件号 320106********0020 已提交"),
    ("老身份证号110105491231002还在用", "老身份证号110105*****1002还在用"),
    # Mobile numbers, with and without separators and country prefixes.
    ("电话13812345678", "电话138****5678"),
    ("联系电话：138 1234 5678，白天打", "联系电话：138****5678，白天打"),
    ("手机138-1234-5678", "手机138****5678"),
    ("请拨打+86 13912345678", "请拨打139****5678"),
    ("请拨打+86-139-1234-5678", "请拨打139****5678"),
    ("号码8613912345678", "号码139****5678"),
    ("号码008613912345678", "号码139****5678"),
    ("微信同号19912345678哦", "微信同号199****5678哦"),
    # Full-width digits, as typed with a Chinese input method.
    ("手机１３８１２３４５６７８", "手机138****5678"),
    ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证110105********002X"),
    # Bank cards (Luhn), contiguous or in groups.
    ("工资卡6222021234567890128被冻结", "工资卡622202*********0128被冻结"),
    ("卡号6222 0212 3456 7890 128", "卡号622202*********0128"),
    ("卡号 6217-0012-3456-7893 请退款", "卡号 621700******7893 请退款"),
    ("信用卡4111111111111111", "信用卡411111******1111"),
    # E-mail addresses.
    ("邮箱zhang.san@example.com，谢谢", "邮箱z***@example.com，谢谢"),
    ("发到 li_si+grievance@mail.example.org.cn 即可", "发到 l***@mail.example.org.cn 即可"),
    ("邮箱ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱w***@example.com"),
    # Several kinds in one text.
    (
        "本人王五，身份证11010519491231002X，手机15012345678，卡号6222021234567890128，邮箱wang@example.com",
        "本人王五，身份证110105********002X，手机150****5678，卡号622202*********0128，邮箱w***@example.com",
    ),
]

UNCHANGED = [
    "2026年3月12日，即20260312，物业断水",
    "拖欠工资15000元，共计150000.00元",
    "案号(2025)粤0311民初1234号，已立案",
    "（2024）粤03民终12345号判决已生效",
    "快递单号SF1403123456789一直没到",
    "中通快递78912345678901未派送",
    "编号GM-20261126-000123的诉求",
    "订单号20260312123456789退款未到账",  # 17 digits, no card scheme prefix
    "身份证号11010519491231002Y不对",  # not an ID: wrong check character
    "11010519491331002X",  # impossible birth date
    "12812345678 不是手机号",
    "138123456789 是十二位",
    "面积120平方米，房号3-1201",
    "门牌号光明大道 88 号 1201 室",
    "邮箱写错了 zhang@ 没有域名",
    "时间 09:30-11:30，电话费 128 元",
    "6222021234567890127",  # fails the Luhn check
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_personal_numbers_are_masked(text: str, expected: str) -> None:
    assert mask_free_text(text) == MaskedText(expected, True)


@pytest.mark.parametrize("text", UNCHANGED)
def test_other_numbers_are_left_as_written(text: str) -> None:
    assert mask_free_text(text) == MaskedText(text, False)


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_masking_twice_changes_nothing_more(text: str, expected: str) -> None:
    assert mask_free_text(expected) == MaskedText(expected, False)


def test_full_width_punctuation_around_a_number_is_kept() -> None:
    assert mask_free_text("（手机：13812345678）").text == "（手机：138****5678）"


def test_optional_fields() -> None:
    assert mask_optional(None) is None
    assert mask_optional("电话13812345678") == MaskedText("电话138****5678", True)


def test_masking_is_cheap_for_a_long_submission() -> None:
    text = "小区门口积水严重，电话13812345678，" * 150  # about 5,000 characters
    started = time.perf_counter()
    for _ in range(50):
        result = mask_free_text(text)
    per_call = (time.perf_counter() - started) / 50
    assert "13812345678" not in result.text
    assert per_call < 0.02
