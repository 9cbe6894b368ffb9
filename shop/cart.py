"""The shopping cart: in the session for visitors, in the database for
signed-in customers, merged at login.

Both stores keep, per product, a quantity and the unit price when it was
added (to show a price change at checkout). Prices, totals and stock are
never stored in the cart: they are read from the products every time.

`add_to_cart` and `change_quantity` are what the cart pages do: only
products for sale, quantities capped by the stock, and the sentence that
tells the shopper what happened.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from core.privacy import public_pages
from shop.models import CartLine, ProductPage
from shop.pricing import line_total

SESSION_KEY = "shop_cart"


class CartError(Exception):
    """The change cannot be made (sold out, no longer for sale, bad quantity)."""


def products_for_sale():
    """Products a shopper may buy: live and not behind a view restriction."""
    return public_pages(ProductPage.objects.live())


@dataclass(frozen=True)
class StoredLine:
    product_id: int
    quantity: int
    added_price: Decimal


class SessionCartStore:
    """A visitor's cart in their session: {"<product id>": [quantity, "price"]}."""

    def __init__(self, session):
        self.session = session

    def lines(self):
        raw = self.session.get(SESSION_KEY) or {}
        return {
            int(product_id): StoredLine(int(product_id), int(quantity), Decimal(price))
            for product_id, (quantity, price) in raw.items()
        }

    def _write(self, lines):
        if lines:
            self.session[SESSION_KEY] = {
                str(line.product_id): [line.quantity, str(line.added_price)]
                for line in lines.values()
            }
        else:
            self.session.pop(SESSION_KEY, None)

    def put(self, line):
        lines = self.lines()
        lines[line.product_id] = line
        self._write(lines)

    def remove(self, product_id):
        lines = self.lines()
        lines.pop(product_id, None)
        self._write(lines)

    def clear(self):
        self._write({})

    def count(self):
        """Items in the cart, read from the session: no query of its own."""
        return sum(quantity for quantity, _ in (self.session.get(SESSION_KEY) or {}).values())


class UserCartStore:
    """A signed-in customer's cart: CartLine rows, kept across devices."""

    def __init__(self, user):
        self.user = user

    def lines(self):
        return {
            line.product_id: StoredLine(line.product_id, line.quantity, line.added_price)
            for line in CartLine.objects.filter(user=self.user)
        }

    def put(self, line):
        CartLine.objects.update_or_create(
            user=self.user,
            product_id=line.product_id,
            defaults={"quantity": line.quantity, "added_price": line.added_price},
        )

    def remove(self, product_id):
        CartLine.objects.filter(user=self.user, product_id=product_id).delete()

    def clear(self):
        CartLine.objects.filter(user=self.user).delete()

    def count(self):
        """Items in the cart, in one query."""
        total = CartLine.objects.filter(user=self.user).aggregate(items=Sum("quantity"))["items"]
        return total or 0


@dataclass
class CartItem:
    """A cart line with its product as it is now."""

    product: ProductPage
    quantity: int
    added_price: Decimal

    @property
    def unit_price(self):
        return self.product.price

    @property
    def line_total(self):
        return line_total(self.unit_price, self.quantity)

    @property
    def price_changed(self):
        return self.added_price != self.unit_price

    @property
    def price_went_up(self):
        return self.unit_price > self.added_price


@dataclass
class CartContents:
    items: list[CartItem] = field(default_factory=list)
    # Things the cart corrected since the shopper last looked, in words.
    notices: list[str] = field(default_factory=list)

    @property
    def count(self):
        return sum(item.quantity for item in self.items)

    @property
    def subtotal(self):
        return sum((item.line_total for item in self.items), Decimal("0.00"))

    @property
    def price_changes(self):
        return [item for item in self.items if item.price_changed]

    def requested(self):
        """(product id, quantity) pairs for checkout."""
        return [(item.product.pk, item.quantity) for item in self.items]


@dataclass(frozen=True)
class LineQuantity:
    """A cart line's quantity after a change, and the quantity asked for."""

    quantity: int
    wanted: int

    @property
    def capped(self):
        """True when the stock held the line below what was asked for."""
        return self.quantity < self.wanted


