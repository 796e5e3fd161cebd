"""directory.0003 moves credential documents from files into their rows, and back again."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from sciaticare.directory.models import Credential
from tests.directory.factories import PDF_BYTES, CredentialFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, MOVED = "0002_search_table", "0003_credential_documents_in_the_database"


@pytest.fixture(autouse=True)
def _every_app_migrated_after() -> Iterator[None]:
    """Taking directory back takes back the apps that depend on its later migrations (billing);
    the next test on this database needs them again."""
    yield
    call_command("migrate", verbosity=0)


@pytest.fixture
def storage(settings, tmp_path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def _stored_paths() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, document FROM directory_credential ORDER BY id")
        return dict(cursor.fetchall())


def test_documents_go_back_to_files_and_come_into_their_rows_again(storage):
    png = b"\x89PNG\r\n\x1a\n a scan"
    pdf = CredentialFactory()
    image = CredentialFactory(document=png, document_type="png", document_size=len(png))

    call_command("migrate", "directory", BEFORE, verbosity=0)
    paths = _stored_paths()
    assert (storage / paths[pdf.pk]).read_bytes() == PDF_BYTES
    assert (storage / paths[image.pk]).read_bytes() == png
    assert paths[image.pk].startswith("credentials/")
    assert paths[image.pk].endswith(".png")

    call_command("migrate", "directory", MOVED, verbosity=0)

    assert bytes(Credential.objects.get(pk=pdf.pk).document) == PDF_BYTES
    assert bytes(Credential.objects.get(pk=image.pk).document) == png


def test_a_credential_whose_file_is_missing_is_kept_with_an_empty_document(storage, capsys):
    credential = CredentialFactory()
    call_command("migrate", "directory", BEFORE, verbosity=0)
    (storage / _stored_paths()[credential.pk]).unlink()

    call_command("migrate", "directory", MOVED, verbosity=0)

    kept = Credential.objects.get(pk=credential.pk)
    assert bytes(kept.document) == b""
    assert (kept.number, kept.status) == (credential.number, credential.status)
    assert f"missing (kept, empty): [{credential.pk}]" in capsys.readouterr().out
