/**
 * The helpline's pages. Every page and download is scoped to the signed-in person's own helpline
 * (from the session, never from the URL): another helpline's months and versions are "not found".
 *
 *   upload: file (CSV | JSON | .xlsx) → parse → validate → dry run (locks, warnings, what it
 *           replaces) → report; confirm → the same acceptance as the API, with an Idempotency-Key
 *           tied to this preview, so a second press or a retry never makes a second version
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { documentPaths } from '../api/http/index.js';
import {
  AppError,
  ConfirmUploadSchema,
  HARM_GROUPS,
  isAppError,
  notFound,
  PeriodSchema,
  type Problem,
  type Receipt,
  type SubmissionBody,
  UnlockRequestFormSchema,
} from '../domain/index.js';
import {
  type AcceptDeps,
  acceptSubmission,
  type CodeMapping,
  readMultipartFile,
  TEMPLATE_CSV,
  validateRaw,
} from '../ingest/index.js';
import { formPost, pageGet } from './api-doc.js';
import { lastMonths, monthView, nextDeadline, type Policy, STATE_LABELS, type VersionLike } from './calendar.js';
import { csrfField, dateTime, errorSummary, type FieldError, html, number, page } from './html.js';
import { type HttpParts, parseForm, requireSession } from './http.js';
import { navFor } from './nav.js';
import type { Session } from './people.js';
import { type FileKind, readUploadedFile } from './read-upload.js';
import type { Requests } from './requests.js';
import { templateWorkbook } from './template.js';

type CellRow = { harm: string; ageBand: string; gender: string; channel: string; count: number };

export interface HelplineDeps {
  readonly parts: HttpParts;
  readonly clock: () => Date;
  readonly policy: Policy;
  readonly accept: AcceptDeps;
  readonly submissions: {
    list(helplineId: string, period?: string): Promise<VersionLike[]>;
    get(id: string): Promise<(VersionLike & { helplineId: string }) | undefined>;
    cells(id: string): Promise<CellRow[]>;
    lockedBy(helplineId: string, period: string): Promise<string | undefined>;
  };
  readonly mappings: (helplineId: string) => Promise<CodeMapping>;
  readonly requests: Requests;
  readonly helplineName: (id: string) => Promise<string | undefined>;
  readonly reminders?: (
    limit: number,
  ) => Promise<readonly { helplineId: string; period: string; kind: string; dueBy: string }[]>;
  readonly maxUploadBytes: number;
  /** A month typed into the grid was sent: its draft is done. */
  readonly onGridSent?: (helplineId: string, period: string) => Promise<void>;
}

interface Pending {
  readonly helplineId: string;
  readonly username: string;
  readonly body: SubmissionBody;
  readonly kind: FileKind | 'grid';
  readonly createdAt: number;
}

/** Versions whose cells the warehouse keeps (loaded now, or loaded and later corrected). */
const KEPT = new Set(['loaded', 'replaced', 'superseded']);
const STATUS_LABELS: Record<string, string> = {
  accepted: 'accepted, loading',
  loaded: 'loaded (current)',
  replaced: 'replaced by a correction',
  superseded: 'superseded by a newer version',
  rejected: 'rejected',
};

const PENDING_MS = 60 * 60_000;
const PENDING_MAX = 2000;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function helplineSession(res: Response): Session & { user: { helplineId: string } } {
  const session = requireSession(res);
  if (!session.user.helplineId) {
    throw new AppError('forbidden', 'These pages are for helplines; the secretariat works in the console at /admin.', {
      status: 403,
    });
  }
  return session as Session & { user: { helplineId: string } };
}

const groupOf = (harm: string) => harm.split('.')[0] ?? harm;
const groupLabel = (code: string) => HARM_GROUPS.find((g) => g.code === code)?.label ?? code;
const cellKey = (c: CellRow) => `${c.harm}|${c.ageBand}|${c.gender}|${c.channel}`;

