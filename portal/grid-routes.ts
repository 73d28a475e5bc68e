/**
 * Entering a month by hand, for helplines without an export: a harm type × gender grid (age band
 * "unknown", channel "other"), row and column totals, kept as a draft until sent. "Check" goes through
 * the same validation and dry run as a file, then the same confirmation.
 */
import { type Request, Router } from 'express';
import { documentPaths } from '../api/http/index.js';
import {
  AppError,
  GENDERS,
  GridFormSchema,
  HARM_GROUPS,
  HARM_TYPES,
  isAppError,
  PeriodSchema,
  type Problem,
} from '../domain/index.js';
import { type AcceptDeps, acceptSubmission, type CodeMapping, validateRaw } from '../ingest/index.js';
import type { Db } from '../warehouse/index.js';
import { formPost, pageGet } from './api-doc.js';
import { lastMonths, type Policy } from './calendar.js';
import { type ConfirmPage, helplineSession } from './helpline-routes.js';
import { csrfField, dateTime, errorSummary, type FieldError, html, number, page } from './html.js';
import { type HttpParts, parseForm } from './http.js';
import { navFor } from './nav.js';

type Grid = Record<string, string>;

export interface GridDeps {
  readonly db: Db;
  readonly parts: HttpParts;
  readonly clock: () => Date;
  readonly policy: Policy;
  readonly accept: AcceptDeps;
  readonly mappings: (helplineId: string) => Promise<CodeMapping>;
  readonly confirmPage: ConfirmPage;
}

const fieldName = (harm: string, gender: string) => `c.${harm}.${gender}`;
const fieldId = (harm: string, gender: string) => `c-${harm.replace('.', '-')}-${gender}`;
const NAMES = new Map(HARM_TYPES.flatMap((h) => GENDERS.map((g) => [fieldName(h.code, g.code), [h.code, g.code]])));

export function createDrafts(db: Db) {
  return {
    async get(helplineId: string, period: string) {
      const rows = await db.all<{ cells: string; updated_by: string; updated_at: string }>(
        `SELECT cells, updated_by, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated_at
           FROM portal_drafts WHERE helpline_id = $1 AND period = $2`,
        [helplineId, period],
      );
      const row = rows[0];
      return row ? { cells: JSON.parse(row.cells) as Grid, by: row.updated_by, at: row.updated_at } : undefined;
    },
    async save(helplineId: string, period: string, cells: Grid, by: string, now: Date) {
      await db.transaction((tx) =>
        tx.run(
          `INSERT INTO portal_drafts (helpline_id, period, cells, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, $5::TIMESTAMPTZ)
           ON CONFLICT (helpline_id, period) DO UPDATE SET cells = excluded.cells, updated_by = excluded.updated_by,
             updated_at = excluded.updated_at`,
          [helplineId, period, JSON.stringify(cells), by, now.toISOString()],
        ),
      );
    },
    async remove(helplineId: string, period: string) {
      await db.transaction((tx) =>
        tx.run('DELETE FROM portal_drafts WHERE helpline_id = $1 AND period = $2', [helplineId, period]),
      );
    },
  };
}

const asCount = (v: string | undefined) => (v && /^\d+$/.test(v.trim()) ? Number(v.trim()) : 0);

export function gridPage(
  token: string,
  period: string,
  grid: Grid,
  options: { errors?: FieldError[]; notice?: string; months: string[] },
) {
  const errors = options.errors ?? [];
  const bad = new Set(errors.map((e) => e.href));
  const colTotals = GENDERS.map((g) => HARM_TYPES.reduce((s, h) => s + asCount(grid[fieldName(h.code, g.code)]), 0));
  return html`${errorSummary(errors)}
${options.notice ? html`<div class="notice success" role="status">${options.notice}</div>` : ''}
<form method="get" action="/portal/enter" class="inline"><label for="period-pick">Month</label>
<select id="period-pick" name="period">${options.months.map((m) => html`<option value="${m}"${m === period ? html` selected` : ''}>${m}</option>`)}</select>
<button type="submit" class="secondary">Open</button></form>
<p class="hint">Type the number of cases for each harm type and gender; leave a cell empty for none. Age band is recorded as "unknown" and channel as "other" (the channel list has no "unknown").</p>
<form method="post" action="/portal/enter" novalidate>
${csrfField(token)}
<input type="hidden" name="period" value="${period}">
<div class="scroll"><table class="grid" data-grid><caption>Cases in ${period}</caption>
<thead><tr><th scope="col">Harm type</th>${GENDERS.map((g) => html`<th scope="col">${g.label}</th>`)}<th scope="col">Total</th></tr></thead>
${HARM_GROUPS.map(
  (group) => html`<tbody><tr><th scope="colgroup" colspan="${GENDERS.length + 2}" class="group">${group.label}</th></tr>
${HARM_TYPES.filter((h) => h.group === group.code).map((h) => {
  const rowTotal = GENDERS.reduce((s, g) => s + asCount(grid[fieldName(h.code, g.code)]), 0);
  return html`<tr><th scope="row">${h.label}</th>${GENDERS.map((g) => {
    const id = fieldId(h.code, g.code);
    return html`<td><label class="visually-hidden" for="${id}">${h.label}, ${g.label}</label><input id="${id}" name="${fieldName(h.code, g.code)}" inputmode="numeric" size="5" value="${grid[fieldName(h.code, g.code)] ?? ''}"${bad.has(id) ? html` aria-invalid="true" class="invalid"` : ''}></td>`;
  })}<td class="num" data-row-total>${number(rowTotal)}</td></tr>`;
})}</tbody>`,
)}
<tfoot><tr><th scope="row">Total</th>${colTotals.map((t) => html`<td class="num" data-col-total>${number(t)}</td>`)}<td class="num" data-grand-total>${number(colTotals.reduce((a, b) => a + b, 0))}</td></tr></tfoot>
</table></div>
<button type="submit" name="action" value="save" class="secondary">Save draft</button>
<button type="submit" name="action" value="check">Check and send</button>
</form>`;
}

