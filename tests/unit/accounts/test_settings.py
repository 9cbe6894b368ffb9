"""Account settings read from the environment, checked in fresh processes."""

from tests.unit.config.test_settings import production_env, run_manage

PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.ACCOUNT_EMAIL_VERIFICATION); "
    "print(sorted(settings.SOCIALACCOUNT_PROVIDERS)); "
    "print([app for app in settings.INSTALLED_APPS if '.providers.' in app])"
)


def test_production_requires_email_verification_and_social_login_is_off():
    result = run_manage("shell", "-c", PRINT_SETTINGS, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-4:-1] == ["mandatory", "[]", "[]"]


def test_social_providers_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        PRINT_SETTINGS,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        SOCIAL_LOGIN_PROVIDERS="github",
        SOCIAL_GITHUB_CLIENT_ID="client-id",
        SOCIAL_GITHUB_SECRET="client-secret",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-4:-1] == [
        "optional",
        "['github']",
        "['allauth.socialaccount.providers.github']",
    ]
    missing = run_manage(
        "check", DJANGO_SETTINGS_MODULE="config.settings.dev", SOCIAL_LOGIN_PROVIDERS="github"
    )
    assert missing.returncode != 0
    assert "SOCIAL_GITHUB_CLIENT_ID" in missing.stderr
