"""A national-scale dataset: copies of the real plan, with invented figures and users, for load
tests and benchmarks (`manage.py generate_national_dataset`, bench/).

Helhedsplan is meant to carry every boligsocial helhedsplan in the country at once, about a
hundred. To see how it holds up with that many, the real Slagelse plan is copied into plans of
its own shape (four delaftaler, eleven activities, four housing areas, sixteen quarters), each
with housing areas of its own, the invented counts, reports and measurements of
demo.data, and a secretariat, a board member and a coordinator for each area. Everything
is invented and flagged as such: the plans carry `has_demo_data`, so their pages say so.

The copies are written with bulk_create, one insert per table and plan rather than one per row
(and none for the history of each count), so a hundred plans take about half a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model

from activities.models import Activity, Metric, QuarterlyCount, QuarterReport, ReportingAssignment
from agreements.models import (
    Body,
    HousingArea,
    Membership,
    Plan,
    PlanArea,
    PlanParty,
    PlanSection,
    RequiredAttachment,
    Role,
    Signatory,
    StaffResource,
    Subagreement,
    SubagreementParty,
    SubagreementVersion,
)
from indicators.models import CriterionTarget, Indicator, Measurement, SuccessCriterion

from .data import DemoSummary, load_demo_data

TEMPLATE_FIXTURE = "slagelse_2017_2021"
TEMPLATE_SLUG = "slagelse-2017-2021"
# Three digits in every generated name, so that they sort as numbers and a plan's users are
# found from its number alone (plan-017, bestyrelse-017, koordinator-017-2).
MOST_PLANS = 999
GENERATED_SLUG_PATTERN = r"^plan-[0-9]{3}$"


def plan_slug(number: int) -> str:
    return f"plan-{number:03}"


def secretariat_username(number: int) -> str:
    return f"sekretariat-{number:03}"


def board_username(number: int) -> str:
    return f"bestyrelse-{number:03}"


def coordinator_username(number: int, area_position: int) -> str:
    """The coordinator of the plan's housing area at `area_position` (1 to 4)."""
    return f"koordinator-{number:03}-{area_position}"


class DatasetConflict(Exception):
    """A generated plan's users already exist without the plan."""


