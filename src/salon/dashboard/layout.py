"""The dashboard's page chrome and form widgets: one look for every page, phone-first, every
control reachable by keyboard, every error beside its field."""

from starlette.responses import HTMLResponse

from salon.dashboard.html import Html, escape, html, join
from salon.dashboard.permissions import Area, areas_of
from salon.dashboard.web import CSRF_FIELD, PREFIX, Viewer

ASSETS = "/_salon/static/dashboard"
AREA_TITLES = {
    Area.MEETINGS: "Meetings",
    Area.LIVE: "Live rooms",
    Area.KEYS: "API keys",
    Area.DOMAINS: "Allowed domains",
    Area.WEBHOOKS: "Webhooks",
    Area.MEMBERS: "Members",
    Area.APPEARANCE: "Appearance",
    Area.INSIGHTS: "Insights",
}
# Pages load nothing from elsewhere, run no inline script, and are framed by nobody.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
        " form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

_DOCUMENT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Salon</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{assets}/dashboard.css">
<script type="module" src="{assets}/dashboard.js"></script>
</head>
<body class="{body_class}">
<a class="skip" href="#main">Skip to content</a>
{chrome}
<main id="main" tabindex="-1">
{content}
</main>
</body>
</html>
"""


def _nav(viewer: Viewer, current: Area | None) -> Html:
    links = [
        html(
            '<a href="{prefix}/{area}"{here}>{title}</a>',
            prefix=PREFIX,
            area=area.value,
            title=AREA_TITLES[area],
            here=Html(' aria-current="page"' if area is current else ""),
        )
        for area in areas_of(viewer.account.role)
    ]
    return html(
        """<header class="top">
  <a class="brand" href="{prefix}">Salon</a>
  <span class="org" title="Organization">{org}</span>
  <details class="account">
    <summary><span class="who">{email}</span> <span class="badge">{role}</span></summary>
    <div class="menu">
      <a href="{prefix}/account/password" data-testid="account-password">Change password</a>
      <form method="post" action="{prefix}/sign-out">{csrf}
        <button type="submit">Sign out</button></form>
      <form method="post" action="{prefix}/sign-out-everywhere">{csrf}
        <button type="submit">Sign out everywhere</button></form>
    </div>
  </details>
</header>
<nav class="areas" aria-label="Dashboard">{links}</nav>""",
        prefix=PREFIX,
        org=viewer.org.subdomain,
        email=viewer.account.email,
        role=viewer.account.role.value,
        csrf=csrf_input(viewer.csrf),
        links=join(links),
    )


def page(
    title: str,
    content: Html,
    *,
    viewer: Viewer | None = None,
    area: Area | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    chrome = (
        _nav(viewer, area)
        if viewer is not None
        else html(
            '<header class="top"><a class="brand" href="{prefix}">Salon</a></header>', prefix=PREFIX
        )
    )
    document = html(
        _DOCUMENT,
        title=title,
        assets=ASSETS,
        body_class="signed-in" if viewer is not None else "signed-out",
        chrome=chrome,
        content=content,
    )
    return HTMLResponse(document, status_code=status_code, headers=HEADERS)


# --- widgets -------------------------------------------------------------------------------------


def csrf_input(token: str) -> Html:
    return html('<input type="hidden" name="{name}" value="{token}">', name=CSRF_FIELD, token=token)


def notice(text: str | None, kind: str = "ok") -> Html:
    if not text:
        return Html("")
    role = "alert" if kind == "error" else "status"
    if kind == "error":
        text = _sentence(text)
    return html(
        '<p class="notice {kind}" role="{role}">{text}</p>', kind=kind, role=role, text=text
    )


def field(
    name: str,
    label: str,
    *,
    value: str = "",
    error: str | None = None,
    kind: str = "text",
    hint: str | None = None,
    required: bool = False,
    extra: str = "",
    field_id: str | None = None,
) -> Html:
    """A labelled input; its error (from the server) sits right under it and is announced."""
    ident = field_id or f"f-{name}"
    described = " ".join(
        part for part, on in ((f"{ident}-hint", hint), (f"{ident}-error", error)) if on
    )
    return html(
        """<div class="field{invalid}">
  <label for="{ident}">{label}</label>
  <input id="{ident}" name="{name}" type="{kind}" value="{value}"{required}{aria}{extra}>
  {hint}{error}
</div>""",
        invalid=Html(" invalid" if error else ""),
        ident=ident,
        label=label,
        name=name,
        kind=kind,
        value=value,
        required=Html(" required" if required else ""),
        aria=Html(
            (' aria-invalid="true"' if error else "")
            + (f' aria-describedby="{escape(described)}"' if described else "")
        ),
        extra=Html(" " + extra if extra else ""),
        hint=html('<p class="hint" id="{i}-hint">{h}</p>', i=ident, h=hint) if hint else "",
        error=error_text(ident, error),
    )


def error_text(ident: str, error: str | None) -> Html:
    if not error:
        return Html("")
    return html('<p class="field-error" id="{i}-error">{e}</p>', i=ident, e=_sentence(error))


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith((".", "?", "!")) else ".")


def empty_state(title: str, text: str, action: Html | None = None) -> Html:
    return html(
        '<div class="empty"><p class="empty-title">{title}</p><p>{text}</p>{action}</div>',
        title=title,
        text=text,
        action=action,
    )


def copy_box(label: str, value: str, test_id: str) -> Html:
    """A value to copy once (a new key, an invite link, a secret), with a copy button."""
    return html(
        """<div class="copy-box">
  <label for="{tid}">{label}</label>
  <div class="copy-row">
    <input id="{tid}" data-testid="{tid}" value="{value}" readonly spellcheck="false">
    <button type="button" class="secondary" data-copy="{tid}">Copy</button>
  </div>
</div>""",
        tid=test_id,
        label=label,
        value=value,
    )


def section(title: str, body: Html, *, actions: Html | None = None) -> Html:
    return html(
        '<section class="card"><div class="card-head"><h2>{title}</h2>{actions}</div>'
        "{body}</section>",
        title=title,
        body=body,
        actions=actions,
    )


def heading(title: str, lead: str) -> Html:
    return html(
        '<div class="page-head"><h1>{title}</h1><p class="lead">{lead}</p></div>',
        title=title,
        lead=lead,
    )


def message_page(
    title: str, text: str, status_code: int, viewer: Viewer | None = None
) -> HTMLResponse:
    content = html(
        '<div class="message"><h1>{title}</h1><p>{text}</p>'
        '<p><a class="button" href="{prefix}">Back to the dashboard</a></p></div>',
        title=title,
        text=text,
        prefix=PREFIX,
    )
    return page(title, content, viewer=viewer, status_code=status_code)


def notice_of(code: str | None, texts: dict[str, str]) -> Html:
    """The confirmation a redirect asked for by code (never text from the URL itself)."""
    return notice(texts.get(code or ""))


def confirm_button(action: str, csrf: str, label: str, question: str, test_id: str) -> Html:
    """A destructive action behind a second, explicit click (no script needed)."""
    return html(
        """<details class="confirm">
  <summary class="button danger-outline" data-testid="{tid}">{label}</summary>
  <form method="post" action="{action}" class="confirm-body">
    {csrf}<span>{question}</span>
    <button type="submit" class="danger" data-testid="{tid}-confirm">Yes, {lower}</button>
  </form>
</details>""",
        tid=test_id,
        label=label,
        lower=label.lower(),
        action=action,
        csrf=csrf_input(csrf),
        question=question,
    )
