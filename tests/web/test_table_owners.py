"""Only the app that owns a table writes it, in its services; everyone else calls them.

Signing a note once completed the appointment with a queryset update from the records app,
skipping the change row and the audit event that scheduling writes for every completion. This
scan reads every module under ``src/sciaticare`` and fails on an ORM write of a model

- defined in another app, from any module; or
- of the module's own app, from a room above services (views, api, forms, tasks, admin,
  management commands, template tags, apps, urls): those call a service, which writes
  (docs/architecture.md, "The order"). Demo data seeds tables directly and is not checked.

A write is a manager or queryset write (``Model.objects….create/update/delete/…``) and a write
(``save()``, ``delete()``, ``update()``, …) on a name bound to a model: by ``Model.objects…``,
``Model(…)``, ``get_object_or_404(Model, …)``, a loop over one, or a type annotation; and
``request.user.save()`` (a User).

What it cannot see, since it reads names and not types: an instance that came from a function
or selector without an annotation (``note = read_note(…); note.save()``), an attribute other
than ``request.user`` (``self.object.save()``), a ModelForm's ``form.save()``, writes through a
related manager (``user.tokens.create()``, ``profile.languages.add()``), the Django admin's own
saves (``ModelAdmin.save_model``), and plain SQL. Review catches those.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest
from django.apps import apps

import sciaticare

SRC = Path(sciaticare.__file__).parent
MANAGER_WRITES = frozenset(
    {
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    }
)
INSTANCE_WRITES = frozenset({"save", "delete"})
# The rooms above services in the import contracts (pyproject.toml, "rooms"), `views_…` modules
# included: they call services and write nothing themselves.
ENTRY_ROOMS = frozenset(
    {"urls", "admin", "api", "views", "tasks", "management", "templatetags", "apps", "forms"}
)

# Writes outside the owner's services that stay for now, each with why (module under
# src/sciaticare, model).
ALLOWED: dict[tuple[str, str], str] = {
    ("directory/demo.py", "User"): (
        "Demo data makes hundreds of therapist and reviewer accounts in one bulk insert; "
        "no request ever runs it."
    ),
}


def _owners() -> dict[str, str]:
    """Model class name → the app (package under sciaticare) that defines it."""
    owners: dict[str, str] = {}
    for model in apps.get_models():
        if model.__module__.startswith("sciaticare."):
            name, app = model.__name__, model.__module__.split(".")[1]
            assert owners.setdefault(name, app) == app, f"two models named {name}"
    return owners


def _chain(node: ast.expr) -> list[str]:
    """The names along `a.b(…).c[…]`, outermost first: ["a", "b", "c"]."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            break
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return parts[::-1]


def _managed_model(node: ast.expr) -> str | None:
    """`X` in `X.objects…`, `X(…)` or `get_object_or_404(X, …)`."""
    names = _chain(node) if isinstance(node, ast.Call | ast.Attribute) else []
    if "objects" in names[1:]:
        return names[names.index("objects") - 1]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "get_object_or_404" and node.args:
            return _managed_model(node.args[0]) or (
                node.args[0].id if isinstance(node.args[0], ast.Name) else None
            )
        return node.func.id
    return None


def _annotated_model(annotation: ast.expr | None) -> str | None:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.split("|")[0].strip()
    if isinstance(annotation, ast.BinOp):  # `Model | None`
        return _annotated_model(annotation.left)
    if isinstance(annotation, ast.Name):
        return annotation.id
    return None


