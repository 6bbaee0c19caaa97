"""`{{ value|when }}`: a moment written the site's one way (sciannot.moments), in a <time>
element that carries the exact instant for machines and assistive technology."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sciannot.moments import as_moment, moment_text

register = template.Library()


@register.filter(expects_localtime=False)
def when(value: object) -> SafeString | str:
    moment = as_moment(value)
    if moment is None:
        return moment_text(value)
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), moment_text(moment))
