"""Attribution on real sentences: year, period, cumulative, metric, object.

Cases come from the seed and dev corpora (development) and from the gold schema's rules.
Each row: (text, article date, figure text, expected attributes).
"""

from __future__ import annotations

import pytest

from jinlong_extract.figures.attribution import attribute, sentence_spans
from jinlong_extract.figures.finder import find_figures

CASES = [
    # explicit year in the sentence, before the figure
    ("在甘肃武威举行的2024年“津陇共振兴”合作交流洽谈大会上，112个项目现场签约，投资额达149.53亿元。", None,
     "149.53亿元", {"year": 2024, "cumulative": False, "metric": "投资额"}),
    # 今年 resolved from the article date; 今年以来 is this year, not a running total
    ("数据显示，今年以来，我市各类企业采购、帮助销售甘肃农特产品超20亿元，同比增长21%。", "2024-07-19",
     "超20亿元", {"year": 2024, "cumulative": False}),
    ("数据显示，今年以来，我市各类企业采购、帮助销售甘肃农特产品超20亿元，同比增长21%。", "2024-07-19",
     "21%", {"year": 2024, "cumulative": False, "metric": "同比增长率"}),
    # running totals: 截至目前 … 累计, across ；
    ("截至目前，我市累计向甘肃投入财政援助资金64.5亿元，实施协作项目3800余个；引进企业550家，到位资金74.9亿元。", "2024-07-19",
     "550家", {"year": None, "cumulative": True, "object": "企业"}),
    ("截至目前，我市累计向甘肃投入财政援助资金64.5亿元，实施协作项目3800余个。", "2024-07-19",
     "64.5亿元", {"metric": "财政援助资金", "cumulative": True}),
    # an explicit period gives period_start / period_end and no year
    ("2019年至2021年，津甘连续三届举办“津企陇上行”活动，累计签约项目168个，合作总额441.1亿元。", None,
     "168个", {"year": None, "period_start": 2019, "period_end": 2021, "cumulative": True, "metric": "签约项目数"}),
    # a start point followed by 以来 is a period start, not the year
    ("1994年中央第三次西藏工作座谈会确定天津市对口支援西藏昌都地区以来，筹集援藏资金、物资总计5.11亿元。", "2010-02-24",
     "5.11亿元", {"year": None, "period_start": 1994, "cumulative": True}),
    # an explicit year nearer than the marker makes it that year's figure
    ("一年来，天津市实施“民生改善提升行动”，2023年启动保障和改善民生项目23个，投入规划资金16100万元。", "2024-04-27",
     "23个", {"year": 2023, "cumulative": False}),
    # a period marker after the figure in the sentence
    ("消费帮扶总金额达22885万元、互访交流活动超220场……天津市第十一批援疆干部入疆一年来，交出成绩单。", "2024-04-27",
     "22885万元", {"cumulative": True}),
    # a year glued to a programme name, after the figure in its clause
    ("此外，6个品牌荣获2024中国区域农业产业品牌影响力指数百强榜。", None, "6个", {"year": 2024, "object": "品牌"}),
    # a target year is not the figure's year; 今天 is
    ("确保和田地区到2020年全面实现小康社会，今天的活动，22个项目签约落地。", "2016-08-30", "22个", {"year": 2016}),
    # a year followed by a future clause does not date the figure
    ("项目总投资6000万元，2011年4月开工建设，近期投产，建成后将形成年生产7.2万吨天然矿泉水的规模。", None,
     "7.2万吨", {"year": None}),
    # a full date earlier in the paragraph dates the event's figures
    ("2025年全国硕士研究生招生考试(初试)于2024年12月21日至22日举行。全省共设13个考区、55个考点。", None,
     "55个", {"year": 2024, "year_source": "context", "object": "考点"}),
    # ... but not inside direct speech or generic rates
    ("12月17日，记者走进韩陕家村。\n“冬天来这里务工每天可以拿到90元的工资，既能挣钱又能顾家。”", "2024-12-22", "90元", {"year": None}),
    # percentages are never running totals
    ("种子、果蔬等出口额连续两年增长两位数以上，占全省出口总值的23%以上。", None, "23%以上", {"cumulative": False}),
    # counted objects, both orders
    ("记者了解到，大会已连续举办5年，参会企业累计超过2000家，签约项目320个。", None, "320个",
     {"object": "项目", "metric": "签约项目数", "cumulative": True}),
    ("全省共配备213个“智能安检门”、671台身份验证终端。", None, "671台", {"object": "身份验证终端"}),
    ("天津物宗园公司在镇原县投资建设15个“村社合一”肉羊养殖合作社。", None, "15个", {"object": "肉羊养殖合作社"}),
    # money without a trigger of its own takes the nearest one after it
    ("天津食品集团投资10亿元在武威市建立嘉立荷牧业有限公司。", None, "10亿元", {"metric": "投资额"}),
    # speed
    ("新建匝道3.173公里，设计时速30公里，于近日建成通车。", None, "30公里", {"metric": "设计时速"}),
    # a link word between the object and the number is no object (not 计 of 共计, not 累计)
    ("据了解，此次活动签约项目共计22个，其中包含有2个一产项目。", None, "22个",
     {"object": "项目", "metric": "签约项目数"}),
    ("记者了解到，大会已连续举办5年，参会企业累计超过2000家，签约项目320个。", None, "超过2000家",
     {"object": "企业", "metric": "参会企业数"}),
    # an aspect particle after the verb is no object either
    ("目前，天津市已选派了五批共177名干部到昌都地区工作。", None, "五批", {"object": None, "metric": None}),
    # a verb before a quoted programme ends the counted object
    ("通过在昌都县、江达县、丁青县16个村实施“三个一百”工程，农牧民年收入大幅增长。", None, "16个",
     {"object": "村", "metric": "实施村数"}),
    # the close of a frame (从…中) is no part of the object
    ("是从全国31个省份的915个中国区域农业品牌中，通过全国消费者投票评出。", None, "915个",
     {"object": "中国区域农业品牌", "metric": "中国区域农业品牌数"}),
    # a verb right before the next number opens that number's clause
    ("天津市15家三级甲等医疗机构选派30名专业骨干“组团式”帮扶。", None, "15家", {"object": "三级甲等医疗机构"}),
    # a clause after the number (…缩短了) names no object; an ordinal before it neither
    ("天津大桥使周边5000多名各族民众出行距离缩短了16公里。", None, "5000多名", {"object": None, "metric": None}),
    ("近日，首批22辆载着风机叶片、光伏组件的大件运输车辆通过连霍高速。", None, "22辆", {"object": None}),
    # a code starts a noun (5G); a long phrase before the number gives its head word; a verb of
    # building before the object is no part of it
    ("全省共配备213个“智能安检门”、671台身份验证终端、2429台5G信号屏蔽仪。", None, "2429台",
     {"object": "5G信号屏蔽仪"}),
    ("争取到同仁县加吾乡小学教学用电脑20台，修建8公里乡村道路。", None, "20台", {"object": "电脑"}),
    ("兴建温室大棚1300个、拱棚500个。", None, "1300个", {"object": "温室大棚", "metric": "温室大棚数"}),
    # a quantity trigger names its own unit families only: 5万亩 is an area, 300吨 the water saved
    ("采用高效节水滴灌方式改造林果5万亩，每亩节水300吨以上。", None, "5万亩", {"metric": "改造面积"}),
    ("采用高效节水滴灌方式改造林果5万亩，每亩节水300吨以上。", None, "300吨以上", {"metric": "节水量"}),
    # a generic trigger written as the measure's name keeps the trigger's label
    ("22家企业与九台区政府现场签约，总金额达197亿元。", None, "197亿元", {"metric": "签约金额"}),
    # a rate's change is not its level
    ("建立5.75万亩红枣示范种植基地，一级果率增长57%，平均亩产增长30%。", None, "57%", {"metric": "一级果率增长"}),
    ("一级果率增长57%，平均亩产增长30%，含糖量提高8%。", None, "30%", {"metric": "亩产增长"}),
    ("一级果率增长57%，平均亩产增长30%，含糖量提高8%。", None, "8%", {"metric": "含糖量提高"}),
    ("数据显示，今年以来，我市各类企业采购甘肃农特产品超20亿元，同比增长21%。", None, "21%", {"metric": "同比增长率"}),
    # a conjunction before a rate's name is not part of it
    ("针对3个贫困县，以及贫困发生率超过10%的46个贫困村，本市实施挂牌督战。", None, "超过10%",
     {"metric": "贫困发生率"}),
]


