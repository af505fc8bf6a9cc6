"""The application speaks Danish unless the user chooses English; the browser does not decide."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_danish_even_when_the_browser_asks_for_english(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Log ind" in page
    assert 'lang="da"' in page


def test_a_user_who_chooses_english_gets_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    page = client.get("/login/").content.decode()
    assert "Log in" in page
    assert 'lang="en"' in page
