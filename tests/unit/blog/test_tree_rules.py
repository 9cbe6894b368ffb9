"""Where each page type may live, checked with Wagtail's page test helpers."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from blog.models import ArticleIndexPage, ArticlePage, BlogIndexPage, PostPage
from chat.assistant.models import AssistantPage
from home.models import HomePage, StandardPage
from shop.models import ProductCategoryPage, ProductPage, ShopIndexPage
from tests.testapp.models import EventPage


class TreeRulesTests(WagtailPageTestCase):
    def test_home_page_children_are_the_sections(self):
        creatable = {
            model
            for model in HomePage.creatable_subpage_models()
            if HomePage in model.clean_parent_page_models()
        }
        # EventPage is the test-only example of a developer's own page type.
        self.assertEqual(
            creatable,
            {
                BlogIndexPage,
                ArticleIndexPage,
                ShopIndexPage,
                StandardPage,
                AssistantPage,
                EventPage,
            },
        )
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_blog_holds_posts_only(self):
        self.assertAllowedSubpageTypes(BlogIndexPage, {PostPage})
        self.assertAllowedParentPageTypes(PostPage, {BlogIndexPage})
        self.assertAllowedSubpageTypes(PostPage, set())
        self.assertCanNotCreateAt(BlogIndexPage, ArticlePage)
        self.assertCanNotCreateAt(HomePage, PostPage)

    def test_articles_hold_articles_only(self):
        self.assertAllowedSubpageTypes(ArticleIndexPage, {ArticlePage})
        self.assertAllowedParentPageTypes(ArticlePage, {ArticleIndexPage})
        self.assertCanNotCreateAt(ArticleIndexPage, PostPage)

    def test_shop_goes_index_category_product(self):
        self.assertAllowedSubpageTypes(ShopIndexPage, {ProductCategoryPage})
        self.assertAllowedSubpageTypes(ProductCategoryPage, {ProductPage})
        self.assertAllowedParentPageTypes(ProductPage, {ProductCategoryPage})
        self.assertCanNotCreateAt(ShopIndexPage, ProductPage)
        self.assertCanNotCreateAt(HomePage, ProductCategoryPage)

    def test_only_one_home_page(self):
        self.assertEqual(HomePage.max_count, 1)
