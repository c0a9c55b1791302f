"""The ``sozialmonitor`` command. Thin: parse, call the layer below, print."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from sqlalchemy import Connection, Engine

from sozialmonitor import __version__
from sozialmonitor.config import DEMO_DB_URL, SETTINGS, setting
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.ingest.report import ImportOutcome
from sozialmonitor.store import queries, writes
from sozialmonitor.store.database import connect, init_database, schema_is_current

if TYPE_CHECKING:
    from sozialmonitor.analysis.index_result import IndexResult

app = typer.Typer(
    help="Sozialmonitor: the indicator database and portal for social monitoring.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Import areas, the indicator catalogue or observations.")
release_app = typer.Typer(help="List, publish, withdraw and compare releases.")
level_app = typer.Typer(help="The area levels (Raumebenen).")
index_app = typer.Typer(
    help="Composite indices (Sozialindex): definitions, results, storing them."
)
app.add_typer(import_app, name="import")
app.add_typer(release_app, name="release")
app.add_typer(level_app, name="level")
app.add_typer(index_app, name="index")
stats_app = typer.Typer(
    help="Statistics on published values: comparisons with a benchmark, trends, "
    "map classes, spatial clusters, area types."
)
app.add_typer(stats_app, name="stats")


class State:
    db: str | None = None
    debug: bool = False


state = State()
DB_HELP = SETTINGS["db"].help + f" Environment: {SETTINGS['db'].env}."
DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]


def use_db(db: str | None) -> None:
    """``--db`` works before the command and after it."""
    if db:
        state.db = db


@app.callback()
def main(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", help="Print the version.")
    ] = False,
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()
    state.db = db
    state.debug = debug


@contextmanager
def user_errors() -> Iterator[None]:
    """Print our errors as messages (exit 1; 2 for an invalid file), not tracebacks."""
    try:
        yield
    except SozialmonitorError as exc:
        if state.debug:
            raise
        typer.echo(exc.message, err=True)
        raise typer.Exit(2 if isinstance(exc, ImportValidationError) else 1) from None


def engine(*, init: bool = False) -> Engine:
    """The engine of the chosen database; it must be initialised unless ``init``."""
    eng = connect(setting("db", state.db))
    if init:
        return eng
    if not schema_is_current(eng):
        raise SozialmonitorError(
            f"The database {eng.url.render_as_string(hide_password=True)} is not "
            "initialised or not up to date. Run 'sozialmonitor init' first."
        )
    return eng


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database, or upgrade it to the newest schema."""
    use_db(db)
    with user_errors():
        eng = engine(init=True)
        init_database(eng)
        typer.echo(f"Database ready: {eng.url.render_as_string(hide_password=True)}")


# --- import -----------------------------------------------------------------------

DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Only validate; write nothing.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
FileArg = Annotated[Path, typer.Argument(help="The file to import.")]


def _import(run: Callable[[], ImportOutcome], as_json: bool, dry_run: bool) -> None:
    """Run an import and print its report (exit 2 when the file is invalid)."""
    try:
        outcome = run()
    except ImportValidationError as exc:
        if state.debug:
            raise
        if as_json:
            _print_json(exc.report.to_dict())  # type: ignore[attr-defined]
        else:
            typer.echo(exc.message, err=True)
        raise typer.Exit(2) from None
    except SozialmonitorError as exc:
        if state.debug:
            raise
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    report = outcome.report
    if as_json:
        data = report.to_dict()
        data["rows_written"] = outcome.rows_written
        data["release"] = outcome.release.name if outcome.release else None
        _print_json(data)
        return
    if report.findings:
        typer.echo(report.to_text(), err=True)
    name = report.path.name
    if dry_run:
        typer.echo(f"{name}: valid, {report.rows_valid} rows; nothing written.")
    else:
        into = f" into release '{outcome.release.name}'" if outcome.release else ""
        typer.echo(f"{name}: {outcome.rows_written} new or changed{into}.")


