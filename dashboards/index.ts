export type { DashboardDeps } from './chart-service.js';
export { buildChart, CHART_NAMES, type ChartName, chartQuery, PALETTE } from './charts/index.js';
export { renderSvg, svgToPng } from './render.js';
export { createDashboardRouter, dashboardPaths } from './router.js';
