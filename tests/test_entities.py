"""Entities: tables of real cases (places, the 合作 trap, organisations, merging, people,
events, subjects) plus property tests for the matcher and the offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jinlong_extract.entities import entity_id, find_mentions, merge_entities, subject_of
from jinlong_extract.entities._trie import TrieMatcher
from jinlong_extract.entities.gazetteer import find_places
from jinlong_extract.entities.orgs import company_core, expand_abbreviations


def _mention(text: str, surface: str, type_: str | None = None):
    for m in find_mentions(text):
        if m.text == surface and (type_ is None or m.type == type_):
            return m
    return None


# --------------------------------------------------------------------------- places
@pytest.mark.parametrize(
    ("text", "surface", "canonical"),
    [
        ("在甘肃武威举行", "武威", "甘肃省武威市"),
        ("甘肃省甘南州合作市", "甘南州", "甘肃省甘南藏族自治州"),
        ("甘南藏族自治州", "甘南藏族自治州", "甘肃省甘南藏族自治州"),
        ("天津、甘肃联手打造", "甘肃", "甘肃省"),
        ("天津、甘肃联手打造", "天津", "天津市"),
        ("青海黄南州", "黄南州", "青海省黄南藏族自治州"),
        ("天水市张家川县堡山", "张家川县", "甘肃省天水市张家川回族自治县"),
        ("甘肃酒泉阿克塞的石棉", "阿克塞", "甘肃省酒泉市阿克塞哈萨克族自治县"),
        ("积石山县农业", "积石山县", "甘肃省临夏回族自治州积石山保安族东乡族撒拉族自治县"),
        ("临夏州东乡县布楞沟村", "东乡县", "甘肃省临夏回族自治州东乡族自治县"),  # named after the people
        ("宁夏回族自治区银川市", "银川市", "宁夏回族自治区银川市"),
        ("协作陕西水源区、对口合作吉林长春", "吉林", "吉林省"),  # province over 吉林市
        ("对口合作吉林长春", "长春", "吉林省长春市"),
        ("天津蓟州梨园情", "蓟州", "天津市蓟州区"),
        ("在滨海新区揭牌", "滨海新区", "天津市滨海新区"),
        ("兰州新区产业园", "兰州新区", "兰州新区"),
        ("在天水市经济技术开发区成立", "天水市经济技术开发区", "天水经济技术开发区"),
        ("酒泉经开区出入口", "酒泉经开区", "酒泉经济技术开发区"),
        ("武清经济技术开发区签署", "武清经济技术开发区", "武清经济技术开发区"),
        ("兰州市城关区", "城关区", "甘肃省兰州市城关区"),  # ambiguous full name: parent right before
        ("城关区", "城关区", "城关区"),  # ambiguous and no parent: stays as written
        ("甘肃兰州。城关区", "城关区", "甘肃省兰州市城关区"),  # parent elsewhere in the article
        ("打算在天津市场推广", "天津", "天津市"),  # 天津|市场, not 天津市|场
    ],
)
def test_place_resolution(text: str, surface: str, canonical: str) -> None:
    m = _mention(text, surface, "LOC")
    assert m is not None
    assert m.canonical == canonical


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("推动产业合作,深化合作交流", "合作"),  # 合作市 (甘南) is a county-level city
        ("坚持和平发展", "和平"),  # 和平区 (天津)
        ("华北平原地区", "平原"),  # 平原县
        ("穿过酒泉城区绕行", "城区"),  # 城区 (阳泉, 晋城)
        ("确保农村水体长治久清", "长治"),  # 长治市
        ("这是新区成立的平台", "新区"),  # not a unit
        ("天津同仁积极参与", "同仁"),  # 同仁市 (黄南) needs its suffix
        ("天津至夏河航线", "夏河"),  # 夏河县 is in Gansu: no Gansu in this text
        ("兰州市天水路社区、张掖路街道", "天水"),  # streets named after places
        ("吉林长春处东北亚经济圈、图们江合作区的核心", "图们"),  # the Tumen river
    ],
)
def test_ordinary_words_are_not_places(text: str, word: str) -> None:
    assert all(word not in h.text for h in find_places(text))


@pytest.mark.parametrize(
    ("text", "surface", "canonical"),
    [
        ("甘肃省甘南州合作市特色产品", "合作市", "甘肃省甘南藏族自治州合作市"),
        ("支持甘肃合作市、张家川县全面推进", "合作市", "甘肃省甘南藏族自治州合作市"),
        ("甘肃。支持开通天津至夏河航线", "夏河", "甘肃省甘南藏族自治州夏河县"),
    ],
)
def test_common_word_units_with_suffix_or_parent(text: str, surface: str, canonical: str) -> None:
    m = _mention(text, surface, "LOC")
    assert m is not None and m.canonical == canonical


def test_deictic_place_is_the_article_city() -> None:
    m = _mention("天津日报讯 今年以来,我市各类企业采购甘肃农特产品", "我市", "LOC")
    assert m is not None and m.canonical == "天津市"


# --------------------------------------------------------------------------- organisations
@pytest.mark.parametrize(
    ("text", "surface", "canonical"),
    [
        ("天津市发展和改革委员会支援合作三处处长", "天津市发展和改革委员会", "天津市发展和改革委员会"),
        ("由甘肃省工信厅、天津市工信局联合主办", "甘肃省工信厅", "甘肃省工业和信息化厅"),
        ("由甘肃省工信厅、天津市工信局联合主办", "天津市工信局", "天津市工业和信息化局"),
        ("天津市发展改革委二级巡视员", "天津市发展改革委", "天津市发展和改革委员会"),
        ("甘肃省党政代表团考察了天士力控股集团有限公司", "天士力控股集团有限公司", "天士力控股集团有限公司"),
        ("甘肃天水秦安县乾嘉产业运营服务有限公司工作人员", "秦安县乾嘉产业运营服务有限公司", "秦安县乾嘉产业运营服务有限公司"),
        ("来自青海省黄南州尖扎县商贸促进协会秘书", "尖扎县商贸促进协会", "尖扎县商贸促进协会"),
        ("天津港峰门窗公司在灵台县建设", "天津港峰门窗公司", "天津港峰门窗公司"),
        ("戈耳电梯(天水)有限公司", "戈耳电梯(天水)有限公司", "戈耳电梯(天水)有限公司"),
        ("甘肃农业科学院、天津农业科学院此次携手", "甘肃农业科学院", "甘肃省农业科学院"),
        ("甘肃农业科学院、天津农业科学院此次携手", "天津农业科学院", "天津市农业科学院"),
        ("甘肃省委书记、省人大常委会主任胡昌升", "省人大常委会", "甘肃省人民代表大会常务委员会"),
        ("甘肃省委书记", "甘肃省委", "中共甘肃省委员会"),
        ("天津日报讯 天津市委书记陈敏尔", "天津市委", "中共天津市委员会"),
        ("天津日报讯 市委书记陈敏尔", "市委", "中共天津市委员会"),
        ("甘肃日报讯 甘肃省 记者从省生态环境厅获悉", "省生态环境厅", "甘肃省生态环境厅"),
        ("以习近平同志为核心的党中央", "党中央", "中国共产党中央委员会"),
        ("天士力集团整合控股甘肃本土企业", "天士力集团", "天士力控股集团有限公司"),
        ("农业银行兰州分行推出", "农业银行兰州分行", "中国农业银行兰州分行"),
        ("由《中国品牌》杂志主办", "《中国品牌》杂志", "中国品牌杂志社"),
        ("可每年为兰州铝业、腾达西北铁合金等企业节省电费", "兰州铝业", "兰州铝业"),
        ("新甘肃·甘肃日报记者 范海瑞", "甘肃日报", "甘肃日报"),
        ("天津滨海光热与中国华电集团共建新能源发电基地", "天津滨海光热", "天津滨海光热"),  # coordinated
        ("现代中药创新中心与天津产业园、同泰神州科技签署三方协议", "同泰神州科技", "同泰神州科技"),
        ("天津华北地质勘查局与和田地区行政公署签订战略合作协议", "和田地区行政公署", "和田地区行政公署"),
        ("据天津市合作交流办消息", "天津市合作交流办", "天津市合作交流办公室"),
        ("国务院国资委主任张玉卓", "国务院国资委", "国务院国有资产监督管理委员会"),
        ("天津港保税区管委会发布", "天津港保税区管委会", "天津港保税区管理委员会"),
        ("兰州市大数据局", "兰州市大数据局", "兰州市大数据局"),
        ("中国人民银行天津分行行长", "中国人民银行天津分行", "中国人民银行天津分行"),
    ],
)
def test_organisations(text: str, surface: str, canonical: str) -> None:
    m = _mention(text, surface, "ORG")
    assert m is not None, [(x.text, x.type) for x in find_mentions(text)]
    assert m.canonical == canonical


@pytest.mark.parametrize(
    "text",
    [
        "形成优势互补高质量发展的区域发展新格局",  # 局 of 格局
        "开创了全面建设社会主义现代化大都市新局面",  # 局 of 局面
        "该公司表示",  # generic reference
        "庆阳数据中心集群建成",  # 中心 of 数据中心集群
        "大家在餐厅用餐",  # 厅 of 餐厅
        "建成辐射南疆的区域诊疗中心和全疆一流的医院",  # a description ending in 中心
        "建成1800平方米的手工编织中心,集培训、生产于一体",
        "投资建设15个“村社合一”肉羊养殖合作社",  # a kind of cooperative
        "其中24家国企集团公司参加了推介会",
    ],
)
def test_no_organisation(text: str) -> None:
    assert [m.text for m in find_mentions(text) if m.type == "ORG"] == []


def test_title_coordinated_with_a_body_is_no_organisation() -> None:
    orgs = [m.text for m in find_mentions("中共和田地委书记张金标、和田地委副书记、和田市委书记艾则孜") if m.type == "ORG"]
    assert "和田地委副书记" not in orgs and "和田市委" in orgs


@pytest.mark.parametrize(
    ("docs", "canonical"),
    [
        (["天津安捷物联科技股份有限公司是一家企业。安捷物联董事长刘柏呈说", "安捷物联科技公司通过电力调峰服务"],
         "天津安捷物联科技股份有限公司"),
        (["考察了天士力控股集团有限公司。", "天士力集团捐资援建"], "天士力控股集团有限公司"),
        (["天津市发展和改革委员会支援合作三处处长", "天津市发展改革委二级巡视员"], "天津市发展和改革委员会"),
        (["天津鑫宝龙电梯集团有限公司制造运营总经理", "鑫宝龙集团未来将立足甘肃"], "天津鑫宝龙电梯集团有限公司"),
        (["天津智慧城市研究院有限公司此次携手", "天津智慧城市研究院承办的培训班"], "天津智慧城市研究院有限公司"),
    ],
)
def test_org_short_and_long_forms_merge(docs: list[str], canonical: str) -> None:
    mentions = [m for i, d in enumerate(docs) for m in find_mentions(d, doc=f"d{i}") if m.type == "ORG"]
    ents = [e for e in merge_entities(mentions) if e.type == "ORG"]
    assert [e.canonical for e in ents] == [canonical]
    assert ents[0].rule  # the merging rule is recorded
    assert ents[0].id == entity_id("ORG", canonical)
    assert {m.doc for m in ents[0].mentions} == {f"d{i}" for i in range(len(docs))}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("甘肃农业科学院此次携手", "天津农业科学院此次携手"),  # same core, different place
        ("天津智慧城市研究院有限公司此次携手", "天津智慧城市研究院甘肃分院正式落地"),  # a branch
        ("天津日报报业集团所属", "天津日报报业集团法律事务部"),  # a department
    ],
)
def test_different_organisations_stay_apart(a: str, b: str) -> None:
    mentions = [m for i, d in enumerate((a, b)) for m in find_mentions(d, doc=str(i)) if m.type == "ORG"]
    assert len([e for e in merge_entities(mentions) if e.type == "ORG"]) == 2


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("天津安捷物联科技股份有限公司", "安捷物联"),
        ("安捷物联科技公司", "安捷物联"),
        ("天士力控股集团有限公司", "天士力"),
        ("天津鑫宝龙电梯集团有限公司", "鑫宝龙"),
        ("鑫宝龙集团", "鑫宝龙"),
        ("甘肃省工信厅", None),
    ],
)
def test_company_core(name: str, core: str | None) -> None:
    assert company_core(name) == core


@pytest.mark.parametrize(
    ("short", "full"),
    [("天津市发展改革委", "天津市发展和改革委员会"), ("省工信厅", "省工业和信息化厅"), ("区商务和投促局", "区商务和投资促进局")],
)
def test_expand_abbreviations(short: str, full: str) -> None:
    assert expand_abbreviations(short) == full


# --------------------------------------------------------------------------- people
@pytest.mark.parametrize(
    ("text", "name", "title", "org"),
    [
        ("“…。”天津市发展和改革委员会支援合作三处处长、二级巡视员杨毅东表示",
         "杨毅东", "天津市发展和改革委员会支援合作三处处长、二级巡视员", "天津市发展和改革委员会"),
        ("。”甘肃省工信厅副厅长黄宝荣道出了初衷", "黄宝荣", "甘肃省工信厅副厅长", "甘肃省工业和信息化厅"),
        ("本报甘肃武威电(记者 王睿)作为", "王睿", "记者", None),
        ("天津日报讯 市委书记陈敏尔主持座谈会", "陈敏尔", "市委书记", "中共天津市委员会"),
        ("天津日报讯 市委副书记、市长张工分别介绍", "张工", "市委副书记、市长", "中共天津市委员会"),
        ("风机叶片护送车队长李飞说", "李飞", "风机叶片护送车队长", None),
        ("来自青海省黄南州尖扎县商贸促进协会秘书关却加就将", "关却加", "来自青海省黄南州尖扎县商贸促进协会秘书",
         "尖扎县商贸促进协会"),
        ("敦煌机场海关关长孙成宇介绍", "孙成宇", "敦煌机场海关关长", "敦煌机场海关"),
    ],
)
def test_people_with_titles(text: str, name: str, title: str, org: str | None) -> None:
    m = _mention(text, name, "PER")
    assert m is not None, [(x.text, x.type) for x in find_mentions(text)]
    assert (m.title, m.org) == (title, org)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("在座谈会上,陈敏尔说,开展东西部协作", ["陈敏尔"]),  # before a speech verb
        ("是以习近平同志为核心的党中央", ["习近平"]),  # before an honorific
        ("甘肃省领导朱天舒、张伟、李刚和省政府秘书长张伟文", ["朱天舒", "张伟", "李刚", "张伟文"]),  # a list
        ("邀请相关领域专家和一线代表", []),  # 和 is no surname here
        ("学习贯彻习近平总书记关于东西部协作工作重要论述", ["习近平"]),  # 关于 is no name
        ("刘柏呈说,甘肃作为西部地区重要省份。“…”刘柏呈说。", ["刘柏呈", "刘柏呈"]),
    ],
)
def test_people_names(text: str, names: list[str]) -> None:
    assert [m.text for m in find_mentions(text) if m.type == "PER"] == names


def test_people_merge_by_name_across_articles() -> None:
    ms = find_mentions("天津市发展改革委二级巡视员杨毅东表示", doc="a") + find_mentions("杨毅东建议,两地", doc="b")
    people = [e for e in merge_entities(ms) if e.type == "PER"]
    assert [(e.canonical, len(e.mentions)) for e in people] == [("杨毅东", 2)]
    assert people[0].titles == ["天津市发展改革委二级巡视员"]


# --------------------------------------------------------------------------- events
@pytest.mark.parametrize(
    ("text", "surface", "canonical", "edition"),
    [
        ("在甘肃武威举行的2024年“津陇共振兴”合作交流洽谈大会上", "津陇共振兴", "津陇共振兴合作交流洽谈大会", 2024),
        ("2022年“津陇共振兴”合作交流洽谈大会参会企业", "津陇共振兴", "津陇共振兴合作交流洽谈大会", 2022),
        ("“津陇共振兴”活动是深化新阶段津甘协作的创新探索", "津陇共振兴", "津陇共振兴合作交流洽谈大会", None),
        ("以及兰洽会、青洽会等品牌活动", "兰洽会", "中国兰州投资贸易洽谈会", None),
        ("借助亚布力论坛、津洽会等展会平台", "亚布力论坛", "亚布力中国企业家论坛", None),
        ("连续三届举办“津企陇上行”活动", "津企陇上行", "津企陇上行", None),
        ("“2023棉里·向美城市艺术节”拉开帷幕", "棉里·向美城市艺术节", "棉里·向美城市艺术节", 2023),
        ("第十五届天津蓟州梨园情旅游文化节4月15日开幕", "天津蓟州梨园情旅游文化节", "蓟州梨园情旅游文化节", None),
        ("日前举办的2024中国算力大会庆阳发展大会上", "中国算力大会", "中国算力大会", 2024),
        ("举办“津企天水行”暨政企座谈推介会", "津企天水行", "津企天水行", None),
        ("如围绕名企进黄南、津陇共振兴等合作交流洽谈大会", "名企进黄南", "名企进黄南", None),
        ("参加兰州市第15届“一碗饺子温暖一座城”冬至节关爱活动", "一碗饺子温暖一座城", "一碗饺子温暖一座城冬至节关爱活动", None),
        ("我省2025年全国硕士研究生招生考试开考", "全国硕士研究生招生考试", "全国硕士研究生招生考试", 2025),
    ],
)
def test_events(text: str, surface: str, canonical: str, edition: int | None) -> None:
    m = _mention(text, surface, "EVENT")
    assert m is not None, [(x.text, x.type) for x in find_mentions(text)]
    assert (m.canonical, m.edition) == (canonical, edition)


def test_event_and_predecessor_stay_apart() -> None:
    ms = find_mentions("以“津陇共振兴”(原“津企陇上行”活动)为平台")
    events = sorted(e.canonical for e in merge_entities(ms) if e.type == "EVENT")
    assert events == ["津企陇上行", "津陇共振兴合作交流洽谈大会"]


# --------------------------------------------------------------------------- subjects
@pytest.mark.parametrize(
    ("text", "figure", "subject"),
    [
        ("天津港峰门窗公司在灵台县建设年产30万平米节能门窗生产加工基地项目。", "30万平米", "天津港峰门窗公司"),
        ("7月17日,在甘肃武威举行的2024年“津陇共振兴”合作交流洽谈大会上,112个项目现场签约", "112个", "津陇共振兴"),
        ("天津食品集团投资10亿元在武威市建立的嘉立荷(甘肃)牧业有限公司。", "10亿元", "天津食品集团"),
        ("天津泛亚远华新能源公司与榆中县签署盛阳200兆瓦农光互补项目", "200兆瓦", "天津泛亚远华新能源公司"),
        ("天津日报讯 截至目前,我市累计向甘肃投入财政援助资金64.5亿元", "64.5亿元", "我市"),  # 向甘肃: recipient
        ("我市印发《天津市算力产业发展实施方案》,投入5亿元", "5亿元", "我市"),  # not inside 《…》
        ("合计投入资金64.5亿元", "64.5亿元", None),
        ("天津日报讯 今年以来,我市各类企业采购、帮助销售甘肃农特产品超20亿元", "20亿元", "我市"),  # clause start
        ("天士力集团整合控股甘肃本土企业中天药业,种植中药材近10万亩,建立起19个帮扶项目基地", "19个", "天士力集团"),
        ("云账户公司捐赠1000万元助力天津启动“防返贫”资金池,并向甘南州捐赠200余万元", "200余万元", "云账户公司"),
    ],
)
def test_subject_of(text: str, figure: str, subject: str | None) -> None:
    ms = find_mentions(text)
    start = text.index(figure)
    got = subject_of(ms, start, start + len(figure), 0, text=text)
    assert (got.text if got else None) == subject


@pytest.mark.parametrize(
    ("text", "figure", "subject"),
    [
        ("天津港峰门窗公司在灵台县建设年产30万平米节能门窗生产加工基地项目。", "30万平米", "天津港峰门窗公司"),
        ("天津泛亚远华新能源公司与榆中县签署盛阳200兆瓦农光互补项目", "200兆瓦", "天津泛亚远华新能源公司"),
        ("天津食品集团投资10亿元在武威市建立", "10亿元", "天津食品集团"),
        ("“津陇共振兴”合作交流洽谈大会已连续举办5年,参会企业累计超过2000家", "2000家", "津陇共振兴"),
    ],
)
def test_subject_of_without_text(text: str, figure: str, subject: str) -> None:
    """The pipeline may call subject_of without the text: nearest name, ORG before a bare LOC."""
    ms = find_mentions(text)
    start = text.index(figure)
    got = subject_of(ms, start, start + len(figure), 0)
    assert got is not None and got.text == subject


def test_subject_of_stays_in_the_sentence() -> None:
    text = "天津食品集团在武威投资。合计投入资金10亿元"
    ms = find_mentions(text)
    start = text.index("10亿元")
    assert subject_of(ms, start, start + 4, text.index("合计")) is None


def test_entity_id_is_type_and_canonical() -> None:
    assert entity_id("LOC", "甘肃省武威市") == "LOC:甘肃省武威市"


def test_place_entity_has_parent() -> None:
    ents = merge_entities(find_mentions("在甘肃武威举行"))
    wuwei = next(e for e in ents if e.canonical == "甘肃省武威市")
    assert wuwei.parent == "甘肃省" and wuwei.id == "LOC:甘肃省武威市"


# --------------------------------------------------------------------------- data integrity
def test_gazetteer_ships_with_licence_and_covers_every_level() -> None:
    from pathlib import Path

    from jinlong_extract.data import data_path
    from jinlong_extract.entities.gazetteer import load_gazetteer

    folder = Path(data_path("gazetteer"))
    assert "MIT" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "adcodes.csv" in (folder / "README.md").read_text(encoding="utf-8")
    gaz = load_gazetteer()
    levels = [p.level for p in gaz.places.values()]
    assert levels.count("province") == 35 and levels.count("city") > 300 and levels.count("county") > 2800
    # every unit's parent exists and its canonical extends the parent's
    for p in gaz.places.values():
        if p.parent and p.level != "zone":
            assert p.canonical.startswith(gaz.places[p.parent].canonical)


def test_entity_tables_are_consistent() -> None:
    from jinlong_extract.data import load_table
    from jinlong_extract.entities.gazetteer import load_gazetteer

    table = load_table("entities")
    gaz = load_gazetteer()
    for zone in table["zones"]:  # zones hang under a real division
        assert zone["parent"] in gaz.by_canonical, zone["name"]
    aliases = [a for e in table["known_orgs"] for a in e["aliases"]]
    assert len(aliases) == len(set(aliases))  # one alias, one organisation
    events = [a for e in table["events"]["table"] for a in e["aliases"]]
    assert len(events) == len(set(events))
    # the common-word list names real short forms (a typo would silently disable it)
    stems = set(gaz.forms)
    assert all(w in stems for w in table["places"]["need_suffix"] + table["places"]["need_suffix_high"])


# --------------------------------------------------------------------------- properties
def _naive_leftmost_longest(words: list[str], text: str) -> list[tuple[int, int]]:
    out, i = [], 0
    while i < len(text):
        best = max((len(w) for w in words if w and text.startswith(w, i)), default=0)
        if best:
            out.append((i, i + best))
            i += best
        else:
            i += 1
    return out


_ALPHABET = "甘肃省武威天津市合作区县"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=8),
       st.text(alphabet=_ALPHABET + "，的", max_size=40))
def test_trie_matcher_is_leftmost_longest(words: list[str], text: str) -> None:
    got = [m.span() for m in TrieMatcher(words).finditer(text)]
    assert got == _naive_leftmost_longest(words, text)


_FRAGMENTS = ["甘肃", "武威", "天津市", "发展和改革委员会", "有限公司", "记者 ", "王睿", "说", "“津陇共振兴”",
              "合作", "2024年", "、", "，", "。", "在", "与", "《", "》", "市委", "省政府", "等企业", "集团", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30))
def test_mentions_are_grounded_and_typed(parts: list[str]) -> None:
    text = "".join(parts)
    for m in find_mentions(text, doc="x", article=3):
        assert text[m.start:m.end] == m.text and m.end > m.start
        assert m.type in {"ORG", "LOC", "PER", "EVENT"}
        assert (m.doc, m.article) == ("x", 3)
