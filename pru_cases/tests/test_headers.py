from django.test import Client


def test_every_page_sends_a_strict_content_security_policy(client, dsl, pupil):
    client.force_login(dsl)
    for url in ("/", "/pupils/", f"/pupils/{pupil.pk}/", "/account/agencies/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_signed_in_pages_are_never_cached(client, dsl, pupil):
    client.force_login(dsl)
    response = client.get(f"/pupils/{pupil.pk}/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_pages_need_login_and_the_health_check_does_not(client, db):
    assert client.get("/").status_code == 302
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_404_page_reveals_nothing(client, dsl):
    client.force_login(dsl)
    response = client.get("/pupils/424242/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body
    assert "Traceback" not in body and "424242" not in body.split("<main")[1]


def test_a_link_to_a_form_only_address_explains_itself(client, dsl, pupil):
    client.force_login(dsl)
    url = f"/pupils/{pupil.pk}/restore/"
    response = client.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "only answers a form sent from its page" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # htmx requests keep the bare answer: there is no page to swap in.
    assert client.get(url, headers={"HX-Request": "true"}).content == b""


def test_it_sends_a_strict_permissions_policy_on_every_response(client, dsl, pupil):
    anonymous = Client()
    client.force_login(dsl)
    responses = {
        "signed-in page": client.get(f"/pupils/{pupil.pk}/"),
        "htmx fragment": client.get("/pupils/", headers={"HX-Request": "true"}),
        "404": client.get("/no-such-page/"),
        "login page": anonymous.get("/account/login/"),
        "redirect to login": anonymous.get("/pupils/"),
        "health check": anonymous.get("/healthz"),
    }
    for what, response in responses.items():
        policy = response.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in policy, (what, policy)
        # Passkeys are a second factor here: the browser must still offer them on our own pages.
        assert "publickey-credentials-get=(self)" in policy, what
