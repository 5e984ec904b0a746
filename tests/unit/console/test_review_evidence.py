"""The evidence a reviewer sees marked: the terms the router's reasons quote, found in the text,
overlapping ones merged, everything else escaped."""

from __future__ import annotations

from services.console.web.pages.reviews_evidence import evidence_terms, highlight

REASONS = [
    {"kind": "rule", "description": "企业或工地的废水、废气、噪声、扬尘、异味污染：“夜间施工”"},
    {"kind": "model", "description": "二级分类“环境保护／环境污染”，概率 1.00；类别词：“夜间施工”、“施工噪音”、“扰民”"},
    {"kind": "model", "description": "规则与模型综合判断为“普通信访”，概率 1.00；模型最强特征：“管”、“<b>”"},
]


def test_terms_are_the_quoted_ones_once_each_and_never_single_characters() -> None:
    assert evidence_terms(REASONS) == ["夜间施工", "环境保护／环境污染", "施工噪音", "扰民", "普通信访", "<b>"]


def test_overlapping_terms_make_one_mark_and_the_text_stays_escaped() -> None:
    marked, found = highlight("<b>工地夜间施工噪音很大，扰民</b>", evidence_terms(REASONS))
    assert str(marked) == ("<mark>&lt;b&gt;</mark>工地<mark>夜间施工噪音</mark>很大，<mark>扰民</mark>&lt;/b&gt;")
    assert found == ["夜间施工", "施工噪音", "扰民", "<b>"]


def test_a_text_without_evidence_is_only_escaped() -> None:
    marked, found = highlight("路灯不亮 & 无人管", ["夜间施工"])
    assert (str(marked), found) == ("路灯不亮 &amp; 无人管", [])
