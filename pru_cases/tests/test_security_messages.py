"""Flash messages ("Concern about Jordan Example logged.") name pupils: they are kept in the session on the server,
never in a cookie, which is only signed and so readable by anyone who sees it."""

from django.conf import settings


def test_it_keeps_flash_messages_out_of_cookies(client, staff, pupil):
    client.force_login(staff)
    response = client.post(
        "/pupils/concerns/new/", {"pupil": pupil.pk, "category": "appearance", "seen": "Same uniform all week."}
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    for cookie in response.cookies.values():
        assert pupil.last_name not in cookie.value and pupil.first_name not in cookie.value
    # The message still reaches the person, on the next page.
    page = client.get(response["Location"])
    assert f"Concern about {pupil.full_name} logged." in page.content.decode()
    assert "messages" not in page.cookies
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"


def test_a_message_shown_after_sign_out_is_not_in_a_cookie_either(client, staff):
    client.force_login(staff)
    response = client.post("/account/logout/")
    assert "messages" not in response.cookies
