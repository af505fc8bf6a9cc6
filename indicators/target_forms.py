"""A success criterion's target as the secretariat says it: "mindst 50 hvert år", "fald på
10 % fra året før", "i alt mindst 4 inden udgangen af 2021".

Each plain-words choice (`CHOICES`) stands for one kind of target (CriterionTarget.Kind) and
one direction, and names the fields it needs; the form shows only those, reads percentages
as Danes type them ("75 %", "75") and refuses what is missing or contradictory in words the
secretariat uses, before the model's own constraints are checked as the last word.

Shares are stored as per cent, as the real plan's targets are ("75.00" for 75 %). A number
between 0 and 1 typed without a per cent sign for a share ("0,75") is refused rather than
guessed at: three quarters is typed "75 %", and below one per cent "0,75 %".
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import HousingArea, Plan
from lib.forms import CountField, DanishDecimalField, SummarisedForm, reason_field
from lib.numbers import format_figure
from lib.periods import Horizon
from lib.phrases import format_figure_with_unit

from .evaluation import Evaluation, Figures, Row, evaluate_row, judged_year
from .models import CriterionTarget, Indicator, SuccessCriterion, Unit
from .rules import Verdict
from .services import TARGET_FIELDS, target_fingerprint

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Kind = CriterionTarget.Kind
Comparison = CriterionTarget.Comparison
HUNDRED = Decimal(100)

# Every target has these, whatever it says.
COMMON_FIELDS = ("area", "strict", "label")
QUALITATIVE = "qualitative"


@dataclass(frozen=True)
class Choice:
    """What a criterion may say, in a secretariat's words, and the target it is stored as.

    `rising` says whether more is better (at least, above) or less (at most, below); `strict`
    whether the limit itself is not enough unless the secretariat says otherwise (a rise from
    the baseline is more than the baseline). `percent` reads the target figure as a share.
    """

    key: str
    label: StrOrPromise
    kind: str
    rising: bool = True
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    percent: bool = False
    strict: bool = False

    def comparison(self, strict: bool) -> str:
        if self.rising:
            return Comparison.ABOVE if strict else Comparison.AT_LEAST
        return Comparison.BELOW if strict else Comparison.AT_MOST


VALUE_RANGE = ("value", "value_max", "from_year", "to_year")
VALUE_YEARS = ("value", "from_year", "to_year")
TOTAL = ("value", "value_max", "from_year", "to_year", "to_quarter")
BY_YEAR = ("value", "baseline_value", "baseline_year", "to_year", "to_quarter")
CHANGE_PREVIOUS = ("change_percent", "baseline_value", "baseline_year", "from_year")
YEARLY_CHANGE = ("change_percent", "baseline_value", "baseline_year")
CHANGE_BASELINE = (
    "change_percent",
    "horizon_years",
    "baseline_value",
    "baseline_year",
    "to_year",
    "to_quarter",
)
REFERENCE = ("reference", "to_year", "to_quarter")
DIRECTION = ("baseline_value", "baseline_year", "to_year")

# Grouped as the choice list shows them; N, X, Y, P and Å stand for the fields below it.
CHOICE_GROUPS: list[tuple[StrOrPromise, list[Choice]]] = [
    (
        _("Every year"),
        [
            Choice(
                "yearly_min", _("at least N every year"), Kind.YEARLY, True, VALUE_RANGE, ("value",)
            ),
            Choice(
                "yearly_max", _("at most N every year"), Kind.YEARLY, False, VALUE_YEARS, ("value",)
            ),
            Choice(
                "share_min",
                _("a share of at least P %"),
                Kind.YEARLY,
                True,
                VALUE_RANGE,
                ("value",),
                percent=True,
            ),
            Choice(
                "share_max",
                _("a share of at most P %"),
                Kind.YEARLY,
                False,
                VALUE_YEARS,
                ("value",),
                percent=True,
            ),
        ],
    ),
    (
        _("Over the period"),
        [
            Choice(
                "cumulative_min",
                _("in all at least N by the end of year Y2"),
                Kind.CUMULATIVE,
                True,
                TOTAL,
                ("value", "to_year"),
            ),
            Choice(
                "cumulative_max",
                _("in all at most N by the end of year Y2"),
                Kind.CUMULATIVE,
                False,
                TOTAL,
                ("value", "to_year"),
            ),
            Choice(
                "average_min",
                _("an average of at least N a year"),
                Kind.AVERAGE,
                True,
                VALUE_RANGE,
                ("value",),
            ),
            Choice(
                "average_max",
                _("an average of at most N a year"),
                Kind.AVERAGE,
                False,
                VALUE_YEARS,
                ("value",),
            ),
            Choice(
                "by_year_min",
                _("from X in year Y to at least N in year Y2"),
                Kind.BY_YEAR,
                True,
                BY_YEAR,
                ("value", "to_year"),
            ),
            Choice(
                "by_year_max",
                _("from X in year Y to at most N in year Y2"),
                Kind.BY_YEAR,
                False,
                BY_YEAR,
                ("value", "to_year"),
            ),
        ],
    ),
    (
        _("Change"),
        [
            Choice(
                "change_previous_rise",
                _("a rise of P % from the year before"),
                Kind.CHANGE_PREVIOUS,
                True,
                CHANGE_PREVIOUS,
                ("change_percent",),
            ),
            Choice(
                "change_previous_fall",
                _("a fall of P % from the year before"),
                Kind.CHANGE_PREVIOUS,
                False,
                CHANGE_PREVIOUS,
                ("change_percent",),
            ),
            Choice(
                "yearly_change_rise",
                _("a rise of P % a year from X in year Y"),
                Kind.YEARLY_CHANGE,
                True,
                YEARLY_CHANGE,
                ("change_percent",),
            ),
            Choice(
                "yearly_change_fall",
                _("a fall of P % a year from X in year Y"),
                Kind.YEARLY_CHANGE,
                False,
                YEARLY_CHANGE,
                ("change_percent",),
            ),
            Choice(
                "change_baseline_rise",
                _("a rise of P % from the baseline within N years"),
                Kind.CHANGE_BASELINE,
                True,
                CHANGE_BASELINE,
                ("change_percent", "horizon_years"),
            ),
            Choice(
                "change_baseline_fall",
                _("a fall of P % from the baseline within N years"),
                Kind.CHANGE_BASELINE,
                False,
                CHANGE_BASELINE,
                ("change_percent", "horizon_years"),
            ),
            Choice(
                "direction_rise",
                _("a rise from the baseline"),
                Kind.DIRECTION,
                True,
                DIRECTION,
                strict=True,
            ),
            Choice(
                "direction_fall",
                _("a fall from the baseline"),
                Kind.DIRECTION,
                False,
                DIRECTION,
                strict=True,
            ),
        ],
    ),
    (
        _("Compared with another figure"),
        [
            Choice(
                "reference_above",
                _("better than the figure for … (higher)"),
                Kind.REFERENCE,
                True,
                REFERENCE,
                ("reference",),
                strict=True,
            ),
            Choice(
                "reference_below",
                _("better than the figure for … (lower)"),
                Kind.REFERENCE,
                False,
                REFERENCE,
                ("reference",),
                strict=True,
            ),
        ],
    ),
    (
        _("Without figures"),
        [Choice(QUALITATIVE, _("assessed qualitatively"), "")],
    ),
]
CHOICES: dict[str, Choice] = {
    choice.key: choice for _group, choices in CHOICE_GROUPS for choice in choices
}

# What a missing field lacks, in the words of the choice that needs it.
MISSING = {
    "value": _("Enter the target as a figure."),
    "change_percent": _("Enter the change in per cent, e.g. 10 %."),
    "horizon_years": _("Enter within how many years the change must come."),
    "reference": _("Choose the figure to compare with."),
    "to_year": _("Enter the year the target is for."),
}
# A total by a deadline without one is read by the engine as due at the end of the plan; the
# form asks for the year all the same, so that the deadline is said, not assumed. Only the
# form: the real plan has two such totals (its fixture would no longer load under a
# constraint), and their verdicts stand as they are.
MISSING_DEADLINE = _("Enter the year by whose end the total must be reached.")


def choice_for(target: CriterionTarget | None, criterion: SuccessCriterion) -> str:
    """The plain-words choice a stored target reads as (a share's yearly target as a share)."""
    if target is None:
        return QUALITATIVE if criterion.kind == SuccessCriterion.Kind.QUALITATIVE else ""
    rising = target.comparison in (Comparison.AT_LEAST, Comparison.ABOVE)
    for choice in CHOICES.values():
        if choice.kind == target.kind and choice.rising == rising:
            if choice.kind == Kind.YEARLY and choice.percent != (criterion.unit == Unit.PERCENT):
                continue
            return choice.key
    return ""


class WithPercentSign(Decimal):
    """A figure typed with a per cent sign ("75 %")."""


class FigureField(DanishDecimalField):
    """A figure as Danes type it, with or without a per cent sign ("75 %", "75", "72,4")."""

    def to_python(self, value):
        signed = isinstance(value, str) and value.strip().endswith("%")
        if signed:
            value = value.strip()[:-1]
        number = super().to_python(value)
        return WithPercentSign(number) if signed and number is not None else number


def year_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.IntegerField:
    return CountField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-xs"}),
    )


