"""Build the test fixture ``tests/data/mss2021/official.csv`` from the official files.

The fixture carries, for all 542 planning areas (PLR) of Berlin's "Monitoring Soziale
Stadtentwicklung 2021", what the reproduction test needs and nothing else:

- the raw index indicator shares S1, S3, S4 and their changes D1, D3, D4 as exported
  from FIS-Broker (layer ``s_IndexInd_MSS2021_homogen``, five decimals),
- the inhabitants and the official results of table 3 (z-scores, sums, Status-Index,
  Dynamik-Index and class names, two decimals),
- the official class codes SI_N / DI_N, the combined cell SDI / SDI_N and the comment
  KOM (``gültig`` / ``ungültig (EW unter 300)`` / ``ungültig (Ausreißer)``) from the
  FIS-Broker layer ``s_Indizes_MSS2021_homogen``.

It needs the original files (``berlin-mss-2021`` in a folder laid out like
``../shared/data``; see the SOURCE.md there). Values are copied unchanged; ``-9999``
and empty cells become empty cells. The script cross-checks the two publications
(names of classes, inhabitants) and fails loudly if they disagree.

Usage::

    .venv/bin/python scripts/build_test_fixtures.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
TARGET = REPO / "tests" / "data" / "mss2021"
NOT_COMPUTED = -9999

TABLE3_COLUMNS = {
    "PLR-ID": "plr_id",
    "PLR-Name": "plr_name",
    "EW 31.12.2020": "population",
    "zS1": "z_s1",
    "zS3": "z_s3",
    "zS4": "z_s4",
    "Status-summe": "status_sum",
    "Status-Index (standardisierte Statussumme)": "status_index",
    "Zuordnung Klasse Status-Index": "status_class",
    "zD1": "z_d1",
    "zD3": "z_d3",
    "zD4": "z_d4",
    "Dynamik-summe": "dynamics_sum",
    "Dynamik-Index (standardisierte Dynamik-summe)": "dynamics_index",
    "Zuordnung Klasse Dynamik-Index": "dynamics_class",
}
RAW = ["S1", "S3", "S4", "D1", "D3", "D4"]
OFFICIAL = ["SI_N", "SI_V", "DI_N", "DI_V", "SDI", "SDI_N", "KOM"]
COLUMNS = [
    "plr_id",
    "plr_name",
    "population",
    *[c.lower() for c in RAW],
    "z_s1",
    "z_s3",
    "z_s4",
    "status_sum",
    "status_index",
    "status_class",
    "z_d1",
    "z_d3",
    "z_d4",
    "dynamics_sum",
    "dynamics_index",
    "dynamics_class",
    *[c.lower() for c in OFFICIAL],
]

README = """\
# MSS 2021 reproduction fixture

`official.csv` holds, for the 542 planning areas (Planungsräume, LOR 2021) of Berlin,
the official results of the **Monitoring Soziale Stadtentwicklung 2021** (reference
date 31.12.2020; dynamics 31.12.2018 → 31.12.2020) that
`tests/analysis/test_indices_mss2021.py` reproduces. It is derived, unchanged in value,
by `scripts/build_test_fixtures.py` from the files described in
`../shared/data/berlin-mss-2021/SOURCE.md`.

Source and licence: Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin,
"Monitoring Soziale Stadtentwicklung 2021" — table 3 "Index-Indikatoren nach Status und
Dynamik – standardisierte Anteilswerte (z-Werte)" and the FIS-Broker WFS layers
`s_IndexInd_MSS2021_homogen` and `s_Indizes_MSS2021_homogen`. Reprint of the results is
permitted with exact attribution of publisher and data sources; FIS-Broker geodata are
generally published under dl-de/by-2-0 (not verified for these layers).

Columns:

- `plr_id`, `plr_name`, `population` (table 3): PLR key, name, inhabitants 31.12.2020.
- `s1`, `s3`, `s4` (FIS-Broker): status shares in % with five decimals — S1 unemployed
  (SGB II) per 15- to under 65-year-olds, S3 transfer recipients (SGB II/XII), S4
  children under 15 in SGB II households.
