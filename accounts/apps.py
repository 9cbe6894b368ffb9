from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and profiles"

    def ready(self):
        from allauth.account.signals import user_signed_up

        from accounts import checks  # noqa: F401 - registers the system checks
        from accounts.names import connect as keep_names_in_step
        from accounts.permissions import connect_receivers as forget_changed_permissions
        from accounts.welcome import send_welcome_email

        keep_names_in_step()
        forget_changed_permissions()

        user_signed_up.connect(send_welcome_email, dispatch_uid="accounts.welcome")
