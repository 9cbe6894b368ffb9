import pytest

pytestmark = pytest.mark.django_db


def test_public_pages_carry_an_enforced_strict_csp(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert "Content-Security-Policy-Report-Only" not in response


def test_admin_gets_a_report_only_policy(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "default-src 'self'" in response["Content-Security-Policy-Report-Only"]


def test_security_headers_on_every_response(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_local_media_is_served_but_documents_are_not(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "pic.txt").write_text("picture")
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "secret.txt").write_text("private document")
    response = client.get("/media/images/pic.txt")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"picture"
    assert client.get("/media/documents/secret.txt").status_code == 404