- `d1`, `d3`, `d4` (FIS-Broker): change of S1, S3, S4 from 31.12.2018 to 31.12.2020 in
  percentage points.
- `z_s1` … `dynamics_class` (table 3): official z-scores, sums, indices (two decimals)
  and class names.
- `si_n`, `si_v`, `di_n`, `di_v` (FIS-Broker): official class code and name (status
  1 hoch … 4 sehr niedrig; dynamics 1 positiv, 3 stabil, 5 negativ).
- `sdi`, `sdi_n` (FIS-Broker): combined cell (e.g. `2-`) and its code (status × 10 +
  dynamics).
- `kom` (FIS-Broker): `gültig`, `ungültig (EW unter 300)` or `ungültig (Ausreißer)`.

Empty cells: not computed (the six planning areas left out of the index).
"""


def read_table3(folder: Path) -> pd.DataFrame:
    frame = pd.read_csv(
        folder / "mss_2021_index-indikatoren_z-werte_plr.csv",
        sep=";",
        encoding="utf-8-sig",
        dtype={"PLR-ID": str},
    )
    frame.columns = [c.strip() for c in frame.columns]
    missing = set(TABLE3_COLUMNS) - set(frame.columns)
    if missing:
        sys.exit(f"table 3: columns missing: {sorted(missing)}")
    return frame.rename(columns=TABLE3_COLUMNS)[list(TABLE3_COLUMNS.values())]


def read_fis(folder: Path, name: str, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(folder / name, dtype={"PLR_ID": str})
    frame = frame[["PLR_ID", *columns]].rename(columns={"PLR_ID": "plr_id"})
    for col in columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].where(frame[col] != NOT_COMPUTED)
        else:
            frame[col] = frame[col].where(~frame[col].astype(str).eq("-9999"))
    return frame


def build(shared: Path) -> pd.DataFrame:
    folder = shared / "berlin-mss-2021"
    table3 = read_table3(folder)
    raw = read_fis(folder, "fisbroker_mss_2021_index_indikatoren.csv", ["EW", *RAW])
    official = read_fis(folder, "fisbroker_mss_2021_indizes.csv", OFFICIAL)
    merged = table3.merge(raw, on="plr_id", how="outer", validate="1:1").merge(
        official, on="plr_id", how="outer", validate="1:1"
    )
    if len(merged) != 542 or merged["plr_name"].isna().any():
        sys.exit(f"expected the 542 planning areas of table 3, got {len(merged)}")
    # The two publications must agree where they overlap.
    ew = merged["EW"].notna()
    if (merged.loc[ew, "EW"] != merged.loc[ew, "population"]).any():
        sys.exit("inhabitants differ between table 3 and FIS-Broker")
    valid = merged["KOM"] == "gültig"
    for ours, theirs in (("status_class", "SI_V"), ("dynamics_class", "DI_V")):
        differ = merged.loc[valid, ours].str.strip() != merged.loc[valid, theirs]
        if differ.any():
            sys.exit(f"{ours}: table 3 and FIS-Broker disagree for {differ.sum()} PLR")
    if valid.sum() != 536 or merged.loc[~valid, "status_index"].notna().any():
        sys.exit("expected 536 valid planning areas and six without an index")
    merged["status_class"] = merged["status_class"].str.strip()
    merged["dynamics_class"] = merged["dynamics_class"].str.strip()
    for col in ("SI_N", "DI_N", "SDI_N"):
        merged[col] = merged[col].astype("Int64")
    merged["population"] = merged["population"].astype("Int64")
    merged = merged.drop(columns="EW").rename(columns=str.lower)
    return merged[COLUMNS].sort_values("plr_id").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    frame = build(args.shared)
    TARGET.mkdir(parents=True, exist_ok=True)
    frame.to_csv(TARGET / "official.csv", index=False, lineterminator="\n")
    (TARGET / "README.md").write_text(README, encoding="utf-8")
    print(f"Wrote {len(frame)} planning areas to {TARGET / 'official.csv'}")


if __name__ == "__main__":
    main()
