"""Temporary numerals used only until figures/numerals.py lands (deleted at integration)."""
import regex
import cn2an

_CN = "零〇一二三四五六七八九十百千两俩壹贰叁肆伍陆柒捌玖拾佰仟"
NUMERAL = (
    r"(?:\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
    r"|[零〇一二三四五六七八九十百千两俩壹贰叁肆伍陆柒捌玖拾佰仟]+(?:点[零〇一二三四五六七八九]+)?)"
    r"(?:[万亿](?:\d+(?:\.\d+)?|[零〇一二三四五六七八九十百千两壹贰叁肆伍陆柒捌玖拾佰仟]+))*"
)
MULTIPLIER = r"(?:万亿|千亿|百亿|十亿|千万|百万|十万|万万|万|亿|兆)"


def parse_number(text):
    t = text.replace(",", "").replace(" ", "")
    try:
        return float(t)
    except ValueError:
        pass
    try:
        return float(cn2an.cn2an(t.replace("两", "二").replace("俩", "二"), "smart"))
    except Exception:
        return None
