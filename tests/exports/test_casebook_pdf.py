"""Archive copies (21 CFR 11.10(b)): the casebook PDF read back as text holds every value of
every record, each record's audit trail, its queries and its signatures in visit order; the ZIP
of a site carries only that site's subjects, with checksums that verify; it is made one subject
at a time."""

import hashlib
import io
import json
import zipfile
from datetime import date

import pypdfium2 as pdfium
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from exports import casebook as casebook_module
from exports.casebook import casebook_pdf, record_values
from followup.services import disposition_record
from monitoring import services as monitoring
from screening import services as screening
from screening.models import Consent, Subject

from ..browser.conftest import ARTIFACTS, cjk_font  # noqa: F401

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "".join(page.get_textpage().get_text_range() for page in document)


def _squeezed(text: str) -> str:
    """Without any white space: table cells wrap long values over lines."""
    return "".join(text.split())


@pytest.fixture
def signed_subject(consented_subject, investigator_a, coordinator_a, monitor_a):
    investigator_a.first_name, investigator_a.last_name = "Li", "Wei"
    investigator_a.set_password("correct horse battery")
    investigator_a.save()
    consent = Consent.objects.get(subject=consented_subject)
    screening.consent_save(
        user=coordinator_a,
        instance=consent,
        data={"form_version": "1.1"},
        reason="Version misread from the form",
    )
    query = monitoring.query_open(
        user=monitor_a,
        data={
            "content_type": ContentType.objects.get_for_model(Consent),
            "object_id": consent.pk,
            "field_name": "consent_date",
            "text": "Please check the consent date against the signed form.",
        },
    )
    monitoring.query_answer(user=coordinator_a, query=query, answer="Checked: date is right.")
    monitoring.query_close(user=monitor_a, query=query, reason="Answer accepted")
    disposition_record(
        user=coordinator_a,
        data={
            "subject": consented_subject,
            "end_of_study_date": date(2026, 3, 28),
            "end_of_study_reason": "withdrew_consent",
        },
    )
    monitoring.signature_sign(
        user=investigator_a,
        data={
            "content_type": ContentType.objects.get_for_model(Subject),
            "object_id": consented_subject.pk,
            "meaning": "reviewed_approved",
            "password": "correct horse battery",
        },
    )
    return Subject.objects.get(pk=consented_subject.pk)


def test_the_pdf_holds_every_value_history_query_and_signature(signed_subject):
    pdf = casebook_pdf(signed_subject, generated_by="Dana Manager (dm_a)")
    text = _text(pdf)
    flat = _squeezed(text)

    consent = Consent.objects.get(subject=signed_subject)
    disposition = signed_subject.dispositions.get()
    for record in (signed_subject, consent, disposition):
        for label, value in record_values(record):
            assert _squeezed(label) in flat, (record, label)
            assert _squeezed(value) in flat, (record, label, value)
    # the values themselves, independently of the function that lays them out
    assert "01-S-001" in text and signed_subject.screening_number in text
    assert "2026-03-28" in text and "Withdrew consent" in text
    assert consent.consent_date.isoformat() in text
    # the audit trail: who, why, old -> new
    assert _squeezed("Version misread from the form") in flat
    assert _squeezed("form version: 1.0 → 1.1") in flat
    # the query's conversation
    assert _squeezed("Please check the consent date against the signed form.") in flat
    assert _squeezed("Checked: date is right.") in flat
    # the signature as 21 CFR 11.50 wants it: printed name, date and time, meaning
    signature = monitoring.Signature.objects.get()
    stamp = timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M")
    assert _squeezed(f"Signed by Li Wei (inv_a) on {stamp}") in flat
    assert _squeezed(signature.get_meaning_display()) in flat
    # visit order: screening, treatment, logs, end of study; who made the copy, on each page
    order = [
        text.index(title)
        for title in ("Screening", "Enrollment and treatment", "Adverse events", "End of study")
    ]
    assert order == sorted(order)
    pages = len(pdfium.PdfDocument(pdf))
    assert text.count("Generated ") >= pages and f"Page {pages} of {pages}" in text


def test_the_first_page_renders_with_ink_on_it(signed_subject):
    """Rendered to PNG (and kept in artifacts/ to look at)."""
    page = pdfium.PdfDocument(casebook_pdf(signed_subject, generated_by="x"))[0]
    image = page.render(scale=1.5).to_pil().convert("L")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / "casebook_pdf_page1.png")
    dark = sum(image.histogram()[:128])
    assert image.size[0] > 800 and dark > 10_000


