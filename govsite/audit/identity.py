"""Site identity: the registrations every government site shows in its footer."""

from __future__ import annotations

import re

from govsite.audit.context import Audit
from govsite.problems import Problem

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SITE_CODE = re.compile(r"^(\d{10}|bm\d{8})$")
ICP = re.compile(rf"^[{PROVINCES}]ICP备\d{{8,10}}号(-\d+)?$")
POLICE = re.compile(rf"^[{PROVINCES}]公网安备\s?\d{{14}}号$")
INDEX_PREFIX = re.compile(r"^[0-9A-Z]{8,18}$")

IDENTITY = (
    ("site_code", "网站标识码", SITE_CODE, "10 位数字或 bm 加 8 位数字，如 2109220045"),
    ("icp", "ICP 备案号", ICP, "如 辽ICP备2020012834号"),
    ("police_record", "公安机关备案号", POLICE, "如 辽公网安备 21092202000010号"),
)


def check_identity(audit: Audit) -> list[Problem]:
    site = audit.catalog.site
    problems = []
    for key, label, pattern, example in IDENTITY:
        value = getattr(site, key).strip()
        if not pattern.match(value):
            state = f"“{value}”格式错误" if value else "未填写，页脚不显示"
            message = f"{label}（site.{key}）{state}：应为{example}，请按备案信息填写"
            problems.append(audit.site_problem(key, "W901", message))
    prefix = site.index_prefix.strip()
    if not prefix:
        used = f"网站标识码 {site.site_code.strip()}" if site.site_code.strip() else "000000000"
        message = (f"索引号前缀（site.index_prefix）未填写：索引号将以 {used} 开头。"
                   "请填写本机关的组织机构代码或统一社会信用代码")
        problems.append(audit.site_problem("index_prefix", "W902", message))
    elif not INDEX_PREFIX.match(prefix):
        message = (
            f"索引号前缀（site.index_prefix）“{prefix}”不规范：应为 8–18 位数字或大写字母，"
            "即组织机构代码或统一社会信用代码"
        )
        problems.append(audit.site_problem("index_prefix", "W902", message))
    return problems
