"""Billing API: see the package's docstring."""

from ninja import Router

router = Router(tags=["billing"])
