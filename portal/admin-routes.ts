/**
 * The secretariat's console: unlock requests, releases (preview with the audit, then confirm),
 * completeness, helplines and people. Every page needs a secretariat session.
 */
import express, { type Request, type Response, Router } from 'express';
import { documentPaths } from '../api/http/index.js';
import {
  AppError,
  CsrfOnlySchema,
  DisableUserFormSchema,
  findCountry,
  isAppError,
  NewHelplineFormSchema,
  NewUserFormSchema,
  NewUserSchema,
  notFound,
  PublishFormSchema,
  ROLE_LABELS,
  ROLES,
  UnlockDecisionFormSchema,
} from '../domain/index.js';
import { formPost, pageGet, pageWithForm } from './api-doc.js';
import { csrfField, dateTime, errorSummary, type FieldError, field, type Html, html, number, page } from './html.js';
import { type HttpParts, parseForm, requireSession } from './http.js';
import { navFor } from './nav.js';
import type { People, Session } from './people.js';
import type { Requests } from './requests.js';

export interface Manifest {
  readonly id: string;
  readonly createdAt: string;
  readonly mode: string;
  readonly span: { from: string; to: string };
  readonly cells: number;
  readonly withheld: { total: number; primary: number; carried: number; secondary: number };
  readonly audit: { passed: boolean; rounds: number; cellsAudited: number; narrowestRange: number | null };
  readonly helplines: number;
  readonly previousRelease: string | null;
  readonly checksum: string;
  readonly citation: string;
}

export interface AdminDeps {
  readonly parts: HttpParts;
  readonly clock: () => Date;
  readonly people: People;
  readonly requests: Requests;
  readonly unlock: (helplineId: string, period: string, now: Date) => Promise<void>;
  readonly registry: {
    listHelplines(): Promise<{ id: string; name: string; country: string; region: string }[]>;
    findHelpline(id: string): Promise<{ id: string; name: string } | undefined>;
    addHelpline(h: { id: string; name: string; country: string; region: string }, now: Date): Promise<{ key: string }>;
  };
  readonly releases: {
    preview(now: Date, baseUrl: string): Promise<Manifest>;
    publish(now: Date, baseUrl: string, checksum: string): Promise<Manifest>;
    list(): Promise<Manifest[]>;
  };
  readonly completeness: (
    year: number,
    now: Date,
  ) => Promise<{
    year: number;
    deadlineDay: number;
    helplines: readonly {
      id: string;
      name: string;
      months: readonly { period: string; reported: boolean; onTime: boolean | null; daysLate: number | null }[];
    }[];
  }>;
}

function secretariat(res: Response): Session {
  const session = requireSession(res);
  if (session.user.role !== 'secretariat') {
    throw new AppError('forbidden', 'The console is for the secretariat.', { status: 403 });
  }
  return session;
}

const baseUrl = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

function manifestFacts(m: Manifest, previous?: Manifest) {
  const delta = (now: number, before: number | undefined) =>
    before === undefined ? '' : ` (${now - before >= 0 ? '+' : ''}${now - before} since ${previous?.id})`;
  return html`<dl class="facts">
<dt>Months</dt><dd>${m.span.from} to ${m.span.to}</dd>
<dt>Helplines included</dt><dd>${number(m.helplines)}${delta(m.helplines, previous?.helplines)}</dd>
<dt>Published cells</dt><dd>${number(m.cells)}${delta(m.cells, previous?.cells)}</dd>
<dt>Withheld</dt><dd>${number(m.withheld.total)}${delta(m.withheld.total, previous?.withheld.total)}: ${number(m.withheld.primary)} small counts, ${number(m.withheld.secondary)} to protect them, ${number(m.withheld.carried)} carried from earlier releases</dd>
<dt>Audit</dt><dd>${m.audit.passed ? 'passed' : 'FAILED'}: ${number(m.audit.cellsAudited)} withheld cells attacked in ${m.audit.rounds} round(s); narrowest range ${m.audit.narrowestRange ?? '—'}</dd>
<dt>Checksum</dt><dd><code>${m.checksum.slice(0, 16)}…</code></dd>
</dl>`;
}

