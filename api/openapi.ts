/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the routes validate with.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  ApiKeyViewSchema,
  CHART_NAMES,
  type ChartName,
  JobRequestSchema,
  LangSchema,
  MappingsSchema,
  NewAdminKeySchema,
  NewHelplineSchema,
  ReleaseRequestSchema,
  RevokeKeySchema,
  RotateKeySchema,
  SubmissionBodySchema,
  UnlockSchema,
  WebhookSchema,
} from '../domain/index.js';

/** Labels come in the asked language (then Accept-Language, then English); codes never change. */
const MetaQuery = z.object({ lang: LangSchema.optional() });

import {
  CompletenessQuerySchema,
  CompletenessSchema,
  ProblemSchema,
  ReceiptSchema,
  ReleaseManifestSchema,
  SubmissionViewSchema,
  TrendsAnswerSchema,
} from '../domain/index.js';
import { ARROW_STREAM } from './formats.js';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });
const html = (description: string) => text('text/html', description);

/** Query parameters as documented (the route's schema parses lists from `a,b` or repeats). */
const list = (values: readonly string[] | undefined, description: string) =>
  (values ? z.array(z.enum(values as [string, ...string[]])) : z.array(z.string())).optional().meta({ description });

export function buildOpenApi(codes: {
  regions: readonly string[];
  countries: readonly string[];
  harm: readonly string[];
  ageBand: readonly string[];
  gender: readonly string[];
  channel: readonly string[];
  splits: readonly string[];
}) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'Helpline or admin API key',
  });
  const secured = [{ [bearer.name]: [] }];

  const TrendsParams = z.object({
    by: z.enum(['year', 'month']).optional().meta({ description: 'Time resolution (default year)' }),
    split: z
      .enum(codes.splits as [string, ...string[]])
      .optional()
      .meta({ description: 'One row per value of this dimension' }),
    region: list(codes.regions, 'Regions (repeat or comma-separated)'),
    country: list(codes.countries, 'ISO 3166-1 alpha-2 countries'),
    harm: list(codes.harm, 'Harm types, groups or rollups (e.g. ocsea)'),
    ageBand: list(codes.ageBand, 'Age bands'),
    gender: list(codes.gender, 'Genders'),
    channel: list(codes.channel, 'Channels'),
    from: z.string().optional().meta({ description: 'YYYY or YYYY-MM' }),
    to: z.string().optional().meta({ description: 'YYYY or YYYY-MM' }),
    release: z.string().optional().meta({ description: 'Release id (default: newest); "live" needs the admin key' }),
    format: z.enum(['json', 'csv', 'arrow']).optional().meta({ description: 'Overrides the Accept header' }),
  });

  const ChartParams = TrendsParams.pick({
    by: true,
    split: true,
    region: true,
    country: true,
    harm: true,
    from: true,
    to: true,
  }).extend({
    release: z.string().optional().meta({ description: 'Release id (default: newest); charts never show live data' }),
    year: z.string().optional().meta({ description: 'map, breakdown: the year shown (default: latest full year)' }),
    measure: z.enum(['count', 'share']).optional().meta({ description: 'harm-mix: cases or shares of the year' }),
    width: z
      .number()
      .int()
      .min(200)
      .max(2000)
      .optional()
      .meta({ description: 'Pixels (SVG/PNG; embeds fit their frame)' }),
    height: z.number().int().min(120).max(1500).optional(),
  });

  const paths: Parameters<typeof registry.registerPath>[0][] = [
    {
      method: 'get',
      path: '/v1/trends',
      summary: 'Cases over time from a protected release',
      request: { query: TrendsParams },
      responses: {
        200: {
          description: 'Rows; withheld values are null with suppressed: true',
          headers: { ETag: { schema: { type: 'string' } }, 'Cache-Control': { schema: { type: 'string' } } },
          content: {
            'application/json': { schema: TrendsAnswerSchema },
            'text/csv': { schema: z.string() },
            [ARROW_STREAM]: { schema: z.string().meta({ format: 'binary' }) },
          },
        },
        304: { description: 'Not modified (If-None-Match)' },
        400: problem('Invalid parameter, or a cut the release plan does not publish'),
        403: problem('release=live without the admin key'),
        404: problem('No such release'),
        429: problem('Rate limited'),
      },
    },
    {
      method: 'get',
      path: '/v1/meta/harm-types',
      summary: 'Harm taxonomy: types, groups, rollups',
      request: { query: MetaQuery },
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'get',
      path: '/v1/meta/regions',
      summary: 'Regions',
      request: { query: MetaQuery },
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'get',
      path: '/v1/meta/countries',
      summary: 'Countries with their regions',
      request: { query: MetaQuery },
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'get',
      path: '/v1/meta/dimensions',
      summary: 'Every code list',
      request: { query: MetaQuery },
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'get',
      path: '/v1/releases',
      summary: 'Published releases',
      responses: { 200: json(z.object({ releases: z.array(ReleaseManifestSchema) })) },
    },
    {
      method: 'get',
      path: '/v1/releases/{id}',
      summary: 'A release manifest',
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(ReleaseManifestSchema), 404: problem('No such release') },
    },
    {
      method: 'get',
      path: '/v1/completeness',
      summary: 'Which helplines reported which months, and on time',
      request: { query: CompletenessQuerySchema },
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': { schema: CompletenessSchema },
            'text/csv': { schema: z.string() },
            [ARROW_STREAM]: { schema: z.string() },
          },
        },
        400: problem('Invalid year'),
      },
    },
    {
      method: 'post',
      path: '/v1/submissions',
      summary: 'Submit one helpline-month (JSON, CSV or a form file)',
      security: secured,
      request: {
        query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: {
          content: {
            'application/json': { schema: SubmissionBodySchema },
            'text/csv': {
              schema: z.string().meta({ description: 'Header period,harm,age_band,gender,channel,count' }),
            },
            'multipart/form-data': { schema: z.object({ file: z.string().meta({ format: 'binary' }) }) },
          },
        },
      },
      responses: {
        200: json(ReceiptSchema, 'Duplicate of the current version, or a dry run'),
        202: json(ReceiptSchema, 'Accepted: Kafka holds it'),
        400: problem('Malformed JSON'),
        401: problem('No valid key'),
        413: problem('Too large'),
        415: problem('Unsupported content type'),
        422: problem('Rejected whole, every problem listed'),
        503: problem('Queue unavailable; retry after Retry-After'),
      },
    },
    {
      method: 'get',
      path: '/v1/submissions',
      summary: "The helpline's own submissions",
      security: secured,
      request: { query: z.object({ period: z.string().optional() }) },
      responses: { 200: json(z.object({ submissions: z.array(SubmissionViewSchema) })), 401: problem('No valid key') },
    },
    {
      method: 'get',
      path: '/v1/submissions/{id}',
      summary: 'Status and cells of a submission',
      security: secured,
      request: { params: z.object({ id: z.uuid() }) },
      responses: {
        200: json(SubmissionViewSchema),
        403: problem('Another helpline'),
        404: problem('No such submission'),
      },
    },
    {
      method: 'get',
      path: '/v1/templates/submission.csv',
      summary: 'CSV template',
      responses: { 200: text('text/csv', 'Header and an example row') },
    },
    {
      method: 'get',
      path: '/v1/admin/helplines',
      summary: 'List helplines',
      security: secured,
      responses: { 200: json(z.object({}).passthrough()), 403: problem('Not admin') },
    },
    {
      method: 'post',
      path: '/v1/admin/helplines',
      summary: 'Register a helpline; its key is shown once',
      security: secured,
      request: { body: { content: { 'application/json': { schema: NewHelplineSchema } } } },
      responses: {
        201: json(z.object({ key: z.string() }).passthrough()),
        409: problem('Exists'),
        422: problem('Invalid'),
      },
    },
    {
      method: 'get',
      path: '/v1/admin/helplines/{id}',
      summary: 'A helpline and its mappings',
      security: secured,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(z.object({}).passthrough()), 404: problem('No such helpline') },
    },
    {
      method: 'post',
      path: '/v1/admin/helplines/{id}/keys',
      summary: 'Rotate the key (old keys keep working for 7 days, or stop now with revokePrevious)',
      security: secured,
      request: {
        params: z.object({ id: z.string() }),
        body: { required: false, content: { 'application/json': { schema: RotateKeySchema } } },
      },
      responses: {
        201: json(
          z.object({
            helplineId: z.string(),
            key: z.string(),
            prefix: z.string(),
            previousKeysValidUntil: z.string(),
            note: z.string(),
          }),
        ),
      },
    },
    {
      method: 'get',
      path: '/v1/admin/helplines/{id}/keys',
      summary: "A helpline's keys: prefixes, expiry, revocation (never the keys)",
      security: secured,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(z.object({ keys: z.array(ApiKeyViewSchema) })), 404: problem('No such helpline') },
    },
    {
      method: 'get',
      path: '/v1/admin/keys',
      summary: 'Every key: prefixes, roles, expiry, revocation (never the keys)',
      security: secured,
      responses: { 200: json(z.object({ keys: z.array(ApiKeyViewSchema) })) },
    },
    {
      method: 'post',
      path: '/v1/admin/keys',
      summary: 'Issue an admin key that expires (rotate: issue, then revoke the old one)',
      security: secured,
      request: { body: { required: false, content: { 'application/json': { schema: NewAdminKeySchema } } } },
      responses: {
        201: json(z.object({ key: z.string(), prefix: z.string(), expiresAt: z.string(), note: z.string() })),
      },
    },
    {
      method: 'post',
      path: '/v1/admin/keys/revoke',
      summary: 'Revoke a key now, by its prefix or by the key itself',
      security: secured,
      request: { body: { content: { 'application/json': { schema: RevokeKeySchema } } } },
      responses: {
        200: json(z.object({ revoked: z.array(ApiKeyViewSchema), note: z.string() })),
        404: problem('No working key matches'),
        409: problem('The last working admin key'),
      },
    },
    {
      method: 'get',
      path: '/v1/admin/helplines/{id}/mappings',
      summary: 'Local code mappings',
      security: secured,
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'put',
      path: '/v1/admin/helplines/{id}/mappings',
      summary: 'Approve local code mappings',
      security: secured,
      request: {
        params: z.object({ id: z.string() }),
        body: { content: { 'application/json': { schema: MappingsSchema } } },
      },
      responses: { 200: json(z.object({}).passthrough()), 422: problem('Invalid') },
    },
    {
      method: 'post',
      path: '/v1/admin/helplines/{id}/unlock',
      summary: 'Unlock one published month of a helpline for a correction',
      security: secured,
      request: {
        params: z.object({ id: z.string() }),
        body: { content: { 'application/json': { schema: UnlockSchema } } },
      },
      responses: { 200: json(z.object({}).passthrough()), 422: problem('Invalid') },
    },
    {
      method: 'post',
      path: '/v1/admin/releases',
      summary: 'Publish a protected release now',
      security: secured,
      request: { body: { content: { 'application/json': { schema: ReleaseRequestSchema } } } },
      responses: { 201: json(ReleaseManifestSchema), 409: problem('Nothing to release, or the audit refused it') },
    },
    {
      method: 'get',
      path: '/v1/releases/{id}/files/{file}',
      summary: 'A file of the release export (Parquet, Arrow, CSV, HXL CSV, per-table CSV, manifest, SHA256SUMS)',
      request: { params: z.object({ id: z.string(), file: z.string() }) },
      responses: {
        200: {
          description: 'The file',
          content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } },
        },
        404: problem('No such release or file'),
      },
    },
    {
      method: 'get',
      path: '/v1/admin/jobs',
      summary: 'Job schedules and recent runs',
      security: secured,
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'post',
      path: '/v1/admin/jobs/{name}',
      summary: 'Run a job now (publish-release, completeness, reminders, export, checkpoint)',
      security: secured,
      request: {
        params: z.object({ name: z.enum(['publish-release', 'completeness', 'reminders', 'export', 'checkpoint']) }),
        body: { content: { 'application/json': { schema: JobRequestSchema } } },
      },
      responses: {
        200: json(z.object({}).passthrough(), 'The run (succeeded or skipped)'),
        500: json(z.object({}).passthrough(), 'The run failed after its retries'),
      },
    },
    {
      method: 'get',
      path: '/v1/admin/reminders',
      summary: 'The reminder outbox',
      security: secured,
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'put',
      path: '/v1/admin/helplines/{id}/webhook',
      summary: "Set a helpline's reminder webhook; answers its signing secret once",
      security: secured,
      request: {
        params: z.object({ id: z.string() }),
        body: { content: { 'application/json': { schema: WebhookSchema } } },
      },
      responses: { 200: json(z.object({ url: z.string(), secret: z.string() })), 404: problem('No such helpline') },
    },
    {
      method: 'delete',
      path: '/v1/admin/helplines/{id}/webhook',
      summary: "Remove a helpline's reminder webhook",
      security: secured,
      request: { params: z.object({ id: z.string() }) },
      responses: { 204: { description: 'Removed' }, 404: problem('No webhook') },
    },
    {
      method: 'get',
      path: '/v1/privacy/budget',
      summary: 'The privacy-budget ledger of noise releases: ε spent per release and table, the budget per month',
      responses: { 200: json(z.object({}).passthrough()) },
    },
    {
      method: 'get',
      path: '/admin/completeness',
      summary: 'Completeness page: who reported which months, how late (admin key)',
      security: secured,
      request: { query: z.object({ year: z.number().int().optional() }) },
      responses: { 200: html('Completeness page') },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (admin key or METRICS_TOKEN as a bearer token)',
      security: secured,
      responses: { 200: text('text/plain', 'Prometheus text format') },
    },
    {
      method: 'get',
      path: '/v1/openapi.json',
      summary: 'This document',
      responses: { 200: json(z.object({}).passthrough()) },
    },
    { method: 'get', path: '/docs', summary: 'API documentation page', responses: { 200: html('Swagger UI') } },
    {
      method: 'get',
      path: '/docs/init.js',
      summary: 'Documentation page script',
      responses: { 200: text('application/javascript', 'Script') },
    },
    {
      method: 'get',
      path: '/docs/assets/swagger-ui.css',
      summary: "Swagger UI's style sheet (the only two files of swagger-ui-dist served)",
      responses: { 200: text('text/css', 'Style sheet') },
    },
    {
      method: 'get',
      path: '/docs/assets/swagger-ui-bundle.js',
      summary: "Swagger UI's script",
      responses: { 200: text('application/javascript', 'Script') },
    },
    {
      method: 'get',
      path: '/favicon.ico',
      summary: 'No icon (204)',
      responses: { 204: { description: 'No content' } },
    },
    {
      method: 'get',
      path: '/healthz',
      summary: 'The process is up',
      responses: { 200: json(z.object({ status: z.string() })) },
    },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Kafka and DuckDB reachable',
      responses: { 200: json(z.object({}).passthrough()), 503: json(z.object({}).passthrough(), 'Not ready') },
    },
    { method: 'get', path: '/', summary: 'Dashboard page', responses: { 200: html('Dashboard') } },
    ...CHART_NAMES.flatMap((chart) => chartPaths(chart, ChartParams)),
    {
      method: 'get',
      path: '/builder',
      summary: 'Chart builder: pick a chart, copy an iframe snippet, SVG/PNG links and CSV',
      responses: { 200: html('Chart builder page') },
    },
    {
      method: 'get',
      path: '/vendor/{file}',
      summary: 'vega, vega-lite and vega-embed scripts',
      request: { params: z.object({ file: z.string() }) },
      responses: { 200: text('application/javascript', 'Script') },
    },
    {
      method: 'get',
      path: '/assets/{file}',
      summary: 'Page scripts (embed.js, dashboard.js, builder.js)',
      request: { params: z.object({ file: z.string() }) },
      responses: { 200: text('application/javascript', 'Script') },
    },
  ];
  for (const p of paths) registry.registerPath(p);

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Helpline analytics API',
      version: '1.0.0',
      description:
        'Why children contact child helplines, from de-identified monthly statistics. Public reads come only from protected, frozen releases: small counts are withheld and cannot be recovered from what is published.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
  });
}

