"""Submit a page's GET form as a browser would, without a browser: hidden fields, ticked boxes, a pressed button."""

from __future__ import annotations

from urllib.parse import urlencode

from bs4 import BeautifulSoup


def submit(
    html: str,
    form_id: str,
    *,
    tick: tuple[str, str] | None = None,
    press: tuple[str, str] | None = None,
) -> str:
    """The URL a GET form leads to: tick toggles one check box (name, value); press adds a submit button's pair.

    Inputs outside the form that name it with form="..." count too, as in a browser.
    """
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id=form_id)
    if form is None:
        raise AssertionError(f"no form #{form_id}")
    fields = [*form.find_all("input"), *soup.find_all("input", attrs={"form": form_id})]
    pairs: list[tuple[str, str]] = []
    found = tick is None
    for field in fields:
        name, value, kind = field.get("name"), field.get("value", ""), field.get("type", "text")
        if not name:
            continue
        if kind == "checkbox":
            on = field.has_attr("checked")
            if tick == (name, value):
                on, found = not on, True
            if on:
                pairs.append((name, value))
        elif kind not in ("submit", "button"):
            pairs.append((name, value))
    if not found:
        raise AssertionError(f"no check box {tick!r} in #{form_id}")
    if press is not None:
        buttons = form.find_all("button", attrs={"name": press[0], "value": press[1]})
        if not buttons:
            raise AssertionError(f"no button {press!r} in #{form_id}")
        pairs.append(press)
    return f"{form.get('action')}?{urlencode(pairs)}"
