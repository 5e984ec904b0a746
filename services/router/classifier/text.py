"""Text normalisation shared by the rules and the model, and clause boundaries for negation."""

from __future__ import annotations

import re
import unicodedata

# Which preparation a model's texts had: part of the model version (training.fitting.model_version),
# so a model trained after a change here is another version even on the same corpus. Raise it with
# any change to what clean, normalise or the masks make of a text.
PREPARATION_REVISION = 2

# Full-width ASCII forms and the ideographic space, which NFKC maps to ASCII: a translation table
# does it faster, and most texts are then already NFKC, which a quick check confirms.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def normalise(text: str) -> str:
    """NFKC (full-width digits, letters and punctuation become ASCII) and lower case."""
    text = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


# Clauses end at commas, stops, spaces and line breaks: a negation never reaches across them.
_CLAUSE = re.compile(r"[,。!?;:…~、\s]")
_SENTENCE = re.compile(r"[。!?;\n]")
# Clauses and sentences longer than this are cut: a negation or a context word further away is not
# about the match anyway, and a bounded search keeps the cost per match constant.
_REACH = 160


class Boundaries:
    """Where the clause and the sentence around a position of a normalised text begin and end."""

    def __init__(self, text: str) -> None:
        self._text = text

    def clause(self, position: int) -> tuple[int, int]:
        return _around(self._text, position, _CLAUSE)

    def sentence(self, position: int) -> tuple[int, int]:
        return _around(self._text, position, _SENTENCE)


def _around(text: str, position: int, delimiter: re.Pattern[str]) -> tuple[int, int]:
    low = max(0, position - _REACH)
    high = min(len(text), position + _REACH)
    # the last delimiter before the position: the first one in the reversed prefix
    behind = delimiter.search(text[low:position][::-1])
    start = position - behind.start() if behind else low
    ahead = delimiter.search(text, position, high)
    return start, ahead.start() if ahead else high


# Spreadsheet exports write line breaks as ``_x000D_``/``_x000A_`` and keep ``\r``, tabs and runs
# of spaces; none of them carries meaning.
_EXPORT_BREAK = re.compile(r"_x000[da]_|\r\n?", re.IGNORECASE)
# Exports escaped twice keep the escapes as text (``\\r\\n``, ``\\t``); no citizen types a backslash
# before r, n or t.
_ESCAPED_BREAK = re.compile(r"\\r\\n|\\[rn]")
_BLANKS = re.compile(r"[ \t\u3000\xa0]+")
_CJK = "\u3400-\u9fff"
# A space with a CJK character or CJK punctuation on both sides: word-segmented exports.
_CJK_GAP = re.compile(rf"(?<=[{_CJK}\u3000-\u303f\uff01-\uff5e]) (?=[{_CJK}\u3000-\u303f\uff01-\uff5e])")
# Places written as codes (A市A3区, K5县, X镇Y村, B2小区) carry no area: one placeholder for all.
_PLACE_CODE = re.compile(r"(?<![a-z0-9])[a-z]{1,2}\d{0,3}(?=市|区|县|镇|乡|村|街道|社区|小区|路|街|大道|栋|幢)")


def clean(text: str) -> str:
    """Undo export artefacts: ``_x000D_`` and ``\\r`` line breaks, tabs, the same escaped as text,
    runs of blanks, and the spaces of a text that arrives already split into words (``小区 门口 垃圾 堆放``)."""
    if "_x" in text or "_X" in text or "\r" in text:
        text = _EXPORT_BREAK.sub("\n", text)
    if "\\" in text:
        text = _ESCAPED_BREAK.sub("\n", text).replace("\\t", " ")
    text = _BLANKS.sub(" ", text).strip()
    if text.count(" ") < 3:
        return text
    gaps = len(_CJK_GAP.findall(text))
    # An ordinary message uses a space now and then as a comma; a segmented one after every word.
    if gaps >= 3 and gaps * 6 >= len(text) - gaps:
        text = _CJK_GAP.sub("", text)
    return text


def mask_place_codes(text: str) -> str:
    """``a市a3区`` → ``某市某区`` (after :func:`normalise`, which lower-cases the codes)."""
    return _PLACE_CODE.sub("某", text)


_OFFICIAL = (
    "书记|领导|局长|副局长|市长|区长|县长|镇长|乡长|主任|部长|厅长|省长|处长|科长|所长|同志|委员|负责人|工作人员|政府"
)
# A salutation that opens a letter: 尊敬的李书记您好 / 各位领导： / 您好！
_GREETING = r"(?:您好|你好|你们好|领导好)[,，:：!！。\s]*"
_SALUTATION = re.compile(
    rf"^\s*(?:(?:尊敬|敬爱|亲爱)的)?[^,，。!！:：;；\n]{{0,12}}?(?:{_OFFICIAL})们?(?:同志)?"
    rf"(?:[,，]?(?:您好|你好|你们好|好)[,，:：!！。\s]*|[,，:：!！]+\s*)(?:{_GREETING})?"
    rf"|^\s*{_GREETING}"
)
# A closing: 此致敬礼 / 望领导重视 / 恳请领导关注 / 谢谢 / 盼复 (repeated, from the end).
_CLOSING = re.compile(
    r"(?:此致|敬礼|盼复|望回复|期待(?:您的)?回复|谢谢|感谢|万分感谢|"
    rf"(?:望|恳请|请|希望|麻烦)(?:各位)?(?:{_OFFICIAL})们?[^,，。!！;；\n]{{0,10}}|"
    r"(?:谢谢|感谢)(?:您|你们|领导|各位领导)?[^,，。!！;；\n]{0,6})[,，。!！;；~\s]*$"
)
_TAIL = 40
# Mid-text address to an official (尊敬的, 请领导看看): a vote for 党务政务 whatever the matter.
_ADDRESS = re.compile(rf"(?:尊敬|敬爱)的|(?:各位|请|望|恳请)(?:{_OFFICIAL})们?")


def strip_addressing(text: str) -> str:
    """Remove salutations, closings and addresses to officials, which say nothing about the matter."""
    text = _SALUTATION.sub("", text, count=1)
    # A closing is at the end: searching only the tail keeps the cost independent of the length.
    for _ in range(3):
        cut = len(text) - _TAIL
        closing = _CLOSING.search(text, max(0, cut))
        if closing is None:
            break
        text = text[: closing.start()]
    return _ADDRESS.sub("", text)
