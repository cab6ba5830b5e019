"""`{{ text|clause }}`: staff wording made ready to sit inside a sentence of a document.

Text typed by staff often ends in its own full stop ("Apply for the grant.") and documents go on after it
("…, by 15 December."). `clause` drops the closing punctuation and spaces so the document's sentence reads right;
question and exclamation marks are kept, as they change the meaning.
"""

from django import template
from django.template.defaultfilters import stringfilter

register = template.Library()

CLOSING = " \t\r\n.,;:"


@register.filter(is_safe=True)
@stringfilter
def clause(text: str) -> str:
    return text.rstrip(CLOSING)
