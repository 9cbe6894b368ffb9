"""Public shop URLs: the cart, the checkout, customers' orders, payment webhooks."""

from django.urls import path

from shop import views

app_name = "shop"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("cart/remove/", views.cart_remove, name="cart_remove"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/summary/", views.checkout_summary, name="checkout_summary"),
    path("checkout/webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/link/<str:token>/", views.order_by_link, name="order_by_link"),
    path(
        "orders/link/<str:token>/cancel/",
        views.order_cancel_by_link,
        name="order_cancel_by_link",
    ),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/cancel/", views.order_cancel, name="order_cancel"),
]
