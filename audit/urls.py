"""The history pages' addresses, one list for each app whose objects they show.

Each page keeps the name and the address it had when it lived in that app
("agreements:changes", "activities:changes", "indicators:changes"): the root URLconf adds each
list to that app's own patterns, under the app's namespace. Django resolves a name in one
namespace through one include only, so an include of its own here, under the same namespace,
would hide the app's other pages or these.
"""

from django.urls import path

from . import views

subagreement_patterns = [
    path(
        "planer/<slug:plan>/delaftaler/<slug:focus_area>/aendringer/",
        views.subagreement_changes,
        name="changes",
    ),
]

activity_patterns = [
    path(
        "planer/<slug:plan>/aktiviteter/<int:activity>/aendringer/",
        views.activity_changes,
        name="changes",
    ),
]

criterion_patterns = [
    path(
        "planer/<slug:plan>/succeskriterier/<int:criterion>/aendringer/",
        views.criterion_changes,
        name="changes",
    ),
]
