"""What changed between two versions of a delaftale, in a form a template can draw.

The board approves a new version of a delaftale by reading what changed since the last one, and
anyone may compare two versions later. A version is a frozen content dict
(`Subagreement.content`), so the comparison works on two such dicts, old and new, without the
database: two versions, or a version and the live draft, compare the same way.

Text is compared word by word and grouped into runs of unchanged, removed and added words, with
long unchanged stretches shortened to "…", so a long problemkompleks with one changed sentence
shows that sentence and a few words around it. Lists (parties, criteria, activities, staff
lines) are lined up with difflib so that one inserted item does not make every later one look
changed. Spaces within a line are not a difference a reader could see, so they are ignored;
line and paragraph breaks count.

Values are formatted for the active language when `compare` runs, as it does in a request.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from agreements.templatetags.agreement_text import fte_percent
from lib.numbers import format_thousand_dkk

PARAGRAPH = "\n\n"
LINE = "\n"
BREAKS = {PARAGRAPH, LINE}
# Shown for a line or paragraph break that was added or removed with no words around it.
BREAK_MARK = "¶"
OMISSION = "…"

# Unchanged words kept on each side of a change; more than that is shortened to "…".
CONTEXT_WORDS = 10
# The context stops at the end of a sentence, so that it reads as whole sentences.
SENTENCE_ENDS = (".", "!", "?", ":")
# A stretch is only shortened when that saves at least this many words.
MIN_OMITTED_WORDS = 5
# One or two unchanged words between two changes ("i", "og") are shown as part of the change:
# a rewritten sentence reads as one removal and one addition, not a patchwork.
MAX_FOLDED_WORDS = 2
# How alike two list items must be (0 to 1, by words) to count as one item changed rather than
# one removed and another added, where the lists do not line up one to one.
MIN_SIMILARITY = 0.6

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


class Status(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


class RunKind(StrEnum):
    EQUAL = "equal"
    REMOVED = "removed"
    ADDED = "added"
    OMITTED = "omitted"


@dataclass(frozen=True)
class Run:
    """A stretch of words of one kind. `text` keeps line breaks as "\\n"; `space_before` says
    whether a space separates it from the run before, so the space can sit outside <del>."""

    kind: RunKind
    text: str
    space_before: bool = False


@dataclass(frozen=True)
class TextDiff:
    """A word-by-word difference as paragraphs of runs, long unchanged stretches shortened."""

    paragraphs: tuple[tuple[Run, ...], ...]

    def runs(self, kind: RunKind) -> list[Run]:
        return [run for paragraph in self.paragraphs for run in paragraph if run.kind == kind]


@dataclass(frozen=True)
class FieldChange:
    """One field that differs. `old` and `new` are display strings ("" when there was none);
    `diff` is the word-by-word difference for text, None for a value shown whole (old → new)."""

    key: str
    label: Promise
    old: str
    new: str
    diff: TextDiff | None = None


@dataclass(frozen=True)
class ItemChange:
    """A party, criterion or staff line added, removed or changed.

    `title` is the item's name or text (the new one, or the old one when removed);
    `title_change` is set when a changed item's title itself changed. `fields` are its other
    fields that differ; for an added or removed item, those it has.
    """

    status: Status
    title: str
    title_change: FieldChange | None
    fields: tuple[FieldChange, ...]


@dataclass(frozen=True)
class ActivityChange(ItemChange):
    """An activity added, removed or changed, with its housing areas, criteria and staff.

    A removed activity lists no fields: its text was approved before and stays readable in
    the old version. Its criteria and staff lines are listed as removed, because they are what
    the plan stops measuring and paying for.
    """

    areas_added: tuple[str, ...] = ()
    areas_removed: tuple[str, ...] = ()
    criteria: tuple[ItemChange, ...] = ()
    staff: tuple[ItemChange, ...] = ()


@dataclass(frozen=True)
class BudgetLine:
    """One budget figure in whole kroner, old and new; shown in thousands (t.kr.)."""

    key: str
    label: Promise
    old: int
    new: int

    @property
    def difference(self) -> int:
        return self.new - self.old

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def formatted_difference(self) -> str:
        """The difference in t.kr. with its sign: "+300", "−300" or "0"."""
        sign = "+" if self.difference > 0 else "−" if self.difference < 0 else ""
        return sign + format_thousand_dkk(abs(self.difference))

    @property
    def formatted(self) -> str:
        """ "6.497 → 6.797 (+300)" in t.kr., or only "5.062" when the figure is unchanged."""
        if not self.changed:
            return format_thousand_dkk(self.new)
        return (
            f"{format_thousand_dkk(self.old)} → {format_thousand_dkk(self.new)} "
            f"({self.formatted_difference})"
        )


@dataclass(frozen=True)
class Part:
    """One part of the delaftale that changed, in the order of LBF's template. `kind` says how
    to draw `changes`: "text" (one FieldChange), "parties", "criteria", "staff" (ItemChanges),
    "activities" (ActivityChanges), "budget" (BudgetLines) or "validity" (FieldChanges)."""

    kind: str
    label: Promise
    changes: Any


@dataclass(frozen=True)
class Comparison:
    """Everything that differs between an old and a new content dict; only changes are kept."""

    sections: tuple[FieldChange, ...]
    parties: tuple[ItemChange, ...]
    criteria: tuple[ItemChange, ...]
    activities: tuple[ActivityChange, ...]
    staff: tuple[ItemChange, ...]
    budget: tuple[BudgetLine, ...]
    validity: tuple[FieldChange, ...]
    tables: tuple[ItemChange, ...] = ()

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.sections,
                self.parties,
                self.criteria,
                self.activities,
                self.staff,
                self.budget,
                self.validity,
                self.tables,
            )
        )

    @property
    def parts(self) -> list[Part]:
        """The changed parts in the order of LBF's template, each text section on its own."""
        lists = {
            "parties": (_("Parties"), self.parties),
            "criteria": (_("Success criteria of the sub-agreement"), self.criteria),
            "activities": (_("Activities"), self.activities),
            "staff": (_("Staff resources"), self.staff),
            "budget": (_("Budget"), self.budget),
            "validity": (_("Validity"), self.validity),
            "tables": (_("Tables"), self.tables),
        }
        sections = {section.key: section for section in self.sections}
        parts = []
        for key in ORDER:
            if key in sections:
                parts.append(Part("text", sections[key].label, sections[key]))
            elif key in lists and lists[key][1]:
                parts.append(Part(key, *lists[key]))
        return parts

    @property
    def counts(self) -> Counter[str]:
        """How many things changed, by "<what>_<status>", e.g. counts["activities_added"]."""
        counts: Counter[str] = Counter()
        counts["sections_changed"] = len(self.sections)
        criteria = [*self.criteria, *(c for a in self.activities for c in a.criteria)]
        staff = [*self.staff, *(line for a in self.activities for line in a.staff)]
        for what, changes in (
            ("parties", self.parties),
            ("criteria", criteria),
            ("activities", self.activities),
            ("staff", staff),
            ("tables", self.tables),
        ):
            for change in changes:
                counts[f"{what}_{change.status}"] += 1
        counts["budget_changed"] = int(bool(self.budget))
        counts["validity_changed"] = int(bool(self.validity))
        return +counts

    @property
    def summary(self) -> list[str]:
        """The counts as short sentences in the active language, e.g. "2 sections changed"."""
        counts = self.counts
        return [str(message % {"count": counts[key]}) for key, message in SUMMARY if counts[key]]


