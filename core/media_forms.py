"""The Wagtail admin's image and document forms, for media kept in a bucket.

When the bucket cannot be reached, saving an upload raises deep inside the
view (the model's save, after the form was accepted) and the editor gets a
500 page. These forms ask the storage about the file's name while they
validate, which is the first request the save would make anyway, so an
unreachable or failing bucket becomes an error on the file field instead.
Wagtail shows that error in every uploader: the add form, the multiple
uploader (its JSON answer) and the chooser's upload tab.

The settings install them only when AWS_STORAGE_BUCKET_NAME is set: a local
disk has nothing to be unreachable.
"""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm

logger = logging.getLogger(__name__)

# botocore's connection and timeout errors, the bucket's own refusals (5xx,
# access denied), and what a file-system storage raises.
STORAGE_ERRORS = (BotoCoreError, ClientError, OSError)

STORAGE_UNAVAILABLE_MESSAGE = (
    "The media storage cannot be reached, so the file was not saved. "
    "Nothing was lost: try again in a few minutes, and tell the site's "
    "administrator if it keeps happening."
)


class MediaStorageCheckMixin:
    """A form whose new file is refused, with a clear message, while the
    storage it would be saved to does not answer."""

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        if upload and "file" in self.changed_data and not self.has_error("file"):
            field = self.instance._meta.get_field("file")
            try:
                field.storage.exists(field.generate_filename(self.instance, upload.name))
            except STORAGE_ERRORS:
                logger.exception("media storage unavailable: refused the upload %r", upload.name)
                self.add_error("file", STORAGE_UNAVAILABLE_MESSAGE)
        return cleaned_data


def _image_form_base():
    # wagtail-ai's form (title and alt-text suggestions) when it is installed.
    if apps.is_installed("wagtail_ai"):
        from wagtail_ai.forms import DescribeImageForm

        return DescribeImageForm
    return BaseImageForm


class ImageForm(MediaStorageCheckMixin, _image_form_base()):
    """WAGTAILIMAGES_IMAGE_FORM_BASE with a bucket."""


class DocumentForm(MediaStorageCheckMixin, BaseDocumentForm):
    """WAGTAILDOCS_DOCUMENT_FORM_BASE with a bucket."""