type PathSpec = Parameters<OpenAPIRegistry['registerPath']>[0];

/** A chart's four outputs and its embed page. */
function chartPaths(chart: ChartName, query: z.ZodObject): PathSpec[] {
  const get = (path: string, summary: string, content: Record<string, { schema: z.ZodType }>): PathSpec => ({
    method: 'get',
    path,
    summary,
    request: { query },
    responses: {
      200: { description: summary, content },
      400: { description: 'A parameter is not valid, or the release plan does not publish this cut' },
    },
  });
  return [
    get(`/charts/${chart}.vl.json`, `${chart} chart: Vega-Lite spec with its data inline`, {
      'application/json': { schema: z.object({}).passthrough() },
    }),
    get(`/charts/${chart}.svg`, `${chart} chart as SVG`, { 'image/svg+xml': { schema: z.string() } }),
    get(`/charts/${chart}.png`, `${chart} chart as PNG (2× scale, bundled DejaVu Sans)`, {
      'image/png': { schema: z.string().meta({ format: 'binary' }) },
    }),
    get(`/charts/${chart}.csv`, `${chart} chart's data as CSV (withheld values empty, flagged)`, {
      'text/csv': { schema: z.string() },
    }),
    get(`/embed/${chart}`, `${chart} chart page for an iframe, with an accessible data table`, {
      'text/html': { schema: z.string() },
    }),
  ];
}
