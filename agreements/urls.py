from django.urls import path

from . import views

app_name = "agreements"

subagreement = "planer/<slug:plan>/delaftaler/<slug:focus_area>/"

urlpatterns = [
    path("planer/<slug:plan>/delaftaler/", views.subagreements, name="subagreements"),
    path("planer/<slug:plan>/delaftaler/alle.pdf", views.all_subagreements_pdf, name="all_pdf"),
    path(
        "planer/<slug:plan>/samarbejdsaftale.pdf",
        views.strategic_agreement_pdf,
        name="strategic_agreement_pdf",
    ),
    path(subagreement, views.history, name="history"),
    path(f"{subagreement}delaftale.pdf", views.subagreement_pdf, name="pdf"),
    path(f"{subagreement}version-<int:number>.pdf", views.subagreement_pdf, name="version_pdf"),
    path(f"{subagreement}kladde.pdf", views.draft_pdf, name="draft_pdf"),
    path(f"{subagreement}godkend/", views.approve, name="approve"),
    path("planer/<slug:plan>/delingslinks/", views.share_links, name="share_links"),
    path(
        "planer/<slug:plan>/delingslinks/<int:link>/tilbagekald/",
        views.revoke_share_link,
        name="revoke_share_link",
    ),
    # Landsbyggefonden's side of a share link: no login, only current approved versions.
    path("lbf/<str:token>/", views.shared, name="shared"),
    path("lbf/<str:token>/alle.pdf", views.shared_pdf, name="shared_all_pdf"),
    path("lbf/<str:token>/<slug:focus_area>.pdf", views.shared_pdf, name="shared_pdf"),
]
