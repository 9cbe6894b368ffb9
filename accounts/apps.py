from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and profiles"

    def ready(self):
        from allauth.account.signals import user_signed_up

        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts import names
        from accounts.welcome import send_welcome_email

        names.connect()

        user_signed_up.connect(send_welcome_email, dispatch_uid="accounts.welcome")
