from __future__ import annotations

from decimal import Decimal

from django import template

from drafting.selectors import money as money_text

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    return money_text(value)
