"""The monthly progress loop: `gongfu forms` writes one workbook per lead unit, the units fill
it in, `gongfu collect` validates the returned workbooks and merges them into
<progress>/<period>.yaml, which the bulletin reads."""
