"""The shop's pages: the shop index, product categories and products, plus the
stock ledger that changes stock without touching page revisions."""

import contextlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from rest_framework.fields import CharField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.models import SourceImageIOError
from wagtail.models import Orderable
from wagtail.search import index

from api.fields import (
    CARD_RENDITION,
    AvailabilityField,
    GalleryField,
    ParentPageField,
    RelatedPagesField,
    StaffStockField,
)
from core.capabilities import Askable
from core.editorial import EDITORS, PUBLISH, SHOP_MANAGERS
from core.listing import (
    SortOption,
    chosen_sort,
    clean_filter,
    filter_fields,
    paginate_listing,
    query_string_without_page,
)
from core.plaintext import Section, stream_sections
from core.privacy import public_pages
from core.tags import tagged_with, tags_in_use
from home.models import BasePage, images_with_renditions
from shop.blocks import ProductBodyBlock
from shop.pricing import Totals

PRICE_FIELD = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}

PRODUCT_SORTS = [
    SortOption("name", "Name A to Z", ("title", "pk")),
    SortOption("price", "Price, low to high", ("price", "pk")),
    SortOption("-price", "Price, high to low", ("-price", "pk")),
    SortOption("newest", "Newest first", ("-first_published_at", "-pk")),
]


class Availability(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    LOW_STOCK = "low_stock", "Low stock"
    SOLD_OUT = "sold_out", "Sold out"


def product_listing(queryset):
    """Live, public products with what their cards need, in a fixed number of queries."""
    return public_pages(queryset.live()).prefetch_related(*ProductPage.listing_prefetches())


class ShopIndexPage(BasePage):
    """The shop front: its categories and every product."""

    intro = models.TextField(blank=True, max_length=500)

    content_panels = [*BasePage.content_panels, FieldPanel("intro")]
    api_fields = [*BasePage.api_fields, APIField("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["shop.ProductCategoryPage"]
    section_permissions = {SHOP_MANAGERS: PUBLISH, EDITORS: PUBLISH}

    class Meta:
        verbose_name = "shop index page"

    def get_summary(self):
        return self.listing_summary or self.search_description or self.intro

    def categories(self):
        return public_pages(ProductCategoryPage.objects.child_of(self).live()).prefetch_related(
            *ProductCategoryPage.listing_prefetches()
        )

    def listing_items(self):
        """Newest products first, ready for cards."""
        return product_listing(ProductPage.objects.descendant_of(self)).order_by(
            "-first_published_at", "-pk"
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        sort = chosen_sort(request, PRODUCT_SORTS)
        products = product_listing(ProductPage.objects.descendant_of(self)).order_by(*sort.ordering)
        context.update(
            {
                "categories": self.categories(),
                "products": paginate_listing(request, self, products),
                "sort": sort,
                "sorts": PRODUCT_SORTS,
                "query_prefix": query_string_without_page(request),
            }
        )
        return context


class ProductCategoryPage(BasePage):
    """A group of products, sortable by price and name and filterable by tag."""

    description = models.TextField(blank=True, max_length=1000)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    content_panels = [*BasePage.content_panels, FieldPanel("description"), FieldPanel("image")]
    search_fields = [*BasePage.search_fields, index.SearchField("description")]
    api_fields = [
        *BasePage.api_fields,
        APIField("description"),
        APIField("image", serializer=ImageRenditionField(CARD_RENDITION)),
    ]
    parent_page_types = ["shop.ShopIndexPage"]
    subpage_types = ["shop.ProductPage"]

    class Meta:
        verbose_name = "product category"

    def get_summary(self):
        return self.listing_summary or self.search_description or self.description

    def get_listing_image(self):
        return self.social_image or self.image

    @classmethod
    def listing_prefetches(cls):
        return [*super().listing_prefetches(), Prefetch("image", queryset=images_with_renditions())]

    def listing_items(self):
        """Newest products of this category first, ready for cards."""
        return product_listing(ProductPage.objects.child_of(self)).order_by(
            "-first_published_at", "-pk"
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        products = product_listing(ProductPage.objects.child_of(self))
        tag = clean_filter(request, "tag")
        if tag:
            products = products.filter(tagged_with(tag)).distinct()
        sort = chosen_sort(request, PRODUCT_SORTS)

        def tag_choices():
            live = ProductPage.objects.child_of(self).live().values("pk")
            return tags_in_use(ProductPageTag, live)

        context.update(
            {
                "products": paginate_listing(request, self, products.order_by(*sort.ordering)),
                "filters": {"tag": tag},
                "filter_fields": filter_fields(self, {"tag": tag}, [("tag", "Tag", tag_choices)]),
                "sort": sort,
                "sorts": PRODUCT_SORTS,
                "query_prefix": query_string_without_page(request),
            }
        )
        return context


class ProductPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "shop.ProductPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProductPage(Askable, BasePage):
    """A product: price, stock, pictures and a description made of blocks.

    Stock is not content: it changes with every order and every stock
    adjustment, so it is excluded from revisions (see `with_content_json`)
    and edited through the stock ledger, never through the page form.
    """

    assistant_heading = "Ask about this product"
    search_filter = ("products", "Products")

    sku = models.CharField("SKU", max_length=40, unique=True)
    price = models.DecimalField(**PRICE_FIELD)
    compare_at_price = models.DecimalField(
        **PRICE_FIELD, null=True, blank=True, help_text="The former price, shown struck through."
    )
    stock_quantity = models.PositiveIntegerField(default=0, editable=False)
    short_description = models.TextField(max_length=300)
    body = StreamField(ProductBodyBlock(), blank=True)
    tags = ClusterTaggableManager(through=ProductPageTag, blank=True)

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [FieldPanel("sku"), FieldPanel("price"), FieldPanel("compare_at_price")],
            heading="Price",
        ),
        FieldPanel("short_description"),
        InlinePanel("gallery_images", label="Pictures", min_num=0, max_num=12),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("short_description"),
        index.SearchField("body"),
        index.SearchField("sku"),
        index.FilterField("price"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    # Stock is a state for everyone; the exact number only for shop staff.
    api_fields = [
        *BasePage.api_fields,
        APIField("sku"),
        APIField("price"),
        APIField("compare_at_price"),
        APIField("currency", serializer=CharField(read_only=True)),
        APIField("availability", serializer=AvailabilityField()),
        APIField("stock", serializer=StaffStockField()),
        APIField("short_description"),
        APIField("category", serializer=ParentPageField()),
        APIField("gallery", serializer=GalleryField()),
        APIField("body"),
        APIField("related", serializer=RelatedPagesField()),
    ]
    parent_page_types = ["shop.ProductCategoryPage"]
    subpage_types = []
    # A copy must get its own SKU before it can be saved.
    exclude_fields_in_copy = ["sku"]
    show_in_related = True  # recommended by the AI's related content
    assistant_panel = True  # readers can ask the assistant about it

    class Meta:
        verbose_name = "product"
        constraints = [
            models.CheckConstraint(
                condition=Q(stock_quantity__gte=0), name="product_stock_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True) | Q(compare_at_price__gt=F("price")),
                name="product_compare_at_above_price",
            ),
        ]

    def clean(self):
        super().clean()
        prices_set = self.compare_at_price is not None and self.price is not None
        if prices_set and self.compare_at_price <= self.price:
            raise ValidationError(
                {"compare_at_price": "The former price must be higher than the price."}
            )

    def with_content_json(self, content):
        """Restore a revision without rewinding stock: stock lives outside revisions."""
        page = super().with_content_json(content)
        page.stock_quantity = self.stock_quantity
        return page

    @property
    def currency(self):
        return settings.SHOP_CURRENCY

    @property
    def availability(self):
        if self.stock_quantity <= 0:
            return Availability.SOLD_OUT
        if self.stock_quantity <= settings.SHOP_LOW_STOCK_THRESHOLD:
            return Availability.LOW_STOCK
        return Availability.IN_STOCK

    @property
    def availability_label(self):
        if self.availability == Availability.LOW_STOCK:
            return f"Only {self.stock_quantity} left"
        return Availability(self.availability).label

    @property
    def on_sale(self):
        return self.compare_at_price is not None and self.compare_at_price > self.price

    @property
    def card_kicker(self):
        return self.availability_label

    @cached_property
    def gallery(self):
        """The gallery's pictures in order. Unless a listing prefetched them,
        their images come with every rendition: the page's thumbnails and
        larger views cost three queries however many pictures there are."""
        pictures = self.gallery_images.all()
        if "gallery_images" not in getattr(self, "_prefetched_objects_cache", {}):
            pictures = pictures.prefetch_related(
                Prefetch("image", queryset=images_with_renditions())
            )
        return list(pictures)

    def get_listing_image(self):
        if self.social_image_id:
            return self.social_image
        first = self.gallery[0] if self.gallery else None
        return first.image if first else None

    @classmethod
    def listing_prefetches(cls):
        return [
            *super().listing_prefetches(),
            Prefetch(
                "gallery_images",
                queryset=ProductImage.objects.order_by("sort_order").prefetch_related(
                    Prefetch("image", queryset=images_with_renditions())
                ),
            ),
        ]

    def get_summary(self):
        return self.listing_summary or self.search_description or self.short_description

    def lead_text(self):
        return self.short_description

    def get_index_sections(self):
        """Product text for the AI index, including price and availability."""
        facts = (
            f"{self.title}. {self.short_description}\n\n"
            f"Price: {self.price} {self.currency}. Availability: {self.availability_label}. "
            f"SKU: {self.sku}."
        )
        return [Section(text=facts), *stream_sections(self.body)]

    def get_json_ld(self, request=None):
        availability = {
            Availability.IN_STOCK: "https://schema.org/InStock",
            Availability.LOW_STOCK: "https://schema.org/LimitedAvailability",
            Availability.SOLD_OUT: "https://schema.org/OutOfStock",
        }[self.availability]
        image = self.get_listing_image()
        data = {
            "@context": "https://schema.org",
            "@type": "Product",
            "name": self.title,
            "description": self.short_description,
            "sku": self.sku,
            "url": self.get_full_url(request),
            "offers": {
                "@type": "Offer",
                "price": str(self.price),
                "priceCurrency": self.currency,
                "availability": availability,
                "url": self.get_full_url(request),
            },
        }
        if image is not None and request is not None:
            # Without the image when its original cannot be read (the media
            # bucket is down), rather than without the page.
            with contextlib.suppress(SourceImageIOError):
                rendition = image.get_rendition("fill-1200x630")
                data["image"] = request.build_absolute_uri(rendition.url)
        return data


class ProductImage(Orderable):
    """One picture in a product's gallery."""

    product = ParentalKey(
        "shop.ProductPage", on_delete=models.CASCADE, related_name="gallery_images"
    )
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(max_length=250, blank=True)
    caption = models.CharField(max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]


class StockAdjustmentError(Exception):
    """An adjustment would take stock below zero."""


class StockAdjustment(models.Model):
    """One change to a product's stock, with who made it and why."""

    class Reason(models.TextChoices):
        DELIVERY = "delivery", "Delivery received"
        COUNT = "count", "Stock count correction"
        DAMAGED = "damaged", "Damaged or lost"
        RETURN = "return", "Customer return"
        ORDER = "order", "Order placed"
        CANCELLATION = "cancellation", "Order cancelled"

    product = models.ForeignKey(
        "shop.ProductPage", on_delete=models.CASCADE, related_name="stock_adjustments"
    )
    change = models.IntegerField(help_text="Positive to add stock, negative to remove it.")
    quantity_after = models.PositiveIntegerField(editable=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=250, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.product} {self.change:+d} ({self.get_reason_display()})"

    def save(self, *args, **kwargs):
        """Insert a new entry; an entry already saved is never rewritten."""
        # The admin has no route that edits entries; this catches any other
        # code path (a form bound to an existing entry, a script).
        if not self._state.adding:
            raise ValueError("Stock adjustments are append-only: record a new adjustment.")
        super().save(*args, **kwargs)

    @classmethod
    def apply(cls, product, change, reason, user=None, note=""):
        """Change stock atomically and record it; never lets stock go below zero."""
        with transaction.atomic():
            updated = ProductPage.objects.filter(
                pk=product.pk, stock_quantity__gte=max(0, -change)
            ).update(stock_quantity=F("stock_quantity") + change)
            if not updated:
                raise StockAdjustmentError(
                    f"{product.title} has fewer than {-change} in stock; nothing was changed."
                )
            quantity = ProductPage.objects.values_list("stock_quantity", flat=True).get(
                pk=product.pk
            )
            adjustment = cls.objects.create(
                product=product,
                change=change,
                quantity_after=quantity,
                reason=reason,
                note=note,
                user=user,
            )
        product.stock_quantity = quantity
        return adjustment


# Commerce: carts, orders, payments --------------------------------------------


class CartLine(models.Model):
    """One product in a signed-in customer's cart; visitors' carts live in
    their session (see shop/cart.py) and merge into these rows at login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_lines"
    )
    product = models.ForeignKey("shop.ProductPage", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # The unit price when the shopper added it, to show a change at checkout.
    added_price = models.DecimalField(**PRICE_FIELD)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="cart_line_one_per_product"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="cart_line_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id} for {self.user_id}"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending payment"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


# The one table of allowed status changes; shop/orders.py enforces it.
ORDER_TRANSITIONS = {
    OrderStatus.PENDING: (OrderStatus.PAID, OrderStatus.CANCELLED),
    OrderStatus.PAID: (OrderStatus.SHIPPED, OrderStatus.REFUNDED),
    OrderStatus.SHIPPED: (OrderStatus.DELIVERED, OrderStatus.REFUNDED),
    OrderStatus.DELIVERED: (OrderStatus.REFUNDED,),
    OrderStatus.CANCELLED: (),
    OrderStatus.REFUNDED: (),
}


class Order(models.Model):
    """A placed order: who, where to, what it cost. Money is Decimal and every
    amount is computed by the server when the order is placed."""

    number = models.CharField(max_length=20, unique=True, null=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shop_orders",
        help_text="Empty for guest orders.",
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    postal_code = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=100)

    shipping_method = models.CharField(max_length=20)
    shipping_label = models.CharField(max_length=100)
    shipping_cost = models.DecimalField(**PRICE_FIELD)
    subtotal = models.DecimalField(**PRICE_FIELD)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    prices_include_tax = models.BooleanField()
    tax_amount = models.DecimalField(**PRICE_FIELD)
    total = models.DecimalField(**PRICE_FIELD)
    currency = models.CharField(max_length=3)

    payment_method = models.CharField(max_length=20)
    payment_reference = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True
    )
    # One per checkout form: a double submit or a retry finds the same order.
    idempotency_key = models.UUIDField(unique=True, editable=False)
    # Who may find the order by that key: a digest of a secret kept in the
    # shopper's session (shop.checkout.session_owner), so the key alone is not
    # a credential. Empty for orders placed outside a web session.
    checkout_owner = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self):
        return self.number or f"Order {self.pk}"

    def get_absolute_url(self):
        """The signed-in customer's own page for this order (guests use the
        signed link of shop.order_links instead)."""
        return reverse("shop:order_detail", args=[self.number])

    @staticmethod
    def number_for(pk, created_at):
        """The customer-facing order number: PR-2026-000123."""
        return f"PR-{created_at.year}-{pk:06d}"

    @property
    def totals(self):
        """The stored amounts as a Totals, as the cart and checkout show them."""
        return Totals(
            subtotal=self.subtotal,
            shipping=self.shipping_cost,
            tax=self.tax_amount,
            total=self.total,
            tax_rate=self.tax_rate,
            prices_include_tax=self.prices_include_tax,
            currency=self.currency,
        )

    @property
    def item_count(self):
        return sum(line.quantity for line in self.lines.all())


class OrderLine(models.Model):
    """One product of an order, with its title, SKU and price as they were."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "shop.ProductPage", null=True, on_delete=models.SET_NULL, related_name="order_lines"
    )
    title = models.CharField(max_length=255)
    sku = models.CharField("SKU", max_length=40)
    unit_price = models.DecimalField(**PRICE_FIELD)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(**PRICE_FIELD)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="order_line_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.title}"


class OrderStatusChange(models.Model):
    """The order's history: every status it took, who set it and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True, choices=OrderStatus.choices)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order} {self.from_status or '—'} → {self.to_status}"


class PaymentEvent(models.Model):
    """A payment provider's webhook event, stored once: a replay is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="payment_events"
    )
    outcome = models.CharField(max_length=250, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payment_event_once_per_provider"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.event_id}"
