"""Every table's columns, declared once: type, whether required, unit and meaning. The
loader validates against these, `data/README.md` documents them, and report tables take
their labels from them."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Column:
    name: str
    # id | date | text | int | number | bool | governorates | incident_type | indicator | reference | url
    # | choice (one of `choices`) | columns (names of the table's columns, ';' between them)
    kind: str
    description: str
    required: bool = False  # the column must be present in the header
    nonempty: bool = False  # every row must give a value
    unit: str = ""
    maximum: float | None = None  # larger values are rejected as implausible
    acled: str = ""  # the ACLED export column with the same meaning, if any
    label: str = ""  # heading in report tables
    choices: tuple[str, ...] = ()  # kind choice: the allowed values; kind columns: the table's columns

    @property
    def heading(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Table:
    name: str
    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # primary key: duplicates are an error
    description: str
    # (column, key column): a value of the column must be the key of another row of the
    # table (a row flagged `duplicate_of` names the row it repeats).
    links: tuple[tuple[str, str], ...] = ()
    # A column by which a row may repeat another's key: a later document's revision of a
    # figure (inputs.owners judges which issue reads which).
    revised_by: str = ""

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


# A single row standing for more than this many deaths or injuries is almost certainly a
# typing slip (an extra zero, a pasted total); the biggest single attacks in Iraq since 2003
# killed a few hundred.
MAX_CASUALTIES = 10_000

# Whose deaths and injuries a row counts. A monitor never adds militants or perpetrators killed
# in operations to the victims of violence: every total keeps the groups apart.
CASUALTY_GROUPS = ("victims", "militants", "unattributed")
DEFAULT_CASUALTY_GROUP = "victims"


def _naming_own_columns(table: Table) -> Table:
    """The table with its `columns` columns allowed to name any of its columns."""
    names = tuple(table.names)
    columns = tuple(replace(c, choices=names) if c.kind == "columns" else c for c in table.columns)
    return replace(table, columns=columns)


INCIDENTS = _naming_own_columns(Table(
    name="incidents",
    file="incidents.csv",
    key=("event_id_cnty",),
    description="One row per reported incident, or per total the source reports over a span.",
    columns=(
        Column("event_id_cnty", "id", "Unique id of the row (ACLED's id when imported from ACLED)",
               required=True, nonempty=True, acled="event_id_cnty", label="Id"),
        Column("event_date", "date", "Date of the incident, or first day of the span a total covers",
               required=True, nonempty=True, acled="event_date", label="Date"),
        Column("end_date", "date", "Last day of the span a total covers; empty for a single day",
               label="Until"),
        Column("incident_type", "incident_type", "Type of incident (see the allowed values)",
               required=True, nonempty=True, label="Type"),
        Column("admin1", "governorates",
               "Governorate, or several separated by ';' in the order the source names them "
               "when it gives one total for all",
               required=True, nonempty=True, acled="admin1", label="Governorate"),
        Column("location", "text", "Place within the governorate(s), as the source names it; ';' between several",
               acled="location", label="Location"),
        Column("actor1", "text", "Perpetrator where the source names one", acled="actor1",
               label="Perpetrator"),
        Column("target", "text", "Who or what was hit, in the source's words (used in sentences)",
               label="Target"),
        Column("incidents", "int", "Number of incidents the row stands for; empty when the source gives no count",
               unit="incidents", maximum=100_000, label="Incidents"),
        Column("fatalities", "int", "People killed; empty when not reported", unit="people",
               maximum=MAX_CASUALTIES, acled="fatalities", label="Killed"),
        Column("fatalities_min", "bool", "true when the source says 'at least' for the killed count",
               label="Killed is a minimum"),
        Column("wounded", "int", "People wounded; empty when not reported", unit="people",
               maximum=MAX_CASUALTIES, label="Wounded"),
        Column("wounded_min", "bool", "true when the source says 'at least' for the wounded count",
               label="Wounded is a minimum"),
        Column("casualty_group", "choice",
               "Whose deaths and injuries the row counts: victims (civilians, security forces and protesters hit by "
               "violence), militants (militants or perpetrators killed in operations) or unattributed (the "
               "source does not say); empty means victims",
               choices=CASUALTY_GROUPS, label="Casualties of"),
        Column("inferred", "columns",
               "Columns whose value is an inference, not the source's statement (a governorate placed from "
               "a town: admin1; a type judged from a description: incident_type); ';' between several",
               label="Inferred"),
        Column("source", "text", "Who reported it (outlet, agency or the monitor itself)",
               required=True, nonempty=True, acled="source", label="Source"),
        Column("reference", "reference", "Id of the document transcribed, listed in sources.csv",
               required=True, nonempty=True, label="Reference"),
        Column("notes", "text", "Anything else the source says about it", acled="notes",
               label="Notes"),
        # Kept from imports (ACLED) so that nothing a later analysis needs is lost; a curated
        # sheet may leave them out.
        Column("actor2", "text", "The other side: who was attacked or fought, as the source names it",
               acled="actor2", label="Other side"),
        Column("admin2", "text", "District, as the source names it", acled="admin2", label="District"),
        Column("event_type", "text", "The source's own event type (ACLED's event_type)",
               acled="event_type", label="Source's event type"),
        Column("sub_event_type", "text", "The source's own sub-event type (ACLED's sub_event_type), "
               "from which incident_type was mapped", acled="sub_event_type", label="Source's sub-event type"),
        Column("time_precision", "int", "How exact event_date is: 1 the day, 2 the week, 3 the month (ACLED)",
               maximum=3, acled="time_precision", label="Date precision"),
        Column("geo_precision", "int", "How exact the location is: 1 the place, 2 near it, 3 the "
               "district or governorate (ACLED)", maximum=3, acled="geo_precision", label="Place precision"),
        Column("duplicate_of", "text", "Id of the row that reports the same event; a row flagged so is "
               "kept but never counted", label="Duplicate of"),
    ),
    links=(("duplicate_of", "event_id_cnty"),),
))

# The rules by which `reportlib import acled` turns ACLED's event and sub-event types into
# incident types: shipped as reportlib/inputs/reference/acled_types.csv, extended or
# overridden by a data folder's acled-types.csv.
ACLED_TYPES = Table(
    name="acled-types",
    file="acled-types.csv",
    key=("event_type", "sub_event_type", "inter1", "inter2"),
    description="ACLED event types to incident types; the first row whose conditions hold applies.",
    columns=(
        Column("event_type", "text", "ACLED event type; empty for any"),
        Column("sub_event_type", "text", "ACLED sub-event type", required=True, nonempty=True),
        Column("inter1", "text", "ACLED category of actor1 (State forces, Rebel group, ...), '|' between "
               "several; empty for any"),
        Column("inter2", "text", "ACLED category of actor2, '|' between several; empty for any"),
        Column("incident_type", "text", "The incident type, 'skip' to leave such events out, or empty: "
               "no type, the import stops and asks", required=True),
        Column("casualty_group", "text", "Whose deaths the event's fatalities are: victims, militants "
               "or unattributed", required=True),
        Column("why", "text", "Why the rule maps as it does"),
    ),
)

INDICATORS = _naming_own_columns(Table(
    name="indicators",
    file="indicators.csv",
    key=("indicator", "date", "admin1"),
    revised_by="reference",
    description="Humanitarian and COVID-19 figures, one value a row.",
    columns=(
        Column("date", "date", "Date the value applies to (for a flow, the last day of its span)",
               required=True, nonempty=True, label="Date"),
        Column("indicator", "indicator", "Which indicator (see the allowed values)",
               required=True, nonempty=True, label="Indicator"),
        Column("admin1", "governorates", "Governorate; empty for the whole country",
               label="Governorate"),
        Column("value", "number", "The figure, in the indicator's unit", required=True,
               nonempty=True, maximum=1e10, label="Value"),
        Column("span", "text",
               "For a flow whose span the source gives only in words: those words ('in the last month'); "
               "the report prints them instead of the date",
               label="Span"),
        Column("inferred", "columns",
               "Columns whose value is an inference, not the source's statement (date, for a statement "
               "the source does not date, recorded at the period's end)",
               label="Inferred"),
        Column("source", "text", "Who reported it", required=True, nonempty=True,
               label="Source"),
        Column("reference", "reference", "Id of the document transcribed, listed in sources.csv",
               required=True, nonempty=True, label="Reference"),
        Column("notes", "text", "Qualifications the source gives (a span, a caveat)",
               label="Notes"),
    ),
))

SOURCES = Table(
    name="sources",
    file="sources.csv",
    key=("reference",),
    description="The documents the data was transcribed or imported from.",
    columns=(
        Column("reference", "id", "Short id used in the reference column of the other files",
               required=True, nonempty=True),
        Column("title", "text", "Title of the document", required=True, nonempty=True),
        Column("publisher", "text", "Who published it", required=True, nonempty=True),
        Column("published", "date", "Publication date", required=True),
        Column("url", "url", "Where to find it (http or https)"),
        Column("notes", "text", "How the document was used"),
    ),
)

TABLES = (INCIDENTS, INDICATORS, SOURCES)

