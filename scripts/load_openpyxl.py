"""What the team would otherwise write: read the inventory workbook with openpyxl and build an
adjacency list by splitting the relation cells. No resolution, no diagnostics: a baseline for
`aiops` load time, used by scripts/compare-load.sh."""
import re
import sys

import openpyxl

SEP = re.compile(r"[；;、，,\n]")


def main(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows)]
    name_i, up_i, down_i = header.index("实例名称"), header.index("主要上游"), header.index("主要下游")
    edges = {}
    for row in rows:
        name = str(row[name_i] or "").strip()
        if not name:
            continue
        for col, arrow in ((up_i, "<-"), (down_i, "->")):
            for word in SEP.split(str(row[col] or "")):
                word = re.sub(r"（.*?）|\(.*?\)", "", word).strip()
                if word and word not in ("——", "-", "无"):
                    edges.setdefault(name, []).append((arrow, word))
    print(f"{len(edges)} instances, {sum(len(v) for v in edges.values())} relations", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