def _bound_models(function: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """Local names of the function that hold a model instance, and the model's name."""
    bound: dict[str, str] = {}
    for arg in [*function.args.args, *function.args.kwonlyargs]:
        if (model := _annotated_model(arg.annotation)) is not None:
            bound[arg.arg] = model
    for node in ast.walk(function):
        target, model = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, model = node.targets[0], _managed_model(node.value)
        elif isinstance(node, ast.AnnAssign):
            target = node.target
            model = _annotated_model(node.annotation) or (
                _managed_model(node.value) if node.value is not None else None
            )
        elif isinstance(node, ast.For):
            target, model = node.target, _managed_model(node.iter)
        if isinstance(target, ast.Name) and model is not None:
            bound[target.id] = model
    return bound


def writes_in(source: str) -> Iterator[tuple[int, str]]:
    """(line, model name) of every ORM write in a module's source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            names = _chain(node.func.value)
            if node.func.attr in MANAGER_WRITES and "objects" in names[1:]:
                yield node.lineno, names[names.index("objects") - 1]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            bound = _bound_models(node)
            for call in ast.walk(node):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in MANAGER_WRITES | INSTANCE_WRITES
                ):
                    continue
                receiver = call.func.value
                if isinstance(receiver, ast.Name) and receiver.id in bound:
                    yield call.lineno, bound[receiver.id]
                elif isinstance(receiver, ast.Attribute) and _chain(receiver)[-2:] == [
                    "request",
                    "user",
                ]:
                    yield call.lineno, "User"


def entry_room(module: PurePosixPath) -> bool:
    """Whether a module (its path under sciaticare/) is in a room above services."""
    room = (module.parts[1] if len(module.parts) > 1 else module.parts[0]).removesuffix(".py")
    return room in ENTRY_ROOMS or room.startswith("views_")


def misplaced(
    module: PurePosixPath, source: str, owners: dict[str, str]
) -> Iterator[tuple[str, int, str, str]]:
    """(module, line, model, owning app) of each write in a module that its owner's services
    should make instead. Modules directly under sciaticare/ belong to no app, so any write there
    is another's."""
    app = module.parts[0] if len(module.parts) > 1 else ""
    for line, model in sorted(set(writes_in(source))):
        owner = owners.get(model)
        if owner is not None and (owner != app or entry_room(module)):
            yield module.as_posix(), line, model, owner


def misplaced_writes() -> list[tuple[str, int, str, str]]:
    owners = _owners()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = PurePosixPath(path.relative_to(SRC).as_posix())
        if "migrations" in module.parts:
            continue
        found.extend(misplaced(module, path.read_text(), owners))
    return found


@pytest.fixture(scope="module")
def found() -> list[tuple[str, int, str, str]]:
    return misplaced_writes()


def test_only_the_owning_apps_services_write_its_tables(found):
    unexplained = [
        f"{module}:{line} writes {model} (owned by {owner}): call {owner}'s service"
        for module, line, model, owner in found
        if (module, model) not in ALLOWED
    ]

    assert not unexplained, "\n".join(unexplained)


def test_every_allowed_write_is_still_made(found):
    made = {(module, model) for module, _, model, _ in found}

    assert not set(ALLOWED) - made, "no longer made: remove from ALLOWED"


@pytest.mark.parametrize(
    "source",
    [
        "def sign(a):\n    Appointment.objects.filter(pk=a).update(status='completed')\n",
        "def sign(a):\n    Appointment.objects.select_for_update().get(pk=a).delete()\n",
        "def sign(a):\n    appointment = Appointment.objects.get(pk=a)\n    appointment.save()\n",
        "def sign(appointment: 'Appointment | None'):\n    appointment.save()\n",
        "def sign():\n    for row in Appointment.objects.all():\n        row.delete()\n",
        "def sign(a):\n    rows = Appointment.objects.filter(pk=a)\n    rows.update(status='x')\n",
        "def sign(r, a):\n    appointment = get_object_or_404(Appointment, pk=a)\n"
        "    appointment.save()\n",
        "def sign(r, a):\n    row = get_object_or_404(Appointment.objects.filter(pk=a))\n"
        "    row.delete()\n",
    ],
)
def test_the_scan_sees_a_write_by_manager_queryset_or_instance(source):
    assert [model for _, model in writes_in(source)] == ["Appointment"]


def test_the_scan_sees_the_signed_in_user_saved():
    source = "def rename(request):\n    request.user.save(update_fields=['first_name'])\n"

    assert [model for _, model in writes_in(source)] == ["User"]


@pytest.mark.parametrize(
    ("module", "entry"),
    [
        ("api.py", True),
        ("intake/views/shares.py", True),
        ("scheduling/views_calendar.py", True),
        ("billing/api/invoices.py", True),
        ("accounts/forms.py", True),
        ("outcomes/management/commands/refresh_outcomes.py", True),
        ("intake/services.py", False),
        ("scheduling/services/booking.py", False),
        ("directory/search_table.py", False),
        ("records/demo.py", False),
    ],
)
def test_rooms_above_services_are_told_apart(module, entry):
    assert entry_room(PurePosixPath(module)) is entry


def test_a_view_writing_its_own_apps_table_is_misplaced_and_its_service_is_not():
    source = "def revoke(request, pk):\n    IntakeShare.objects.filter(pk=pk).delete()\n"
    owners = {"IntakeShare": "intake"}

    def judged(module: str) -> list[str]:
        return [found[0] for found in misplaced(PurePosixPath(module), source, owners)]

    assert judged("intake/views/shares.py") == ["intake/views/shares.py"]
    assert judged("intake/services.py") == []
    assert judged("records/services.py") == ["records/services.py"]


def test_the_scan_ignores_reads_and_other_objects():
    source = (
        "def read(note):\n"
        "    Appointment.objects.filter(pk=1).first()\n"
        "    cache.delete('key')\n"
        "    note.save()\n"
    )

    assert list(writes_in(source)) == []