def compare(old: Mapping, new: Mapping) -> Comparison:
    """The differences from `old` to `new`, two content dicts as `Subagreement.content` makes
    them. An empty dict stands for "no version yet": then everything in `new` is added. The
    focus area is not compared: it names the delaftale, and both sides are the same one."""
    old, new = _comparable(old), _comparable(new)
    return Comparison(
        sections=_field_changes(SECTIONS, old, new),
        parties=_list_changes(old.get("parties", []), new.get("parties", []), PARTY),
        criteria=_list_changes(old.get("criteria", []), new.get("criteria", []), CRITERION),
        activities=tuple(
            change
            for old_item, new_item in _pairs(
                old.get("activities", []), new.get("activities", []), "name"
            )
            if (change := _activity_change(old_item, new_item))
        ),
        staff=_list_changes(old.get("staff", []), new.get("staff", []), STAFF_LINE),
        budget=_budget(old.get("budget") or {}, new.get("budget") or {}),
        validity=_field_changes(VALIDITY, old, new),
        tables=_list_changes(old.get("tables", []), new.get("tables", []), TABLE),
    )


def _comparable(content: Mapping) -> dict:
    """The content with what is compared as text added: the template's headings, the budget
    as written, and each table's rows, one line a row."""
    if not content:
        return {}
    budget = content.get("budget") or {}
    return {
        **content,
        "headings_text": _lines(content.get("headings")),
        "budget_as_written": " · ".join(
            words for _key, words in sorted((budget.get("as_written") or {}).items()) if words
        ),
        "activities": [
            {**activity, "headings_text": _lines(activity.get("headings"))}
            for activity in content.get("activities", [])
        ],
        "tables": [
            {
                **table,
                "title": (table.get("caption") or "").strip() or table.get("key", ""),
                "rows_text": "\n".join(
                    " | ".join(row.get("cells", [])) for row in table.get("rows", [])
                ),
            }
            for table in content.get("tables", [])
        ],
    }