@import_app.command("observations")
def import_observations_command(
    file: FileArg,
    release: Annotated[
        str | None,
        typer.Option(
            help="Draft release to import into (created if new; default: the "
            "newest draft, else a new one)."
        ),
    ] = None,
    indicator: Annotated[
        str | None,
        typer.Option(help="Indicator id for a file without an indicator column."),
    ] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Import values (long or wide layout; CSV or Excel)."""
    use_db(db)
    from sozialmonitor.ingest.observations import import_observations

    def run() -> ImportOutcome:
        return import_observations(
            engine(), file, release=release, indicator=indicator, dry_run=dry_run
        )

    _import(run, as_json, dry_run)


@import_app.command("indicators")
def import_indicators_command(
    file: FileArg,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Import the indicator catalogue (YAML or CSV)."""
    use_db(db)
    from sozialmonitor.ingest.indicators import import_indicators

    _import(
        lambda: import_indicators(engine(), file, dry_run=dry_run), as_json, dry_run
    )


@import_app.command("areas")
def import_areas_command(
    file: FileArg,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Import areas and boundaries (GeoJSON, GeoPackage, Shapefile or CSV)."""
    use_db(db)
    from sozialmonitor.ingest.areas import import_areas

    _import(lambda: import_areas(engine(), file, dry_run=dry_run), as_json, dry_run)


# --- releases ---------------------------------------------------------------------


@release_app.command("list")
def release_list(as_json: AsJson = False, db: DbOption = None) -> None:
    """All releases, oldest first."""
    use_db(db)
    with user_errors(), engine().connect() as conn:
        releases = queries.list_releases(conn)
    if as_json:
        _print_json([r.to_dict() for r in releases])
        return
    if not releases:
        typer.echo("No releases yet. Import observations to start a draft.")
    for r in releases:
        when = f"{r.published_at:%Y-%m-%d %H:%M}" if r.published_at else ""
        typer.echo(f"{r.name}\t{r.status.value}\t{when}".rstrip())


@release_app.command("publish")
def release_publish(name: str, db: DbOption = None) -> None:
    """Publish a draft: it becomes what the portal shows."""
    use_db(db)
    with user_errors(), engine().begin() as conn:
        rel = writes.publish_release(conn, name)
    typer.echo(f"Published '{rel.name}' (release number {rel.sequence}).")


@release_app.command("validate")
def release_validate(name: str, db: DbOption = None) -> None:
    """Mark a draft as checked and ready to publish."""
    use_db(db)
    with user_errors(), engine().begin() as conn:
        writes.validate_release(conn, name)
    typer.echo(f"'{name}' is validated.")


@release_app.command("withdraw")
def release_withdraw(
    name: str,
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")] = "",
    db: DbOption = None,
) -> None:
    """Withdraw a published release; reads fall back to the earlier ones."""
    use_db(db)
    with user_errors(), engine().begin() as conn:
        writes.withdraw_release(conn, name, reason)
    typer.echo(f"Withdrawn '{name}'. Its values remain stored for 'as of' reads.")


@release_app.command("diff")
def release_diff(
    old: str, new: str, as_json: AsJson = False, db: DbOption = None
) -> None:
    """Values new, changed and removed from release OLD to release NEW."""
    use_db(db)
    with user_errors(), engine().connect() as conn:
        changes = queries.release_diff(conn, old, new)
    if as_json:
        _print_json([c.to_dict() for c in changes])
        return
    for c in changes:
        typer.echo(
            f"{c.change}\t{c.indicator}\t{c.area}\t{c.period}\t{c.old_value}\t{c.new_value}"
        )
    counts = {
        k: sum(c.change == k for c in changes) for k in ("new", "changed", "removed")
    }
    typer.echo(", ".join(f"{n} {k}" for k, n in counts.items()), err=True)


# --- levels -----------------------------------------------------------------------


@level_app.command("list")
def level_list(db: DbOption = None) -> None:
    """The levels, from the largest areas to the smallest."""
    use_db(db)
    with user_errors(), engine().connect() as conn:
        for lvl in queries.list_levels(conn):
            typer.echo(f"{lvl.code}\t{lvl.label}")


@level_app.command("add")
def level_add(
    code: str,
    label: str,
    after: Annotated[str | None, typer.Option(help="The level it lies below.")] = None,
    db: DbOption = None,
) -> None:
    """Add a level (e.g. a city's own kind of quarter)."""
    use_db(db)
    with user_errors(), engine().begin() as conn:
        writes.add_level(conn, code, label, after=after)
    typer.echo(f"Added level '{code}'.")


# --- indices ----------------------------------------------------------------------

IndexRef = Annotated[
    str,
    typer.Argument(
        metavar="CONFIG|ID",
        help="A YAML index definition, or the id of a shipped one (index list).",
    ),
]
IndexPeriod = Annotated[
    str | None,
    typer.Option("--period", help="Reference period (default: the definition's)."),
]


@index_app.command("list")
def index_list(as_json: AsJson = False) -> None:
    """The index definitions shipped with Sozialmonitor."""
    from sozialmonitor.analysis.index_definition import shipped_definitions

    with user_errors():
        found = shipped_definitions()
    if as_json:
        _print_json([d.to_dict() for d in found.values()])
        return
    for d in found.values():
        typer.echo(f"{d.id}\t{d.level}\t{d.period}\t{d.name}")


@index_app.command("show")
def index_show(
    definition: IndexRef,
    period: IndexPeriod = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Read as of this release.")
    ] = None,
    internal: Annotated[
        bool, typer.Option(help="Read as the administration (drafts, internal).")
    ] = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Compute an index and print every area's z-scores, indices and classes."""
    use_db(db)
    from sozialmonitor.analysis.index_definition import find_definition
    from sozialmonitor.analysis.index_inputs import compute_from_database

    with user_errors():
        found = find_definition(definition)
        audience = Audience.INTERNAL if internal else Audience.PUBLIC
        with engine().connect() as conn:
            result = compute_from_database(
                conn, found, period=period, as_of=as_of, audience=audience
            )
    if as_json:
        _print_json(result.to_dict())
        return
    _print_index_table(result)
    _print_index_summary(result)


@index_app.command("compute")
def index_compute(
    definition: IndexRef,
    period: IndexPeriod = None,
    release: Annotated[
        str | None,
        typer.Option(
            help="Draft release to store the results in (created if new; default: "
            "the newest draft, else a new one)."
        ),
    ] = None,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Compute an index and store it as derived indicators in a draft release."""
    use_db(db)
    from sozialmonitor.analysis.index_definition import find_definition
    from sozialmonitor.analysis.index_derived import compute_and_store

    with user_errors():
        stored = compute_and_store(
            engine(), find_definition(definition), period=period, release=release
        )
    if as_json:
        data = stored.result.to_dict()
        data["release"] = stored.release.name
        data["derived_indicators"] = list(stored.indicators)
        data["rows_written"] = stored.rows_written
        _print_json(data)
        return
    _print_index_summary(stored.result)
    typer.echo(
        f"Stored {stored.rows_written} new or changed values of "
        f"{len(stored.indicators)} derived indicators ({stored.indicators[0]} …) "
        f"into the draft '{stored.release.name}'. Publish it with: sozialmonitor "
        f"release publish '{stored.release.name}'"
    )


def _print_index_table(result: IndexResult) -> None:
    """One line per area: z-scores, then per dimension index and class."""
    d = result.definition
    keys = [i.key for i in d.indicators]
    dims = list(d.dimensions)
    head = ["code", "name", *[f"z_{k}" for k in keys]]
    head += [f"{dim}_{x}" for dim in dims for x in ("index", "class")]
    typer.echo("\t".join([*head, "cell" if d.dynamics else "", "reason"]).rstrip())
    for code, row in result.areas.iterrows():
        cells = [str(code), str(row["name"])]
        cells += [_fmt(row[f"z_{k}"]) for k in keys]
        for dim in dims:
            cells += [_fmt(row[f"{dim}_index"]), str(row[f"{dim}_label"])]
        if d.dynamics:
            cells.append(str(row["cell"]))
        cells.append("" if row["included"] else str(row["reason"]))
        typer.echo("\t".join(cells).rstrip())


def _fmt(value: Any) -> str:
    return "" if value is None or value != value else f"{value:.2f}"


def _print_index_summary(result: IndexResult) -> None:
    """Counts per class, areas left out, focus areas with their drivers."""
    d = result.definition
    counts = result.counts()
    typer.echo(
        f"{d.name} ({d.id}), {result.period}: {len(result.included)} areas indexed, "
        f"{len(result.excluded)} left out."
    )
    for dim_name, dim in d.dimensions.items():
        per_class = ", ".join(f"{label} {n}" for label, n in counts[dim_name].items())
        typer.echo(f"  {dim.name}: {per_class}")
    for reason, n in counts["excluded"].items():
        typer.echo(f"  left out: {reason}: {n}")
    typer.echo(f"Focus areas ({len(result.focus)}):")
    for f in result.focus:
        drivers = ", ".join(f"{x.label} z={x.zscore:.2f}" for x in f.drivers)
        cell = f" [{f.cell}]" if f.cell else ""
        typer.echo(
            f"  {f.code} {f.name}{cell}: {'; '.join(f.reasons)} – {drivers}".rstrip()
        )


# --- export -----------------------------------------------------------------------


class ExportFormat(StrEnum):
    csv = "csv"
    csv_de = "csv-de"
    xlsx = "xlsx"


@app.command("export")
def export(
    indicator: Annotated[list[str], typer.Option(help="Indicator id (repeatable).")],
    area: Annotated[
        list[str] | None, typer.Option(help="Area code (repeatable).")
    ] = None,
    level: Annotated[str | None, typer.Option(help="All areas of this level.")] = None,
    period_from: Annotated[
        str | None, typer.Option("--from", help="First period.")
    ] = None,
    period_to: Annotated[str | None, typer.Option("--to", help="Last period.")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Read as of this release.")
    ] = None,
    internal: Annotated[
        bool, typer.Option(help="Include internal indicators.")
    ] = False,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="csv (comma, decimal point), csv-de (for German Excel: semicolon, "
            "decimal comma) or xlsx.",
        ),
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Values of indicators as CSV (default, to standard output) or Excel."""
    use_db(db)
    from sozialmonitor.export import observations_frame, to_bytes

    with user_errors():
        query = queries.ObservationQuery(
            indicators=indicator,
            areas=area,
            level=level,
            period_from=parse_period(period_from) if period_from else None,
            period_to=parse_period(period_to) if period_to else None,
            as_of=as_of,
        )
        audience = Audience.INTERNAL if internal else Audience.PUBLIC
        with engine().connect() as conn:
            rows = queries.read_observations(conn, query, audience=audience)
            areas = queries.list_areas(conn, codes={o.area for o in rows})
        if fmt is ExportFormat.xlsx and output is None:
            raise SozialmonitorError("Excel goes to a file: add --output FILE.xlsx.")
        data = to_bytes(observations_frame(rows, areas), fmt.value)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {len(rows)} values to {output}.", err=True)


# --- statistics -------------------------------------------------------------------

StatsIndicator = Annotated[str, typer.Option("--indicator", help="Indicator id.")]
StatsLevel = Annotated[
    str, typer.Option("--level", help="Area level, e.g. municipality.")
]
StatsPeriod = Annotated[
    str | None,
    typer.Option("--period", help="Period (default: the latest with values)."),
]
StatsK = Annotated[int, typer.Option("--k", help="Number of classes or types, 2-10.")]
StatsAsOf = Annotated[
    str | None, typer.Option("--as-of", help="Read as of this release.")
]
StatsInternal = Annotated[
    bool, typer.Option(help="Read as the administration (drafts, internal).")
]


def _stats(
    run: Callable[[Connection, Audience], Any],
    *,
    internal: bool,
    as_json: bool,
    show: Callable[[Any], None],
) -> None:
    """Run a statistic on the read gate; print ``show``'s table or the API's JSON."""
    audience = Audience.INTERNAL if internal else Audience.PUBLIC
    with user_errors(), engine().connect() as conn:
        report = run(conn, audience)
    if as_json:
        _print_json(report.to_dict())
        return
    show(report.to_dict())


def _table(head: list[str], rows: list[list[str]]) -> None:
    """Columns aligned with two spaces between them."""
    widths = [
        max(len(cell) for cell in column) for column in zip(head, *rows, strict=True)
    ]
    for line in [head, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=True)]
        typer.echo("  ".join(cells).rstrip())


def _num(value: float | None, decimals: int = 2, *, sign: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:{'+' if sign else ''}.{decimals}f}"


def _heading(data: dict[str, Any], *rest: str) -> None:
    ind = data["indicator"]
    parts = [f"{ind['name']} ({ind['id']}, {ind['unit']})", *rest]
    typer.echo(", ".join(p for p in parts if p))


def _footer(data: dict[str, Any]) -> None:
    for text in [*data.get("warnings", []), data.get("note", "")]:
        if text:
            typer.echo(f"Note: {text}", err=True)


@stats_app.command("compare")
def stats_compare(
    indicator: StatsIndicator,
    area: Annotated[str | None, typer.Option(help="One area's code.")] = None,
    parent: Annotated[
        str | None, typer.Option(help="Compare all children of this area.")
    ] = None,
    level: Annotated[
        str | None, typer.Option(help="Compare all areas of this level.")
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option(help="Benchmark area's code (default: each area's parent)."),
    ] = None,
    period: StatsPeriod = None,
    confidence: Annotated[
        float, typer.Option(help="Confidence level, between 0 and 1.")
    ] = 0.95,
    as_of: StatsAsOf = None,
    internal: StatsInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Areas against a benchmark, with confidence intervals (Wilson, Byar)."""
    use_db(db)
    from sozialmonitor.analysis.service import compare_areas

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        _heading(
            data, data["period"] or "", f"{data['confidence']:.1%} confidence interval"
        )
        rows = []
        for c in data["comparisons"]:
            ci, bench = c["interval"] or {}, c["benchmark"] or {}
            rows.append(
                [
                    c["area"]["code"],
                    c["area"]["name"],
                    _num(c["value"], d),
                    _num(ci.get("lower"), d),
                    _num(ci.get("upper"), d),
                    bench.get("name", ""),
                    _num(bench.get("value"), d),
                    c["result"]["text"],
                    c["reason"],
                ]
            )
        head = ["code", "name", "value", "lower", "upper", "benchmark"]
        _table([*head, "benchmark value", "result", "reason"], rows)
        _footer(data)

    _stats(
        lambda conn, audience: compare_areas(
            conn,
            indicator=indicator,
            area=area,
            parent=parent,
            level=level,
            benchmark=benchmark,
            period=period,
            confidence=confidence,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=show,
    )


@stats_app.command("trend")
def stats_trend(
    indicator: StatsIndicator,
    area: Annotated[str, typer.Option(help="The area's code.")],
    method: Annotated[
        str, typer.Option(help="mann_kendall, or logit for shares with their counts.")
    ] = "mann_kendall",
    period: Annotated[
        str | None,
        typer.Option(help="Period whose changes are shown (default: the latest)."),
    ] = None,
    as_of: StatsAsOf = None,
    internal: StatsInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Trend of an area's series (Mann-Kendall, Sen's slope) and its changes."""
    use_db(db)
    from sozialmonitor.analysis.service import area_trend

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        place = data["area"]
        _heading(data, f"{place['name']} ({place['code']})")
        periods = data["periods"]
        span = f"{periods[0]}–{periods[-1]}" if periods else "no values"
        typer.echo(
            f"Trend {span} ({data['method']}): {data['direction']['label']}"
            + (f", p = {data['p_value']:.3g}" if data["p_value"] is not None else "")
            + (
                f", Sen's slope {_num(data['sen_slope'], d + 2, sign=True)} per year"
                if data["sen_slope"] is not None
                else ""
            )
        )
        typer.echo(f"Missing periods: {', '.join(data['missing_periods']) or 'none'}")
        if data["breaks"]:
            typer.echo(f"Breaks in the series: {', '.join(data['breaks'])}")
        rows = [
            [
                c["label"],
                c["base_period"],
                c["period"],
                _num(c["absolute"], d, sign=True),
                "percentage points" if c["percentage_points"] else "",
                _num(c["relative"], 1, sign=True) + (" %" if c["relative"] else ""),
            ]
            for c in data["changes"]
        ]
        _table(["change", "from", "to", "absolute", "", "relative"], rows)
        _footer(data)

    _stats(
        lambda conn, audience: area_trend(
            conn,
            indicator=indicator,
            area=area,
            method=method,
            period=period,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=show,
    )


@stats_app.command("classes")
def stats_classes(
    indicator: StatsIndicator,
    level: StatsLevel,
    period: StatsPeriod = None,
    scheme: Annotated[
        str,
        typer.Option(help="natural_breaks, quantiles, equal_interval or std_mean."),
    ] = "natural_breaks",
    k: StatsK = 5,
    as_of: StatsAsOf = None,
    internal: StatsInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Map classes of an indicator on a level, with German legend labels."""
    use_db(db)
    from sozialmonitor.analysis.service import classify_level

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        _heading(
            data, data["level"]["label"], data["period"] or "", data["scheme"]["label"]
        )
        _table(
            ["class", "legend", "areas"],
            [
                [str(x["class"] + 1), x["label"], str(x["count"])]
                for x in data["legend"]
            ],
        )
        typer.echo("")
        _table(
            ["code", "name", "value", "class"],
            [
                [
                    a["code"],
                    a["name"],
                    _num(a["value"], d),
                    "" if a["class"] is None else f"{a['class'] + 1} {a['label']}",
                ]
                for a in data["areas"]
            ],
        )
        _footer(data)

    _stats(
        lambda conn, audience: classify_level(
            conn,
            indicator=indicator,
            level=level,
            period=period,
            scheme=scheme,
            k=k,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=show,
    )


@stats_app.command("spatial")
def stats_spatial(
    indicator: StatsIndicator,
    level: StatsLevel,
    period: StatsPeriod = None,
    rule: Annotated[str, typer.Option(help="queen or rook contiguity.")] = "queen",
    as_of: StatsAsOf = None,
    internal: StatsInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Moran's I and each area's LISA cluster, from the stored boundaries."""
    use_db(db)
    from sozialmonitor.analysis.service import spatial_level

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        _heading(data, data["level"]["label"], data["period"] or "", data["rule"])
        m = data["moran"]
        if m:
            typer.echo(
                f"Moran's I = {m['i']:.3f} (expected {m['expected']:.3f}), pseudo "
                f"p = {m['p_value']:.3f} ({m['permutations']} permutations), "
                f"z = {m['z']:.2f}; {data['n']} areas"
            )
        _table(
            ["code", "name", "value", "cluster", "local I", "p"],
            [
                [
                    a["code"],
                    a["name"],
                    _num(a["value"], d),
                    a["cluster"]["label"],
                    _num(a["local_i"], 3),
                    _num(a["p_value"], 3),
                ]
                for a in data["areas"]
            ],
        )
        _footer(data)

    _stats(
        lambda conn, audience: spatial_level(
            conn,
            indicator=indicator,
            level=level,
            period=period,
            rule=rule,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=show,
    )


@stats_app.command("typology")
def stats_typology(
    indicator: Annotated[
        list[str], typer.Option(help="Indicator id (repeat: two or more).")
    ],
    level: StatsLevel,
    period: StatsPeriod = None,
    k: StatsK = 4,
    as_of: StatsAsOf = None,
    internal: StatsInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Group the areas of a level into types by several indicators."""
    use_db(db)
    from sozialmonitor.analysis.service import typology_level

    def show(data: dict[str, Any]) -> None:
        names = ", ".join(i["short_name"] for i in data["indicators"])
        typer.echo(f"{data['level']['label']}, {data['period'] or ''}: {names}")
        for t in data["types"]:
            typer.echo(f"Typ {t['type']} ({t['size']} Gebiete): {t['description']}")
        typer.echo("")
        _table(
            ["code", "name", "type"],
            [
                [a["code"], a["name"], "" if a["type"] is None else str(a["type"])]
                for a in data["areas"]
            ],
        )
        if data["left_out"]:
            typer.echo(
                f"Left out (a value missing): {', '.join(data['left_out'])}", err=True
            )
        _footer(data)

    _stats(
        lambda conn, audience: typology_level(
            conn,
            indicators=indicator,
            level=level,
            period=period,
            k=k,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=show,
    )


# --- serving ----------------------------------------------------------------------

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]


def _serve(eng: Engine, host: str, port: int) -> None:
    import uvicorn

    from sozialmonitor.web.app import create_app, settle_memory, warm_up

    app = create_app(eng)
    warm_up(eng)
    settle_memory()
    typer.echo(f"Sozialmonitor runs at http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@app.command()
def serve(host: Host = "127.0.0.1", port: Port = 8000, db: DbOption = None) -> None:
    """Serve the portal and the API."""
    use_db(db)
    with user_errors():
        eng = engine()
    _serve(eng, host, port)


@app.command()
def demo(
    port: Port = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only build the database.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Build (or reuse) the demo database from real public data and serve it."""
    use_db(db)
    from sozialmonitor.ingest.demo import build_demo_database

    with user_errors():
        eng = connect(setting("db", state.db) if state.db else DEMO_DB_URL)
        url = eng.url.render_as_string(hide_password=True)
        typer.echo(f"Building the demo database {url} …")
        built = build_demo_database(eng)
        typer.echo(("Built" if built else "Reusing") + f" the demo database {url}.")
    if not no_serve:
        _serve(eng, "127.0.0.1", port)
