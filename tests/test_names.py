"""prm.names: Japanese readings of company names (the `japanese` extra, installed with the dev extra)."""

import pytest

from prm.names import company_name_key, japanese_reading, to_latin


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("任天堂", "nintendo"),  # long vowels single: nintendou → nintendo
        ("日立製作所", "hitachi manufacturing"),
        ("楽天グループ", "rakuten group"),  # a loanword keeps its spelling
        ("トヨタ自動車株式会社", "toyota motor"),  # the legal form goes, a common word in English
        ("リクルートホールディングス", "recruit holdings"),
        ("東京電力", "tokyo denryoku"),
    ],
)
def test_japanese_names_are_read_as_japanese(text, reading):
    assert japanese_reading(text) == reading


def test_what_is_not_japanese_has_no_japanese_reading():
    assert japanese_reading("华为") == ""  # simplified Chinese: no Japanese reading
    assert japanese_reading("Acme") == ""
    assert japanese_reading("Яндекс") == ""


def test_kanji_alone_are_chinese_unless_the_company_is_in_japan():
    assert to_latin("任天堂").strip() == "rentiantang"
    assert to_latin("任天堂", japanese=True) == "nintendo"
    assert to_latin("パナソニック") == "panasonikku"  # kana: always Japanese
    assert company_name_key("任天堂", "JP") == "nintendo"
    assert company_name_key("任天堂 株式会社", "jp") == "nintendo"
    assert company_name_key("任天堂", "") == "rentiantang"
