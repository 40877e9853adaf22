"""政府信息公开指南 (条例 第十二条): zfxxgk/guide.yaml, every part defaulting to the law's text.

The office's address, hours and telephone have no default: the 指南 must state them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govsite.column.model import FOLDER, Guide
from govsite.model import Catalog
from govsite.problems import Problem
from govsite.schema import Field, read_mapping, text
from govsite.yamlio import empty_mapping

GUIDE = f"{FOLDER}/guide.yaml"

OFFICE_FIELDS = (
    Field("name", alias="名称"), Field("address", required=True, alias="地址"),
    Field("hours", required=True, alias="办公时间"), Field("phone", required=True, alias="电话"),
    Field("fax", alias="传真"), Field("postcode", alias="邮编"), Field("website", alias="网址"),
    Field("email", alias="电子邮箱"),
)
OFFICE_LABELS = {"name": "名称", "address": "地址", "hours": "办公时间", "phone": "电话",
                 "fax": "传真", "postcode": "邮编", "website": "网址", "email": "电子邮箱"}
GUIDE_FIELDS = (
    Field("office", dict, required=True, alias="工作机构"),
    Field("organisation", alias="信息分类与编排"),
    Field("channels", list, alias="申请渠道"),
    Field("contents", list, alias="申请内容"),
    Field("time_limit", alias="答复期限"),
    Field("fees", alias="信息处理费"),
    Field("remedies", alias="监督和救济"),
    Field("updated", dt.date, alias="更新日期"),
    Field("rules_item", alias="制度事项"),
)

DEFAULT_CHANNELS = (
    "当面提交：申请人到本机关政府信息公开工作机构填写《政府信息公开申请表》",
    "信函提交：申请人填写《政府信息公开申请表》后邮寄至本机关，请在信封左下角注明“政府信息公开申请”字样",
    "传真提交：申请人填写《政府信息公开申请表》后传真至本机关，并电话确认",
)
DEFAULT_CONTENTS = (  # 条例 第二十九条
    "申请人的姓名或者名称、身份证明、联系方式",
    "申请公开的政府信息的名称、文号或者便于行政机关查询的其他特征性描述",
    "申请公开的政府信息的形式要求，包括获取信息的方式、途径",
)
DEFAULT_TIME_LIMIT = (  # 条例 第三十三条
    "能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；"
    "需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长的期限最长不得超过20个工作日。"
    "征求第三方和其他机关意见所需时间不计算在前款规定的期限内。"
)
DEFAULT_FEES = (  # 国办函〔2020〕109号
    "行政机关依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过合理范围的，"
    "按照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费，"
    "按件计收或者按量计收，二者择一，不得重复收取。"
)
DEFAULT_REMEDIES = (  # 条例 第五十一条
    "公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关"
    "或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"
)
# 国办函〔2020〕109号: (range, rate), by count (a requester, a calendar month) and by volume
FEES_BY_COUNT = (("10件以下（含10件）", "不收费"), ("11—30件（含30件）", "100元/件"),
                 ("31件以上", "以10件为一档，每增加一档，收费标准提高100元/件"))
FEES_BY_VOLUME = (("30页以下（含30页）", "不收费"), ("31—100页（含100页）", "10元/页"),
                  ("101—200页（含200页）", "20元/页"), ("200页以上", "40元/页"))


def load_guide(root: Path, catalog: Catalog, data: Any) -> tuple[Guide, list[Problem]]:
    values, lines, problems = read_mapping(data, GUIDE_FIELDS, GUIDE, "指南：")
    office_data = values.get("office", empty_mapping(getattr(data, "line", 1)))
    office, office_lines, found = read_mapping(office_data, OFFICE_FIELDS, GUIDE, "工作机构：",
                                               line=getattr(office_data, "line", 1))
    problems += found
    site = catalog.site
    defaults = {"name": site.org, "website": site.base_url or ""}
    shown = tuple((OFFICE_LABELS[f.name], text(office.get(f.name)) or defaults.get(f.name, ""))
                  for f in OFFICE_FIELDS)
    rules_item = text(values.get("rules_item")) or None
    if rules_item and rules_item not in catalog.item_by_id:
        problems.append(Problem(GUIDE, lines["rules_item"], "E901",
                                f"制度事项“{rules_item}”不是标准目录中的事项 id"))
    guide = Guide(
        office=tuple((label, value) for label, value in shown if value),
        organisation=text(values.get("organisation")) or default_organisation(catalog),
        channels=_texts(values.get("channels")) or DEFAULT_CHANNELS,
        contents=_texts(values.get("contents")) or DEFAULT_CONTENTS,
        time_limit=text(values.get("time_limit")) or DEFAULT_TIME_LIMIT,
        fees=text(values.get("fees")) or DEFAULT_FEES,
        remedies=text(values.get("remedies")) or DEFAULT_REMEDIES,
        updated=values.get("updated"), rules_item=rules_item, path=GUIDE,
        lines={**lines, **{f"office.{k}": v for k, v in office_lines.items()}},
    )
    return guide, problems


def default_organisation(catalog: Catalog) -> str:
    prefix = catalog.site.index_prefix or catalog.site.site_code or "机构代码"
    return (f"本机关主动公开的政府信息按基层政务公开标准目录分为{len(catalog.domains)}个领域、"
            f"{len(catalog.items)}个公开事项，每个事项列明公开内容、依据、时限、主体、渠道和载体。"
            f"每条信息有唯一的索引号，格式为“{prefix}/年份-序号”，如 {prefix}/2026-00001。"
            "信息可在本网站按领域和事项浏览，或通过站内搜索按标题、文号、关键词检索。")


def _texts(values: Any) -> tuple[str, ...]:
    return tuple(text(v) for v in values or () if text(v))
