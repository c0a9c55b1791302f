"""The tables. Changing them needs an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

area_level = Table(
    "area_level",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("label", String(200), nullable=False),
    Column("rank", Integer, nullable=False, unique=True),
    Column("visibility", String(20), nullable=False, server_default="public"),
)

area = Table(
    "area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("level_id", Integer, ForeignKey("area_level.id"), nullable=False),
    Column("parent_id", Integer, ForeignKey("area.id"), nullable=True, index=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("successor_code", String(40), nullable=True),
    Column("geometry", Text, nullable=True),
)

area_lineage = Table(
    "area_lineage",
    metadata,
    # Which area became which on a boundary change: one row per predecessor and
    # successor, with the share of the predecessor that moved to the successor (its
    # population, its area, or as an official correspondence table says), where known.
    Column("id", Integer, primary_key=True),
    Column("predecessor_id", Integer, ForeignKey("area.id"), nullable=False),
    Column("successor_id", Integer, ForeignKey("area.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("valid_on", Date, nullable=False),
    Column("share", Float, nullable=True),
    Column("basis", String(20), nullable=True),
    UniqueConstraint("predecessor_id", "successor_id", name="uq_area_lineage_link"),
)

indicator = Table(
    "indicator",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(100), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("short_name", String(200), nullable=False),
    Column("unit", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("definition", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("numerator", Text, nullable=False),
    Column("denominator", Text, nullable=False),
    Column("multiplier", Float, nullable=False),
    Column("decimals", SmallInteger, nullable=False),
    Column("polarity", String(20), nullable=False),
    Column("source", Text, nullable=False),
    Column("licence", Text, nullable=False),
    Column("update_cycle", String(100), nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("min_count", Integer, nullable=False),
    Column("first_period", String(10), nullable=False),
    Column("last_period", String(10), nullable=False),
    Column("keywords", Text, nullable=False),
    # Links to other indicators (their codes, empty: none) for the protection of
    # small counts (``store.linked``): the same count published under two of them.
    Column("numerator_indicator", String(100), nullable=False, server_default=""),
    Column("denominator_indicator", String(100), nullable=False, server_default=""),
    Column("change_of", String(100), nullable=False, server_default=""),
    Column("change_base", String(10), nullable=False, server_default=""),
    # English catalogue texts (migration 0011); empty: shown in German.
    Column("name_en", String(300), nullable=False, server_default=""),
    Column("short_name_en", String(200), nullable=False, server_default=""),
    Column("unit_en", String(100), nullable=False, server_default=""),
    Column("topic_en", String(200), nullable=False, server_default=""),
    Column("definition_en", Text, nullable=False, server_default=""),
    # Counted up by every change of the metadata above (``writes.save_indicators``)
    # and of the indicator's stored suppression patterns (``suppression._store``:
    # a re-protection for an area scope); their sum is part of the data version
    # (``data_version.data_version``).
    Column("revision", Integer, nullable=False, default=0, server_default="0"),
)

release = Table(
    "release",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("sequence", Integer, nullable=True, unique=True),
    Column("note", Text, nullable=False, default=""),
)

observation = Table(
    "observation",
    metadata,
    # No foreign keys here: checked row by row they cost more than the whole write of
    # a Germany-size import on PostgreSQL (bench/germany.py). The importers resolve
    # every code before writing, and nothing deletes areas, indicators or releases.
    Column("indicator_id", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("area_id", Integer, nullable=False),
    Column("release_id", Integer, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Float, nullable=True),
    Column("numerator", Float, nullable=True),
    Column("denominator", Float, nullable=True),
    Column("flags", SmallInteger, nullable=False, default=0),
    Column("note", Text, nullable=True),
    # The key serves the map read (one indicator, one period, all areas) ...
    PrimaryKeyConstraint("indicator_id", "period", "area_id", "release_id"),
    # ... this index the profile read (one area, all indicators and periods) and the
    # coverage read (which areas have which periods, per release) without the table.
    Index("ix_observation_area", "area_id", "indicator_id", "period", "release_id"),
)

suppression_slice = Table(
    "suppression_slice",
    metadata,
    # A release computed the suppression pattern of this indicator and period (the
    # state "as of" it); a read applies the pattern of the newest such release it may
    # see. A slice with nothing hidden has a row here and none in suppressed_cell.
    Column("release_id", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("method", String(40), nullable=False),
    Column("hidden", Integer, nullable=False),
    Column("exposed", Integer, nullable=False),
    PrimaryKeyConstraint("indicator_id", "period", "release_id"),
)

suppressed_cell = Table(
    "suppressed_cell",
    metadata,
    Column("release_id", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("area_id", Integer, nullable=False),
    Column("reason", String(20), nullable=False),
    PrimaryKeyConstraint("indicator_id", "period", "area_id", "release_id"),
    Index("ix_suppressed_cell_area", "area_id", "indicator_id"),
)

import_log = Table(
    "import_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("release.id"), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_written", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

# Accounts, sessions, tokens and the audit log (access/). They live apart from the data:
# nothing on the read path joins them.

account = Table(
    "account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    # The area whose internal values the account sees (with its descendants); none:
    # every area. Stored as a code so that it survives a re-import of the areas.
    Column("area_code", String(40), nullable=True),
    # The patterns are being computed again for a new area scope (a job): until
    # they are stored the account reads as the public (fail closed).
    Column("scope_pending", Boolean, nullable=False, server_default=false()),
    Column("password_hash", Text, nullable=False),
    # The TOTP key must be readable to check a code, so it is stored as it is; the
    # database file is as secret as the accounts it holds.
    Column("totp_secret", String(64), nullable=False),
    Column("totp_last_step", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    # The identity at an OpenID Connect provider this account is linked to (issuer
    # and subject, both or neither); set at its first sign-in there.
    Column("oidc_issuer", String(400), nullable=True),
    Column("oidc_subject", String(255), nullable=True),
    UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_account_oidc_identity"),
)

account_recovery_code = Table(
    "account_recovery_code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

account_session = Table(
    "account_session",
    metadata,
    # SHA-256 of the 256-bit session id; the id itself is only in the cookie (or, while
    # the second factor is asked for, in the sign-in form).
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("stage", String(20), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("address", String(64), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", Text, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

sign_in_attempt = Table(
    "sign_in_attempt",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    # As typed, whether or not such an account exists.
    Column("name", String(100), nullable=False),
    Column("address", String(64), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_sign_in_attempt_name", "name", "at"),
    Index("ix_sign_in_attempt_address", "address", "at"),
)

oidc_login = Table(
    "oidc_login",
    metadata,
    # A sign-in through OpenID Connect between its start and the provider's answer
    # (ten minutes at most, used once): SHA-256 of the state and of the browser's
    # binding cookie, and the nonce and PKCE verifier the answer is checked with.
    Column("state_hash", String(64), primary_key=True),
    Column("binding_hash", String(64), nullable=False),
    Column("nonce", String(100), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("next_url", Text, nullable=False),
    Column("lang", String(5), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)

audit_event = Table(
    "audit_event",
    metadata,
    # Append-only: no code updates or deletes a row, and a trigger refuses it.
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(200), nullable=False, default=""),
    Column("address", String(64), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_audit_event_at", "at"),
)

# Imports started in the browser (web/uploads): one row per uploaded file, from its
# validation to the end of its import. The data an import writes lives in the tables
# above; this is only the job's state, so that the uploader can leave and come back.
import_job = Table(
    "import_job",
    metadata,
    # A random token (256 bits of which 144 used), never a counter: it is in the URL.
    Column("id", String(40), primary_key=True),
    Column("account", String(100), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("file_name", String(120), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("release_name", String(100), nullable=True),
    # waiting, running, done, failed, aborted (see web/uploads/jobs.py)
    Column("status", String(20), nullable=False),
    Column("phase", String(200), nullable=False, default=""),
    Column("rows_done", Integer, nullable=False, default=0),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("message", Text, nullable=False, default=""),
    # The validation report as JSON (its first findings; see web/uploads/checking.py).
    Column("report", Text, nullable=False, default=""),
    Index("ix_import_job_created_at", "created_at"),
)

# Qualitative records (store/qualitative.py): findings and recommendations, their links
# to indicators, areas and findings, and the status history of recommendations.

qualitative_record = Table(
    "qualitative_record",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(60), nullable=False, unique=True),
    # finding or recommendation (domain.qualitative.RecordKind)
    Column("kind", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("text", Text, nullable=False),
    # public or internal: the read gate never gives an internal one to the public.
    Column("visibility", String(20), nullable=False),
    Column("topic", String(200), nullable=False, server_default=""),
    Column("period", String(10), nullable=False, server_default=""),
    # The source of a finding: no personal data, only kind, group, date and count.
    Column("source_kind", String(20), nullable=False, server_default=""),
    Column("source_group", String(200), nullable=False, server_default=""),
    Column("source_date", Date, nullable=True),
    Column("participants", Integer, nullable=True),
    Column("rationale", Text, nullable=False, server_default=""),
    Column("addressee", String(20), nullable=False, server_default=""),
    Column("responsible_unit", String(200), nullable=False, server_default=""),
    Column("estimated_cost", Float, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

qualitative_link = Table(
    "qualitative_link",
    metadata,
    # What a record is about: role indicator, area, finding (a recommendation's
    # findings) or outcome (the indicators that show whether it works); the target
    # is a code, so that a link survives a re-import of areas or indicators.
    Column("record_id", Integer, ForeignKey("qualitative_record.id"), nullable=False),
    Column("role", String(20), nullable=False),
    Column("target", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("record_id", "role", "target"),
    Index("ix_qualitative_link_target", "role", "target"),
)

recommendation_status = Table(
    "recommendation_status",
    metadata,
    # Append-only, like the audit log: a trigger refuses updates and deletes.
    Column("id", Integer, primary_key=True),
    Column(
        "record_id",
        Integer,
        ForeignKey("qualitative_record.id"),
        nullable=False,
        index=True,
    ),
    Column("status", String(20), nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# Hot-spot analyses (LISA) of the large levels (store/hotspot_results.py): derived
# data, kept so that a restarted portal serves them at once. Rows of one data version
# only (a write removes the others'); the audience is part of the key, so that a
# public read never gets an analysis of values it may not see.
hotspot_result = Table(
    "hotspot_result",
    metadata,
    # The data version (``data_version``) the analysis read, as text.
    Column("version", Text, nullable=False),
    # Whose values were analysed: public, internal or internal:<area code>.
    Column("audience", String(60), nullable=False),
    Column("indicator", String(100), nullable=False),
    Column("level", String(40), nullable=False),
    Column("period", String(10), nullable=False),
    # Neighbour rule, permutations, seed and significance level.
    Column("method", String(100), nullable=False),
    # Digest of the slice's suppression pattern when the analysis started: an
    # area scope protected anew changes the pattern but not the data version.
    Column("pattern", String(64), nullable=False),
    # The analysed areas, in order: ``hotspot_areas.digest``.
    Column("areas", String(64), nullable=False),
    # Each area's cluster as a byte (``cluster_worker.KINDS``), in hexadecimal
    # (text: the backup format has no binary columns).
    Column("kinds", Text, nullable=False),
    Column("n", Integer, nullable=False),
    # Moran's I and its statement fields as JSON; empty: none.
    Column("moran", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint(
        "version", "audience", "indicator", "level", "period", "method"
    ),
)

hotspot_areas = Table(
    "hotspot_areas",
    metadata,
    # SHA-256 of the codes: the analyses of a level share one row.
    Column("digest", String(64), primary_key=True),
    Column("version", Text, nullable=False),
    # The area codes, one per line, in the analysis' order.
    Column("codes", Text, nullable=False),
)

# Reports published as pages by an editor (store/published_reports.py): stored as
# rendered, so that a published report is the same text whatever releases come
# later. Always made for the public audience.
published_report = Table(
    "published_report",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # The shipped template and the parameters it was made with.
    Column("template", String(100), nullable=False),
    Column("area", String(40), nullable=True),
    Column("topic", String(100), nullable=True),
    Column("lang", String(5), nullable=False),
    Column("title", Text, nullable=False),
    # The release (Datenstand) every figure is from.
    Column("release_name", String(100), nullable=False),
    # The report's text as the portal shows it (table of contents and chapters).
    Column("body", Text, nullable=False),
    # The self-contained HTML file the PDF is made from.
    Column("document", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_by", String(100), nullable=False),
    # Empty while the report is on the list; a withdrawn report is kept.
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_by", String(100), nullable=True),
)

# The release digest "Was hat sich verändert?" (store/digest_results.py), computed
# when a release is published: one JSON document per release and audience, with
# the fingerprint of what its reads depended on (catalogue, releases, suppression
# patterns); a reader finds a stored digest whose fingerprint is not the current
# one stale and computes it anew, so a pattern changed after publication never
# serves a statement on a now-hidden value.
release_digest = Table(
    "release_digest",
    metadata,
    Column("release_id", Integer, nullable=False),
    # Whose reads: ``public`` (stored at publication).
    Column("audience", String(60), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    # ``analysis.digest_record.digest_to_dict`` as JSON.
    Column("document", Text, nullable=False),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("release_id", "audience"),
)

__all__ = [
    "account",
    "account_recovery_code",
    "account_session",
    "api_token",
    "area",
    "area_level",
    "area_lineage",
    "audit_event",
    "hotspot_areas",
    "hotspot_result",
    "import_job",
    "import_log",
    "indicator",
    "metadata",
    "observation",
    "oidc_login",
    "published_report",
    "qualitative_link",
    "qualitative_record",
    "recommendation_status",
    "release",
    "release_digest",
    "sign_in_attempt",
    "suppressed_cell",
    "suppression_slice",
]
