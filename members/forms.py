from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from activities.models import Activity, plan_area_order
from agreements.models import FundingPeriod, Membership, Plan, Role
from lib.forms import DATE_INPUT_FORMATS, ShortNameField, SummarisedForm

from .models import Invitation


class ActivityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Activity) -> str:
        return f"{obj.name} ({obj.subagreement.focus_area})"


class RoleAndAssignmentsForm(SummarisedForm):
    """A role in the plan and, for a coordinator, the housing areas and activities they
    report. Only the plan's own areas and activities can be chosen."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a role.")},
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Housing areas the coordinator reports"),
        help_text=_("Only for coordinators: every activity the secretariat runs in the area."),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the plan's housing areas.")},
    )
    activities = ActivityChoiceField(
        label=_("Activities the coordinator reports"),
        help_text=_("Only for coordinators: the activity in every housing area it runs in."),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose among the plan's activities.")},
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["areas"].queryset = plan_area_order(plan)
        self.fields["activities"].queryset = (
            Activity.objects.filter(subagreement__plan=plan)
            .select_related("subagreement__focus_area")
            .order_by("subagreement__focus_area__position", "position")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") and cleaned["role"] != Role.COORDINATOR:
            for name in ("areas", "activities"):
                if cleaned.get(name):
                    self.add_error(
                        name, _("Only coordinators report; choose the role Coordinator.")
                    )
        return cleaned


class InviteForm(RoleAndAssignmentsForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=ngettext_lazy(
            "The invitation is sent here; its link works once, for %(days)d day.",
            "The invitation is sent here; its link works once, for %(days)d days.",
            "days",
        )
        % {"days": Invitation.VALID_DAYS},
        max_length=254,
        error_messages={
            "required": _("Write the e-mail address of the person to invite."),
            "invalid": _("Write a whole e-mail address, for example navn@kommune.dk."),
        },
    )
    field_order = ["email", "role", "areas", "activities"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        # Only this plan's own members and invitations are looked at: whether the address
        # has a user in another plan is never told to the secretariat.
        if self.plan.memberships.filter(user__email__iexact=email).exists():
            raise ValidationError(_("Someone with this address already has a role in the plan."))
        if self.plan.invitations.pending().filter(email__iexact=email).exists():
            raise ValidationError(
                _("This address already has an invitation to the plan; send it again instead.")
            )
        return email


class MemberForm(RoleAndAssignmentsForm):
    """A member's role and assignments, as the secretariat changes them."""

    @classmethod
    def initial_for(cls, membership: Membership) -> dict:
        singles = [a for a in membership.assignments.all() if not (a.area_id and a.activity_id)]
        return {
            "role": membership.role,
            "areas": [a.area_id for a in singles if a.area_id],
            "activities": [a.activity_id for a in singles if a.activity_id],
        }


class AcceptForm(SummarisedForm):
    """A new user's name and password. Where people log in only through their organisation
    (LOCAL_LOGIN off) there is no password to choose."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={"required": _("Write your first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Write your last name.")},
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only digits and not a common password."),
        error_messages={"required": _("Choose a password.")},
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Write the password again.")},
    )

    def __init__(self, *args, invitation: Invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if not settings.LOCAL_LOGIN:
            del self.fields["password1"], self.fields["password2"]

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if not password:
            return cleaned
        if password != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
            return cleaned
        user = get_user_model()(
            username=self.invitation.email,
            email=self.invitation.email,
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
        )
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            self.add_error("password1", error)
        return cleaned


class NewPlanForm(SummarisedForm):
    """A new plan as the installation's operator starts it: what the database needs, and who
    will keep it. The secretariat fills in the rest."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("For example Boligsocial helhedsplan for Nørrebro Nord 2019-2022."),
        error_messages={"required": _("Write the plan's name.")},
    )
    slug = ShortNameField(
        label=_("Short name in addresses"),
        max_length=50,
        help_text=_("Small letters, digits and hyphens only, for example noerrebro-nord."),
        error_messages={
            "required": _("Write a short name for the plan's addresses."),
            "invalid": _(
                "Use only small letters a-z, digits and hyphens, for example noerrebro-nord."
            ),
        },
    )
    funding_period = forms.ModelChoiceField(
        label=_("Funding period"),
        queryset=FundingPeriod.objects.all(),
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the funding periods.")},
    )
    start_date = forms.DateField(
        label=_("Start date"),
        help_text=_("For example 01.01.2019."),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": _("Write the date the plan starts."),
            "invalid": _("Write the date as day.month.year, for example 01.01.2019."),
        },
    )
    end_date = forms.DateField(
        label=_("End date"),
        help_text=_("For example 31.12.2022."),
        input_formats=DATE_INPUT_FORMATS,
        error_messages={
            "required": _("Write the date the plan ends."),
            "invalid": _("Write the date as day.month.year, for example 31.12.2022."),
        },
    )
    email = forms.EmailField(
        label=_("E-mail of the first secretariat member"),
        help_text=_("They are invited to the secretariat and invite everyone else."),
        max_length=254,
        error_messages={
            "required": _("Write the e-mail address of the first secretariat member."),
            "invalid": _("Write a whole e-mail address, for example navn@kommune.dk."),
        },
    )

    def error_lines(self) -> list[str]:
        """Every error as one line naming its field, for the command line."""
        return [message for _id, message in self.error_summary()] + list(self.non_field_errors())

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if Plan.objects.filter(slug=slug).exists():
            raise ValidationError(_("Another plan already has this short name."))
        return slug

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Plan.objects.filter(name__iexact=name).exists():
            raise ValidationError(_("Another plan already has this name."))
        return name