@pytest.mark.usefixtures("cjk_font")
def test_a_chinese_readers_pdf_is_in_chinese_with_its_glyphs_drawn(signed_subject):
    """Issue 22: the PDF comes out in the language of whoever makes it, with the CJK font
    embedded (the text extracts as Chinese, and the page is kept in artifacts/ to look at); the
    data in it, the screening number and the dates, stay as they are."""
    with translation.override("zh-hans"):
        pdf = casebook_pdf(signed_subject, generated_by="x")
    text = _squeezed(_text(pdf))
    assert f"受试者{signed_subject.screening_number}" in text
    assert "研究中心" in text and "知情同意" in text
    assert "已作废否" in text and "创建" in text  # computed values too: a boolean, a change
    page = pdfium.PdfDocument(pdf)[0]
    page.render(scale=1.5).to_pil().convert("L").save(ARTIFACTS / "zh-casebook-pdf-page1.png")
    english = _squeezed(_text(casebook_pdf(signed_subject, generated_by="x")))
    assert f"Subject{signed_subject.screening_number}" in english and "受试者" not in english


def test_the_admin_gives_the_pdf_of_a_subject_of_the_users_sites_only(
    signed_subject, coordinator_a, coordinator_b
):
    own = Client()
    own.force_login(coordinator_a)
    response = own.get(f"/admin/casebook/{signed_subject.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert signed_subject.screening_number in _text(response.content)
    assert f'href="/admin/casebook/{signed_subject.pk}/pdf/"' in (
        own.get(f"/admin/casebook/{signed_subject.pk}/").content.decode()
    )

    other = Client()
    other.force_login(coordinator_b)
    assert other.get(f"/admin/casebook/{signed_subject.pk}/pdf/").status_code == 404


def _archive(client, query) -> zipfile.ZipFile:
    response = client.get(f"/admin/casebook/archive/?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_sites_archive_has_its_subjects_only_with_checksums_that_verify(
    signed_subject, register, site_a, site_b, coordinator_a, coordinator_b
):
    register()
    register(site=site_b, user=coordinator_b)
    client = Client()
    client.force_login(coordinator_a)

    archive = _archive(client, f"site={site_a.pk}")

    names = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    expected = sorted(
        f"{site_a.study.registry_id}/01/{s.screening_number}.pdf"
        for s in Subject.objects.filter(site=site_a)
    )
    assert names == expected and len(names) == 2
    sums = archive.read("SHA256SUMS").decode().splitlines()
    assert sorted(line.split("  ")[1] for line in sums) == names
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["subjects"] == 2 and manifest["generated_by"].endswith("(coord_a)")
    # another site's coordinator asking for site 01 gets none of its subjects
    other = Client()
    other.force_login(coordinator_b)
    assert [n for n in _archive(other, f"site={site_a.pk}").namelist() if n.endswith(".pdf")] == []
    for bad in ("x", "²", "-1"):
        assert client.get(f"/admin/casebook/archive/?site={bad}").status_code == 400


def test_the_archive_is_made_one_subject_at_a_time(register, monkeypatch):
    for _ in range(3):
        register()
    made = []
    real = casebook_module.casebook_pdf

    def counting(subject, **kwargs):
        made.append(subject.pk)
        return real(subject, **kwargs)

    monkeypatch.setattr(casebook_module, "casebook_pdf", counting)
    chunks = casebook_module.casebook_archive_chunks(
        casebook_module.subjects_for_archive(Subject.objects.all()),
        generated_by="x",
        now=timezone.now(),
        scope="test",
    )
    next(chunks)
    assert len(made) == 1  # the first subject's PDF is out before the second is made
    rest = list(chunks)
    assert len(made) == 3 and len(rest) >= 3


def test_the_command_writes_a_pdf_and_a_zip(signed_subject, tmp_path):
    out = io.StringIO()
    call_command(
        "casebook_pdf",
        "--subject",
        signed_subject.screening_number,
        "--out",
        tmp_path / "a.pdf",
        stdout=out,
    )
    data = (tmp_path / "a.pdf").read_bytes()
    assert out.getvalue().split()[0] == hashlib.sha256(data).hexdigest()
    assert signed_subject.screening_number in _text(data)

    call_command("casebook_pdf", "--site", "01", "--out", tmp_path / "site.zip", stdout=out)
    with zipfile.ZipFile(tmp_path / "site.zip") as archive:
        registry = signed_subject.site.study.registry_id
        assert f"{registry}/01/{signed_subject.screening_number}.pdf" in archive.namelist()
        assert json.loads(archive.read("manifest.json"))["generated_by"] == (
            "manage.py casebook_pdf"
        )
