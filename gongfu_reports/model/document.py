"""Document metadata (the parts of a 公文 around its body)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IssueNumber:
    """发文字号: 机关代字 + 〔年份〕 + 序号 + 号, without leading zeros or 第."""

    prefix: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.number}号"


def copy_line(copy_to: str) -> str:
    """The 版记's 抄送 line as printed: “抄送：市委办公室，市人大常委会办公室。”; "" without one."""
    return f"抄送：{copy_to}。" if copy_to else ""


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass
class Attachment:
    title: str
    kind: str
    body: object  # the model object the attachment shows (a list of tasks, units …)
    landscape: bool = False


@dataclass
class DocumentMeta:
    issuer_mark: str                   # 发文机关标志, e.g. "…办公室文件"
    number: IssueNumber | None
    title: str
    recipients: str                    # 主送机关
    body: list[str]                    # paragraphs of the covering text
    signer: str                        # 署名
    date: dt.date                      # 成文日期
    seal_note: str = ""                # 代章 unit: "（…代章）"
    sealed: bool = False               # 加盖印章: the 署名 and date laid out for the seal (GB/T 9704 7.3.5.1)
    note: str = ""                     # 附注, printed in parentheses
    copy_to: str = ""                  # 抄送
    printer: str = ""                  # 印发机关
    print_date: dt.date | None = None  # 印发日期
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return chinese_date(self.date)
