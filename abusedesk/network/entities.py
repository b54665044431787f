"""Sales entities: one rule for creating and changing them, used by the command line and the desk."""

import zoneinfo

from django.core.exceptions import ValidationError

from .models import Entity


def save_entity(entity: Entity, values: dict) -> Entity:
    """Set the given values, validate them as the desk form does, and save."""
    for key, value in values.items():
        if value is not None:
            setattr(entity, key, value.upper() if key == "jurisdiction" else value)
    if entity.timezone not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": [f"unknown time zone {entity.timezone!r}"]})
    entity.full_clean()
    entity.save()
    return entity
