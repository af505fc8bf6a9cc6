from django.shortcuts import render

from agreements.models import Plan, Role


def home(request):
    """The front page: the plans the user has a role in, with their delaftaler."""
    plans = list(Plan.objects.for_user(request.user).for_overview(request.user))
    for plan in plans:
        plan.user_role_label = Role(plan.user_role).label if plan.user_role else None
    return render(request, "reports/home.html", {"plans": plans})
