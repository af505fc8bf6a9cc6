"""The forms of the plan workbook's page: the upload, and the confirmation of its preview."""

from __future__ import annotations

import base64

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.models import Plan
from lib.forms import (
    AccessibleErrorsMixin,
    SummarisedForm,
    reason_field,
    sign_upload,
    unsign_upload,
)

from .workbook_import import WorkbookError, read_workbook

WORKBOOK_MAX_BYTES = 5 * 1024 * 1024
# Keeps the workbook's confirmations apart from every other signed upload's.
SIGNING_SALT = "onboarding.workbook"
# Time enough to read the preview of a whole plan.
MAX_AGE_SECONDS = 2 * 60 * 60


class WorkbookUploadForm(AccessibleErrorsMixin, forms.Form):
    """A plan workbook, small enough to read in memory and read within bounds."""

    workbook = forms.FileField(
        label=_("Plan workbook (xlsx)"),
        help_text=_("At most 5 MB: the workbook downloaded from this page, filled in."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml"}
        ),
    )

    def clean_workbook(self) -> bytes:
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Choose an Excel workbook (.xlsx)."))
        if upload.size > WORKBOOK_MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB, far more than a plan workbook."))
        content = upload.read()
        try:
            read_workbook(content)
        except WorkbookError as error:
            raise ValidationError(str(error)) from None
        return content


def sign_workbook(*, plan: Plan, user, content: bytes) -> str:
    """A token carrying the previewed workbook to the confirmation, bound to plan and user."""
    return sign_upload(
        base64.b64encode(content).decode(),
        bound={"plan": plan.pk, "user": user.pk},
        salt=SIGNING_SALT,
    )


class WorkbookConfirmForm(SummarisedForm):
    """The confirmation of a previewed workbook, with the reason kept in the history of every
    row it changes or removes; needed only when it changes or removes stored rows."""

    token = forms.CharField(widget=forms.HiddenInput)
    reason = reason_field()
    changes_stored_rows = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, plan: Plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.user = user
        self.fields["reason"].help_text = _(
            "Required when the workbook changes or removes what is stored. Kept in the "
            "history of each row it changes. Do not write the names of residents."
        )

    def clean(self):
        data = super().clean()
        if data.get("changes_stored_rows") and not data.get("reason"):
            self.add_error(
                "reason", _("Give a reason when the workbook changes or removes what is stored.")
            )
        return data

    def clean_token(self) -> bytes:
        try:
            data = unsign_upload(
                self.cleaned_data["token"],
                bound={"plan": self.plan.pk, "user": self.user.pk},
                salt=SIGNING_SALT,
                max_age=MAX_AGE_SECONDS,
            )
        except signing.BadSignature:
            raise ValidationError(
                _("The preview is too old or damaged. Upload the workbook again.")
            ) from None
        return base64.b64decode(data)
