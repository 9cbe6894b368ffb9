"""Spreadsheet exports that cannot carry formulas (CSV or formula injection).

A shopper's country of `=HYPERLINK(...)` was exported as a live formula. Every
text cell that a spreadsheet would read as a formula gets a leading single
quote (OWASP's advice), so it opens as the text that was typed. Numbers,
dates and booleans are left alone: a negative total stays a number.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

# OWASP's list, plus the fullwidth forms some spreadsheets fold into ASCII.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def escape_formula(value):
    """`value` with a single quote in front when it is text that starts like
    a formula; any other value (numbers included) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def install_formula_escaping():
    """Make every Wagtail spreadsheet export escape its text cells and
    headings: model and snippet listings (`list_export`), reports (ours and
    Wagtail's, whose page titles editors write) and form submissions, in CSV
    and XLSX. Idempotent; called from HomeConfig.ready()."""
    # All of them build rows through these two methods of one mixin, so
    # wrapping it covers exports this project adds later as well.
    if getattr(SpreadsheetExportMixin, "escapes_formulas", False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    get_heading = SpreadsheetExportMixin.get_heading

    def escaped_field_value(self, field, value, export_format):
        return escape_formula(preprocess_field_value(self, field, value, export_format))

    def escaped_heading(self, queryset, field):
        return escape_formula(get_heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = escaped_field_value
    SpreadsheetExportMixin.get_heading = escaped_heading
    SpreadsheetExportMixin.escapes_formulas = True