def _lines(words: Mapping[str, str] | None) -> str:
    # In key order: PostgreSQL's jsonb does not keep the order a dict was written in, so a
    # version read back would otherwise differ from the same content in memory.
    return "\n".join(f"{value}" for _key, value in sorted((words or {}).items()) if value)


def text_diff(old: str, new: str) -> TextDiff:
    """`old` against `new` word by word, in paragraphs, long unchanged stretches shortened."""
    paragraphs: list[tuple[Run, ...]] = []
    for pieces in _paragraph_pieces(_blocks(_tokens(old), _tokens(new))):
        runs = _runs(_shorten(pieces))
        if _is_omission(runs) and paragraphs and _is_omission(paragraphs[-1]):
            continue  # several unchanged paragraphs in a row are one "…"
        paragraphs.append(runs)
    return TextDiff(tuple(paragraphs))


# Fields --------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def _date(value: str | None) -> str:
    return date_format(datetime.date.fromisoformat(value), "j. F Y") if value else ""


def _kind(value: str) -> str:
    return str(CRITERION_KINDS.get(value, value))


@dataclass(frozen=True)
class Field:
    """A field of the content, its label, and how a value is shown.

    Without `show` it is text, compared word by word; with `show` it is a value (a share, a
    date, yes or no) shown whole as old → new. `empty` is its value when absent.
    """

    key: str
    label: Promise
    show: Callable[[Any], str] | None = None
    empty: Any = ""

    def change(self, old: Mapping | None, new: Mapping | None) -> FieldChange | None:
        """How the field differs between two items, or None. An item that is None does not
        exist on that side (added or removed), and then only a field with a value counts."""
        old_value = None if old is None else old.get(self.key, self.empty)
        new_value = None if new is None else new.get(self.key, self.empty)
        if (old is None or new is None) and (old_value or new_value) in (None, self.empty):
            return None
        if self.show is None:
            old_text, new_text = old_value or "", new_value or ""
            if _tokens(old_text) == _tokens(new_text):
                return None
            return FieldChange(
                self.key, self.label, old_text, new_text, text_diff(old_text, new_text)
            )
        old_shown = "" if old_value is None else self.show(old_value)
        new_shown = "" if new_value is None else self.show(new_value)
        if old_shown == new_shown:
            return None
        return FieldChange(self.key, self.label, old_shown, new_shown)


