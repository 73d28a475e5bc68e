/**
 * The portal: helplines (/portal) and the secretariat (/admin) in the browser, on the app's own
 * origin. Plain server-rendered HTML forms, a little progressive JavaScript, nothing from other hosts.
 *
 *   in:  the warehouse's Db (its own tables: people, sessions, links, unlock requests, uploads),
 *        ingest's acceptance (validation, dry run, locks, Idempotency-Key, Kafka), the submission
 *        history, the registry, releases (preview, publish), completeness, the clock
 *   out: one Express router, mounted by api/app.ts among the later stages' routers, and the people
 *        store (the demo seed and the admin CLI make accounts with it)
 *
 *   1. tables (CREATE IF NOT EXISTS)
 *   2. per request: security headers (no framing) → session from the cookie → routes:
 *      sign-in and account · helpline pages · console · people admin API (admin key)
 *   3. errors on portal pages become HTML pages
 */
import { readFileSync } from 'node:fs';
import express, { Router } from 'express';
import type { Logger } from 'pino';
import { type DocumentPaths, principalOf } from '../api/http/index.js';
import type { AcceptDeps, CodeMapping } from '../ingest/index.js';
import type { Db } from '../warehouse/index.js';
import { createPeopleApi, peoplePaths } from './admin-api.js';
import { type AdminDeps, consolePaths, createAdminRoutes } from './admin-routes.js';
import { authPaths, createAuthRoutes } from './auth-routes.js';
import type { Policy } from './calendar.js';
import { createFiguresRoutes, type FiguresDeps, figuresPaths } from './figures-routes.js';
import { createDrafts, createGridRoutes, gridPaths } from './grid-routes.js';
import { createHelplineRoutes, type HelplineDeps, helplinePaths } from './helpline-routes.js';
import { cookies, createHttpParts, htmlErrors, SESSION_COOKIE } from './http.js';
import { createPeople, createSessions, type People } from './people.js';
import { createRequests } from './requests.js';
import { PORTAL_SQL } from './schema.js';
import { createSettingsRoutes, settingsPaths } from './settings-routes.js';
import { createSignInLimits, type SignInPolicy } from './sign-in-limits.js';

export { diffCells } from './helpline-routes.js';
export { LINK_HOURS, type People, type User } from './people.js';
export { DEFAULT_SIGN_IN_POLICY, type SignInPolicy } from './sign-in-limits.js';
export { checkZip, XLSX_LIMITS, xlsxToCsv } from './xlsx.js';

/** The portal's paths for the OpenAPI document: each routes file documents its own. */
export const portalPaths: DocumentPaths = (registry) => {
  for (const document of [authPaths, helplinePaths, gridPaths, figuresPaths, settingsPaths, consolePaths, peoplePaths])
    document(registry);
};

export interface PortalDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly policy: Policy;
  readonly accept: AcceptDeps;
  readonly submissions: HelplineDeps['submissions'] & {
    unlock(helplineId: string, period: string, now: Date): Promise<void>;
  };
  readonly mappings: (helplineId: string) => Promise<CodeMapping>;
  readonly registry: AdminDeps['registry'];
  readonly releases: AdminDeps['releases'];
  readonly completeness: AdminDeps['completeness'];
  readonly reminders?: HelplineDeps['reminders'];
  readonly figures?: Omit<FiguresDeps, 'clock'>;
  readonly signIn?: SignInPolicy;
  readonly maxUploadBytes?: number;
}

export interface Portal {
  readonly router: Router;
  readonly people: People;
}

const ASSETS: Record<string, string> = {
  'portal.css': 'text/css; charset=utf-8',
  'portal.js': 'text/javascript; charset=utf-8',
};

export async function createPortal(deps: PortalDeps): Promise<Portal> {
  const { db, clock } = deps;
  // 1.
  await db.transaction(async (tx) => {
    for (const sql of PORTAL_SQL) await tx.run(sql);
  });
  const people = createPeople(db);
  const sessions = createSessions(db, people);
  const requests = createRequests(db);
  const parts = createHttpParts(sessions, clock);
  const assets = new Map(
    Object.keys(ASSETS).map((name) => [name, readFileSync(new URL(`./assets/${name}`, import.meta.url))]),
  );

  // 2.
  const router = Router();
  router.get('/portal/assets/:file', (req, res, next) => {
    const body = assets.get(String(req.params.file));
    if (!body) return next();
    res
      .type(ASSETS[String(req.params.file)] ?? 'text/plain')
      .set('Cache-Control', 'public, max-age=3600')
      .send(body);
  });
  router.use(createPeopleApi(people, async (id) => (await deps.registry.findHelpline(id)) !== undefined, clock));
  const pages = Router();
  pages.use((req, res, next) => {
    if (!/^\/(portal|admin)(\/|$)/.test(req.path)) return next('router');
    // A caller with an API key and no session is the API's (e.g. /admin/completeness with the key).
    if (principalOf(res) && !cookies(req).has(SESSION_COOKIE)) return next('router');
    // Portal pages are never framed (the charts may be; these pages act on accounts).
    res.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    res.set('X-Frame-Options', 'DENY');
    res.set('Cache-Control', 'no-store');
    res.type('text/html; charset=utf-8');
    next();
  });
  pages.use(parts.loadSession);
  pages.use(
    express.urlencoded({
      extended: false,
      limit: '64kb',
      parameterLimit: 400,
      type: 'application/x-www-form-urlencoded',
    }),
  );
  pages.use(createAuthRoutes({ people, sessions, limits: createSignInLimits(clock, deps.signIn), parts, clock }));
  const drafts = createDrafts(db);
  const helpline = createHelplineRoutes({
    parts,
    clock,
    policy: deps.policy,
    accept: deps.accept,
    submissions: deps.submissions,
    mappings: deps.mappings,
    requests,
    helplineName: async (id) => (await deps.registry.findHelpline(id))?.name,
    ...(deps.reminders ? { reminders: deps.reminders } : {}),
    maxUploadBytes: deps.maxUploadBytes ?? 5 * 1024 * 1024,
    onGridSent: (h, p) => drafts.remove(h, p),
  });
  pages.use(helpline.router);
  pages.use(
    createGridRoutes({
      db,
      parts,
      clock,
      policy: deps.policy,
      accept: deps.accept,
      mappings: deps.mappings,
      confirmPage: helpline.confirmPage,
    }),
  );
  pages.use(createSettingsRoutes({ parts, clock, people }));
  if (deps.figures) pages.use(createFiguresRoutes({ ...deps.figures, clock }));
  pages.use(
    createAdminRoutes({
      parts,
      clock,
      people,
      requests,
      unlock: (h, p, now) => deps.submissions.unlock(h, p, now),
      registry: deps.registry,
      releases: deps.releases,
      completeness: deps.completeness,
    }),
  );
  // 3.
  pages.use(htmlErrors(deps.logger));
  router.use(pages);
  return { router, people };
}
