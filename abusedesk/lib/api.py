"""What every REST endpoint shares against bad input: paging, id filters, JSON bodies,
path ids, and the error answers the OpenAPI schema declares for them."""

import json

import django_filters
from django import forms
from django.db import models
from django.http import JsonResponse
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser

from .ids import MAX_ID, MAX_OFFSET, IdField

MAX_LIMIT = 1000


class StrictCharField(serializers.CharField):
    """Text that is text: DRF's CharField turns a number into a string ({"name": 12} → "12"),
    so a body the schema calls invalid would be accepted. A number or a boolean is a 400."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializer(serializers.ModelSerializer):
    """The project's model serializer: text columns take text only (see StrictCharField)."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.CharField: StrictCharField, models.TextField: StrictCharField}


class Pagination(LimitOffsetPagination):
    """limit/offset paging that answers 400 to a limit or offset out of range (instead of
    passing a number beyond 64 bits to the database), and says the range in the schema."""

    max_limit = MAX_LIMIT

    def _number(self, request, name, low, high, default):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        text = raw.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 19 or not low <= int(text) <= high:
            raise ValidationError({name: [f"Give a whole number from {low} to {high}."]})
        return int(text)

    def get_limit(self, request):
        return self._number(request, self.limit_query_param, 1, self.max_limit, self.default_limit)

    def get_offset(self, request):
        return self._number(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_limit)
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update(minimum=0, maximum=MAX_OFFSET)
        return parameters


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filter by a row id: a float, a word or a number beyond 64 bits is a 400."""

    field_class = IdField


class StrictBooleanField(forms.NullBooleanField):
    """true/false/1/0 or nothing; anything else is an error (django-filter's widget turned it
    into "no filter", so `?sensitive=-38072` answered every case)."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Give true or false.", code="invalid") from None

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class _ChoicesField(forms.MultipleChoiceField):
    def to_python(self, value):
        return [v for v in super().to_python(value) if v != ""]  # `?state=`: no filter, as elsewhere


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Any of several values (`?state=new&state=forwarded`); an empty value is ignored."""

    field_class = _ChoicesField


class FilterSet(django_filters.FilterSet):
    """The base of every filter set of the API and the desk: boolean filters are strict."""

    FILTER_DEFAULTS = {**FILTER_FOR_DBFIELD_DEFAULTS, models.BooleanField: {"filter_class": StrictBooleanFilter}}


class FilterBackend(DjangoFilterBackend):
    """`filterset_fields` on a view build on the same strict base."""

    filterset_base = FilterSet


def load_json(data: bytes | str):
    """json.loads, with nesting too deep to parse (RecursionError) refused as invalid (ValueError)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


class ObjectJSONParser(JSONParser):
    """Request bodies are JSON objects: a list, a number, a string or null is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read() if stream else b""
        try:
            document = load_json(data.decode(self._encoding(parser_context)))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if not isinstance(document, dict):
            raise ParseError("The request body must be a JSON object.")
        return document

    @staticmethod
    def _encoding(parser_context):
        return (parser_context or {}).get("encoding") or "utf-8"


class IdLookup:
    """Viewset mixin: path ids are whole numbers (the schema says integer; anything else is a 404)."""

    lookup_value_regex = "[0-9]+"


ERRORS = {
    "400": "Bad input: an object of field names to messages, or {\"detail\": message}.",
    "401": "Not logged in, or wrong credentials.",
    "403": "Not allowed for this user or token.",
    "404": "No such object, or not visible to this user.",
    "429": "Too many failed logins: wait 15 minutes.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the error answers
    abusedesk really gives ({"detail": ...} or field errors), and that an empty query
    parameter is ignored, so that clients and the schemathesis run in the tests know them."""
    error = {"type": "object", "additionalProperties": True}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    parameter["allowEmptyValue"] = True  # `?name=` is the same as leaving it out
                    _no_nul(parameter.get("schema", {}))
            for code, description in ERRORS.items():
                operation["responses"].setdefault(code, {
                    "description": description, "content": {"application/json": {"schema": error}}})
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for prop in component.get("properties", {}).values():
                _no_nul(prop)
    return result


def _no_nul(schema):
    # Text with a NUL character is refused (PostgreSQL text cannot hold it): say so.
    if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & set(schema)):
        schema["pattern"] = "^[^\\u0000]*$"


def not_found(request, exception=None):
    """handler404: JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
