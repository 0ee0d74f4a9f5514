"""Domain types: units, indicators, tasks, plans and document metadata."""

from .breakdown import (Allocation, AllocationRow, Breakdown, KeyTask, Leader, LivelihoodArea,
                        LivelihoodItem)
from .document import Attachment, DocumentMeta, IssueNumber
from .plan import Indicator, Measure, PlanItem, PlanPart, PlanSection, TaskRow, WorkPlan
from .units import Unit, UnitRegistry

__all__ = [
    "Allocation", "AllocationRow", "Breakdown", "KeyTask", "Leader", "LivelihoodArea", "LivelihoodItem",
    "Attachment", "DocumentMeta", "IssueNumber", "Indicator", "Measure", "PlanItem", "PlanPart",
    "PlanSection", "TaskRow", "WorkPlan", "Unit", "UnitRegistry",
]