export function createAdminRoutes(deps: AdminDeps): Router {
  const { parts, clock } = deps;
  const router = Router();
  const forms = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 });
  router.use('/admin', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  /** A secretariat-only page: `draw` gives its title and body; `section` is the menu entry it sits under. */
  const consolePage = (
    path: string,
    section: string,
    draw: (req: Request, session: Session) => Promise<{ title: string; body: Html }>,
  ) =>
    router.get(path, async (req, res) => {
      const session = secretariat(res);
      const { title, body } = await draw(req, session);
      res.send(page(title, body, navFor(session, req, section)));
    });

  consolePage('/admin', '/admin', async () => {
    const open = await deps.requests.list({ open: true });
    const releases = await deps.releases.list();
    return {
      title: 'Secretariat console',
      body: html`<ul class="cards">
<li><a href="/admin/unlocks"><strong>${open.length}</strong> unlock request${open.length === 1 ? '' : 's'} waiting</a></li>
<li><a href="/admin/releases">Releases: latest ${releases[0]?.id ?? 'none yet'}</a></li>
<li><a href="/admin/completeness">Completeness: who reported which months</a></li>
<li><a href="/admin/helplines">Helplines</a> · <a href="/admin/users">People</a></li>
</ul>`,
    };
  });

  consolePage('/admin/unlocks', '/admin/unlocks', async (_req, session) => {
    const all = await deps.requests.list();
    return {
      title: 'Unlock requests',
      body: html`${all.length === 0 ? html`<p>No requests.</p>` : ''}
<div class="scroll"><table><caption>Requests to correct a published month, newest first</caption>
<thead><tr><th scope="col">Helpline</th><th scope="col">Month</th><th scope="col">Reason</th><th scope="col">Asked</th><th scope="col">Decision</th></tr></thead>
<tbody>${all.map(
        (
          r,
        ) => html`<tr><td>${r.helplineId}</td><td>${r.period}</td><td>${r.reason}</td><td>${dateTime(r.requestedAt)} by ${r.requestedBy}</td>
<td>${
          r.decision
            ? html`${r.decision === 'approve' ? 'Approved' : 'Declined'} by ${r.decidedBy} ${dateTime(r.decidedAt)}${r.note ? html`: ${r.note}` : ''}`
            : html`<form method="post" action="/admin/unlocks" class="decide">${csrfField(session.csrf)}
<input type="hidden" name="request" value="${r.id}">
<label for="note-${r.id}">Note for the helpline (optional)</label>
<input id="note-${r.id}" name="note" type="text" maxlength="1000">
<button type="submit" name="decision" value="approve">Approve unlock of ${r.helplineId} ${r.period}</button>
<button type="submit" name="decision" value="decline" class="secondary">Decline</button></form>`
        }</td></tr>`,
      )}</tbody></table></div>`,
    };
  });

  router.post('/admin/unlocks', forms, async (req, res) => {
    const session = secretariat(res);
    const form = parseForm(parts, req, res, UnlockDecisionFormSchema);
    if (form.errors)
      throw new AppError('invalid_form', 'The decision could not be read; go back and try again.', { status: 422 });
    const request = await deps.requests.get(form.data.request);
    if (!request) throw notFound('There is no such request.');
    const now = clock();
    if (await deps.requests.decide(request.id, form.data.decision, session.user.username, form.data.note, now)) {
      if (form.data.decision === 'approve') await deps.unlock(request.helplineId, request.period, now);
    }
    res.redirect(303, '/admin/unlocks');
  });

  consolePage('/admin/releases', '/admin/releases', async (_req, session) => {
    const releases = await deps.releases.list();
    return {
      title: 'Releases',
      body: html`<form method="post" action="/admin/releases/preview">${csrfField(session.csrf)}
<button type="submit">Prepare a new release</button>
<p class="hint">Protects and audits the current data and shows the result; nothing is published until you confirm.</p></form>
<div class="scroll"><table><caption>Published releases, newest first</caption>
<thead><tr><th scope="col">Release</th><th scope="col">Published</th><th scope="col">Months</th><th scope="col">Cells</th><th scope="col">Withheld</th><th scope="col">Manifest</th></tr></thead>
<tbody>${releases.map(
        (r) =>
          html`<tr><td>${r.id}</td><td>${dateTime(r.createdAt)}</td><td>${r.span.from}–${r.span.to}</td><td class="num">${number(r.cells)}</td><td class="num">${number(r.withheld.total)}</td><td><a href="/admin/releases/${r.id}">View</a> · <a href="/v1/releases/${r.id}">JSON</a></td></tr>`,
      )}</tbody></table></div>`,
    };
  });

  router.post('/admin/releases/preview', forms, async (req, res) => {
    const session = secretariat(res);
    const form = parseForm(parts, req, res, CsrfOnlySchema);
    if (form.errors) throw new AppError('invalid_form', 'The form could not be read.', { status: 422 });
    const [previous] = await deps.releases.list();
    let preview: Manifest;
    try {
      preview = await deps.releases.preview(clock(), baseUrl(req));
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      res
        .status(error.status)
        .send(
          page(
            'Release not possible',
            html`${errorSummary([{ href: 'main', message: error.message }], 'Nothing can be published')}<p><a href="/admin/releases">Back to releases</a></p>`,
            navFor(session, req, '/admin/releases'),
          ),
        );
      return;
    }
    res.send(
      page(
        `Confirm release ${preview.id}`,
        html`<p>This is what the release would publish. The audit tried to recover every withheld cell from the published margins.</p>
${manifestFacts(preview, previous)}
<form method="post" action="/admin/releases/publish" data-once>${csrfField(session.csrf)}
<input type="hidden" name="checksum" value="${preview.checksum}">
<button type="submit">Publish release ${preview.id}</button>
<p class="hint">If a month is loaded or corrected meanwhile, nothing is published and you are asked to prepare again.</p></form>
<p><a href="/admin/releases">Cancel</a></p>`,
        navFor(session, req, '/admin/releases'),
      ),
    );
  });

  router.post('/admin/releases/publish', forms, async (req, res) => {
    secretariat(res);
    const form = parseForm(parts, req, res, PublishFormSchema);
    if (form.errors) throw new AppError('invalid_form', 'The form could not be read.', { status: 422 });
    const manifest = await deps.releases.publish(clock(), baseUrl(req), form.data.checksum);
    res.redirect(303, `/admin/releases/${manifest.id}`);
  });

  consolePage('/admin/releases/:id', '/admin/releases', async (req) => {
    const releases = await deps.releases.list();
    const i = releases.findIndex((r) => r.id === req.params.id);
    const release = releases[i];
    if (!release) throw notFound('There is no such release.');
    return {
      title: `Release ${release.id}`,
      body: html`<p>Published ${dateTime(release.createdAt)}.</p>${manifestFacts(release, releases[i + 1])}
<p>Cite as: ${release.citation}</p>
<p><a href="/v1/releases/${release.id}">Manifest and export files (JSON)</a></p>`,
    };
  });

  consolePage('/admin/completeness', '/admin/completeness', async (req) => {
    const now = clock();
    const asked = Number(req.query.year);
    const year = Number.isInteger(asked) && asked >= 2000 && asked <= 2100 ? asked : now.getUTCFullYear();
    const report = await deps.completeness(year, now);
    const periods = report.helplines[0]?.months.map((m) => m.period) ?? [];
    const cell = (m: (typeof report.helplines)[number]['months'][number]) =>
      m.reported && m.onTime
        ? html`<td class="ok">on time</td>`
        : m.reported
          ? html`<td class="late">${m.daysLate} d late</td>`
          : m.daysLate !== null
            ? html`<td class="missing">missing, ${m.daysLate} d overdue</td>`
            : html`<td class="due">due</td>`;
    return {
      title: `Completeness ${year}`,
      body: html`<nav aria-label="Years"><a href="/admin/completeness?year=${year - 1}">${year - 1}</a> · <a href="/admin/completeness?year=${year + 1}">${year + 1}</a></nav>
<p>Deadline: day ${report.deadlineDay} of the following month.</p>
<div class="scroll"><table class="completeness"><caption>Who reported which months of ${year}</caption>
<thead><tr><th scope="col">Helpline</th>${periods.map((p) => html`<th scope="col">${p.slice(5)}</th>`)}</tr></thead>
<tbody>${report.helplines.map((h) => html`<tr><th scope="row">${h.name} (${h.id})</th>${h.months.map(cell)}</tr>`)}</tbody></table></div>`,
    };
  });

  const helplinesPage = async (
    req: Request,
    session: Session,
    extra: { errors?: FieldError[]; created?: { id: string; key: string } } = {},
  ) => {
    const helplines = await deps.registry.listHelplines();
    const errors = extra.errors ?? [];
    const errorFor = (id: string) => errors.find((e) => e.href === id)?.message;
    return page(
      'Helplines',
      html`${errorSummary(errors)}
${extra.created ? html`<div class="notice success" role="status" tabindex="-1" data-focus><h2>${extra.created.id} registered</h2><p>Its API key, shown only now: <code>${extra.created.key}</code></p><p><a href="/admin/users?helpline=${extra.created.id}">Add its first person</a></p></div>` : ''}
<div class="scroll"><table><caption>Registered helplines</caption><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Country</th><th scope="col">Region</th></tr></thead>
<tbody>${helplines.map((h) => html`<tr><td>${h.id}</td><td>${h.name}</td><td>${h.country}</td><td>${h.region}</td></tr>`)}</tbody></table></div>
<h2>Register a helpline</h2>
<form method="post" action="/admin/helplines" novalidate>${csrfField(session.csrf)}
${field({ id: 'id', label: 'Id', hint: 'Lower-case letters, digits and dashes, e.g. ke-116.', error: errorFor('id') })}
${field({ id: 'name', label: 'Name', error: errorFor('name') })}
${field({ id: 'country', label: 'Country (ISO code)', hint: 'Two letters, e.g. KE.', error: errorFor('country') })}
<button type="submit">Register</button></form>`,
      navFor(session, req, '/admin/helplines'),
    );
  };

  router.get('/admin/helplines', async (req, res) => {
    res.send(await helplinesPage(req, secretariat(res)));
  });
  router.post('/admin/helplines', forms, async (req, res) => {
    const session = secretariat(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body.country === 'string') body.country = body.country.trim().toUpperCase();
    const form = parseForm(parts, req, res, NewHelplineFormSchema);
    if (form.errors) {
      res.status(422).send(await helplinesPage(req, session, { errors: form.errors }));
      return;
    }
    const country = findCountry(form.data.country);
    if (!country) {
      res
        .status(422)
        .send(await helplinesPage(req, session, { errors: [{ href: 'country', message: 'Unknown country code' }] }));
      return;
    }
    if (await deps.registry.findHelpline(form.data.id)) {
      res.status(409).send(
        await helplinesPage(req, session, {
          errors: [{ href: 'id', message: 'A helpline with this id exists already' }],
        }),
      );
      return;
    }
    const { key } = await deps.registry.addHelpline(
      { id: form.data.id, name: form.data.name, country: country.code, region: country.region },
      clock(),
    );
    res
      .set('Cache-Control', 'no-store')
      .status(201)
      .send(await helplinesPage(req, session, { created: { id: form.data.id, key } }));
  });

  const usersPage = async (
    req: Request,
    session: Session,
    extra: { errors?: FieldError[]; link?: { username: string; url: string; expiresAt: string } } = {},
  ) => {
    const users = await deps.people.list();
    const helplines = await deps.registry.listHelplines();
    const errors = extra.errors ?? [];
    const errorFor = (id: string) => errors.find((e) => e.href === id)?.message;
    const preset = typeof req.query.helpline === 'string' ? req.query.helpline : '';
    return page(
      'People',
      html`${errorSummary(errors)}
${extra.link ? html`<div class="notice success" role="status" tabindex="-1" data-focus><h2>${extra.link.username} added</h2><p>Pass this one-time link on (it works once, until ${dateTime(extra.link.expiresAt)}):</p><p><code class="link" id="set-password-link">${extra.link.url}</code></p></div>` : ''}
<div class="scroll"><table><caption>Everyone with an account</caption><thead><tr><th scope="col">Username</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Helpline</th><th scope="col">State</th><th scope="col"></th></tr></thead>
<tbody>${users.map(
        (
          u,
        ) => html`<tr><td>${u.username}</td><td>${u.name}</td><td>${ROLE_LABELS[u.role]}</td><td>${u.helplineId ?? '—'}</td><td>${u.disabled ? 'disabled' : u.hasPassword ? 'active' : 'invited'}</td>
<td>${u.disabled || u.username === session.user.username ? '' : html`<form method="post" action="/admin/users/disable">${csrfField(session.csrf)}<input type="hidden" name="username" value="${u.username}"><button type="submit" class="secondary">Disable ${u.username}</button></form>`}</td></tr>`,
      )}</tbody></table></div>
<h2>Add a person</h2>
<form method="post" action="/admin/users" novalidate>${csrfField(session.csrf)}
${field({ id: 'username', label: 'Username', error: errorFor('username') })}
${field({ id: 'name', label: 'Name', error: errorFor('name') })}
<div class="field${errorFor('role') ? ' field-error' : ''}"><label for="role">Role</label>
<select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
<div class="field${errorFor('helplineId') ? ' field-error' : ''}"><label for="helplineId">Helpline</label>
${errorFor('helplineId') ? html`<p class="error-message" id="helplineId-error"><span class="visually-hidden">Error:</span> ${errorFor('helplineId')}</p>` : ''}
<select id="helplineId" name="helplineId"><option value="">— none (secretariat) —</option>${helplines.map((h) => html`<option value="${h.id}"${h.id === preset ? html` selected` : ''}>${h.name} (${h.id})</option>`)}</select></div>
<button type="submit">Add and make a set-password link</button></form>`,
      navFor(session, req, '/admin/users'),
    );
  };

  router.get('/admin/users', async (req, res) => {
    res.send(await usersPage(req, secretariat(res)));
  });
  router.post('/admin/users', forms, async (req, res) => {
    const session = secretariat(res);
    const form = parseForm(parts, req, res, NewUserFormSchema);
    if (form.errors) {
      res.status(422).send(await usersPage(req, session, { errors: form.errors }));
      return;
    }
    const { _csrf, helplineId, ...rest } = form.data;
    const user = NewUserSchema.safeParse({ ...rest, ...(helplineId ? { helplineId } : {}) });
    if (!user.success) {
      res.status(422).send(
        await usersPage(req, session, {
          errors: user.error.issues.map((i) => ({ href: String(i.path[0] ?? 'username'), message: i.message })),
        }),
      );
      return;
    }
    if (user.data.helplineId && !(await deps.registry.findHelpline(user.data.helplineId))) {
      res
        .status(422)
        .send(await usersPage(req, session, { errors: [{ href: 'helplineId', message: 'No such helpline' }] }));
      return;
    }
    try {
      const added = await deps.people.add(user.data, clock(), session.user.username);
      res.status(201).send(
        await usersPage(req, session, {
          link: {
            username: added.user.username,
            url: `${baseUrl(req)}/portal/set-password/${added.token}`,
            expiresAt: added.expiresAt,
          },
        }),
      );
    } catch (error) {
      if (isAppError(error) && error.status === 409) {
        res.status(409).send(await usersPage(req, session, { errors: [{ href: 'username', message: error.message }] }));
        return;
      }
      throw error;
    }
  });
  router.post('/admin/users/disable', forms, async (req, res) => {
    const session = secretariat(res);
    const form = parseForm(parts, req, res, DisableUserFormSchema);
    if (form.errors) throw new AppError('invalid_form', 'The form could not be read.', { status: 422 });
    if (form.data.username === session.user.username)
      throw new AppError('forbidden', 'You cannot disable yourself.', { status: 403 });
    await deps.people.disable(form.data.username, clock());
    res.redirect(303, '/admin/users');
  });

  return router;
}

export const consolePaths = documentPaths(
  pageGet('/admin', 'Secretariat console'),
  ...pageWithForm('/admin/unlocks', 'Unlock requests', 'Grant or refuse an unlock request', UnlockDecisionFormSchema),
  pageGet('/admin/releases', 'Releases'),
  formPost('/admin/releases/preview', 'Compute and audit a release, store nothing', PublishFormSchema),
  formPost('/admin/releases/publish', 'Publish the previewed release if its cells are unchanged', PublishFormSchema),
  pageGet('/admin/releases/{id}', 'One release'),
  ...pageWithForm('/admin/helplines', 'The helpline register', 'Register a helpline', NewHelplineFormSchema),
  ...pageWithForm('/admin/users', 'People', 'Add a person (a one-time set-password link)', NewUserFormSchema),
  formPost('/admin/users/disable', 'Disable a person', DisableUserFormSchema),
);
