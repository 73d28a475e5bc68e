export { renderSvg } from './render.js';
export { createDashboardRouter, type DashboardDeps } from './router.js';
export { PALETTE, trendSpec, trendText } from './trend-spec.js';