/** What changed from one version to the next: cells added, removed, changed, and the total. */
export function diffCells(before: readonly CellRow[], after: readonly CellRow[]) {
  const old = new Map(before.map((c) => [cellKey(c), c.count]));
  const changes: { key: string; from: number | null; to: number | null }[] = [];
  for (const c of after) {
    const was = old.get(cellKey(c));
    if (was === undefined) changes.push({ key: cellKey(c), from: null, to: c.count });
    else if (was !== c.count) changes.push({ key: cellKey(c), from: was, to: c.count });
    old.delete(cellKey(c));
  }
  for (const [key, was] of old) changes.push({ key, from: was, to: null });
  const total = (cells: readonly CellRow[]) => cells.reduce((s, c) => s + c.count, 0);
  return { changes, totalBefore: total(before), totalAfter: total(after) };
}

function problemsTable(problems: readonly Problem[]) {
  return html`<table class="problems">
<caption>Every problem found, by row</caption>
<thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">What is wrong</th><th scope="col">Did you mean</th></tr></thead>
<tbody>${problems.map(
    (p, i) =>
      html`<tr id="problem-${i + 1}"><td>${p.row ?? '—'}</td><td>${p.column ?? p.path}</td><td>${p.message}${
        p.rule ? html` <span class="rule">(${p.rule})</span>` : ''
      }</td><td>${p.suggestions?.length ? p.suggestions.join(', ') : '—'}</td></tr>`,
  )}</tbody></table>`;
}

function uploadForm(csrf: string, error?: string) {
  return html`<form method="post" action="/portal/upload" enctype="multipart/form-data" class="upload" data-upload novalidate>
  ${csrfField(csrf)}
  <div class="field${error ? ' field-error' : ''}">
    <label for="file">The month's file</label>
    <p class="hint" id="file-hint">CSV (.csv), Excel workbook (.xlsx, first sheet) or JSON (.json), one month, up to 5 MB. Columns: period, harm, age_band, gender, channel, count. <a href="/portal/templates">Templates</a>.</p>
    ${error ? html`<p class="error-message" id="file-error"><span class="visually-hidden">Error:</span> ${error}</p>` : ''}
    <input id="file" name="file" type="file" accept=".csv,.xlsx,.json,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="file-hint${error ? ' file-error' : ''}"${error ? html` aria-invalid="true"` : ''}>
  </div>
  <progress hidden max="100" value="0" aria-label="Upload progress"></progress>
  <button type="submit">Check the file</button>
  <p class="hint">Nothing is sent to the statistics until you confirm on the next page.</p>
</form>`;
}

