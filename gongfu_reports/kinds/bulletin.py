"""完成情况 / 通报 (kind: bulletin): the progress of a breakdown's tasks in one reporting period, one
output per period (build/<id>-<period>); with `summary: true` the 通报 parts (counts, lagging tasks, a
chart, changes since the period before, indicator monitoring). `gongfu forms` and `gongfu collect` feed
its progress folder."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..compose.blocks import DocumentView, Paragraph, Run, Section
from ..compose.bulletin import bulletin_title, progress_table, summary_blocks
from ..compose.monitor import monitor_blocks
from ..config import Config, DocumentSettings, IndicatorSource, find_font_file
from ..errors import GongfuError, GongfuWarning, Place, display_path
from ..model.numbering import level_number
from ..sources.breakdown import load_tracked_tasks
from ..sources.loaders import load_indicators
from ..sources.progress import load_indicator_values, load_period, period_files
from .base import Composed, Context, Kind, Output


class BulletinSettings(DocumentSettings):
    """完成情况 / 通报: the progress of a breakdown's tasks in one period."""

    kind: Literal["bulletin"]
    tasks: str                     # the tasks: a table (编号, 牵头领导, 任务内容, 责任单位) or a Markdown plan
                                   # whose items carry {#编号 单位、…}
    sheet: str | None = None
    leaders: str | None = None     # leaders list (tasks are grouped by leader); optional for a plan
    progress: str                  # folder of <period>.yaml files (written by `gongfu collect`)
    title: str = "{year}年市政府工作报告重点工作{label}完成情况"   # {year} {month} {label}
    summary: bool = False          # 通报: counts, 滞后 tasks, chart, changes since last period
    indicators: IndicatorSource | None = None   # indicator targets for monitoring
    indicator_values: str | None = None         # folder of <period>.yaml actual values


class Bulletin(Kind):
    name = "bulletin"
    label = "完成情况"
    settings = BulletinSettings
    order = 3

    def periods(self, config: Config, doc_id: str) -> list[str]:
        """The periods that have progress data, in order."""
        return list(period_files(config.path(config.documents[doc_id].progress)))

    def outputs(self, config: Config, doc_id: str, period: str | None = None, required: bool = True) -> list[Output]:
        """One output per period: build/<id>-<period> (every period with data when none is asked for)."""
        periods = [period] if period else self.periods(config, doc_id)
        if not periods and required:
            raise GongfuError("还没有任何一期进展数据", config.place("documents", doc_id, "progress"),
                              hint="先用 gongfu forms 生成填报表，再用 gongfu collect 收集")
        return [Output(doc_id, f"{doc_id}-{p}", p) for p in periods]

    def inputs(self, config: Config, output: Output) -> list[Path]:
        """A period reads its progress, the period before it (changes since then) and its indicator
        values: a new period leaves the earlier outputs alone."""
        doc = config.documents[output.doc_id]
        files = [config.path(doc.tasks)]
        files += [config.path(doc.leaders)] if doc.leaders else []
        files += [config.path(doc.indicators.file)] if doc.indicators else []
        folder = config.path(doc.progress)
        earlier = [path for p, path in period_files(folder).items() if p < output.period]
        files += [folder / f"{output.period}.yaml"] + earlier[-1:]
        return files + ([config.path(doc.indicator_values) / f"{output.period}.yaml"] if doc.indicator_values else [])

    def compose(self, config: Config, output: Output) -> Composed:
        doc_id, period = output.doc_id, output.period
        doc = config.documents[doc_id]
        ctx = Context(config)
        tasks, leaders = load_tracked_tasks(config, doc, ctx.units)
        by_id = {t.id: t for t in tasks}
        files = period_files(config.path(doc.progress))
        if period not in files:
            raise GongfuError(f"没有 {period} 期的进展数据", Place(display_path(config.path(doc.progress))),
                              hint=f"已有期间：{'、'.join(files) or '（无）'}；用 gongfu collect 收集各单位报送的表格")
        current = load_period(files[period], by_id)
        earlier = [p for p in files if p < period]
        previous = load_period(files[earlier[-1]], by_id) if earlier else None
        # A title set in config.yaml wins; else the period's own (as published); else the default.
        title = bulletin_title(doc.title, period) if "title" in doc.model_fields_set or not current.title \
            else current.title
        blocks: list = [Paragraph("title", [Run(title)]), Paragraph("plain", [Run("")])]
        if current.sample:
            blocks.append(Paragraph("note", [Run("（示例数据，仅用于演示进展变化）")]))
        if doc.summary:
            blocks += summary_blocks(tasks, leaders, ctx.units, current, previous, find_font_file(config.fonts.hei.pdf))
            section = 4
            if doc.indicators:
                blocks += self._monitor(config, doc, ctx, period, section)
                section += 1
            blocks.append(Paragraph("h1", [Run(f"{level_number(1, section)}分项完成情况")]))
        blocks.append(progress_table(tasks, leaders, current))
        missing = [t.id for t in tasks if t.id not in current.by_task()]
        if missing:
            ctx.warnings.append(GongfuWarning(f"{period} 期有 {len(missing)} 项任务未报送：{'、'.join(missing)}",
                                              Place(display_path(files[period])), category="progress"))
        view = DocumentView(id=output.stem, title=title, date=f"{period}-01", frame=None,
                            sections=[Section(False, blocks)])
        return Composed(view, ctx.warnings)

    @staticmethod
    def _monitor(config: Config, doc: BulletinSettings, ctx: Context, period: str, number: int) -> list:
        src = doc.indicators
        indicators = load_indicators(config.path(src.file), ctx.units, src.sheet, src.columns)
        values = {}
        if doc.indicator_values:
            path = config.path(doc.indicator_values) / f"{period}.yaml"
            if path.exists():
                values = load_indicator_values(path, indicators)
        return monitor_blocks(number, indicators, values)


KIND = Bulletin()
