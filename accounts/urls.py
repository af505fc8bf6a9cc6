"""The organisation's login, under /oidc/; included only where it is configured (OIDC_ISSUER).

The names are the ones mozilla-django-oidc reverses.
"""

from django.urls import path

from accounts import views

urlpatterns = [
    path("authenticate/", views.start, name="oidc_authentication_init"),
    path("callback/", views.callback, name="oidc_authentication_callback"),
]
