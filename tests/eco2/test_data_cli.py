"""``eco2 data import`` on the real PostgreSQL: the report it prints, a refused file's exit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from domains.location.importers import SAMPLES
from eco2.cli.data import data
from tests.domains.conftest import DATABASE_URL, drop_schema


def test_import_prints_the_report_and_refuses_a_bad_file(unique: str, tmp_path: Path) -> None:
    schema = f"m_{unique}"
    runner = CliRunner(env={"ECO2_DATABASE_URL": DATABASE_URL})
    source = str(SAMPLES["lamp-battery-boxes"])
    try:
        first = runner.invoke(data, ["import", "lamp-battery-boxes", source, "--schema", schema])
        assert first.exit_code == 0, first.output
        assert (
            "8 rows read from lamp_battery_boxes.cp949.csv (cp949); 7 taken (7 new" in first.output
        )
        assert "refused  line 9: no coordinates (위도/경도 empty)" in first.output
        again = runner.invoke(
            data, ["import", "lamp-battery-boxes", source, "--schema", schema, "-v"]
        )
        assert "7 taken (0 new, 7 updated)" in again.output
        assert "fixed    line 5: 위도/경도 were swapped" in again.output
        bad = tmp_path / "bad.csv"
        bad.write_text("이름,위도\nx,1\n", encoding="utf-8")
        refused = runner.invoke(data, ["import", "clothing-bins", str(bad), "--schema", schema])
        assert refused.exit_code == 1
        assert "missing column(s): 설치장소명, 경도" in refused.output
        unknown = runner.invoke(data, ["import", "parks", source, "--schema", schema])
        assert unknown.exit_code == 2 and "'parks' is not one of" in unknown.output
    finally:
        asyncio.run(drop_schema(schema))