class Cart:
    """Add, change and remove products; quantities never exceed the stock."""

    def __init__(self, store):
        self.store = store

    @classmethod
    def for_request(cls, request):
        """The cart of whoever made the request."""
        if request.user.is_authenticated:
            return cls(UserCartStore(request.user))
        return cls(SessionCartStore(request.session))

    def add(self, product, quantity):
        """Add `quantity` units (capped by stock); a LineQuantity of the line now."""
        if quantity < 1:
            raise CartError("Choose a quantity of at least 1.")
        if product.stock_quantity < 1:
            raise CartError(f"{product.title} is sold out.")
        current = self.store.lines().get(product.pk)
        wanted = quantity + (current.quantity if current else 0)
        new_quantity = min(wanted, product.stock_quantity)
        added_price = current.added_price if current else product.price
        self.store.put(StoredLine(product.pk, new_quantity, added_price))
        return LineQuantity(new_quantity, wanted)

    def set_quantity(self, product, quantity):
        """Set the quantity (capped by stock; 0 removes); a LineQuantity of the line now."""
        if quantity < 0:
            raise CartError("The quantity cannot be negative.")
        current = self.store.lines().get(product.pk)
        if current is None:
            raise CartError(f"{product.title} is not in your cart.")
        new_quantity = min(quantity, product.stock_quantity)
        if new_quantity == 0:
            self.store.remove(product.pk)
        else:
            self.store.put(StoredLine(product.pk, new_quantity, current.added_price))
        return LineQuantity(new_quantity, quantity)

    def remove(self, product_id):
        self.store.remove(product_id)

    def clear(self):
        self.store.clear()

    def count(self):
        return self.store.count()

    def contents(self):
        """The items with their current products, in the order they were added.

        Products no longer for sale or sold out leave the cart, and a quantity
        above the stock is lowered to it; `notices` says what changed.
        """
        lines = self.store.lines()
        if not lines:
            return CartContents()
        products = products_for_sale().in_bulk(list(lines))
        contents = CartContents()
        for product_id, line in lines.items():
            product = products.get(product_id)
            if product is None:
                self.store.remove(product_id)
                contents.notices.append("A product in your cart is no longer for sale: removed.")
                continue
            if product.stock_quantity < 1:
                self.store.remove(product_id)
                contents.notices.append(f"{product.title} sold out: removed from your cart.")
                continue
            quantity = line.quantity
            if quantity > product.stock_quantity:
                quantity = product.stock_quantity
                self.store.put(StoredLine(product_id, quantity, line.added_price))
                contents.notices.append(
                    f"{product.title}: only {quantity} left, so your quantity went "
                    f"from {line.quantity} to {quantity}."
                )
            contents.items.append(CartItem(product, quantity, line.added_price))
        return contents


# What the cart pages do -------------------------------------------------------


@dataclass(frozen=True)
class CartChange:
    """A product's line after a change, with the sentence telling the shopper."""

    product: ProductPage
    quantity: int  # now in the cart; 0 when removed
    message: str
    capped: bool = False  # the stock held the line below what was asked for


def product_for_sale(product_id):
    """The product with this id if a shopper may buy it; raises CartError."""
    product = products_for_sale().filter(pk=product_id).first()
    if product is None:
        raise CartError("That product is not for sale.")
    return product


def add_to_cart(cart, product_id, quantity):
    """Add `quantity` units of a product for sale to `cart`, capped by its
    stock; a CartChange, or CartError when nothing could be added."""
    product = product_for_sale(product_id)
    line = cart.add(product, quantity)
    if line.capped:
        message = (
            f"{product.title}: only {product.stock_quantity} in stock, "
            f"so your cart has {line.quantity}."
        )
    else:
        message = f"Added to your cart: {product.title}. You have {line.quantity}."
    return CartChange(product, line.quantity, message, capped=line.capped)


def change_quantity(cart, product_id, quantity):
    """Set the quantity of a product in `cart`, capped by its stock (0
    removes it); a CartChange, or CartError when the line cannot be changed."""
    product = product_for_sale(product_id)
    line = cart.set_quantity(product, quantity)
    if line.quantity == 0:
        message = f"Removed {product.title}."
    elif line.capped:
        message = (
            f"Only {line.quantity} of {product.title} in stock: "
            f"you asked for {line.wanted}, so the quantity is now {line.quantity}."
        )
    else:
        message = f"{product.title}: quantity {line.quantity}."
    return CartChange(product, line.quantity, message, capped=line.capped)


def cart_count(request):
    """Items in the request's cart: no query for a visitor (the session holds
    the cart), one for a signed-in customer."""
    if request.user.is_authenticated:
        return UserCartStore(request.user).count()
    return SessionCartStore(request.session).count()


def merge_session_cart(sender, request, user, **kwargs):
    """user_logged_in receiver: move the visitor's session cart into the
    customer's saved cart, summing quantities (capped by stock)."""
    if request is None or not hasattr(request, "session"):
        return
    session_store = SessionCartStore(request.session)
    session_lines = session_store.lines()
    if not session_lines:
        return
    user_store = UserCartStore(user)
    saved = user_store.lines()
    stock = dict(
        products_for_sale().filter(pk__in=list(session_lines)).values_list("pk", "stock_quantity")
    )
    for product_id, line in session_lines.items():
        if not stock.get(product_id):
            continue
        current = saved.get(product_id)
        quantity = min(line.quantity + (current.quantity if current else 0), stock[product_id])
        added_price = current.added_price if current else line.added_price
        user_store.put(StoredLine(product_id, quantity, added_price))
    session_store.clear()
