"""A migration operation Django lacks: moving a model from one app to another.

Django can rename a model within its app (RenameModel) but not move it to another app. The
usual recipe (SeparateDatabaseAndState with a CreateModel copying every field, a DeleteModel,
and an AlterField in every app that points at it) copies the model's whole definition into
several migrations; this operation moves the model's state as it stands and repoints every
relation to it, like ProjectState.rename_model does within an app. The database is not
touched: the table, its rows and the foreign keys to it stay, so moving is free on any size
of database; rename the table afterwards with AlterModelTable if it should follow the app.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from django.db.migrations.utils import get_references


class MoveModel(Operation):
    """Move model `name` from app `from_app` to the app of the migration holding this."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, name: str, from_app: str) -> None:
        self.name = name
        self.from_app = from_app

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [], {"name": self.name, "from_app": self.from_app}

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        name = self.name.lower()
        old_key, new_key = (self.from_app, name), (app_label, name)
        moved = state.models[old_key].clone()
        moved.app_label = app_label
        # The table keeps its name (the default one of the app it came from).
        moved.options.setdefault("db_table", f"{self.from_app}_{name}")
        state.models[new_key] = moved

        to_reload = set()
        for model_state, field_name, field, reference in get_references(state, old_key):
            changed = field.clone()
            remote: Any = changed.remote_field
            if reference.to:
                remote.model = f"{app_label}.{self.name}"
            if reference.through:
                remote.through = f"{app_label}.{self.name}"
            model_state.fields[field_name] = changed
            to_reload.add((model_state.app_label, model_state.name_lower))
        # The relations cache, when built, is keyed by app and model as rename_model keeps it.
        cached: dict[Any, Any] | None = getattr(state, "_relations", None)
        if cached is not None:
            if old_key in cached:
                cached[new_key] = cached.pop(old_key)
            for relations in cached.values():
                if old_key in relations:
                    relations[new_key] = relations.pop(old_key)
        state.reload_models(list(to_reload), delay=True)
        state.remove_model(*old_key)
        state.reload_model(*new_key, delay=True)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        pass

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        pass

    def describe(self) -> str:
        return f"Move {self.from_app}.{self.name} to this app (state only)"

    @property
    def migration_name_fragment(self) -> str:
        return f"move_{self.name.lower()}"


def move_content_types(models: list[str], *, source: str, target: str) -> migrations.RunPython:
    """A RunPython that moves moved models' content types, and so the permissions granted on them.

    A content type the target app already has (a migrate ran in between) is left as it is.
    """

    def move(apps: Any, schema_editor: Any, source: str = source, target: str = target) -> None:
        content_types = apps.get_model("contenttypes", "ContentType")
        content_types.objects.filter(app_label=source, model__in=models).exclude(
            model__in=content_types.objects.filter(app_label=target).values("model")
        ).update(app_label=target)

    def back(apps: Any, schema_editor: Any) -> None:
        move(apps, schema_editor, source=target, target=source)

    return migrations.RunPython(move, back)
