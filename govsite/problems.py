"""Problems found in a site's input: every stage reports them here, none prints.

Each problem has a stable code. The README lists every code in CODES; a test keeps the two in
step. Codes starting with E are errors (the site would be wrong), W are warnings (inspectors
count them, the site is still correct).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
MAX_VALUE = 200  # characters of one quoted value (“…”) a message may echo
MAX_MESSAGE = 500  # characters of a whole message
_LONG_VALUE_RE = re.compile(f"“([^”]{{{MAX_VALUE}}})[^”]+”")

CODES: dict[str, str] = {
    "E000": "文件有错误，未发布（--keep-going 时）",
    # reading files
    "E001": "文件不是 UTF-8 编码",
    "E002": "YAML 语法错误",
    "E003": "YAML 键重复",
    "E004": "未知的键（可能拼写错误）",
    "E005": "值的类型错误",
    "E006": "缺少必填项",
    "E007": "取值不在允许范围内",
    "E008": "日期格式错误",
    "E009": "文件缺少 YAML 头部（front matter）",
    "E010": "文件在构建过程中被修改（请重新构建）",
    # hostile input: bounded before it can exhaust time or memory
    "E020": "YAML 锚点（&）或别名（*）不允许使用",
    "E021": "正文嵌套过深（列表或引用）",
    "E022": "正文转换超时",
    "E023": "正文中未配对的方括号“[”过多",
    # catalogue
    "E101": "引用了未定义的单位",
    "E102": "领域或事项 id 重复",
    "E103": "id 或 slug 不是合法的 ASCII 标识",
    "E104": "事项 path 不在 content/ 内",
    "E105": "主题（theme）不存在",
    "E106": "主题模板有错误（语法、未知的过滤器、未定义的变量）",
    "E107": "领域 id 与网站自身的栏目或文件同名（search、catalog、static 等保留名）",
    "E108": "含有控制字符或 Unicode 非字符（会损坏页面和订阅源）",
    "E109": "主题（theme）不是 themes/ 下的文件夹名（不能含路径）",
    "E110": "base_url 不是 http:// 或 https:// 网址",
    "E120": "search_synonyms 的一项不是至少两个词语的列表",
    # publication record
    "E201": "审核日期晚于发布日期",
    "E202": "非主动公开文件缺少不予公开依据",
    "E203": "不予公开依据未引用条例第十四、十五、十六条",
    "E204": "文号格式错误",
    "E205": "索引号格式错误",
    "E206": "解读对象不存在或不是政策文件",
    "E207": "文件所在目录不属于任何事项",
    "E208": "发布日期早于成文日期",
    "E209": "正文仍是 govsite new 写入的占位文字",
    # links, attachments, paths, HTML
    "E301": "链接指向不存在的文件",
    "E302": "链接、图片或附件指向 content/ 之外",
    "E303": "附件文件不存在",
    "E304": "图片缺少替代文本（alt）",
    "E305": "链接指向不存在的锚点",
    "E306": "本站绝对链接，更换域名后会失效",
    "E307": "外部链接格式错误",
    "E308": "链接或附件指向未公开的文件或其附件",
    "E309": "附件或链接的文件类型不允许发布（.md、HTML、SVG、脚本等）",
    "E310": "附件或链接的文件是隐藏文件或位于隐藏目录",
    "E311": "附件或链接的文件在网站上重名（或与页面 index.html 同名）",
    "E312": "文档经符号链接指向 content/ 之外或隐藏目录",
    "E313": "链接或附件指向尚未到发布日期的文件",
    # duplicates
    "E401": "两个文件生成同一网址",
    "E402": "文号重复",
    "E403": "索引号重复",
    # editor workflow: import-catalog, new, init
    "E601": "导入的表格缺少必需的列",
    "E602": "导入的表格中有无法读取的行",
    "E603": "导入的文件无法打开或格式不支持",
    "E604": "导入的表格未指明领域（无“领域”列，也未指定 --domain）",
    "E611": "标准目录中没有该事项",
    "E612": "目标文件已存在，不会覆盖",
    "E613": "目标目录已存在且不为空",
    # 政府信息公开 column (zfxxgk/)
    "E901": "指南引用的制度事项不存在",
    "E902": "年度报告表格的合计不符",
    "E903": "同一单位同一年度有两份年度报告",
    "E904": "互动渠道没有网址或电话，或网址格式错误",
    "E905": "日期先后矛盾，或答复日期与答复内容不全",
    "E906": "重大行政决策引用的文件不存在",
    "E908": "党政机关网站标识图片不是站点内（content/ 之外）的图片文件",
    # the catalogue's structure: 乡镇/村, 重大建设项目, 政策文件库, 解读
    "E850": "项目代码格式错误或重复",
    "E851": "文件所属的重大建设项目未定义",
    "E852": "全链条信息类别不明（事项无 stage，或 notes 中的类别无效）",
    "E853": "乡镇/村的上级（parent）不正确",
    "E854": "引用了未定义的乡镇/村（org）",
    "E855": "替代文件（replaced_by）不存在或不是政策文件",
    "E857": "字幕文件不存在或不是 .vtt",
    # import-docs
    "E614": "无法导入的文件（不存在、格式不支持或已损坏）",
    "E615": ".doc/.wps 文件无法转换（需要 LibreOffice）",
    # warnings
    "W010": "正文中的控制字符已删除",
    "W011": "Markdown 文件的扩展名不是小写 .md，未作为文档读取",
    "W201": "文号写法不规范（应使用六角括号〔〕、不加“第”、不补零）",
    "W202": "原始 HTML 中的不安全内容已被清除",
    "W301": "正文重复标题",
    "W302": "正文重复文号",
    "W303": "正文含落款（发文机关署名和成文日期）",
    "W304": "正文含版记（抄送、印发）",
    "W305": "正文列出附件但 attachments 未登记",
    "W306": "标题层级跳级",
    "W307": "正文为空",
    "W401": "同一事项内标题重复",
    "W501": "空白栏目：主动公开事项没有已发布文件",
    "W502": "事项 path 目录不存在",
    "W601": "超过公开时限发布",
    "W602": "公开时限无法解析",
    "W603": "日历未覆盖该年份，按周一至周五计算工作日",
    "W701": "栏目更新不及时",
    "W702": "首页超过两周未更新",
    "W801": "政策文件没有政策解读",
    "W802": "政策解读早于政策文件发布",
    "W803": "政策解读晚于政策文件 3 个工作日以上",
    "W901": "网站标识码、ICP 备案号或公安备案号未填写或格式错误",
    "W902": "索引号前缀未填写或格式不规范",
    "W703": "更新周期（update）无法解析",
    "W903": "年度报告的数字与本站发布的不一致",
    "W904": "年度报告未按期发布（部门1月31日、政府3月31日前）",
    "W905": "意见征集期少于30日且未说明理由",
    "W906": "重大行政决策已作出，未公开意见采纳情况",
    "W907": "单位本年没有利益相关方列席决策会议的记录",
    "W908": "留言答复超过10个工作日",
    "W909": "留言超过3个月未答复（互动回应差，单项否决）",
    "W910": "未配置党政机关网站标识",
    "W911": "未配置“我为政府网站找错”入口",
    "W912": "政府信息公开制度栏目为空",
    "W913": "年度报告的上年结转与上一年度报告的结转下年不一致",
    "W914": "党政机关网站标识图片不存在",
    "W850": "重大建设项目缺少前序环节的信息，而后续环节已公开",
    "W851": "新发布的文件链接已失效或废止的政策，未加说明",
    "W852": "音视频附件没有字幕（captions），不在页面中播放",
    "W610": "导入的文号写法已规范为〔〕",
    "W611": "附件说明列出的附件文件未找到",
    "W612": "导入的公文未识别出标题",
    "W613": "PDF 没有文字层（扫描件）",
    "W620": "导入的表格缺少可选列，按默认值导入",
}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    code: str
    message: str
    item: str | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", shorten(self.message))

    @property
    def severity(self) -> str:
        return ERROR if self.code.startswith("E") else WARNING

    def __str__(self) -> str:
        return f"{self.path}:{self.line or '-'}: {self.code} {self.message}"

    def row(self) -> list[object]:
        """As the JSON caches keep it (from_row reads it back)."""
        return [self.path, self.line, self.code, self.message, self.item, self.unit]

    @classmethod
    def from_row(cls, row: list[Any]) -> Problem:
        path, line, code, message, item, unit = row
        if not all(isinstance(v, str) for v in (path, code, message)) or \
                not isinstance(line, int | None) or not isinstance(item, str | None) \
                or not isinstance(unit, str | None):
            raise TypeError("problem")
        return cls(path, line, code, message, item, unit)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "item": self.item,
            "unit": self.unit,
        }


def shorten(message: str) -> str:
    """Cut every quoted value to MAX_VALUE characters, then the message to MAX_MESSAGE, with …:
    a hostile or mistaken value (a 100 KB title, a megabyte of brackets) is not printed whole."""
    message = _LONG_VALUE_RE.sub(r"“\1…”", message)
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "…"


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.code, p.message))


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == ERROR for p in problems)


def count_errors(problems: list[Problem]) -> int:
    return sum(p.severity == ERROR for p in problems)


class GovsiteError(Exception):
    """Input problems that stop a build. The CLI prints them; nothing else does."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sort_problems(problems)

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:  # raised in a worker process too
        return GovsiteError, (self.problems,)


def codes_table() -> str:
    """The Markdown table of every code, as the README shows it: one row per hundred."""
    groups: dict[str, list[str]] = {}
    for code, meaning in sorted(CODES.items()):
        groups.setdefault(f"{code[:2]}xx", []).append(f"`{code}` {meaning}")
    rows = ["| codes | meaning |", "|---|---|"]
    rows += [f"| {group} | {'；'.join(entries)} |" for group, entries in groups.items()]
    return "\n".join(rows)
