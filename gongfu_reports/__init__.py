"""gongfu-reports: YAML/Excel data → 公文 (GB/T 9704-2012) as DOCX and PDF."""

__version__ = "0.1.0"
