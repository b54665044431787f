"""Signals the network app sends; apps that react to them connect in their AppConfig.ready()."""

from django.dispatch import Signal

# Assignments were added, changed or closed in bulk (an import, a NetBox sync, the billing
# webhook): notices that matched nobody before may match now. kwargs: source (str).
assignments_changed = Signal()
