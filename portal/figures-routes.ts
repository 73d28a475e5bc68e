/**
 * A helpline's own figures (unprotected: its own) beside its region's published ones (from the
 * latest release, protected like every public number), and its own as CSV. Nothing of another
 * helpline is ever shown: the region's numbers are the public release's.
 */
import { Router } from 'express';
import { documentPaths } from '../api/http/index.js';
import { forbidden, HARM_GROUPS } from '../domain/index.js';
import { pageGet } from './api-doc.js';
import { html, number, page } from './html.js';
import { requireSession } from './http.js';
import { navFor } from './nav.js';

export interface FiguresDeps {
  readonly clock: () => Date;
  readonly own: (
    helplineId: string,
    year: number,
  ) => Promise<
    readonly { period: string; harmGroup: string; ageBand: string; gender: string; channel: string; count: number }[]
  >;
  readonly regionOf: (helplineId: string) => Promise<{ region: string; name: string } | undefined>;
  /** The region's published figures for the year by harm group, from the latest release. */
  readonly regionPublished: (
    region: string,
    year: number,
  ) => Promise<{ release: string; byGroup: ReadonlyMap<string, number | null> } | undefined>;
}

const groupLabel = (code: string) => HARM_GROUPS.find((g) => g.code === code)?.label ?? code;

function helplineOf(res: Parameters<typeof requireSession>[0]) {
  const session = requireSession(res);
  if (!session.user.helplineId) throw forbidden('These pages are for helplines.');
  return { session, helplineId: session.user.helplineId };
}

export function createFiguresRoutes(deps: FiguresDeps): Router {
  const router = Router();
  const yearOf = (q: unknown) => {
    const y = Number(q);
    return Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : deps.clock().getUTCFullYear();
  };

  router.get('/portal/figures', async (req, res) => {
    const { session, helplineId } = helplineOf(res);
    const year = yearOf(req.query.year);
    const own = await deps.own(helplineId, year);
    const place = await deps.regionOf(helplineId);
    const published = place ? await deps.regionPublished(place.region, year) : undefined;
    const byGroup = new Map<string, number>();
    const byMonth = new Map<string, number>();
    for (const c of own) {
      byGroup.set(c.harmGroup, (byGroup.get(c.harmGroup) ?? 0) + c.count);
      byMonth.set(c.period, (byMonth.get(c.period) ?? 0) + c.count);
    }
    const groups = HARM_GROUPS.map((g) => g.code).filter((g) => byGroup.has(g) || published?.byGroup.get(g));
    res.send(
      page(
        `Your figures, ${year}`,
        html`<nav aria-label="Years"><a href="/portal/figures?year=${year - 1}">${year - 1}</a> · <a href="/portal/figures?year=${year + 1}">${year + 1}</a></nav>
<p>Your own numbers as loaded (not protected: they are yours, and only you see them), beside ${place ? `${place.name}'s region` : 'your region'}'s published numbers${published ? ` from release ${published.release}` : ''} (small counts withheld, shown as "withheld").</p>
<p><a href="/portal/figures.csv?year=${year}" download>Download your ${year} figures (CSV, by month, harm group, age band, gender and channel)</a></p>
${
  groups.length === 0
    ? html`<p>No loaded figures for ${year}.</p>`
    : html`<div class="scroll"><table><caption>Cases in ${year} by harm group</caption>
<thead><tr><th scope="col">Harm group</th><th scope="col">Yours</th><th scope="col">Region (published)</th><th scope="col">Your share</th></tr></thead>
<tbody>${groups.map((g) => {
        const mine = byGroup.get(g) ?? 0;
        const region = published?.byGroup.get(g);
        const share = region ? `${Math.round((mine / region) * 1000) / 10}%` : '—';
        return html`<tr><td>${groupLabel(g)}</td><td class="num">${number(mine)}</td><td class="num">${region === null ? 'withheld' : region === undefined ? 'not published' : number(region)}</td><td class="num">${share}</td></tr>`;
      })}</tbody></table></div>
<div class="scroll"><table><caption>Your cases by month</caption><thead><tr><th scope="col">Month</th><th scope="col">Cases</th></tr></thead>
<tbody>${[...byMonth].map(([p, n]) => html`<tr><td><a href="/portal/months/${p}">${p}</a></td><td class="num">${number(n)}</td></tr>`)}</tbody></table></div>`
}`,
        navFor(session, req, '/portal/figures'),
      ),
    );
  });

  router.get('/portal/figures.csv', async (req, res) => {
    const { helplineId } = helplineOf(res);
    const year = yearOf(req.query.year);
    const lines = ['period,harm_group,age_band,gender,channel,count'];
    for (const c of await deps.own(helplineId, year))
      lines.push([c.period, c.harmGroup, c.ageBand, c.gender, c.channel, c.count].join(','));
    res
      .type('text/csv; charset=utf-8')
      .set('Cache-Control', 'private, no-store')
      .attachment(`${helplineId}-${year}.csv`)
      .send(`${lines.join('\r\n')}\r\n`);
  });
  return router;
}

export const figuresPaths = documentPaths(
  pageGet('/portal/figures', "The helpline's own figures beside the published ones"),
  pageGet('/portal/figures.csv', "The helpline's own figures as CSV", 'text/csv'),
);
