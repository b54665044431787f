"""Which of our languages (English, Dutch, German) a notice is written in, so that the receipt and
any answer go out in the sender's language. Pure: text in, a language code or None out.

py3langid's model ships with the package (nothing is downloaded); it is narrowed to our three
languages and loaded once per process, on first use.
"""

from __future__ import annotations

import re
from functools import cache

LANGUAGES = ("en", "nl", "de")
# Below this the text says too little (an IP address, a log line): the caller keeps its default.
MIN_CONFIDENCE = 0.9
_NOISE = re.compile(r"\S*[\d/@:]\S*")  # addresses, times, URLs, mail addresses: no language in them


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def language_of(text: str) -> str | None:
    words = _NOISE.sub(" ", text or "")[:5000]
    if len(words.split()) < 3:
        return None
    language, confidence = _identifier().classify(words)
    return language if confidence >= MIN_CONFIDENCE else None
