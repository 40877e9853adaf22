"""互动回应: the channels shown on every page and the published 答复 records
(zfxxgk/interaction.yaml). The audit counts working days with the holiday calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govsite.column.model import FOLDER, Channel, Interaction, Reply
from govsite.load import ID_RE
from govsite.model import Catalog
from govsite.problems import Problem
from govsite.schema import Field, read_mapping, text

INTERACTION = f"{FOLDER}/interaction.yaml"
FIELDS = (Field("channels", list, required=True, alias="渠道"), Field("replies", list, alias="答复"))
CHANNEL_FIELDS = (Field("name", required=True, alias="名称"), Field("url", alias="网址"),
                  Field("phone", alias="电话"), Field("note", alias="说明"))
REPLY_FIELDS = (
    Field("id", required=True, alias="编号"), Field("title", required=True, alias="标题"),
    Field("question", required=True, alias="留言内容"), Field("channel", required=True, alias="渠道"),
    Field("received", dt.date, required=True, alias="留言日期"),
    Field("unit", required=True, alias="答复单位"), Field("answered", dt.date, alias="答复日期"),
    Field("answer", alias="答复内容"),
)


def load_interaction(data: Any, catalog: Catalog) -> tuple[Interaction, list[Problem]]:
    values, _, problems = read_mapping(data, FIELDS, INTERACTION, "互动回应：")
    channels: list[Channel] = []
    for entry in values.get("channels", []):
        found_values, lines, found = read_mapping(entry, CHANNEL_FIELDS, INTERACTION, "渠道：")
        problems += found
        if "name" not in found_values:
            continue
        url, phone = text(found_values.get("url")) or None, text(found_values.get("phone")) or None
        if not url and not phone:
            problems.append(Problem(INTERACTION, entry.line, "E904",
                                    f"渠道“{text(found_values['name'])}”须写明 url（网址）或 phone（电话）"))
            continue
        if url and not url.startswith(("https://", "http://", "mailto:")):
            problems.append(Problem(INTERACTION, lines["url"], "E904",
                                    f"渠道网址“{url}”须以 https://、http:// 或 mailto: 开头"))
            continue
        channels.append(Channel(text(found_values["name"]), url, phone, text(found_values.get("note"))))
    replies: list[Reply] = []
    seen: dict[str, int] = {}
    for entry in values.get("replies", []):
        reply, found = _reply(entry, catalog, seen)
        problems += found
        if reply:
            replies.append(reply)
    replies.sort(key=lambda r: (-r.received.toordinal(), r.id))
    return Interaction(tuple(channels), tuple(replies), INTERACTION), problems


def _reply(entry: Any, catalog: Catalog, seen: dict[str, int]) -> tuple[Reply | None, list[Problem]]:
    values, lines, problems = read_mapping(entry, REPLY_FIELDS, INTERACTION, "答复：")
    if not {"id", "title", "question", "channel", "received", "unit"} <= values.keys():
        return None, problems
    ident, unit = text(values["id"]), text(values["unit"])
    if not ID_RE.match(ident):
        problems.append(Problem(INTERACTION, lines["id"], "E103",
                                f"编号“{ident}”须为小写字母、数字、-、_（用于网址），如 2026-001"))
    elif ident in seen:
        problems.append(Problem(INTERACTION, lines["id"], "E102", f"编号“{ident}”重复（第 {seen[ident]} 行已使用）"))
    else:
        seen[ident] = lines["id"]
    if unit not in catalog.units:
        problems.append(Problem(INTERACTION, lines["unit"], "E101", f"答复单位“{unit}”不是 units 中定义的单位 id"))
    answered, answer = values.get("answered"), text(values.get("answer"))
    if bool(answered) != bool(answer):
        problems.append(Problem(INTERACTION, entry.line, "E905",
                                "answered（答复日期）和 answer（答复内容）须同时填写；尚未答复的两者都不填"))
    elif answered and answered < values["received"]:
        problems.append(Problem(INTERACTION, lines["answered"], "E905",
                                f"答复日期 {answered} 早于留言日期 {values['received']}"))
    if problems:
        return None, problems
    reply = Reply(id=ident, title=text(values["title"]), question=text(values["question"]),
                  channel=text(values["channel"]), received=values["received"], unit=unit,
                  answered=answered, answer=answer, line=entry.line, lines=lines)
    return reply, problems
