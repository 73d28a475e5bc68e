/**
 * The portal's pages in the OpenAPI document, each routes file listing its own beside its routes
 * (as the API's routers do): HTML pages and the form posts they send, with the forms' schemas.
 */
import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { html, text } from '../api/http/index.js';

const TAGS = ['portal'];

/** A page a signed-in person (or anyone, for sign-in) gets as HTML. */
export const pageGet = (path: string, summary: string, type?: string): RouteConfig => ({
  method: 'get',
  path,
  summary,
  tags: TAGS,
  responses: { 200: type ? text(type, summary) : html(summary), 303: { description: 'To sign-in, without a session' } },
});

/** A form post (CSRF token in the form): answers with a page or a redirect (303). */
export const formPost = (path: string, summary: string, form?: z.ZodType): RouteConfig => ({
  method: 'post',
  path,
  summary,
  tags: TAGS,
  ...(form
    ? {
        request: {
          body: { content: { 'application/x-www-form-urlencoded': { schema: form } } },
        },
      }
    : {}),
  responses: {
    200: html('The page again, with what the form needs fixed'),
    303: { description: 'Done: on to the next page' },
    403: html('No valid session or CSRF token'),
  },
});

/** A page and the form on it that posts back to the same path. */
export const pageWithForm = (path: string, pageSummary: string, formSummary: string, form: z.ZodType) => [
  pageGet(path, pageSummary),
  formPost(path, formSummary, form),
];