# The delaftale's text sections and the other parts, in the order of LBF's template.
SECTIONS = (
    Field("title", _("Title")),
    Field("headings_text", _("Headings of LBF's template")),
    Field("initiative_name", _("Name of the initiative")),
    Field("responsibility_statement", _("The board's responsibility")),
    Field("problem_complex", _("Problem complex")),
    Field("purpose_and_goals", _("Purpose and goals")),
    Field("activities_overview", _("Activities overview")),
    Field("municipal_interplay", _("Interplay with the municipality's work")),
    Field("budget_as_written", _("Budget as written")),
    Field("activities_intro", _("Text before the activity schemas")),
    Field("conflict_handling", _("Conflict handling")),
    Field("revision", _("Revision")),
)
ORDER = (
    "title",
    "headings_text",
    "initiative_name",
    "responsibility_statement",
    "parties",
    "problem_complex",
    "purpose_and_goals",
    "criteria",
    "activities_overview",
    "activities",
    "staff",
    "municipal_interplay",
    "budget",
    "budget_as_written",
    "conflict_handling",
    "revision",
    "validity",
    "activities_intro",
    "tables",
)
VALIDITY = (
    Field("valid_from", _("Valid from"), show=_date, empty=None),
    Field("valid_to", _("Valid to"), show=_date, empty=None),
    Field("validity_note", _("Validity as written")),
)
# The same words as SuccessCriterion.Kind, whose model this module does not import.
CRITERION_KINDS = {
    "quantitative": _("measured against targets"),
    "qualitative": _("assessed by people"),
}

# Each list item's fields; the first is its title, by which the lists are lined up.
PARTY = (
    Field("name", _("Party")),
    Field("group", _("Group")),
    Field("role", _("Role")),
    Field("representative", _("Represented by")),
    Field("written_as", _("Written as")),
    Field("part_of", _("Part of")),
)
CRITERION = (
    Field("text", _("Success criterion")),
    Field("group", _("Group")),
    Field("data_source", _("Data source")),
    Field("method", _("Method of measurement")),
    Field("kind", _("Kind"), show=_kind),
)
STAFF_LINE = (
    Field("role", _("Role")),
    Field("fte", _("Share of a full-time post"), show=fte_percent),
    Field("fte_as_written", _("Share as written")),
    Field("note", _("Note")),
)
TABLE = (
    Field("title", _("Table")),
    Field("caption", _("Caption")),
    Field("rows_text", _("Rows")),
    Field("source", _("Source")),
)
ACTIVITY = (
    Field("name", _("Name")),
    Field("cfbu_recommended", _("Recommended by CFBU"), show=_yes_no, empty=False),
    Field("cfbu_note", _("CFBU reference")),
    Field("content", _("Content and practice")),
    Field("purpose", _("Purpose and goals")),
    Field("target_groups", _("Target groups")),
    Field("criteria_note", _("Note on the success criteria")),
    Field("responsibility", _("Responsibility and roles")),
    Field("municipality_responsible", _("Run by the municipality"), show=_yes_no, empty=False),
    Field("headings_text", _("Headings of the activity schema")),
)


def _field_changes(
    fields: Sequence[Field], old: Mapping | None, new: Mapping | None
) -> tuple[FieldChange, ...]:
    return tuple(change for field in fields if (change := field.change(old, new)))


# Lists ---------------------------------------------------------------------------------------


def _item_change(
    old: Mapping | None, new: Mapping | None, fields: Sequence[Field]
) -> ItemChange | None:
    title, *others = fields
    status = Status.ADDED if old is None else Status.REMOVED if new is None else Status.CHANGED
    title_change = title.change(old, new) if status == Status.CHANGED else None
    changes = _field_changes(others, old, new)
    if status == Status.CHANGED and not title_change and not changes:
        return None
    shown = new if new is not None else old
    return ItemChange(status, shown.get(title.key, ""), title_change, changes)


