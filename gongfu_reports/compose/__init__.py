"""Compose: model → view model (compose/blocks.py), the helpers every document kind uses: the 通知's
frame parts, work plans, task lists, lists, breakdowns, bulletins, charts, numbering of sections.
Nothing here reads a file; kinds/ loads the model and calls these."""
