"""An official statistics export uploaded as observations is imported as downloaded,
through the mapping shipped for its table (issue 12)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from sozialmonitor.web.uploads import jobs
from tests.ingest.content import stored
from tests.web.sign_in_client import hidden, page
from tests.web.test_uploads import (  # noqa: F401 (fixtures)
    app_engine,
    client_for,
    folder,
    upload,
    wait_for,
)

EXPORT = (
    "GENESIS-Tabelle: 12411-01-01-4\r\n"
    "Bevölkerung nach Geschlecht - Stichtag 31.12. - regionale;;;;\r\n"
    "Tiefe: Kreise und krfr. Städte;;;;\r\n"
    ";;Stichtag;Stichtag;Stichtag\r\n"
    ";;31.12.2021;31.12.2021;31.12.2021\r\n"
    ";;Insgesamt;männlich;weiblich\r\n"
    "03241003;        Burgdorf;25100;12300;12800\r\n"
    "__________\r\n"
    '"© Statistische Ämter des Bundes und der Länder, Deutschland, 2022."\r\n'
    "Stand: 21.03.2022 / 12:15:06\r\n"
).encode("cp1252")


def test_an_uploaded_export_goes_through_its_mapping(
    app_engine: Engine,  # noqa: F811 (a fixture)
    folder: Path,  # noqa: F811 (a fixture)
) -> None:
    client = client_for(app_engine, folder, "erika")
    response = upload(client, EXPORT, name="12411-01-01-4.csv")
    job_url = response.headers["location"]
    report = page(client.get(job_url))
    assert report.select("table.findings tbody tr") == []
    confirm = report.select_one("form.confirm")
    assert confirm is not None
    client.post(
        str(confirm["action"]), data={"csrf": hidden(client.get(job_url), "csrf")}
    )
    job = wait_for(app_engine, job_url.rsplit("/", 1)[-1])
    assert job.status is jobs.Status.DONE and job.rows_done == 2
    found = stored(app_engine, "r-neu")
    assert found[("population", "03241003", "2021-12-31")]["value"] == 25100
    share = found[("female_share", "03241003", "2021-12-31")]
    assert share["numerator"] == 12800 and share["denominator"] == 25100