def _list_changes(
    old: Sequence[Mapping], new: Sequence[Mapping], fields: Sequence[Field]
) -> tuple[ItemChange, ...]:
    return tuple(
        change
        for old_item, new_item in _pairs(old, new, fields[0].key)
        if (change := _item_change(old_item, new_item, fields))
    )


def _activity_change(old: Mapping | None, new: Mapping | None) -> ActivityChange | None:
    item = _item_change(old, new, ACTIVITY)
    status = item.status if item else Status.CHANGED
    old_areas = old.get("areas", []) if old else []
    new_areas = new.get("areas", []) if new else []
    change = ActivityChange(
        status=status,
        title=item.title if item else new.get("name", ""),
        title_change=item.title_change if item else None,
        fields=item.fields if item and status != Status.REMOVED else (),
        areas_added=tuple(area for area in new_areas if area not in old_areas),
        areas_removed=()
        if status == Status.REMOVED
        else tuple(area for area in old_areas if area not in new_areas),
        criteria=_list_changes(
            old.get("criteria", []) if old else [],
            new.get("criteria", []) if new else [],
            CRITERION,
        ),
        staff=_list_changes(
            old.get("staff", []) if old else [],
            new.get("staff", []) if new else [],
            STAFF_LINE,
        ),
    )
    if item or change.areas_added or change.areas_removed or change.criteria or change.staff:
        return change
    return None


def _pairs(
    old: Sequence[Mapping], new: Sequence[Mapping], key: str
) -> list[tuple[Mapping | None, Mapping | None]]:
    """Old and new items lined up by their titles, in the new order: (old, new) for an item
    in both, (old, None) for one removed, (None, new) for one added.

    Where a run of old items gives way to as many new ones (a 1:1 "replace"), they are taken
    as changed in place: a renamed activity stays the same activity. Where the numbers differ,
    an old and a new item are paired only when their titles are alike.
    """
    old_keys = [" ".join(str(item.get(key, "")).split()) for item in old]
    new_keys = [" ".join(str(item.get(key, "")).split()) for item in new]
    pairs: list[tuple[Mapping | None, Mapping | None]] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs.extend(zip(old[i1:i2], new[j1:j2], strict=True))
        else:
            pairs.extend(_pair_alike(old[i1:i2], new[j1:j2], old_keys[i1:i2], new_keys[j1:j2]))
    return pairs


def _pair_alike(
    old: Sequence[Mapping], new: Sequence[Mapping], old_keys: list[str], new_keys: list[str]
) -> list[tuple[Mapping | None, Mapping | None]]:
    pairs: list[tuple[Mapping | None, Mapping | None]] = []
    start = 0
    for item, key in zip(old, old_keys, strict=True):
        scores = [(_similarity(key, other), index) for index, other in enumerate(new_keys)]
        score, best = max(scores[start:], default=(0.0, None), key=lambda pair: pair[0])
        if best is None or score < MIN_SIMILARITY:
            pairs.append((item, None))
            continue
        pairs.extend((None, added) for added in new[start:best])
        pairs.append((item, new[best]))
        start = best + 1
    pairs.extend((None, added) for added in new[start:])
    return pairs


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _budget(old: Mapping, new: Mapping) -> tuple[BudgetLine, ...]:
    """The LBF, local and total figures when either part changed, else nothing."""
    old_lbf, old_local = old.get("lbf", 0), old.get("local", 0)
    new_lbf, new_local = new.get("lbf", 0), new.get("local", 0)
    if (old_lbf, old_local) == (new_lbf, new_local):
        return ()
    return (
        BudgetLine("lbf", _("LBF"), old_lbf, new_lbf),
        BudgetLine("local", _("Local co-financing"), old_local, new_local),
        BudgetLine("total", _("Total"), old_lbf + old_local, new_lbf + new_local),
    )


