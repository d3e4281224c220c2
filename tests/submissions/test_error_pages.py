"""403, 404 and 500 in the site's layout, with its navigation, whatever DEBUG says."""

from __future__ import annotations

from django.test import RequestFactory
from django.views.defaults import server_error


def test_it_answers_404_in_the_sites_layout(client, db) -> None:
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert 'class="site-header"' in html and 'href="/systems/"' in html


def test_it_answers_403_in_the_sites_layout(client, owner) -> None:
    client.force_login(owner)
    response = client.get("/review/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You may not do this</h1>" in html
    assert "My submissions" in html


def test_it_answers_500_in_the_sites_layout(db) -> None:
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html
    assert 'class="site-header"' in html and "Leaderboards" in html
