"""Renderers of the view model: docx.py (Word), html.py + pdf.py (PDF by WeasyPrint), typst.py (PDF by Typst),
registered by name in registry.py; layout.py holds the GB/T 9704 numbers they all use."""