def _attrs(text, date, figure_text):
    figs = find_figures(text)
    attrs = attribute(text, figs, date=date)
    for f, a in zip(figs, attrs):
        if f.text == figure_text:
            return a
    raise AssertionError(f"{figure_text} not found among {[f.text for f in figs]}")


@pytest.mark.parametrize("text,date,figure,expected", CASES, ids=[f"{c[2]}@{c[0][:12]}" for c in CASES])
def test_attribution(text, date, figure, expected):
    a = _attrs(text, date, figure)
    got = {k: getattr(a, k) for k in expected}
    assert got == expected


@pytest.mark.parametrize("text,n", [
    ("一句。两句！三句？", 3),
    ("第一段\n\n第二段，还是第二段。", 2),
    ("“引号里的话。”然后", 2),
    ("", 0),
])
def test_sentences(text, n):
    assert len(sentence_spans(text)) == n


GENERAL = [
    # not from the corpora: statistical-bulletin sentences, to keep the rules general
    ("2023年，全市地区生产总值达到1.67万亿元，同比增长5.2%。全年接待游客1.2亿人次。", "2024-01-15",
     "1.2亿人次", {"year": 2023, "year_source": "context"}),
    ("2023年，全市地区生产总值达到1.67万亿元，同比增长5.2%。", "2024-01-15",
     "1.67万亿元", {"year": 2023, "metric": "地区生产总值"}),
    ("粮食产量达到1390.8亿斤。", None, "1390.8亿斤", {"metric": "粮食产量"}),
    ("该市财政支出总额达50亿元。", None, "50亿元", {"metric": "财政支出总额"}),
    ("全年粮食产量达到1390.8亿斤。", None, "1390.8亿斤", {"metric": "粮食产量"}),
    ("全市产量达到20万吨。", None, "20万吨", {"metric": "全市产量"}),
    ("平均亩产量达到500公斤。", None, "500公斤", {"metric": "平均亩产量"}),
    ("平均发生率为3%。", None, "3%", {"metric": "平均发生率"}),
    ("全市森林覆盖率提高到45%。", None, "45%", {"metric": "森林覆盖率"}),
    ("全市森林覆盖率提高了3%。", None, "3%", {"metric": "森林覆盖率提高"}),
    ("全市森林覆盖率达45%。", None, "45%", {"metric": "森林覆盖率"}),
    ("全年销售额增长了12%。", None, "12%", {"metric": "销售额增长"}),
    ("较上年增长5%。", None, "5%", {"metric": "增长率"}),
    ("截至2023年底，全市共有各类市场主体256.7万户。", None, "256.7万户", {"year": 2023, "cumulative": True}),
    ("本次招聘会参会单位共计120家，提供岗位3000余个。", None, "120家", {"object": "单位", "metric": "参会单位数"}),
    ("该县先后举办了三届，吸引游客10万人次。", None, "三届", {"object": None}),
    ("在参赛的120所高校中，有30所进入决赛。", None, "120所", {"object": "高校"}),
    ("在全市3所重点高中开展试点。", None, "3所", {"object": "重点高中"}),
    ("工厂附近3000人受益。", None, "3000人", {"object": "工厂附近"}),
    ("调研组走访企业，了解企业需求20余项。", None, "20余项", {"object": "了解企业需求"}),
    ("全市12家企业引进200名技术人才。", None, "12家", {"object": "企业"}),
    ("全市建成5G基站1.2万个。", None, "1.2万个", {"object": "5G基站", "metric": "建成5G基站数"}),
    ("引进AI企业12家。", None, "12家", {"object": "AI企业"}),
    ("光伏项目占地2000亩，装机100兆瓦。", None, "2000亩", {"metric": "面积"}),
    ("光伏项目占地2000亩，装机100兆瓦。", None, "100兆瓦", {"metric": "装机容量"}),
    ("建档立卡贫困户共200余人稳步脱贫。", None, "200余人", {"object": "建档立卡贫困户"}),
    ("shù)亟n立卡贫困户共200余人稳步脱贫。", None, "200余人", {"object": "立卡贫困户"}),
    ("全市生产总值增长6%，其中城镇化率为65.2%。", None, "65.2%", {"metric": "城镇化率"}),
    # a year after 比/较 is the base of a comparison, not the figure's year
    ("今年前三季度，全省粮食产量达到1200万吨，较去年增长两成。", "2024-06-01", "两成", {"year": 2024}),
    ("今年，全市增速比上年提高0.8个百分点。", "2024-06-01", "0.8个百分点", {"year": 2024}),
    ("出口额比2020年增长3%。", None, "3%", {"year": None}),
    # a year bound to a figure by 的 is that figure's, even after 到, and no later figure's
    ("对口支援资金由2021年的3亿元增加到2023年的5.6亿元。", None, "3亿元", {"year": 2021}),
    ("对口支援资金由2021年的3亿元增加到2023年的5.6亿元。", None, "5.6亿元", {"year": 2023}),
    ("全县贫困发生率从2013年的32.5%下降到0.6%。", None, "0.6%", {"year": None}),
    ("到2025年，全市将建成高标准农田100万亩。", None, "100万亩", {"year": None}),
    # nouns counted without a measure word are the object, in the figure or after 的
    ("帮助30万贫困人口脱贫。", None, "30万贫困人口", {"object": "贫困人口"}),
    ("带动超过40万的贫困人口增收。", None, "超过40万", {"object": "贫困人口"}),
    ("平台注册近30万消费者。", None, "近30万消费者", {"object": "消费者"}),
    # a measure word is never its own object
    ("年出栏肉羊50万只。", None, "50万只", {"object": "肉羊"}),
    ("发放5张卡。", None, "5张", {"object": "卡"}),
    ("吸引游客10万人次。", None, "10万人次", {"object": "游客"}),
    # a verb after the object ends it; "have" before it is not part of it
    ("组织200多家企业参展。", None, "200多家", {"object": "企业"}),
    ("共有3至5个项目进入第二轮评审。", None, "3至5个", {"object": "项目"}),
    ("园区现有入驻企业156家。", None, "156家", {"object": "企业"}),
    ("全县拥有农民专业合作社300家。", None, "300家", {"object": "农民专业合作社"}),
    # an object naming the measure gives the metric, not a doubled one
    ("参训人数不足100人。", None, "不足100人", {"object": "人", "metric": "参训人数"}),
    ("参会人数超过500人。", None, "超过500人", {"object": "人", "metric": "参会人数"}),
    ("全市企业数量达到200家。", None, "200家", {"object": "企业", "metric": "企业数"}),
    # an object read before the number starts after the last verb jieba reads as a word, never
    # inside a word, and without scope words or the verb the thing counted does
    ("2022年，该县引进天津企业11家。", None, "11家", {"object": "天津企业"}),
    ("今年全市新增各类市场主体1.3万户。", None, "1.3万户", {"object": "各类市场主体"}),
    ("该车间目前有工人68名。", None, "68名", {"object": "工人"}),
    ("2023年该县接待游客286万人次。", None, "286万人次", {"object": "游客"}),
    ("本次活动共计吸引观众2.1万人次。", None, "2.1万人次", {"object": "观众"}),
    ("举办招聘会3场。", None, "3场", {"object": "招聘会"}),
    ("建成技能培训中心3个。", None, "3个", {"object": "技能培训中心", "metric": "技能培训中心数"}),
    ("全市在校学生5万人。", None, "5万人", {"object": "在校学生"}),
    ("和田职业技术学院招生2400人。", None, "2400人", {"object": "和田职业技术学院"}),
    ("带动脱贫人口就业9.2万人。", None, "9.2万人", {"object": "脱贫人口"}),
    ("其中包括2个和田本土企业。", None, "2个", {"object": "和田本土企业"}),
    # 当年/同年 after a year mean that year; parts of the year alone are the publication's year
    ("该县于2019年摘帽，当年贫困人口减少1.3万人。", "2024-06-01", "1.3万人", {"year": 2019}),
    ("2023年接收资金8600万元，占当年财政收入的17%。", "2024-06-01", "17%", {"year": 2023}),
    ("当年实现产值1800万元。", "2024-06-01", "1800万元", {"year": 2024}),
    ("上半年，全市实现地区生产总值1280亿元。", "2024-07-20", "1280亿元", {"year": 2024}),
    ("2023年上半年，全市实现地区生产总值1280亿元。", "2024-07-20", "1280亿元", {"year": 2023}),
    ("去年一季度，全市实现地区生产总值280亿元。", "2024-07-20", "280亿元", {"year": 2023}),
    ("近日，200多家企业参展，销售额突破1500万元。", "2024-06-01", "突破1500万元", {"year": 2024}),
    ("2024届高校毕业生3000人。", None, "3000人", {"object": "高校毕业生"}),
    ("捐赠图书3.2万册。", None, "3.2万册", {"object": "图书"}),
    # running totals: a clause of a start ending in 以来; not the total of one event
    ("结对帮扶以来，共接诊患者6.8万人次。", None, "6.8万人次", {"cumulative": True}),
    ("援疆以来，共实施项目380个。", None, "380个", {"cumulative": True}),
    ("今年以来，销售农产品5亿元。", "2024-06-01", "5亿元", {"cumulative": False, "year": 2024}),
    ("年初以来，完成投资3亿元。", "2024-06-01", "3亿元", {"cumulative": False, "year": 2024}),
    ("此次签约项目总计23个。", None, "23个", {"cumulative": False}),
    ("全市签约项目总计230个。", None, "230个", {"cumulative": True}),
    # income of any kind is named by the measure before the figure; an increase is 增收
    ("实现劳务收入12亿元。", None, "12亿元", {"metric": "劳务收入"}),
    ("农民人均纯收入达到1.2万元。", None, "1.2万元", {"metric": "农民人均纯收入"}),
    ("人均增收3000元。", None, "3000元", {"metric": "增收"}),
    # 年 right after digits closes a year and opens no trigger (年产 is 年产能)
    ("2023年产量达到2800吨。", None, "2800吨", {"year": 2023, "metric": "年产量"}),
    ("年产各类电动车200万辆。", None, "200万辆", {"metric": "年产能"}),
    # jobs are not people
    ("新增就业岗位近3000个。", None, "近3000个", {"object": "就业岗位", "metric": "就业岗位数"}),
    ("吸纳就业820人。", None, "820人", {"metric": "就业人数"}),
    # a measure's name longer than the limit starts on a word, not inside one
    ("社会消费品零售总额达到500亿元。", None, "500亿元", {"metric": "社会消费品零售总额"}),
    ("全市社会消费品零售总额达到500亿元。", None, "500亿元", {"metric": "社会消费品零售总额"}),
    # years listed before 分别 go in order to as many figures of one kind after it
    ("2022年和2023年，该市分别引进项目18个、26个。", None, "18个", {"year": 2022}),
    ("2022年和2023年，该市分别引进项目18个、26个。", None, "26个", {"year": 2023}),
    ("2021年至2023年，援助资金分别为3.5亿元、3.8亿元和4.2亿元。", None, "3.8亿元",
     {"year": 2022, "period_start": None}),
    ("2023年，两地分别签约项目10个和12个。", None, "12个", {"year": 2023}),
    ("2022年和2023年，分别引进项目18个、26个，投资3亿元、5亿元。", None, "3亿元", {"year": 2022}),
    # a start point (至今, 自…, 从…起, …年起，) starts a period, and is not the figure's year
    ("2019年至今，累计供应蔬菜12万吨。", None, "12万吨", {"year": None, "period_start": 2019}),
    ("双方自2010年开展对口支援，14年来共选派1120名干部。", None, "1120名",
     {"year": None, "period_start": 2010, "cumulative": True}),
    ("2016年起，共投入资金180亿元。", None, "180亿元", {"year": None, "period_start": 2016, "cumulative": True}),
    ("2023年起草文件3份。", None, "3份", {"year": 2023, "cumulative": False}),
    ("该村人均收入从2020年的3.2万元提高到2024年的5.1万元。", None, "3.2万元", {"year": 2020, "period_start": None}),
    ("从2016年起转为东西部协作，共投入资金180亿元。", None, "180亿元", {"year": None, "period_start": 2016}),
    # a year bound to the figure by 的 dates it even after 较
    ("人均收入较2021年的18万元增长10%。", None, "18万元", {"year": 2021}),
    # the event the article reports takes the paragraph's year, else the publication's
    ("本次招商大会共签约项目31个，总投资128亿元。", "2024-06-01", "31个", {"year": 2024}),
    ("长春九台招商引资走进天津 22个项目现场签约", "2016-05-20", "22个", {"year": 2016}),
    ("2023年12月23日，全省研考顺利举行。为保证此次研考顺利实施，全省共配备安检门213个。", "2025-01-05",
     "213个", {"year": 2023}),
    ("签约项目31个。", "2024-06-01", "31个", {"year": None}),
    # more verbs, adverbs and times around the thing counted
    ("2023年以来，双方累计互派党政干部326人次。", None, "326人次", {"object": "党政干部"}),
    ("目前，该产业园已吸引17家天津企业入驻。", None, "17家", {"object": "天津企业"}),
    ("在全省考核中，9个县获评优秀等次。", None, "9个", {"object": "县"}),
    ("全县有1.2万名劳动力常年在京津冀务工。", None, "1.2万名", {"object": "劳动力"}),
    ("参加培训的120名村干部来自全县45个行政村。", None, "120名", {"object": "村干部"}),
    ("计划年内输送劳动力500人。", None, "500人", {"object": "劳动力"}),
    ("2023年签约项目16个，2024年增至27个。", None, "27个", {"object": None}),
    ("全年门诊量21万人次。", None, "21万人次", {"object": "人", "metric": "门诊量"}),
    ("签约的8个项目中，有5个是新能源项目。", None, "8个", {"object": "项目"}),
    ("签约的8个项目中，有5个是新能源项目。", None, "5个", {"object": "新能源项目"}),
    ("目前，园区已建成5G基站1200余座。", None, "1200余座", {"cumulative": True}),
    ("建成3个半导体项目。", None, "3个", {"object": "半导体项目"}),
    # a year opening the clause after a reporting frame scopes the sentence past ；
    ("记者从开发区获悉，2023年园区实现工业总产值486.3亿元；新入驻企业57家。", "2024-03-19", "57家", {"year": 2023}),
    ("2023年签约项目16个；新入驻企业57家。", "2024-03-19", "57家", {"year": 2023}),
    ("会上，2023年签约项目16个；新入驻企业57家。", "2024-03-19", "57家", {"year": None}),
    # a number and 的 after the measure word size the thing counted, which follows the 的
    ("力争为当地每个县建设至少1个超万亩(头)的种植养殖基地。", None, "至少1个", {"object": "种植养殖基地"}),
    ("全县建成5个500千瓦的光伏电站。", None, "5个", {"object": "光伏电站"}),
    ("现在有10多家四川企业对我们的产品感兴趣。", None, "10多家", {"object": "四川企业"}),  # (四: no figure)
    ("新建2个100亩以上的标准化种植基地。", None, "2个", {"object": "标准化种植基地"}),
    ("共有12个部门的负责人参会。", None, "12个", {"object": "部门"}),  # (a noun before the 的)
    # people counted by 人: the words after it say what they do, unless they name people
    ("通过“公司+合作社”模式，带动上万人增收。", None, "上万人", {"object": "人"}),
    ("新建扶贫车间带动1.2万人就业。", None, "1.2万人", {"object": "人"}),
    ("吸纳800余人稳定就业，人均月收入3000元。", None, "800余人", {"object": "人"}),
    ("帮助贫困户3000人脱贫。", None, "3000人", {"object": "贫困户"}),
    ("累计培训5000人次农民工。", None, "5000人次", {"object": "农民工"}),
    # verbs, prepositions and distributives after the thing counted end it
    ("山东省青岛、烟台等地的156家企业带来了1.2万余个就业岗位。", None, "156家", {"object": "企业"}),
    ("来自毕节市的260余家企业携1800多款农特产品参展。", None, "260余家", {"object": "企业"}),
    ("当天共有3200余名求职者进场。", None, "3200余名", {"object": "求职者"}),
    ("将在重庆14个区县各设立1个劳务工作站。", None, "14个", {"object": "区县"}),
    ("第八批北京援藏医疗队57名队员于7月抵达拉萨。", None, "57名", {"object": "队员"}),
    ("天津市23家企业与甘肃省8个市州签订投资合作协议23个。", None, "8个", {"object": "市州"}),
    ("已进入上海200余家商超和社区门店。", None, "200余家", {"object": "商超"}),
    ("吸引了300多名各界人士参加。", None, "300多名", {"object": "各界人士"}),
    # verbs before the object read before the number
    ("截至2024年5月底，两省共建产业园区68个。", None, "68个", {"object": "产业园区"}),
    ("今年，上海安排项目182个。", None, "182个", {"object": "项目"}),
    ("新校区可容纳学生3000名。", None, "3000名", {"object": "学生"}),
    ("帮助医院培养业务骨干不少于60名。", None, "不少于60名", {"object": "业务骨干"}),
    # people who go somewhere to work: the object is who goes, not where
    ("帮助四川农村劳动力转移就业18.6万人。", None, "18.6万人", {"object": "四川农村劳动力"}),
    ("帮助重庆农村劳动力到山东就业4.3万人。", None, "4.3万人", {"object": "重庆农村劳动力"}),
    ("帮助陕西农村劳动力转移就业12.8万人，其中到江苏就业2.15万人。", None, "2.15万人", {"object": "人"}),
    ("去年帮助赤峰农村劳动力在京就业1.1万人。", None, "1.1万人", {"object": "赤峰农村劳动力"}),
    ("今年，两地计划实现凉山籍务工人员在甬稳定就业不少于1.5万人。", None, "不少于1.5万人",
     {"object": "凉山籍务工人员"}),
    ("初步达成就业意向1860人。", None, "1860人", {"object": "人"}),  # (向 inside 意向)
    ("计划年内向甘肃输送劳动力5000人。", None, "5000人", {"object": "劳动力"}),
    # 全年 alone: the year the article named last before it, never the publication's
    ("2023年江苏—陕西东西部协作主要数据发布\n2023年，苏陕协作取得新成效，现将全年主要数据发布如下。\n"
     "产业合作：全年引导江苏企业到陕投资落地项目213个，实际投资额186.4亿元。", "2024-01-20",
     "213个", {"year": 2023, "year_source": "context"}),
    ("全年接待游客1.2亿人次。", "2024-01-15", "1.2亿人次", {"year": None}),
    ("计划全年完成消费扶贫总额12亿元以上。", "2020-05-01", "12亿元以上", {"year": None}),
    ("2022年该县摘帽。去年全年引进企业35家。", "2024-03-01", "35家", {"year": 2023}),
    # spaces around the number (pages that space out their digits)
    ("实施协作项目 215 个。", None, "215 个", {"object": "协作项目"}),
    ("签约项目 32 个，总投资 150 亿元。", None, "32 个", {"object": "项目", "metric": "签约项目数"}),
    # per-head words end the object; a list closed by 等 before the object read before the number
    ("带动3800多户农户户均增收1.3万元以上。", None, "3800多户", {"object": "农户"}),
    ("全县1200名职工人均增收3000元。", None, "1200名", {"object": "职工"}),
    ("为拉萨市人民医院购置CT、核磁共振等大型医疗设备26台(套)。", None, "26台", {"object": "大型医疗设备"}),
    ("组织座谈会、恳谈会等活动近百场次。", None, "近百场次", {"object": "活动"}),
    ("天津、北京等10家三级甲等医疗机构参与。", None, "10家", {"object": "三级甲等医疗机构"}),
]


@pytest.mark.parametrize("text,date,figure,expected", GENERAL, ids=[f"{c[2]}@{c[0][:12]}" for c in GENERAL])
def test_general_sentences(text, date, figure, expected):
    a = _attrs(text, date, figure)
    assert {k: getattr(a, k) for k in expected} == expected
