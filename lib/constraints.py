"""A constraint's message beside the field it is about.

The database refuses a row that breaks a CheckConstraint, whatever path the row takes, and a
form checks the same constraints before it saves (`Model.validate_constraints`). Django reports
a CheckConstraint's violation above the whole form, though, and the admin is clearer when the
message stands beside the field to correct. Rather than write the rule a second time in
`clean()` for that, a model names the field of each such constraint and checks them with
`validate_constraints_on_fields`, so each rule is written once, as the constraint.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models, router
from django.db.models import BaseConstraint, UniqueConstraint

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # A constraint's name: the field its violation is reported on, and the message there
    # (None for the constraint's own).
    OnFields = Mapping[str, tuple[str, StrOrPromise | None]]


def validate_constraints_on_fields(
    instance: models.Model, on_fields: OnFields, exclude: Collection[str] | None = None
) -> None:
    """`Model.validate_constraints`, with the constraints named in `on_fields` reported on
    their field. For a model's `validate_constraints`.

    Those are checked first, in the order `on_fields` gives, and a field found wrong is left
    out of the checks after it, as `Model.full_clean` leaves out a field that `clean()` found
    wrong: one message per mistake. Each constraint costs the query it costs in Django.
    """
    using = router.db_for_write(type(instance), instance=instance)
    checks = [
        (model, constraint)
        for model, constraints in instance.get_constraints()
        for constraint in constraints
    ]
    by_name = {constraint.name: (model, constraint) for model, constraint in checks}
    errors: dict[str, list[ValidationError]] = {}

    def check(
        model: type[models.Model], constraint: BaseConstraint, exclude: Collection[str] | None
    ) -> None:
        # django-stubs leave out BaseConstraint.validate, which every constraint has.
        constraint.validate(model, instance, exclude=exclude, using=using)  # type: ignore[attr-defined]

    exclude = set(exclude or ())
    for name, (field, message) in on_fields.items():
        try:
            check(*by_name[name], exclude | set(errors))
        except ValidationError as error:
            errors.setdefault(field, []).append(
                error if message is None else ValidationError(message)
            )
    exclude |= set(errors)
    for model, constraint in checks:
        if constraint.name in on_fields:
            continue
        try:
            check(model, constraint, exclude)
        except ValidationError as error:
            # As Model.validate_constraints: a unique field's error is that field's.
            if (
                getattr(error, "code", None) == "unique"
                and isinstance(constraint, UniqueConstraint)
                and len(constraint.fields) == 1
            ):
                errors.setdefault(constraint.fields[0], []).append(error)
            else:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
