"""What people read for the audit log's verbs: the timeline never shows an internal slug."""

from django.utils.translation import gettext_lazy as _

from .states import State

VERB_LABELS = {
    "created": _("case opened"),
    "transition": _("state changed"),
    "abuse_contact": _("abuse contact changed"),
    "action_approved": _("action approved"),
    "action_cancelled": _("action cancelled"),
    "action_done": _("action carried out"),
    "action_proposed": _("action proposed"),
    "action_retried": _("action retried"),
    "attachment": _("file uploaded"),
    "contact_set": _("abuse contact set"),
    "deadline_passed": _("deadline passed"),
    "deadline_paused": _("deadline paused"),
    "deadline_resumed": _("deadline resumed"),
    "mail_bounced": _("mail bounced"),
    "mail_delayed": _("mail delayed"),
    "merge": _("merged"),
    "not_mailed": _("not mailed"),
    "offender_flag": _("repeat-offender flag changed"),
    "owner": _("owner changed"),
    "customer_note": _("note"),
    "notice_dismissed": _("notice dismissed"),
    "notice_made": _("notice made from it"),
    "notice_replied": _("sender answered"),
    "reassign": _("reassigned"),
    "raw_download": _("original downloaded"),
}


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb.replace("_", " ")))


def state_label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state.replace("_", " ")