# Text ----------------------------------------------------------------------------------------

Piece = tuple[RunKind, list[str]]


def _tokens(text: str) -> list[str]:
    """Words, with LINE and PARAGRAPH tokens for the breaks between them."""
    tokens: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").strip()):
        if tokens:
            tokens.append(PARAGRAPH)
        for line in paragraph.split("\n"):
            words = line.split()
            if words and tokens and tokens[-1] not in BREAKS:
                tokens.append(LINE)
            tokens.extend(words)
    return tokens


def _blocks(old: list[str], new: list[str]) -> list[tuple[bool, list[str], list[str]]]:
    """(unchanged?, old tokens, new tokens) in order; a change is a removal and an addition."""
    # autojunk would treat frequent words ("og", "i") in a long text as noise and misalign.
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    blocks: list[tuple[bool, list[str], list[str]]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        equal = tag == "equal"
        folded = (
            equal
            and 0 < index < len(opcodes) - 1
            and i2 - i1 <= MAX_FOLDED_WORDS
            and not BREAKS.intersection(old[i1:i2])
        )
        if (not equal or folded) and blocks and not blocks[-1][0]:
            blocks[-1][1].extend(old[i1:i2])
            blocks[-1][2].extend(new[j1:j2])
        else:
            blocks.append((equal and not folded, old[i1:i2], new[j1:j2]))
    return blocks


def _split(tokens: list[str]) -> list[list[str]]:
    """Tokens cut at paragraph breaks."""
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token == PARAGRAPH:
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def _paragraph_pieces(blocks: list[tuple[bool, list[str], list[str]]]) -> list[list[Piece]]:
    """The blocks as paragraphs of pieces. A change that spans paragraphs puts each old
    paragraph's removal next to the matching new paragraph's addition."""
    paragraphs: list[list[Piece]] = [[]]
    for equal, old, new in blocks:
        if equal:
            for index, segment in enumerate(_split(old)):
                if index:
                    paragraphs.append([])
                if segment:
                    paragraphs[-1].append((RunKind.EQUAL, segment))
            continue
        if all(token in BREAKS for token in old + new):
            # Only a break was added or removed; mark it, or the change would be invisible.
            if old:
                paragraphs[-1].append((RunKind.REMOVED, [BREAK_MARK]))
            if new:
                paragraphs[-1].append((RunKind.ADDED, [BREAK_MARK]))
            continue
        old_segments, new_segments = _split(old), _split(new)
        for index in range(max(len(old_segments), len(new_segments))):
            if index:
                paragraphs.append([])
            for kind, segments in ((RunKind.REMOVED, old_segments), (RunKind.ADDED, new_segments)):
                if index < len(segments) and segments[index]:
                    paragraphs[-1].append((kind, segments[index]))
    return [paragraph for paragraph in paragraphs if paragraph]


def _shorten(pieces: list[Piece]) -> list[Piece]:
    """Keep up to CONTEXT_WORDS unchanged words on each side of a change, cut at a sentence
    or line, and put "…" for the rest; a paragraph without changes becomes a single "…"."""
    shortened: list[Piece] = []
    last = len(pieces) - 1
    for index, (kind, tokens) in enumerate(pieces):
        if kind != RunKind.EQUAL:
            shortened.append((kind, tokens))
            continue
        head = _to_sentence_end(tokens[:CONTEXT_WORDS]) if index > 0 else []
        tail = _from_sentence_start(tokens[-CONTEXT_WORDS:]) if index < last else []
        if len(tokens) - len(head) - len(tail) < MIN_OMITTED_WORDS and last > 0:
            shortened.append((kind, tokens))
            continue
        if head:
            shortened.append((kind, head))
        shortened.append((RunKind.OMITTED, [OMISSION]))
        if tail:
            shortened.append((kind, tail))
    return shortened


def _to_sentence_end(tokens: list[str]) -> list[str]:
    """The tokens up to the end of the first sentence or line among them, if there is one."""
    for index, token in enumerate(tokens):
        if token == LINE:
            return tokens[:index]
        if token.endswith(SENTENCE_ENDS):
            return tokens[: index + 1]
    return tokens


def _from_sentence_start(tokens: list[str]) -> list[str]:
    """The tokens from the start of the last sentence or line among them, if there is one."""
    for index in range(len(tokens) - 2, -1, -1):
        if tokens[index] == LINE or tokens[index].endswith(SENTENCE_ENDS):
            return tokens[index + 1 :]
    return tokens


def _runs(pieces: list[Piece]) -> tuple[Run, ...]:
    runs: list[Run] = []
    previous: str | None = None
    for kind, tokens in pieces:
        if previous is None:
            while tokens and tokens[0] == LINE:
                tokens = tokens[1:]  # a paragraph does not start with a line break
        if not tokens:
            continue
        space = previous is not None and previous != LINE and tokens[0] != LINE
        runs.append(Run(kind, _text(tokens), space))
        previous = tokens[-1]
    return tuple(runs)


def _text(tokens: list[str]) -> str:
    parts: list[str] = []
    for token in tokens:
        if token == LINE:
            parts.append("\n")
        else:
            if parts and parts[-1] != "\n":
                parts.append(" ")
            parts.append(token)
    return "".join(parts)


def _is_omission(runs: tuple[Run, ...]) -> bool:
    return len(runs) == 1 and runs[0].kind == RunKind.OMITTED


# What `Comparison.summary` says, in this order. The count is named, so each message picks its
# singular or plural when it is given the number.
SUMMARY = [
    (
        "sections_changed",
        ngettext_lazy("%(count)s section changed", "%(count)s sections changed", "count"),
    ),
    ("parties_added", ngettext_lazy("%(count)s party added", "%(count)s parties added", "count")),
    (
        "parties_removed",
        ngettext_lazy("%(count)s party removed", "%(count)s parties removed", "count"),
    ),
    (
        "parties_changed",
        ngettext_lazy("%(count)s party changed", "%(count)s parties changed", "count"),
    ),
    (
        "criteria_added",
        ngettext_lazy(
            "%(count)s success criterion added", "%(count)s success criteria added", "count"
        ),
    ),
    (
        "criteria_removed",
        ngettext_lazy(
            "%(count)s success criterion removed", "%(count)s success criteria removed", "count"
        ),
    ),
    (
        "criteria_changed",
        ngettext_lazy(
            "%(count)s success criterion changed", "%(count)s success criteria changed", "count"
        ),
    ),
    (
        "activities_added",
        ngettext_lazy("%(count)s activity added", "%(count)s activities added", "count"),
    ),
    (
        "activities_removed",
        ngettext_lazy("%(count)s activity removed", "%(count)s activities removed", "count"),
    ),
    (
        "activities_changed",
        ngettext_lazy("%(count)s activity changed", "%(count)s activities changed", "count"),
    ),
    (
        "staff_added",
        ngettext_lazy("%(count)s staff line added", "%(count)s staff lines added", "count"),
    ),
    (
        "staff_removed",
        ngettext_lazy("%(count)s staff line removed", "%(count)s staff lines removed", "count"),
    ),
    (
        "staff_changed",
        ngettext_lazy("%(count)s staff line changed", "%(count)s staff lines changed", "count"),
    ),
    (
        "tables_added",
        ngettext_lazy("%(count)s table added", "%(count)s tables added", "count"),
    ),
    (
        "tables_removed",
        ngettext_lazy("%(count)s table removed", "%(count)s tables removed", "count"),
    ),
    (
        "tables_changed",
        ngettext_lazy("%(count)s table changed", "%(count)s tables changed", "count"),
    ),
    ("budget_changed", _("The budget changed")),
    ("validity_changed", _("The validity changed")),
]