def figure_field(label: StrOrPromise, help_text: StrOrPromise = "", **kwargs) -> FigureField:
    return FigureField(
        label=label,
        required=False,
        help_text=help_text,
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-width-s"}),
        **kwargs,
    )


class TargetForm(SummarisedForm):
    """One target of a criterion, chosen in plain words; `draft()` is the target it saves.

    With `preview` the form is only read for the sentence: no reason is asked for.
    """

    choice = forms.ChoiceField(
        label=_("What does the criterion say?"),
        help_text=_("N, X, P and Y stand for the figures and years you enter below."),
        choices=[("", _("Choose …"))]
        + [
            (group, [(choice.key, choice.label) for choice in choices])
            for group, choices in CHOICE_GROUPS
        ],
        required=False,
    )
    area = forms.ModelChoiceField(
        label=_("Housing area"),
        queryset=HousingArea.objects.none(),
        required=False,
        empty_label=_("The whole plan"),
    )
    value = figure_field(_("Target (N)"))
    value_max = figure_field(
        _("Upper end of a range"), _("Only for a range such as '10–12'. Leave empty otherwise.")
    )
    change_percent = figure_field(
        _("Change in per cent (P)"),
        _("E.g. 10 %. Whether it is a rise or a fall follows from the choice above."),
    )
    horizon_years = CountField(
        label=_("Within how many years"),
        required=False,
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-width-xs"}),
    )
    baseline_value = figure_field(
        _("Starting point (X)"),
        _("Empty: the figure of the starting year, or the last figure before the plan."),
    )
    baseline_year = year_field(_("Starting year (Y)"))
    from_year = year_field(_("From year"), _("Empty: from the start of the plan."))
    to_year = year_field(_("Target year or deadline (Y2)"))
    to_quarter = forms.TypedChoiceField(
        label=_("Deadline inside the year"),
        choices=[
            ("", _("At the end of the year")),
            (1, _("End of the 1st quarter (31 March)")),
            (2, _("End of the 2nd quarter (30 June)")),
            (3, _("End of the 3rd quarter (30 September)")),
            (4, _("End of the 4th quarter (31 December)")),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reference = forms.ModelChoiceField(
        label=_("The figure to compare with"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_("An external reference of the plan, such as an average for other areas."),
    )
    strict = forms.TypedChoiceField(
        label=_("Is the limit itself enough?"),
        choices=[
            ("", _("As the choice says")),
            ("no", _("Yes: at least or at most the limit")),
            ("yes", _("No: above or below the limit")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    label = forms.CharField(
        label=_("Name of the target (optional)"),
        max_length=200,
        required=False,
        help_text=_("A name the agreement gives the target, e.g. 'ghettokriteriet'."),
    )
    reason = reason_field()
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        criterion: SuccessCriterion,
        target: CriterionTarget | None = None,
        preview: bool = False,
        **kwargs,
    ):
        self.criterion = criterion
        self.plan: Plan = criterion.subagreement.plan
        self.target = target
        self.preview = preview
        if target is not None or not args or args[0] is None:
            kwargs.setdefault("initial", initial_for(criterion, target))
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = HousingArea.objects.filter(plan_areas__plan=self.plan)
        self.fields["reference"].queryset = self.plan.indicators.filter(is_reference=True)
        first, last = self.plan.start_date.year, self.plan.end_date.year
        self.fields["to_year"].help_text = _("One of the plan's years, %(first)s–%(last)s.") % {
            "first": first,
            "last": last,
        }
        # Said wherever the target may be a share: a criterion of shares, or one that does not
        # read its figures from anywhere yet.
        if self.percent_unit or not self.criterion.unit:
            self.fields["value"].help_text = _(
                "In per cent: 75 or 75 % for three quarters. 0,75 is refused as unclear: "
                "write 75 %, or 0,75 % for less than one per cent."
            )

    @property
    def percent_unit(self) -> bool:
        return self.criterion.unit == Unit.PERCENT

    def chosen(self) -> Choice | None:
        """The choice the form shows the fields of: as sent, or as loaded."""
        key = self.data.get(self.add_prefix("choice")) if self.is_bound else None
        if key is None:
            key = self.initial.get("choice") or ""
        return CHOICES.get(key)

    def shown_fields(self) -> set[str]:
        choice = self.chosen()
        if choice is None or choice.key == QUALITATIVE:
            return set()
        return {*COMMON_FIELDS, *choice.fields}

    def field_choices(self) -> dict[str, str]:
        """For each field, the choices that show it, space-separated (the page's script
        shows and hides the fields by them)."""
        shown: dict[str, list[str]] = {}
        for choice in CHOICES.values():
            if choice.key == QUALITATIVE:
                continue
            for name in (*COMMON_FIELDS, *choice.fields):
                shown.setdefault(name, []).append(choice.key)
        return {name: " ".join(keys) for name, keys in shown.items()}

    def field_rows(self) -> list[tuple[forms.BoundField, str, bool]]:
        """Each target field with the choices that show it and whether it is shown now."""
        choices = self.field_choices()
        shown = self.shown_fields()
        return [
            (self[name], choices[name], name in shown)
            for name in ("area", *TARGET_FIELDS, "strict", "label")
        ]

    def clean(self):
        data = super().clean()
        choice = CHOICES.get(data.get("choice") or "")
        if choice is None:
            if "choice" not in self.errors:
                self.add_error("choice", _("Choose what the criterion says."))
            return data
        if choice.key == QUALITATIVE:
            self.clean_qualitative()
            return data
        self.clean_quantitative(choice, data)
        if not self.errors:
            self.clean_against_the_model(choice, data)
        if not self.errors and not self.preview:
            self.check_reason(data)
        return data

    def clean_qualitative(self) -> None:
        others = self.criterion.targets.exclude(pk=self.target.pk if self.target else None)
        if count := others.count():
            self.add_error(
                "choice",
                _(
                    "A criterion assessed qualitatively has no targets: remove its "
                    "%(count)s other targets first."
                )
                % {"count": count},
            )
        elif not self.preview:
            self.check_reason(self.cleaned_data)

    def clean_quantitative(self, choice: Choice, data: dict) -> None:
        if self.criterion.kind == SuccessCriterion.Kind.QUALITATIVE:
            years = sorted(self.criterion.assessments.values_list("year", flat=True))
            if years:
                self.add_error(
                    "choice",
                    _(
                        "The criterion has qualitative assessments (%(years)s), which a "
                        "criterion with figures does not read; it can have no target."
                    )
                    % {"years": ", ".join(str(year) for year in years)},
                )
                return
        if choice.percent and self.criterion.unit and not self.percent_unit:
            self.add_error(
                "choice",
                _("The criterion measures %(unit)s, not a share: choose 'at least N every year'.")
                % {"unit": Unit(self.criterion.unit).label},
            )
        for name in choice.required:
            if data.get(name) is None:
                deadline = choice.kind == Kind.CUMULATIVE and name == "to_year"
                missing = MISSING_DEADLINE if deadline else MISSING[name]
                self.add_error(name, missing)
        percent = choice.percent or self.percent_unit
        for name in ("value", "value_max", "baseline_value"):
            if name in choice.fields and data.get(name) is not None:
                self.clean_figure(name, data[name], percent)
        if data.get("change_percent") is not None and "change_percent" in choice.fields:
            self.clean_change(choice, data["change_percent"])
        self.clean_years(choice, data)
        if (
            "value_max" in choice.fields
            and data.get("value_max") is not None
            and data.get("value") is not None
            and "value_max" not in self.errors
            and data["value_max"] < data["value"]
        ):
            self.add_error(
                "value_max",
                _("The upper end cannot be below the target (%(low)s).")
                % {"low": shown(data["value"], percent)},
            )
        if choice.kind == Kind.BY_YEAR and not self.errors:
            self.clean_direction(choice, data, percent)

    def clean_figure(self, name: str, value: Decimal, percent: bool) -> None:
        if value < 0:
            self.add_error(name, _("A figure cannot be negative."))
        elif percent:
            if value > HUNDRED:
                self.add_error(name, _("A share cannot be above 100 %."))
            elif 0 < value < 1 and not isinstance(value, WithPercentSign):
                self.add_error(
                    name,
                    _(
                        "Write the share in per cent: 75 % for three quarters. If you mean "
                        "less than one per cent, write it with the sign, e.g. 0,75 %."
                    ),
                )
        elif isinstance(value, WithPercentSign):
            self.add_error(name, _("The criterion does not measure a share: leave out the %."))

    def clean_change(self, choice: Choice, percent: Decimal) -> None:
        if percent < 0 and choice.rising:
            self.add_error(
                "change_percent",
                _("Write a rise without a minus; choose a fall if the figure is to fall."),
            )
        elif not choice.rising and abs(percent) >= HUNDRED:
            self.add_error("change_percent", _("A fall cannot be 100 per cent or more."))

    def clean_years(self, choice: Choice, data: dict) -> None:
        first, last = self.plan.start_date.year, self.plan.end_date.year
        for name in ("from_year", "to_year"):
            year = data.get(name)
            if name in choice.fields and year is not None and not first <= year <= last:
                self.add_error(
                    name,
                    _("The year must be one of the plan's years, %(first)s–%(last)s.")
                    % {"first": first, "last": last},
                )
        baseline_year = data.get("baseline_year")
        if "baseline_year" in choice.fields and baseline_year is not None:
            earliest = self.plan.first_measured_year
            if not earliest <= baseline_year <= last:
                self.add_error(
                    "baseline_year",
                    _("The starting year must be between %(first)s and %(last)s.")
                    % {"first": earliest, "last": last},
                )
            elif (
                data.get("to_year") is not None
                and "to_year" in choice.fields
                and baseline_year >= data["to_year"]
                and "to_year" not in self.errors
            ):
                self.add_error(
                    "baseline_year",
                    _("The starting year must be before the target year (%(year)s).")
                    % {"year": data["to_year"]},
                )
        if (
            "from_year" in choice.fields
            and "to_year" in choice.fields
            and data.get("from_year") is not None
            and data.get("to_year") is not None
            and not {"from_year", "to_year"} & set(self.errors)
            and data["from_year"] > data["to_year"]
        ):
            self.add_error(
                "to_year",
                _("The last year cannot be before the first year (%(first)s).")
                % {"first": data["from_year"]},
            )

    def clean_direction(self, choice: Choice, data: dict, percent: bool) -> None:
        """A rise to a figure below where it starts is a fall: the choice and the figures
        contradict each other."""
        baseline, goal = data.get("baseline_value"), data.get("value")
        if baseline is None or goal is None:
            return
        if choice.rising and goal < baseline:
            message = _(
                "The target %(goal)s is below the starting point %(baseline)s: choose "
                "'to at most' if the figure is to fall."
            )
        elif not choice.rising and goal > baseline:
            message = _(
                "The target %(goal)s is above the starting point %(baseline)s: choose "
                "'to at least' if the figure is to rise."
            )
        else:
            return
        self.add_error(
            "value", message % {"goal": shown(goal, percent), "baseline": shown(baseline, percent)}
        )

    def clean_against_the_model(self, choice: Choice, data: dict) -> None:
        """The model's own rules as the last word (its constraints), beside their fields."""
        target = self.draft()
        try:
            target.full_clean(exclude=["criterion", "position"], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                field = name if name in self.fields and name in self.shown_fields() else "choice"
                for message in messages:
                    self.add_error(field, message)

    def check_reason(self, data: dict) -> None:
        if self.target is None and self.criterion.kind == self.new_criterion_kind():
            return
        if not data.get("reason") and self.changes_something():
            self.add_error("reason", _("Give a reason when you change or remove a target."))

    def new_criterion_kind(self) -> str:
        if self.cleaned_data.get("choice") == QUALITATIVE:
            return SuccessCriterion.Kind.QUALITATIVE
        return SuccessCriterion.Kind.QUANTITATIVE

    def changes_something(self) -> bool:
        if self.new_criterion_kind() != self.criterion.kind:
            return True
        if self.target is None:
            return True
        return target_fingerprint(self.criterion, self.draft()) != target_fingerprint(
            self.criterion, self.target
        )

    def draft(self) -> CriterionTarget:
        """The target as entered: only the chosen kind's fields, the others empty, in the
        place of the target edited (or a new one)."""
        data = self.cleaned_data
        choice = CHOICES[data["choice"]]
        target = (
            copy.copy(self.target) if self.target else CriterionTarget(criterion=self.criterion)
        )
        target.criterion = self.criterion
        target.kind = choice.kind
        strict = data.get("strict")
        target.comparison = choice.comparison(choice.strict if strict is None else strict)
        target.area = data.get("area")
        target.label = data.get("label") or ""
        for name in TARGET_FIELDS:
            setattr(target, name, data.get(name) if name in choice.fields else None)
        if target.value is not None:
            target.value = Decimal(target.value)
        if target.value_max is not None:
            target.value_max = Decimal(target.value_max)
        if target.baseline_value is not None:
            target.baseline_value = Decimal(target.baseline_value)
        if target.change_percent is not None:
            size = abs(Decimal(target.change_percent))
            target.change_percent = size if choice.rising else -size
        return target

    def error_summary(self) -> list[tuple[str, str]]:
        found = super().error_summary()
        return [
            (f"{target}_0" if target.endswith("strict") else target, message)
            for target, message in found
        ]


def shown(value: Decimal, percent: bool) -> str:
    return format_figure_with_unit(value, Unit.PERCENT if percent else "")


def initial_for(criterion: SuccessCriterion, target: CriterionTarget | None) -> dict:
    """The form's fields as a stored target fills them; a fall's change as a positive size,
    since the choice says it is a fall."""
    initial: dict[str, Any] = {
        "choice": choice_for(target, criterion),
        "loaded": target_fingerprint(criterion, target),
    }
    if target is None:
        return initial
    choice = CHOICES.get(initial["choice"])
    percent = criterion.unit == Unit.PERCENT
    for name in TARGET_FIELDS:
        value = getattr(target, f"{name}_id" if name == "reference" else name)
        if value is None:
            continue
        if name == "change_percent":
            value = abs(value)
        if isinstance(value, Decimal):
            value = format_figure(value) + (" %" if percent or name == "change_percent" else "")
        initial[name] = value
    initial["area"] = target.area_id
    initial["label"] = target.label
    if choice is not None and choice.comparison(choice.strict) != target.comparison:
        initial["strict"] = "no" if choice.strict else "yes"
    return initial


@dataclass(frozen=True)
class Preview:
    """What the page shows of a target as entered: the rule in the engine's words and its
    verdict on the plan's figures today."""

    rule: str
    evaluation: Evaluation | None
    # The criterion's other targets in the same row, which its verdict also weighs.
    others: int = 0

    @property
    def verdict(self) -> Verdict | None:
        return self.evaluation.verdict if self.evaluation else None


def preview(
    criterion: SuccessCriterion, target: CriterionTarget | None, *, qualitative: bool = False
) -> Preview:
    """The engine's sentence on the target alone, for the latest year the plan's figures
    judge it in (the latest with a verdict, else the plan's last year so far), as the
    engine would judge it once saved. A few queries (Figures.load), whatever the plan."""
    judged = copy.copy(criterion)
    judged.kind = (
        SuccessCriterion.Kind.QUALITATIVE if qualitative else SuccessCriterion.Kind.QUANTITATIVE
    )
    figures = Figures.load(criterion.subagreement.plan)
    plan_years = {plan_year.year: plan_year for plan_year in figures.plan_years}
    area = target.area if target is not None and target.area_id else None
    targets = [target] if target is not None and not qualitative else []
    this_year = timezone.localdate().year
    evaluations = []
    for plan_year in figures.plan_years:
        if plan_year.year > this_year:
            break
        horizon: Horizon = figures.end_of(plan_year.year)
        year = judged_year(judged, figures, horizon)
        row = Row(
            judged,
            figures.series(judged, area.pk if area else None, horizon),
            figures.plan_years,
            figures,
            horizon,
        )
        evaluations.append(evaluate_row(judged, row, targets, year, plan_years, area))
    telling = [
        evaluation
        for evaluation in evaluations
        if evaluation.verdict not in (Verdict.NO_DATA, Verdict.NOT_DUE)
    ]
    chosen = (telling or evaluations or [None])[-1]
    rule = target.describe_rule(criterion.unit) if targets else ""
    others = 0
    if targets:
        others = (
            criterion.targets.filter(area=area).exclude(pk=target.pk if target.pk else None).count()
        )
    return Preview(rule, chosen, others)


class RemoveTargetForm(SummarisedForm):
    """Removing a target: always with a reason, as removing what was entered is."""

    reason = reason_field()
    loaded = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, criterion: SuccessCriterion, target: CriterionTarget, **kwargs):
        kwargs.setdefault("initial", {"loaded": target_fingerprint(criterion, target)})
        kwargs.setdefault("prefix", "remove")
        super().__init__(*args, **kwargs)

    def clean_reason(self) -> str:
        if not self.cleaned_data["reason"]:
            raise ValidationError(_("Give a reason when you change or remove a target."))
        return self.cleaned_data["reason"]


def preview_of(form: TargetForm) -> dict:
    """What the page's sentence shows for the form: the preview of the target as entered
    (or as stored, before anything is sent), or what is still missing."""
    if not form.is_bound:
        choice = form.chosen()
        if choice is None:
            return {}
        if choice.key == QUALITATIVE:
            return {"preview": preview(form.criterion, None, qualitative=True)}
        return {"preview": preview(form.criterion, form.target)} if form.target else {}
    if not form.is_valid():
        return {"missing": [message for _target, message in form.error_summary()]}
    if form.cleaned_data["choice"] == QUALITATIVE:
        return {"preview": preview(form.criterion, None, qualitative=True)}
    return {"preview": preview(form.criterion, form.draft())}
