"""Formula escaping is shared by every spreadsheet export in the admin:
ours and Wagtail's own reports, CSV and XLSX, cells and headings."""

import csv
import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from core.spreadsheets import escape_formula
from tests.factories import StandardPageFactory, UserFactory, publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Plain text", "Plain text"),
        ("a=1", "a=1"),
        ("", ""),
        (-5, -5),
        (Decimal("-3.50"), Decimal("-3.50")),
        (None, None),
    ],
)
def test_escape_formula(value, expected):
    assert escape_formula(value) == expected


class LedgerExport(SpreadsheetExportMixin):
    list_export = ["note", "change", "amount", "day"]
    export_headings = {"note": "=Note"}


def test_text_cells_are_escaped_and_numbers_stay_numbers():
    rows = [
        SimpleNamespace(
            note="-5", change=-5, amount=Decimal("-3.50"), day=datetime.date(2025, 1, 2)
        ),
        SimpleNamespace(note="Crate 7", change=8, amount=Decimal("0"), day=None),
    ]
    raw = b"".join(LedgerExport().stream_csv(rows))
    assert raw.decode().splitlines() == [
        "'=Note,change,amount,day",
        "'-5,-5,-3.50,2025-01-02",
        "Crate 7,8,0,",
    ]
    output = io.BytesIO()
    LedgerExport().write_xlsx(rows, output)
    sheet = load_workbook(output).active
    assert list(sheet.iter_rows(values_only=True))[:2] == [
        ("'=Note", "change", "amount", "day"),
        ("'-5", -5, -3.5, datetime.date(2025, 1, 2)),
    ]


def test_wagtails_own_reports_are_escaped(client):
    page = publish(StandardPageFactory(title='=HYPERLINK("https://evil.example","Open")'))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("wagtailadmin_reports:aging_pages"), {"export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    titles = [row[0] for row in rows[1:]]
    assert "'" + page.title in titles
    assert page.title not in titles
