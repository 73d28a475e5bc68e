export * from './generator.js';
export { type SeedDeps, type SeedResult, seedDemo, uploadWithRetry, writeJsonAtomic } from './seed.js';
