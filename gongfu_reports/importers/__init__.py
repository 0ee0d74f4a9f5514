"""`gongfu import`: existing tables (Excel, Word) and Word documents become data files and config.yaml entries."""
