"""Generic file readers, no domain: YAML with line numbers, Excel grids and tables, text checks, safe file names."""