export function createHelplineRoutes(deps: HelplineDeps): { router: Router; confirmPage: ConfirmPage } {
  const { parts, clock, policy } = deps;
  const router = Router();
  const pending = new Map<string, Pending>();
  const forms = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 });

  const prune = () => {
    const now = Date.now();
    for (const [id, p] of pending) if (now - p.createdAt > PENDING_MS) pending.delete(id);
    while (pending.size > PENDING_MAX) pending.delete(pending.keys().next().value as string);
  };

  router.get('/portal', async (req, res) => {
    const session = requireSession(res);
    if (!session.user.helplineId) {
      res.redirect(303, '/admin');
      return;
    }
    const helplineId = session.user.helplineId;
    const now = clock();
    const versions = await deps.submissions.list(helplineId);
    const months = lastMonths(now, policy);
    const views = await Promise.all(
      months.map(async (p) => monthView(p, versions, await deps.submissions.lockedBy(helplineId, p), now, policy)),
    );
    const next = nextDeadline(now, policy);
    const reminder = (await deps.reminders?.(500))?.find((r) => r.helplineId === helplineId);
    const nextDone = views.find((v) => v.period === next.period)?.latest;
    res.send(
      page(
        `${(await deps.helplineName(helplineId)) ?? helplineId}: your months`,
        html`<div class="deadline">
  <p><strong>Next deadline:</strong> ${next.period} is due by ${dateTime(next.dueBy)}${nextDone ? html` — <span class="badge loaded">sent</span>` : ''}.</p>
  ${reminder ? html`<p>Latest reminder: ${reminder.kind === 'overdue' ? 'overdue' : 'due soon'} for ${reminder.period} (due ${dateTime(reminder.dueBy)}).</p>` : html`<p>No reminders so far.</p>`}
  <p><a class="button" href="/portal/upload">Upload a month</a></p>
</div>
<h2>The last 24 months</h2>
<ol class="calendar">${views.map(
          (v) => html`<li class="month state-${v.state}">
  <a href="/portal/months/${v.period}"><span class="period">${v.period}</span>
  <span class="badge ${v.state}">${STATE_LABELS[v.state]}</span>
  ${v.late ? html`<span class="badge late">Late</span>` : ''}
  ${v.lockedBy ? html`<span class="badge locked">Locked (release ${v.lockedBy})</span>` : ''}
  <span class="meta">${v.latest ? `${number(v.latest.total)} cases · v${v.latest.version ?? '…'}` : v.state === 'open' ? `due ${v.dueBy.slice(0, 10)}` : 'nothing sent'}</span></a>
</li>`,
        )}</ol>`,
        navFor(session, req, '/portal'),
      ),
    );
  });

  router.get('/portal/upload', (req, res) => {
    const session = helplineSession(res);
    res.send(page('Upload a month', uploadForm(session.csrf), navFor(session, req, '/portal/upload')));
  });

  const reportPage = (session: Session, req: Request, title: string, body: ReturnType<typeof html>, status = 200) => ({
    status,
    text: page(title, body, navFor(session, req, '/portal/upload')),
  });

  /** Holds a checked month for confirmation and shows what it would do. */
  const confirmPage = (
    session: Session & { user: { helplineId: string } },
    req: Request,
    c: { body: SubmissionBody; dryRun: Receipt; kind: FileKind | 'grid'; what: string; name: string },
  ) => {
    const { body, dryRun, kind } = c;
    prune();
    const id = randomUUID();
    pending.set(id, {
      helplineId: session.user.helplineId,
      username: session.user.username,
      body,
      kind,
      createdAt: Date.now(),
    });
    const byGroup = new Map<string, number>();
    for (const cell of body.cells) byGroup.set(groupOf(cell.harm), (byGroup.get(groupOf(cell.harm)) ?? 0) + cell.count);
    return reportPage(
      session,
      req,
      `Check and confirm ${body.period}`,
      html`<div class="notice success" role="status" tabindex="-1" data-focus>
  <h2>The month is valid</h2>
  <p>${c.what} <strong>${c.name.slice(0, 80)}</strong>: ${body.period}, ${number(body.cells.length)} cells, ${number(dryRun.cases)} cases.</p>
</div>
${
  dryRun.duplicate
    ? html`<p class="notice">This is identical to version ${dryRun.version ?? ''} you already sent: confirming changes nothing.</p>`
    : dryRun.replaces
      ? html`<p class="notice warning"><strong>This replaces version ${dryRun.replaces.version}</strong> of ${body.period} (a correction). The earlier version stays in your history.</p>`
      : html`<p>This is the first version of ${body.period}.</p>`
}
${
  dryRun.warnings.length
    ? html`<div class="notice warning"><h2>Please check</h2><ul>${dryRun.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`
    : ''
}
<table><caption>Cases by harm group</caption><thead><tr><th scope="col">Harm group</th><th scope="col">Cases</th></tr></thead>
<tbody>${[...byGroup].map(([g, n]) => html`<tr><td>${groupLabel(g)}</td><td class="num">${number(n)}</td></tr>`)}</tbody></table>
<form method="post" action="/portal/upload/confirm" data-once>
  ${csrfField(session.csrf)}
  <input type="hidden" name="upload" value="${id}">
  <button type="submit">Confirm and send ${body.period}</button>
</form>
<p>${kind === 'grid' ? html`<a href="/portal/enter?period=${body.period}">Back to the grid</a>` : html`<a href="/portal/upload">Choose another file instead</a>`}</p>`,
    ).text;
  };

  router.post('/portal/upload', async (req, res) => {
    const session = helplineSession(res);
    const helplineId = session.user.helplineId;
    let file: Awaited<ReturnType<typeof readMultipartFile>>;
    try {
      file = await readMultipartFile(req, deps.maxUploadBytes);
    } catch (error) {
      if (isAppError(error) && error.status < 500) {
        const out = reportPage(
          session,
          req,
          'Upload a month',
          html`${errorSummary([{ href: 'file', message: error.message }])}${uploadForm(session.csrf, error.message)}`,
          error.status,
        );
        res.status(out.status).send(out.text);
        return;
      }
      throw error;
    }
    parts.checkToken(req, res, file.fields.get('_csrf'));
    if (!file.filename) {
      const message = 'Choose the file of the month to upload.';
      res
        .status(422)
        .send(
          reportPage(
            session,
            req,
            'Upload a month',
            html`${errorSummary([{ href: 'file', message }])}${uploadForm(session.csrf, message)}`,
          ).text,
        );
      return;
    }
    let problems: readonly Problem[] = [];
    let headline = '';
    let body: SubmissionBody | undefined;
    let kind: FileKind = 'csv';
    let dryRun: Receipt | undefined;
    try {
      const read = await readUploadedFile(file);
      kind = read.kind;
      const validated = validateRaw(read.raw, await deps.mappings(helplineId), clock());
      if (!validated.body) {
        problems = validated.problems;
        headline = `The file has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was kept.`;
      } else {
        body = validated.body;
        const accepted = await acceptSubmission(deps.accept, helplineId, body, { dryRun: true });
        if (accepted.kind === 'receipt') dryRun = accepted.receipt;
      }
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      problems = error.problems.length > 0 ? error.problems : [{ path: '(file)', message: error.message }];
      headline = error.message;
    }
    if (!body || !dryRun) {
      const shown = problems.slice(0, 500);
      const summary: FieldError[] = shown.slice(0, 20).map((p, i) => ({
        href: `problem-${i + 1}`,
        message: p.row ? `Row ${p.row}, ${p.column ?? p.path}: ${p.message.replace(/^row \d+: /, '')}` : p.message,
      }));
      if (shown.length > 20)
        summary.push({ href: 'problems', message: `…and ${problems.length - 20} more in the table below` });
      const locked = problems.find((p) => p.rule === 'period_locked');
      res.status(422).send(
        reportPage(
          session,
          req,
          'Check your file',
          html`${errorSummary(summary, headline)}
<p>${file.filename ? html`File: <strong>${file.filename.slice(0, 80)}</strong>. ` : ''}Nothing from this file was kept. Fix the problems below and upload it again.</p>
${locked ? html`<p><a href="/portal/months/${(body?.period ?? '').slice(0, 7)}">Ask the secretariat to unlock the month</a></p>` : ''}
<div id="problems">${problemsTable(shown)}</div>
${problems.length > shown.length ? html`<p>${problems.length - shown.length} further problems are not listed.</p>` : ''}
<h2>Upload again</h2>
${uploadForm(session.csrf)}`,
        ).text,
      );
      return;
    }
    res
      .set('Cache-Control', 'no-store')
      .send(confirmPage(session, req, { body, dryRun, kind, what: `${kind.toUpperCase()} file`, name: file.filename }));
  });

  router.post('/portal/upload/confirm', forms, async (req, res) => {
    const session = helplineSession(res);
    const form = parseForm(parts, req, res, ConfirmUploadSchema);
    const id = form.data?.upload;
    const held = id && UPLOAD_ID.test(id) ? pending.get(id) : undefined;
    if (!id || !held || held.helplineId !== session.user.helplineId) {
      throw new AppError(
        'upload_expired',
        'This check has expired (after an hour, or a restart of the server). Upload the file again: if it was sent already, nothing new is made.',
        { status: 410 },
      );
    }
    const accepted = await acceptSubmission(deps.accept, held.helplineId, held.body, {
      idempotencyKey: `portal:${id}`,
    });
    const submissionId = accepted.kind === 'receipt' ? accepted.receipt.submissionId : accepted.submissionId;
    await deps.requests.recordUpload(
      { submissionId, helplineId: held.helplineId, username: held.username, kind: held.kind },
      clock(),
    );
    if (held.kind === 'grid') await deps.onGridSent?.(held.helplineId, held.body.period);
    res.redirect(303, `/portal/months/${held.body.period}?sent=${submissionId}`);
  });

  router.get('/portal/months/:period', async (req, res) => {
    const session = helplineSession(res);
    const helplineId = session.user.helplineId;
    const period = PeriodSchema.safeParse(req.params.period);
    if (!period.success) throw notFound('There is no such month.');
    const now = clock();
    const versions = (await deps.submissions.list(helplineId, period.data)).sort((a, b) =>
      a.submittedAt.localeCompare(b.submittedAt),
    );
    const lockedBy = await deps.submissions.lockedBy(helplineId, period.data);
    const view = monthView(period.data, versions, lockedBy, now, policy);
    const uploaders = await deps.requests.uploaders(helplineId);
    const requests = (await deps.requests.list({ helplineId })).filter((r) => r.period === period.data);
    const sent =
      typeof req.query.sent === 'string' ? versions.find((v) => v.submissionId === req.query.sent) : undefined;
    // What each loaded version changed from the loaded one before it.
    const diffs = new Map<string, ReturnType<typeof diffCells>>();
    let previous: CellRow[] | undefined;
    for (const v of versions) {
      if (!KEPT.has(v.status)) continue;
      const cells = await deps.submissions.cells(v.submissionId);
      if (previous) diffs.set(v.submissionId, diffCells(previous, cells));
      previous = cells;
    }
    const openRequest = requests.find((r) => r.decision === null);
    res.set('Cache-Control', 'no-store').send(
      page(
        `${period.data}`,
        html`${sent ? html`<div class="notice success" role="status" tabindex="-1" data-focus><h2>Sent</h2><p>Version received ${dateTime(sent.submittedAt)}: ${sent.status === 'loaded' ? 'loaded into the statistics.' : 'accepted; it shows as loaded within a minute (reload this page).'}</p></div>` : ''}
<p><span class="badge ${view.state}">${STATE_LABELS[view.state]}</span>${view.late ? html` <span class="badge late">Late</span>` : ''}${lockedBy ? html` <span class="badge locked">Locked: published in release ${lockedBy}</span>` : ''} Due by ${dateTime(view.dueBy)}.</p>
<h2>Versions</h2>
${
  versions.length === 0
    ? html`<p>Nothing has been sent for this month. <a href="/portal/upload">Upload it</a>.</p>`
    : html`<div class="scroll"><table class="versions"><caption>Every version of ${period.data}, oldest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Sent</th><th scope="col">By</th><th scope="col">Status</th><th scope="col">Cells</th><th scope="col">Cases</th><th scope="col">Change</th><th scope="col">File</th></tr></thead>
<tbody>${versions.map((v) => {
        const by = uploaders.get(v.submissionId);
        const d = diffs.get(v.submissionId);
        return html`<tr>
<td>${v.version ?? '…'}</td><td>${dateTime(v.submittedAt)}</td><td>${by ? `${by.username} (${by.kind})` : 'API key'}</td>
<td>${STATUS_LABELS[v.status] ?? v.status}${v.reason ? html`<br><span class="reason">${v.reason}</span>` : ''}</td><td class="num">${number(v.cells)}</td><td class="num">${number(v.total)}</td>
<td>${
          d
            ? html`${d.changes.length} cell${d.changes.length === 1 ? '' : 's'} changed; cases ${number(d.totalBefore)} → ${number(d.totalAfter)}${
                d.changes.length
                  ? html`<details><summary>What changed</summary><ul>${d.changes
                      .slice(0, 50)
                      .map(
                        (c) =>
                          html`<li>${c.key.replaceAll('|', ', ')}: ${c.from ?? 'none'} → ${c.to ?? 'removed'}</li>`,
                      )}</ul></details>`
                  : ''
              }`
            : KEPT.has(v.status)
              ? 'first version'
              : '—'
        }</td>
<td>${KEPT.has(v.status) ? html`<a href="/portal/versions/${v.submissionId}.csv" download>CSV</a>` : '—'}</td></tr>`;
      })}</tbody></table></div>`
}
${
  lockedBy
    ? html`<h2>Correct a published month</h2>
${
  openRequest
    ? html`<p class="notice">You asked on ${dateTime(openRequest.requestedAt)} for this month to be unlocked; the secretariat has not decided yet.</p>`
    : html`<form method="post" action="/portal/unlock" novalidate>
  ${csrfField(session.csrf)}
  <input type="hidden" name="period" value="${period.data}">
  <div class="field"><label for="reason">Why does ${period.data} need correcting?</label>
  <p class="hint" id="reason-hint">The secretariat sees this. Say what is wrong, not who it is about.</p>
  <textarea id="reason" name="reason" rows="3" aria-describedby="reason-hint"></textarea></div>
  <button type="submit">Ask to unlock ${period.data}</button>
</form>`
}`
    : ''
}
${
  requests.length
    ? html`<h2>Unlock requests</h2><ul>${requests.map(
        (r) =>
          html`<li>${dateTime(r.requestedAt)} by ${r.requestedBy}: ${r.decision === null ? 'waiting for the secretariat' : r.decision === 'approve' ? 'approved' : 'declined'}${r.note ? html` — note: ${r.note}` : ''}</li>`,
      )}</ul>`
    : ''
}`,
        navFor(session, req, '/portal'),
      ),
    );
  });

  router.post('/portal/unlock', forms, async (req, res) => {
    const session = helplineSession(res);
    const form = parseForm(parts, req, res, UnlockRequestFormSchema);
    if (form.errors) {
      const period =
        typeof req.body?.period === 'string' && PeriodSchema.safeParse(req.body.period).success ? req.body.period : '';
      res.status(422).send(
        page(
          'Ask to unlock a month',
          html`${errorSummary(form.errors.map((e) => ({ ...e, href: e.href === 'reason' ? 'reason' : e.href })))}
<form method="post" action="/portal/unlock" novalidate>${csrfField(session.csrf)}
<input type="hidden" name="period" value="${period}">
<div class="field field-error"><label for="reason">Why does ${period} need correcting?</label>
<p class="error-message" id="reason-error"><span class="visually-hidden">Error:</span> ${form.errors[0]?.message ?? ''}</p>
<textarea id="reason" name="reason" rows="3" aria-describedby="reason-error" aria-invalid="true"></textarea></div>
<button type="submit">Ask to unlock ${period}</button></form>`,
          navFor(session, req, '/portal'),
        ),
      );
      return;
    }
    await deps.requests.ask(
      {
        helplineId: session.user.helplineId,
        period: form.data.period,
        reason: form.data.reason,
        by: session.user.username,
      },
      clock(),
    );
    res.redirect(303, `/portal/months/${form.data.period}`);
  });

  router.get('/portal/history', async (req, res) => {
    const session = helplineSession(res);
    const versions = (await deps.submissions.list(session.user.helplineId)).sort(
      (a, b) => b.period.localeCompare(a.period) || b.submittedAt.localeCompare(a.submittedAt),
    );
    const uploaders = await deps.requests.uploaders(session.user.helplineId);
    res.send(
      page(
        'History',
        html`${versions.length === 0 ? html`<p>Nothing has been sent yet.</p>` : ''}
<div class="scroll"><table class="versions"><caption>Every version of every month, newest first</caption>
<thead><tr><th scope="col">Month</th><th scope="col">Version</th><th scope="col">Sent</th><th scope="col">By</th><th scope="col">Status</th><th scope="col">Cases</th></tr></thead>
<tbody>${versions.map((v) => {
          const by = uploaders.get(v.submissionId);
          return html`<tr><td><a href="/portal/months/${v.period}">${v.period}</a></td><td>${v.version ?? '…'}</td><td>${dateTime(v.submittedAt)}</td><td>${by ? by.username : 'API key'}</td><td>${STATUS_LABELS[v.status] ?? v.status}${v.reason ? html`: ${v.reason}` : ''}</td><td class="num">${number(v.total)}</td></tr>`;
        })}</tbody></table></div>`,
        navFor(session, req, '/portal/history'),
      ),
    );
  });

  router.get('/portal/versions/:file', async (req, res) => {
    const session = helplineSession(res);
    const match = /^([0-9a-f-]{36})\.csv$/.exec(String(req.params.file));
    const version = match?.[1] ? await deps.submissions.get(match[1]) : undefined;
    // Another helpline's version is answered exactly like one that does not exist.
    if (!version || version.helplineId !== session.user.helplineId || !KEPT.has(version.status))
      throw notFound('There is no such version.');
    const cells = await deps.submissions.cells(version.submissionId);
    const lines = ['period,harm,age_band,gender,channel,count'];
    for (const c of cells) lines.push([version.period, c.harm, c.ageBand, c.gender, c.channel, c.count].join(','));
    res
      .type('text/csv; charset=utf-8')
      .set('Cache-Control', 'private, no-store')
      .attachment(`${version.helplineId}-${version.period}-v${version.version ?? 0}.csv`)
      .send(`${lines.join('\r\n')}\r\n`);
  });

  router.get('/portal/templates', (req, res) => {
    const session = helplineSession(res);
    res.send(
      page(
        'Templates',
        html`<ul>
<li><a href="/portal/templates/submission.xlsx" download>Excel template (.xlsx)</a>: drop-down lists of valid codes (your own mapped codes too) and a Codes sheet with every code and its label.</li>
<li><a href="/portal/templates/submission.csv" download>CSV template</a>: the header and one example row.</li>
</ul>
<p>One row per cell: period (YYYY-MM), harm, age_band, gender, channel, count. Codes are listed at <a href="/v1/meta/dimensions">/v1/meta/dimensions</a>.</p>`,
        navFor(session, req, '/portal/templates'),
      ),
    );
  });
  router.get('/portal/templates/submission.csv', (_req, res) => {
    helplineSession(res);
    res.type('text/csv; charset=utf-8').attachment('submission-template.csv').send(TEMPLATE_CSV);
  });
  router.get('/portal/templates/submission.xlsx', async (_req, res) => {
    const session = helplineSession(res);
    const now = clock();
    const period = lastMonths(now, policy, 2)[1] ?? '2026-01';
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .attachment('submission-template.xlsx')
      .set('Cache-Control', 'private, no-store')
      .send(await templateWorkbook(period, await deps.mappings(session.user.helplineId)));
  });

  return { router, confirmPage };
}