def clone(model: type[Model], original: Model, **changes) -> Model:
    """An unsaved copy of a row, with some of its fields changed."""
    values = {
        field.attname: getattr(original, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    values.update(changes)
    return model(**values)


def by_old_pk(originals: list[Model], copies: list[Model]) -> dict[int, int]:
    """The new primary key of each copied row, by the original's."""
    return {old.pk: new.pk for old, new in zip(originals, copies, strict=True)}


@dataclass(frozen=True)
class PlanShape:
    """Every row that makes up a plan, read once so that it can be copied many times: the plan,
    its areas, parties and texts, its delaftaler with their versions, activities, metrics,
    indicators, criteria and targets, and its real measurements. Not its counts, reports,
    users or share links, which are its life rather than its shape."""

    plan: Plan
    plan_areas: list[PlanArea]
    parties: list[PlanParty]
    signatories: list[Signatory]
    bodies: list[Body]
    sections: list[PlanSection]
    attachments: list[RequiredAttachment]
    subagreements: list[Subagreement]
    subagreement_parties: list[SubagreementParty]
    versions: list[SubagreementVersion]
    activities: list[Activity]
    activity_areas: list[Model]
    staff: list[StaffResource]
    metrics: list[Metric]
    indicators: list[Indicator]
    measurements: list[Measurement]
    criteria: list[SuccessCriterion]
    targets: list[CriterionTarget]

    @classmethod
    def of(cls, plan: Plan) -> PlanShape:
        return cls(
            plan=plan,
            plan_areas=list(plan.plan_areas.select_related("area").order_by("position")),
            parties=list(PlanParty.objects.filter(plan=plan)),
            signatories=list(Signatory.objects.filter(plan=plan)),
            bodies=list(Body.objects.filter(plan=plan)),
            sections=list(PlanSection.objects.filter(plan=plan)),
            attachments=list(RequiredAttachment.objects.filter(plan=plan)),
            subagreements=list(Subagreement.objects.filter(plan=plan)),
            subagreement_parties=list(SubagreementParty.objects.filter(subagreement__plan=plan)),
            versions=list(SubagreementVersion.objects.filter(subagreement__plan=plan)),
            activities=list(Activity.objects.filter(subagreement__plan=plan)),
            activity_areas=list(
                Activity.areas.through.objects.filter(activity__subagreement__plan=plan)
            ),
            staff=list(StaffResource.objects.filter(subagreement__plan=plan)),
            metrics=list(Metric.objects.filter(activity__subagreement__plan=plan)),
            indicators=list(Indicator.objects.filter(plan=plan)),
            measurements=list(Measurement.objects.filter(indicator__plan=plan, is_demo=False)),
            criteria=list(SuccessCriterion.objects.filter(subagreement__plan=plan)),
            targets=list(CriterionTarget.objects.filter(criterion__subagreement__plan=plan)),
        )


@transaction.atomic
def copy_plan(
    shape: PlanShape, *, name: str, slug: str, areas: dict[int, int] | None = None
) -> Plan:
    """A new plan with the shape's rows, in one or two inserts per table.

    `areas` maps the template's housing areas to others (by primary key); without it the copy
    shares the template's areas, which is enough for benchmarks that only need more rows.
    """
    areas = areas or {}

    def area(area_id: int | None) -> int | None:
        return areas.get(area_id, area_id)

    def new(mapping: dict[int, int], old_id: int | None) -> int | None:
        return mapping[old_id] if old_id else None

    (plan,) = Plan.objects.bulk_create(
        [clone(Plan, shape.plan, name=name, slug=slug, has_demo_data=False)]
    )
    PlanArea.objects.bulk_create(
        clone(PlanArea, row, plan_id=plan.pk, area_id=area(row.area_id)) for row in shape.plan_areas
    )
    for model, rows in (
        (PlanParty, shape.parties),
        (Signatory, shape.signatories),
        (PlanSection, shape.sections),
        (RequiredAttachment, shape.attachments),
    ):
        model.objects.bulk_create(clone(model, row, plan_id=plan.pk) for row in rows)
    Body.objects.bulk_create(
        clone(Body, row, plan_id=plan.pk, area_id=area(row.area_id)) for row in shape.bodies
    )
    subagreements = by_old_pk(
        shape.subagreements,
        Subagreement.objects.bulk_create(
            clone(Subagreement, row, plan_id=plan.pk) for row in shape.subagreements
        ),
    )
    SubagreementParty.objects.bulk_create(
        clone(SubagreementParty, row, subagreement_id=subagreements[row.subagreement_id])
        for row in shape.subagreement_parties
    )
    SubagreementVersion.objects.bulk_create(
        clone(SubagreementVersion, row, subagreement_id=subagreements[row.subagreement_id])
        for row in shape.versions
    )
    activities = by_old_pk(
        shape.activities,
        Activity.objects.bulk_create(
            clone(Activity, row, subagreement_id=subagreements[row.subagreement_id])
            for row in shape.activities
        ),
    )
    Activity.areas.through.objects.bulk_create(
        Activity.areas.through(
            activity_id=activities[row.activity_id], housingarea_id=area(row.housingarea_id)
        )
        for row in shape.activity_areas
    )
    StaffResource.objects.bulk_create(
        clone(
            StaffResource,
            row,
            subagreement_id=subagreements[row.subagreement_id],
            activity_id=new(activities, row.activity_id),
        )
        for row in shape.staff
    )
    metrics = by_old_pk(
        shape.metrics,
        Metric.objects.bulk_create(
            clone(Metric, row, activity_id=activities[row.activity_id]) for row in shape.metrics
        ),
    )
    indicators = by_old_pk(
        shape.indicators,
        Indicator.objects.bulk_create(
            clone(Indicator, row, plan_id=plan.pk) for row in shape.indicators
        ),
    )
    Measurement.objects.bulk_create(
        clone(
            Measurement, row, indicator_id=indicators[row.indicator_id], area_id=area(row.area_id)
        )
        for row in shape.measurements
    )
    criteria = by_old_pk(
        shape.criteria,
        SuccessCriterion.objects.bulk_create(
            clone(
                SuccessCriterion,
                row,
                subagreement_id=subagreements[row.subagreement_id],
                activity_id=new(activities, row.activity_id),
                indicator_id=new(indicators, row.indicator_id),
                metric_id=new(metrics, row.metric_id),
                denominator_metric_id=new(metrics, row.denominator_metric_id),
            )
            for row in shape.criteria
        ),
    )
    CriterionTarget.objects.bulk_create(
        clone(
            CriterionTarget,
            row,
            criterion_id=criteria[row.criterion_id],
            area_id=area(row.area_id),
            reference_id=new(indicators, row.reference_id),
        )
        for row in shape.targets
    )
    return plan


@transaction.atomic
def generate_plan(shape: PlanShape, *, number: int, password_hash: str) -> DemoSummary:
    """Generated plan `number`: a copy of the shape with housing areas of its own, the demo
    figures of every ended quarter and year, and its users (see `plan_slug` and the
    username functions), who all share one password. What demo data was written.

    `password_hash` is hashed once for all users by the caller: hashing is slow on purpose
    (about half a second with PBKDF2), which for six hundred users would take longer than the
    rest of the dataset. The users share the password anyway, so a shared salt reveals nothing.
    """
    users = get_user_model()
    coordinators = [
        (coordinator_username(number, position), plan_area.area)
        for position, plan_area in enumerate(shape.plan_areas, start=1)
    ]
    usernames = [secretariat_username(number), board_username(number)]
    usernames += [username for username, _area in coordinators]
    if taken := list(
        users.objects.filter(username__in=usernames).values_list("username", flat=True)
    ):
        raise DatasetConflict(", ".join(sorted(taken)))

    tag = f"{number:03}"
    originals = [plan_area.area for plan_area in shape.plan_areas]
    own_areas = HousingArea.objects.bulk_create(
        HousingArea(
            code=f"{area.code}-{tag}",
            name=f"{area.name} ({tag})",
            short_name=f"{area.short_name} ({tag})" if area.short_name else "",
        )
        for area in originals
    )
    plan = copy_plan(
        shape,
        name=f"Genereret helhedsplan {tag}",
        slug=plan_slug(number),
        areas=by_old_pk(originals, own_areas),
    )
    summary = load_demo_data(plan=plan)

    people = [
        (secretariat_username(number), "Sekretariatet", Role.SECRETARIAT),
        (board_username(number), "Bestyrelsesmedlem", Role.BOARD),
        *(
            (username, f"Koordinator {area.label}", Role.COORDINATOR)
            for (username, _original), area in zip(coordinators, own_areas, strict=True)
        ),
    ]
    accounts = users.objects.bulk_create(
        users(username=username, first_name=first_name, last_name="(demo)", password=password_hash)
        for username, first_name, _role in people
    )
    memberships = Membership.objects.bulk_create(
        Membership(user_id=account.pk, plan_id=plan.pk, role=role)
        for account, (_username, _name, role) in zip(accounts, people, strict=True)
    )
    ReportingAssignment.objects.bulk_create(
        ReportingAssignment(membership_id=membership.pk, area_id=area.pk)
        for membership, area in zip(memberships[2:], own_areas, strict=True)
    )
    return summary


def refresh_statistics() -> None:
    """Have PostgreSQL look at the tables again after the bulk load.

    Its planner chooses how to join by each table's statistics, and until autovacuum gets round
    to the tables (minutes later, or later still on a busy server) those describe them as they
    were before the load. A load test started right away then measures plans that production
    would not choose: with stale statistics the dashboard's query of a plan's counts scanned
    every plan's reports and took 190 ms with 100 plans, and 50 ms once analysed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def dataset_totals() -> list[tuple[str, int]]:
    """Rows per table of the whole database, for the generator's closing summary."""
    models = [
        Plan,
        HousingArea,
        Subagreement,
        Activity,
        Metric,
        Indicator,
        SuccessCriterion,
        CriterionTarget,
        QuarterlyCount,
        QuarterReport,
        Measurement,
        get_user_model(),
        Membership,
        ReportingAssignment,
    ]
    return [(str(model._meta.verbose_name_plural), model.objects.count()) for model in models]
