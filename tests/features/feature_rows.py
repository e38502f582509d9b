"""Builders of hand-made core rows for feature tests."""

from __future__ import annotations

from datetime import datetime


def pay(
    pid: str, customer: str, when: str, amount: float = 20.0, *, kind: str = "charge", status: str = "succeeded"
) -> dict:
    return {
        "payment_id": pid,
        "customer_id": customer,
        "kind": kind,
        "status": status,
        "amount": amount,
        "currency": "USD",
        "paid_at": datetime.fromisoformat(when),
    }


def order(oid: str, customer: str, when: str, total: float = 30.0, **extra) -> dict:
    return {
        "order_id": oid,
        "customer_id": customer,
        "ordered_at": datetime.fromisoformat(when),
        "status": "paid",
        "total": total,
        "currency": "USD",
        **extra,
    }
