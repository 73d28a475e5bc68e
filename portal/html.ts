/**
 * The portal's page shell and form parts. Every value is escaped where it enters the HTML; a page
 * is a string built from these, so there is no template engine to misconfigure.
 *
 * Errors follow the GOV.UK Design System's error summary: a box at the top, focused on load,
 * linking to each field (or upload row), and a message beside each field.
 */
export const esc = (value: unknown): string =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A piece of HTML that is already safe (built by these helpers). */
export class Html {
  constructor(readonly text: string) {}
  toString() {
    return this.text;
  }
}

/** Tagged template: interpolated values are escaped unless they are Html (or lists of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

export interface FieldError {
  /** The id of the field (or row) the summary links to. */
  readonly href: string;
  readonly message: string;
}

export function errorSummary(errors: readonly FieldError[], title = 'There is a problem'): Html {
  if (errors.length === 0) return html``;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-focus>
  <h2 id="error-summary-title">${title}</h2>
  <ul>${errors.map((e) => html`<li><a href="#${e.href}">${e.message}</a></li>`)}</ul>
</div>`;
}

export function field(options: {
  id: string;
  name?: string;
  label: string;
  type?: string;
  value?: string;
  hint?: string;
  error?: string | undefined;
  autocomplete?: string;
  required?: boolean;
  extra?: string;
}): Html {
  const { id, label, hint, error } = options;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${error ? ' field-error' : ''}">
  <label for="${id}">${label}</label>
  ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}
  ${error ? html`<p class="error-message" id="${id}-error"><span class="visually-hidden">Error:</span> ${error}</p>` : ''}
  <input id="${id}" name="${options.name ?? id}" type="${options.type ?? 'text'}" value="${options.value ?? ''}"${new Html(
    described ? ` aria-describedby="${described}"` : '',
  )}${new Html(error ? ' aria-invalid="true"' : '')}${new Html(options.autocomplete ? ` autocomplete="${esc(options.autocomplete)}"` : '')}${new Html(
    options.required ? ' required' : '',
  )}>
</div>`;
}

export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

export interface Nav {
  readonly who: string;
  readonly area: 'portal' | 'admin';
  readonly csrf: string;
  readonly current?: string;
}

const PORTAL_LINKS = [
  ['/portal', 'Calendar'],
  ['/portal/upload', 'Upload a month'],
  ['/portal/enter', 'Enter by hand'],
  ['/portal/history', 'History'],
  ['/portal/figures', 'Your figures'],
  ['/portal/templates', 'Templates'],
  ['/portal/settings', 'Settings'],
  ['/portal/account', 'Account'],
] as const;
const ADMIN_LINKS = [
  ['/admin', 'Console'],
  ['/admin/unlocks', 'Unlock requests'],
  ['/admin/releases', 'Releases'],
  ['/admin/completeness', 'Completeness'],
  ['/admin/helplines', 'Helplines'],
  ['/admin/users', 'People'],
  ['/portal/account', 'Account'],
] as const;

export function page(title: string, body: Html, nav?: Nav): string {
  const links = nav ? (nav.area === 'portal' ? PORTAL_LINKS : ADMIN_LINKS) : [];
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} – Helpline statistics</title>
<link rel="stylesheet" href="/portal/assets/portal.css">
<script src="/portal/assets/portal.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="top">
  <span class="brand">Helpline statistics${nav ? html` <span class="area">${nav.area === 'portal' ? 'portal' : 'secretariat'}</span>` : ''}</span>
  ${
    nav
      ? html`<nav aria-label="Main"><ul>${links.map(
          ([href, text]) =>
            html`<li><a href="${href}"${new Html(nav.current === href ? ' aria-current="page"' : '')}>${text}</a></li>`,
        )}</ul></nav>
  <form method="post" action="/portal/sign-out" class="sign-out">${csrfField(nav.csrf)}<span class="who">${nav.who}</span> <button type="submit" class="link">Sign out</button></form>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`.text;
}

export const dateTime = (iso: string | null | undefined) =>
  iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—';

export const number = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en'));
