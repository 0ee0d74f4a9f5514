"""What the benchmarks measure: a snapshot of the code (snapshot_code), a copy of the bundled working
folder (copy_workdir) and the scaled-up workload, written into such a copy (never into data/).

From the bundled example's own texts, cycled:
- data/scaled/key-tasks.yaml: N tasks (default 1000), ids SC-0001…, leaders cycled from
  leaders.yaml, lead unit and 0–2 co-units taken from the first U units (default 60) of units.yaml;
- data/scaled/tasks.xlsx: an N-row 重点任务清单 (rows of data/tasks.xlsx repeated, groups merged
  as in the original, numbered 1…N);
- data/scaled/progress/2024-06.yaml: one period of progress for every task (texts from the real
  2024-06 period);
- config.yaml with three documents: scaled-list (a notice with the task list as a landscape
  attachment), scaled-zeren (a breakdown: `--per-unit` gives one extract per unit) and
  scaled-tongbao (通报 with statistics, chart and the full progress table).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import yaml

REPO = Path(__file__).resolve().parents[1]

STATUSES = ["已完成", "序时推进", "序时推进", "滞后", "已完成", "未启动"]


def _dump(path: Path, data, comment: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"# {comment}\n{text}", encoding="utf-8")


def write_scaled(workdir: Path, n_units: int = 60, n_tasks: int = 1000) -> dict:
    """Write the scaled data and config into workdir (a copy of the example); returns a summary."""
    data = workdir / "data"
    units = [u["名称"] for u in yaml.safe_load((data / "units.yaml").read_text("utf-8"))
             if u.get("类型") != "集合"][:n_units]
    leaders = [l["姓名"] for l in yaml.safe_load((data / "zhengfu-2024/leaders.yaml").read_text("utf-8"))
               if l.get("姓名")]
    texts = [t["任务内容"] for t in
             yaml.safe_load((data / "zhengfu-2024/key-tasks.yaml").read_text("utf-8"))]
    reports = [e["完成情况"] for e in
               yaml.safe_load((data / "zhengfu-2024/progress/2024-06.yaml").read_text("utf-8"))["条目"]]

    tasks = []
    for i in range(n_tasks):
        lead = units[i % len(units)]
        co = [units[(i * 7 + k * 13 + 1) % len(units)] for k in range(i % 3)]
        co = [u for u in dict.fromkeys(co) if u != lead]
        tasks.append({"编号": f"SC-{i + 1:04d}", "牵头领导": leaders[(i * len(leaders)) // n_tasks],
                      "任务内容": texts[i % len(texts)], "责任单位": "、".join([lead] + co)})
    _dump(data / "scaled/key-tasks.yaml", tasks, f"基准测试数据：{n_tasks} 项任务、{len(units)} 个单位（由示例文字循环生成）")
    progress = {"期间": "2024-06", "标题": "基准测试：重点工作半年度完成情况", "条目": [
        {"编号": t["编号"], "牵头单位": t["责任单位"].split("、")[0], "状态": STATUSES[i % len(STATUSES)],
         "完成情况": reports[i % len(reports)]} for i, t in enumerate(tasks)]}
    _dump(data / "scaled/progress/2024-06.yaml", progress, "基准测试数据：一期进展")
    _task_list(data / "tasks.xlsx", data / "scaled/tasks.xlsx", n_tasks)

    config = yaml.safe_load((workdir / "config.yaml").read_text("utf-8"))
    config["documents"] = {
        "scaled-list": {"kind": "notice", "notice": "data/notice.yaml", "attachments": [
            {"title": f"重点任务清单（{n_tasks} 项，基准测试）", "kind": "task_list",
             "file": "data/scaled/tasks.xlsx", "sheet": "重点任务清单", "landscape": True}]},
        "scaled-zeren": {"kind": "notice", "notice": "data/zhengfu-2024/notice.yaml", "enclosures": [
            {"kind": "leader_tasks", "title": "重点工作责任分解（基准测试）", "file": "data/scaled/key-tasks.yaml",
             "leaders": "data/zhengfu-2024/leaders.yaml"}]},
        "scaled-tongbao": {"kind": "bulletin", "tasks": "data/scaled/key-tasks.yaml",
                           "leaders": "data/zhengfu-2024/leaders.yaml", "progress": "data/scaled/progress",
                           "title": "{year}年重点工作{label}进展情况通报（基准测试）", "summary": True},
    }
    (workdir / "config.yaml").write_text(
        "# 基准测试工作目录（bench/run.py 生成）\n" + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    return {"units": len(units), "tasks": n_tasks}


def _task_list(source: Path, target: Path, n_rows: int) -> None:
    """The example's task list repeated to n_rows rows; each run of equal 分组 / 重点任务 merged."""
    ws = openpyxl.load_workbook(source)["重点任务清单"]
    header = [c.value for c in ws[1]]
    rows, last = [], [None, None]
    for values in ws.iter_rows(min_row=2, values_only=True):
        values = list(values)
        for k in (0, 1):   # merged cells: only the top-left one holds the value
            last[k] = values[k] if values[k] not in (None, "") else last[k]
            values[k] = last[k]
        rows.append(values)
    book = openpyxl.Workbook()
    out = book.active
    out.title = "重点任务清单"
    out.append(header)
    for i in range(n_rows):
        values = list(rows[i % len(rows)])
        round_ = i // len(rows) + 1
        values[0], values[1] = f"{values[0]}（第{round_}轮）", f"{values[1]}（第{round_}轮）"
        values[2] = i + 1
        out.append(values)
    for col in (1, 2):   # merge runs of equal values, as people do in the real sheet
        start = 2
        for r in range(3, n_rows + 3):
            if r == n_rows + 2 or out.cell(r, col).value != out.cell(start, col).value:
                if r - 1 > start:
                    for rr in range(start + 1, r):
                        out.cell(rr, col).value = None
                    out.merge_cells(start_row=start, start_column=col, end_row=r - 1, end_column=col)
                start = r
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)


# ------------------------------------------------------------------ the code and the folder measured

def snapshot_code(source: Path, target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(source / "gongfu_reports", target / "gongfu_reports", ignore=ignore)
    shutil.copytree(source / "templates", target / "templates", ignore=ignore)
    # Compiled once, as after a user's first run (the snapshot is measured, not the repository).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "gongfu_reports")], check=True)
    return target


def copy_workdir(target: Path, code: Path) -> Path:
    """The example working folder: config and data from this repo, templates from the measured code."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", target / "config.yaml")
    shutil.copytree(REPO / "data", target / "data", ignore=shutil.ignore_patterns("_src"))
    shutil.copytree(code / "templates", target / "templates")
    return target
