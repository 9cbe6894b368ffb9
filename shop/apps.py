from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = "Shop"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from shop.cart import merge_session_cart

        user_logged_in.connect(merge_session_cart, dispatch_uid="shop.cart.merge_at_login")
