from django.urls import path

from . import views

app_name = "members"

members = "planer/<slug:plan>/medlemmer/"

urlpatterns = [
    path(members, views.members, name="members"),
    path(f"{members}inviter/", views.invite, name="invite"),
    path(f"{members}<int:member>/", views.member, name="member"),
    path(f"{members}<int:member>/fjern/", views.remove, name="remove"),
    path(f"{members}invitationer/<int:invitation>/send-igen/", views.resend, name="resend"),
    path(f"{members}invitationer/<int:invitation>/tilbagekald/", views.revoke, name="revoke"),
    # The invited person's page: no login, the link's token is the key.
    path("invitation/<str:invitation_token>/", views.accept, name="accept"),
    # The installation's operator starts a plan here. It cannot clash with a plan whose short
    # name is "ny": every page of a plan has a further part after the short name.
    path("planer/ny/", views.new_plan, name="new_plan"),
]
