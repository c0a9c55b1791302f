"""Indicators (Kennzahlen) and their metadata, declared once.

The catalogue importer, the README table and the API read ``Indicator.model_fields``,
so a field is added in one place.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import InvalidPeriodError


class IndicatorKind(StrEnum):
    SHARE = "share"
    RATE = "rate"
    COUNT = "count"
    MEAN = "mean"
    MEDIAN = "median"
    INDEX = "index"


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"
    NEUTRAL = "neutral"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


DEFAULT_MULTIPLIER = {IndicatorKind.SHARE: 100.0, IndicatorKind.RATE: 1000.0}
DEFAULT_DECIMALS = {IndicatorKind.COUNT: 0}
"""Decimals shown where the catalogue gives none: a count is a whole number
("83.019.213 Personen"); every other kind gets ``OTHER_DECIMALS``."""
OTHER_DECIMALS = 1
DEFAULT_MIN_COUNT = 3
DEFAULT_TOPIC = "Allgemein"
INDICATOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_MIN_COUNT = 1_000_000
"""Largest ``min_count``: a threshold above any count a municipality publishes."""
MAX_MULTIPLIER = 1_000_000.0
"""Largest ``multiplier`` (per million inhabitants)."""
MAX_TEXT_CHARS = 10_000
"""Longest text field (a definition of a page or two)."""
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffd]")
"""Characters no text field holds: control characters (tab, line feed and carriage
return are allowed), halves of UTF-16 pairs, which no database can store, and the
replacement character '\ufffd' that marks a character lost in a conversion."""
FORMULA_START = ("=", "@")
"""How a spreadsheet formula starts: a text field starting so is a formula that was
exported instead of its value (and would run when the text is opened in a
spreadsheet)."""
STORED = "stored"
"""Validation context key: the record comes from the database (``{STORED: True}``),
so the import rules for texts are not applied again."""
TEXT_FIELDS = (
    "name",
    "unit",
    "short_name",
    "topic",
    "definition",
    "numerator",
    "denominator",
    "source",
    "licence",
    "update_cycle",
    "name_en",
    "short_name_en",
    "unit_en",
    "topic_en",
    "definition_en",
)
ENGLISH_FIELDS: dict[str, str] = {
    "name": "name_en",
    "short_name": "short_name_en",
    "unit": "unit_en",
    "topic": "topic_en",
    "definition": "definition_en",
}
"""German catalogue field → the field with its English text (empty: the English
pages show the German text and say so)."""


def plain_text(value: str) -> str:
    """``value`` when it is plain text: not too long, no control characters, not a
    spreadsheet formula.

    Raises
    ------
    ValueError
        Saying what is wrong and what to do.

    Examples
    --------
    >>> plain_text("Arbeitslose je 100 EW")
    'Arbeitslose je 100 EW'
    """
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(
            f"the text has {len(value):,} characters, more than the "
            f"{MAX_TEXT_CHARS:,} a field holds; shorten it"
        )
    if found := CONTROL_CHARACTERS.search(value):
        raise ValueError(
            f"the text contains the character {found.group()!r}, a control "
            "character or one lost in a conversion; remove it or export the file "
            "again in UTF-8"
        )
    if value.lstrip().startswith(FORMULA_START):
        raise ValueError(
            "the text starts like a spreadsheet formula ('=' or '@'); write the "
            "text itself, not a formula"
        )
    return value


def default_decimals(kind: object) -> int:
    """The decimals shown for a ``kind`` when the catalogue gives none.

    Examples
    --------
    >>> default_decimals("count"), default_decimals("share"), default_decimals(None)
    (0, 1, 1)
    """
    try:
        chosen = IndicatorKind(str(kind)) if kind is not None else IndicatorKind.SHARE
    except ValueError:
        return OTHER_DECIMALS  # the kind's own validation says what is wrong
    return DEFAULT_DECIMALS.get(chosen, OTHER_DECIMALS)


class Indicator(BaseModel):
    """One indicator with its full metadata."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    id: str = Field(description="Stable identifier: letters, digits, _ - .")
    name: str = Field(description="Full name as shown in the portal.")
    unit: str = Field(description="Unit as shown (%, je 1.000 EW, Personen, EUR).")
    short_name: str = Field(default="", description="Short label (default: name).")
    topic: str = Field(default=DEFAULT_TOPIC, description="Topic (Themenfeld).")
    definition: str = Field(default="", description="Definition text.")
    kind: IndicatorKind = Field(
        default=IndicatorKind.SHARE,
        description="share, rate, count, mean, median or index.",
    )
    numerator: str = Field(default="", description="What the numerator counts.")
    denominator: str = Field(default="", description="What the denominator counts.")
    multiplier: float = Field(
        default=0.0,
        ge=0,
        le=MAX_MULTIPLIER,
        allow_inf_nan=False,
        description="value = numerator / denominator x multiplier "
        "(default 100 for shares, 1000 for rates, 1 otherwise).",
    )
    decimals: int = Field(
        default=OTHER_DECIMALS,
        ge=0,
        le=6,
        description="Decimals shown (default 0 for counts, 1 otherwise).",
    )
    polarity: Polarity = Field(
        default=Polarity.NEUTRAL,
        description="higher_is_better, higher_is_worse or neutral.",
    )
    source: str = Field(default="", description="Publisher / data source.")
    licence: str = Field(default="", description="Licence of the data.")
    update_cycle: str = Field(default="", description="Update cycle (jährlich …).")
    visibility: Visibility = Field(
        default=Visibility.PUBLIC, description="public or internal (login only)."
    )
    min_count: int = Field(
        default=DEFAULT_MIN_COUNT,
        ge=0,
        le=MAX_MIN_COUNT,
        description="Smallest count that may be disclosed.",
    )
    first_period: str = Field(
        default="", description="First period the indicator exists for (optional)."
    )
    last_period: str = Field(
        default="", description="Last period the indicator exists for (optional)."
    )
    keywords: tuple[str, ...] = Field(default=(), description="Synonyms and keywords.")
    numerator_indicator: str = Field(
        default="",
        description="A share's or rate's numerator is this count indicator's value "
        "(its id): the protection of small counts treats both as one cell.",
    )
    denominator_indicator: str = Field(
        default="",
        description="A share's or rate's denominator is this count indicator's "
        "value (its id).",
    )
    change_of: str = Field(
        default="",
        description="The indicator (its id) whose change since change_base this "
        "indicator is: hidden wherever that indicator is hidden at either period.",
    )
    change_base: str = Field(
        default="", description="The period a change_of indicator is measured from."
    )
    name_en: str = Field(
        default="",
        description="English name (empty: the English pages show the German one "
        "and say so).",
    )
    short_name_en: str = Field(
        default="", description="English short label (default: name_en)."
    )
    unit_en: str = Field(default="", description="English unit (persons, per 1,000).")
    topic_en: str = Field(default="", description="English name of the topic.")
    definition_en: str = Field(default="", description="English definition text.")

    @field_validator("id")
    @classmethod
    def _id_is_stable(cls, value: str) -> str:
        if not INDICATOR_ID.match(value):
            raise ValueError(
                "use only letters, digits, '_', '-' and '.', starting with a letter "
                "or digit"
            )
        return value

    @field_validator(*TEXT_FIELDS)
    @classmethod
    def _text_is_plain(cls, value: str, info: ValidationInfo) -> str:
        if info.context and info.context.get(STORED):
            # Checked when it was imported; a text stored before a rule existed (or
            # by another tool) is shown, and every download writes it as text.
            return value
        return plain_text(value)

    @field_validator("numerator_indicator", "denominator_indicator", "change_of")
    @classmethod
    def _link_is_an_id(cls, value: str) -> str:
        if value and not INDICATOR_ID.match(value):
            raise ValueError(
                "name the linked indicator by its id (letters, digits, '_', '-', '.')"
            )
        return value

    @field_validator("first_period", "last_period", "change_base")
    @classmethod
    def _period_is_valid(cls, value: str) -> str:
        try:
            return parse_period(value).code if value else ""
        except InvalidPeriodError as exc:
            raise ValueError(exc.message) from None

    @field_validator("keywords", mode="before")
    @classmethod
    def _split_keywords(cls, value: Any) -> Any:
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(k.strip() for k in value.split(";") if k.strip())
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords_are_plain(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(plain_text(k) for k in value)

    @model_validator(mode="before")
    @classmethod
    def _decimals_by_kind(cls, data: Any) -> Any:
        # The one place a default number of decimals is chosen: by the kind, where
        # the catalogue leaves ``decimals`` out or empty; a given value overrides.
        if isinstance(data, dict) and data.get("decimals") in (None, ""):
            return {**data, "decimals": default_decimals(data.get("kind"))}
        return data

    @model_validator(mode="after")
    def _fill_defaults(self) -> Indicator:
        if not self.short_name:
            object.__setattr__(self, "short_name", self.name)
        if not self.short_name_en:
            object.__setattr__(self, "short_name_en", self.name_en)
        if not self.multiplier:
            object.__setattr__(
                self, "multiplier", DEFAULT_MULTIPLIER.get(self.kind, 1.0)
            )
        return self

    @model_validator(mode="after")
    def _links_fit_the_kind(self) -> Indicator:
        if (self.numerator_indicator or self.denominator_indicator) and not (
            self.is_ratio
        ):
            raise ValueError(
                "numerator_indicator and denominator_indicator belong to a share or "
                f"rate, not to a {self.kind.value}; remove them or change the kind"
            )
        if self.id in (self.numerator_indicator, self.denominator_indicator):
            raise ValueError("an indicator cannot be its own numerator or denominator")
        if bool(self.change_of) != bool(self.change_base):
            raise ValueError(
                "change_of and change_base go together: name the indicator and the "
                "period its change is measured from"
            )
        if self.change_of == self.id and self.id:
            raise ValueError("an indicator cannot be a change of itself")
        return self

    @property
    def links(self) -> dict[str, str]:
        """The linked indicators' ids by field (``numerator_indicator``,
        ``denominator_indicator``, ``change_of``), the empty ones left out."""
        fields = ("numerator_indicator", "denominator_indicator", "change_of")
        return {f: getattr(self, f) for f in fields if getattr(self, f)}

    def text_in(self, field: str, lang: str) -> tuple[str, str]:
        """A catalogue text in ``lang`` where the catalogue has it, else German:
        ``(text, language of the text)``.

        Examples
        --------
        >>> ind = Indicator(id="x", name="Arbeitslose", unit="Personen",
        ...     name_en="Unemployed")
        >>> ind.text_in("name", "en"), ind.text_in("unit", "en")
        (('Unemployed', 'en'), ('Personen', 'de'))
        >>> ind.text_in("name", "de")
        ('Arbeitslose', 'de')
        """
        german = str(getattr(self, field))
        if lang == "en" and field in ENGLISH_FIELDS:
            english = str(getattr(self, ENGLISH_FIELDS[field]))
            if english or not german:
                return english, "en"
        return german, "de"

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    @property
    def is_ratio(self) -> bool:
        """Whether values are numerator / denominator x multiplier."""
        return self.kind in (IndicatorKind.SHARE, IndicatorKind.RATE)

    def value_from(self, numerator: float, denominator: float) -> float:
        """The indicator's value for a numerator and denominator."""
        return numerator / denominator * self.multiplier

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Indicator:
        return cls.model_validate(data)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


CATALOGUE_FIELDS: tuple[str, ...] = tuple(Indicator.model_fields)
REQUIRED_CATALOGUE_FIELDS: tuple[str, ...] = tuple(
    name for name, info in Indicator.model_fields.items() if info.is_required()
)
