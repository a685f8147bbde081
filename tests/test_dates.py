"""Publication dates: header-zone finder, URL dates, HTML metadata.

Expected dates of the dev files are those of tests/data/dev/SOURCES.tsv; files whose text
carries no header date (the date is only in the URL, or nowhere) are listed with None and,
where the URL has it, checked through ``date_from_url``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from jinlong_extract.ingest import load_bytes, read_source
from jinlong_extract.ingest.dates import date_from_html, date_from_url, date_in_line, find_publication_date
from jinlong_extract.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "data" / "dev"
SOURCES = {row["file"]: row for row in csv.DictReader((DEV / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t")}

#: date found in the text's header zone; None where the text has none (see SOURCES.tsv)
TEXT_DATES = {
    "d01.txt": "2016-04-07",  # 07.04.2016  12:32 (day.month.year)
    "d02.txt": "2024-04-27",  # 2024-04-27 19:14:34
    "d03.txt": None,  # caption only; the date is in the URL (20160830)
    "d04.txt": None,  # no date anywhere in the header; SOURCES has none
    "d05.txt": "2010-02-24",  # 发布时间: 2010-02-24 10:49:00
    "d06.txt": None,  # encyclopedia page, SOURCES has none
    "d07.txt": None,  # body starts at once; the date is in the URL (20200405)
    "d08.txt": "2016-11-30",  # 來源:北方網   時間:2016-11-30
    "d09.txt": "2020-04-20",  # 作者:孟兴 编辑:刘颖 2020-04-20 08:27:50
    "d10.txt": None,  # SOURCES has none
    "d11.txt": None,  # 来源:人民日报|浏览:次 — no date; SOURCES has none
    "d12.txt": "2020-09-12",  # 2020 年 09 月 12 日 星期六
}
CORPUS_DATES = {
    "000_5e0a7226a9ef9ce5.txt": "2024-07-19",  # 2024年07月19日 星期五 (line 13, after the headline list)
    "001_e74dd4a94660c86d.txt": None,  # starts with a body sentence "2023年,甘肅省…"
    "002_1c8763f15fd8f122.txt": "2023-04-19",  # 天津日报  2023/04/19
    "003_8bb4246f31f25f4e.txt": "2023-03-06",  # - 時間:2023-03-06
    "004_e7fb16a6d7a4f899.txt": None,  # a newspaper page without a page date
}


@pytest.mark.parametrize("name", sorted(TEXT_DATES))
def test_dev_dates_match_sources(name: str) -> None:
    text = (DEV / name).read_text(encoding="utf-8")
    found = find_publication_date(normalize(text).text)
    assert found == TEXT_DATES[name]
    if found is not None:
        assert found == SOURCES[name]["date"]


@pytest.mark.parametrize("name", ["d03.txt", "d07.txt", "d02.txt", "d12.txt"])
def test_dev_url_dates_match_sources(name: str) -> None:
    assert date_from_url(SOURCES[name]["url"]) == SOURCES[name]["date"]


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_loaded_date_uses_text_then_url(name: str) -> None:
    path = DEV / name
    loaded = load_bytes(read_source(str(path)), name, source=SOURCES[name]["url"])
    expected = SOURCES[name]["date"] or None
    assert loaded.document.date == expected


@pytest.mark.parametrize("name", sorted(CORPUS_DATES))
def test_corpus_dates(name: str) -> None:
    text = (ROOT / "corpus" / name).read_text(encoding="utf-8")
    assert find_publication_date(normalize(text).text) == CORPUS_DATES[name]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("2024年07月19日 星期五", "2024-07-19"),  # 000
        ("天津日报  2023/04/19", "2023-04-19"),  # 002
        ("- 時間:2023-03-06", "2023-03-06"),  # 003
        ("2022年08月15日09:30", "2022-08-15"),
        ("07.04.2016  12:32", "2016-04-07"),  # d01: day.month.year
        ("2020-04-20 08:27:50", "2020-04-20"),  # d09
        ("发布时间: 2010-02-24 10:49:00    来源:西藏日报 中国西藏新闻网", "2010-02-24"),  # d05
        ("3上一篇 下一篇4 2020 年 09 月 12 日 星期六   01", "2020-09-12"),  # d12
        ("2024-04-27 19:14:34    来源: 天山网-新疆日报原创", "2024-04-27"),  # d02
        # body sentences that start with a date are not publication dates
        ("2021年12月20日,国家发展改革委等四部委批复启动全国一体化算力网络国家枢纽甘肃节点和庆阳数据中心集群建设。", None),
        ("2023年,甘肃省甘南州合作市特色产品加工招商引资暨产销对接推介会现场签订框架协议1400余万元", None),
        ("2024年6月,庆阳数据中心集群智算规模突破1万P", None),  # no day: not a date line
        ("2023年02月30日", None),  # not a calendar date
        ("1900-01-01", None),  # outside the plausible years
        ("电话:022-23601772", None),
    ],
)
def test_date_in_line(line: str, expected: str | None) -> None:
    assert date_in_line(line) == expected


def test_body_date_outside_header_zone_is_ignored() -> None:
    body = "\n".join(f"第{i}段正文,没有日期。" for i in range(40))
    assert find_publication_date(body + "\n2024年07月19日 星期五") is None
    assert find_publication_date("标题\n2024年07月19日 星期五\n" + body) == "2024-07-19"


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.911monitor.com/system/2020/04/20/050025865.shtml", "2020-04-20"),  # d09
        ("http://media.tibet.cn/newzt/yuanzang/yzdt/201002/t20100225_548547.htm", "2010-02-25"),  # d05 (URL is a day later than the page)
        ("http://www.smeqh.com/Html/news/qhnew/55658764473.html", None),  # d04: digits, no date
        ("https://newton.com.tw/wiki/%E5%A4%A9%E6%B4%A5%E5%A4%A7%E6%A9%8B", None),  # d06
    ],
)
def test_date_from_url(url: str, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_date_from_html_metadata() -> None:
    html = (ROOT / "tests" / "data" / "ingest" / "page.html").read_text(encoding="utf-8")
    assert date_from_html(html) == "2024-07-19"