export function createGridRoutes(deps: GridDeps): Router {
  const { parts, clock } = deps;
  const drafts = createDrafts(deps.db);
  const router = Router();
  const months = () => lastMonths(clock(), deps.policy, 24).slice(1);
  const periodOf = (req: Request) => {
    const asked = PeriodSchema.safeParse(req.query.period);
    return asked.success ? asked.data : (months()[0] as string);
  };

  router.get('/portal/enter', async (req, res) => {
    const session = helplineSession(res);
    const period = periodOf(req);
    const draft = await drafts.get(session.user.helplineId, period);
    res.send(
      page(
        `Enter ${period} by hand`,
        gridPage(session.csrf, period, draft?.cells ?? {}, {
          months: months(),
          ...(draft ? { notice: `Draft saved ${dateTime(draft.at)} by ${draft.by}.` } : {}),
        }),
        navFor(session, req, '/portal/enter'),
      ),
    );
  });

  router.post('/portal/enter', async (req, res) => {
    const session = helplineSession(res);
    const helplineId = session.user.helplineId;
    const form = parseForm(parts, req, res, GridFormSchema);
    if (form.errors)
      throw new AppError('invalid_form', 'The grid could not be read; go back and try again.', { status: 422 });
    const { _csrf, period, action, ...rest } = form.data;
    const grid: Grid = {};
    for (const [name, value] of Object.entries(rest)) {
      if (!NAMES.has(name))
        throw new AppError('invalid_form', 'The grid has a field it does not know.', { status: 422 });
      if (typeof value === 'string' && value.trim() !== '') grid[name] = value.trim();
    }
    const show = (status: number, options: { errors?: FieldError[]; notice?: string }) =>
      res
        .status(status)
        .send(
          page(
            `Enter ${period} by hand`,
            gridPage(session.csrf, period, grid, { ...options, months: months() }),
            navFor(session, req, '/portal/enter'),
          ),
        );
    await drafts.save(helplineId, period, grid, session.user.username, clock());
    if (action === 'save') {
      show(200, { notice: 'Draft saved. Nothing is sent until you choose "Check and send".' });
      return;
    }
    // The grid as a JSON submission, so it meets exactly the rules a file does.
    const entries = [...Object.entries(grid)];
    const raw = {
      period,
      format: 'json' as const,
      cells: entries.map(([name, value], i) => {
        const [harm, gender] = NAMES.get(name) as [string, string];
        const count = /^\d+$/.test(value) ? Number(value) : value;
        return { values: { harm, ageBand: 'unknown', gender, channel: 'other', count }, path: `cells/${i}` };
      }),
    };
    const toField = (p: Problem): FieldError => {
      const i = /^cells\/(\d+)/.exec(p.path)?.[1];
      const name = i === undefined ? undefined : entries[Number(i)]?.[0];
      const [harm, gender] = name ? (NAMES.get(name) as [string, string]) : ['', ''];
      const label = HARM_TYPES.find((h) => h.code === harm)?.label;
      return {
        href: name ? fieldId(harm, gender) : 'period-pick',
        message: name
          ? `${label}, ${GENDERS.find((g) => g.code === gender)?.label}: ${p.message.replace(/^cells \d+: /, '')}`
          : p.message,
      };
    };
    if (entries.length === 0) {
      show(422, {
        errors: [{ href: fieldId(HARM_TYPES[0]?.code ?? '', 'girl'), message: 'Enter at least one number.' }],
      });
      return;
    }
    const validated = validateRaw(raw, await deps.mappings(helplineId), clock());
    if (!validated.body) {
      show(422, { errors: validated.problems.slice(0, 50).map(toField) });
      return;
    }
    let accepted: Awaited<ReturnType<typeof acceptSubmission>>;
    try {
      accepted = await acceptSubmission(deps.accept, helplineId, validated.body, { dryRun: true });
    } catch (error) {
      if (!isAppError(error) || error.status >= 500) throw error;
      show(error.status, {
        errors: (error.problems.length ? error.problems : [{ path: '', message: error.message }]).map(toField),
      });
      return;
    }
    if (accepted.kind !== 'receipt') throw new AppError('internal', 'A dry run gave no report.', { status: 500 });
    res.set('Cache-Control', 'no-store').send(
      deps.confirmPage(session, req, {
        body: validated.body,
        dryRun: accepted.receipt,
        kind: 'grid',
        what: 'Typed in the grid',
        name: `${number(validated.body.cells.length)} cells`,
      }),
    );
  });

  return router;
}

export const gridPaths = documentPaths(
  pageGet('/portal/enter', 'Enter a month by hand (a grid of the codes)'),
  formPost('/portal/enter', 'Check or submit the entered month', GridFormSchema),
);