export type ConfirmPage = (
  session: Session & { user: { helplineId: string } },
  req: Request,
  c: { body: SubmissionBody; dryRun: Receipt; kind: FileKind | 'grid'; what: string; name: string },
) => string;

export const helplinePaths = documentPaths(
  pageGet('/portal', "The helpline's months: calendar, deadlines, states"),
  pageGet('/portal/upload', 'Upload page (CSV, JSON or Excel)'),
  {
    ...formPost('/portal/upload', 'Upload a month: a dry-run report of every problem, or what would change'),
    request: {
      body: {
        content: {
          'multipart/form-data': {
            schema: z.object({ _csrf: z.string(), file: z.string().meta({ format: 'binary' }) }),
          },
        },
      },
    },
  },
  formPost('/portal/upload/confirm', 'Confirm the checked upload: it is submitted', ConfirmUploadSchema),
  pageGet('/portal/months/{period}', 'One month: its versions and cells'),
  formPost('/portal/unlock', 'Ask the secretariat to unlock a locked month', UnlockRequestFormSchema),
  pageGet('/portal/history', "The helpline's submissions, every version"),
  pageGet('/portal/versions/{file}', 'One version as CSV', 'text/csv'),
  pageGet('/portal/templates', 'Templates page'),
  pageGet('/portal/templates/submission.csv', 'CSV template', 'text/csv'),
  pageGet(
    '/portal/templates/submission.xlsx',
    'Excel template',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ),
);
