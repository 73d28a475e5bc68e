/**
 * Deterministic demo data: ~150 helplines in ~130 countries across CHI's five regions, one
 * submission per helpline-month from 2013-01 to the last full month, with plausible trends
 * (online harms and chat rising). Calibrated so that OCSEA cases in Europe and Asia-Pacific in 2015
 * come to just over 11,000, the figure Child Helpline International published.
 */
import {
  type AgeBand,
  type Cell,
  type Channel,
  COUNTRIES,
  type Country,
  type Gender,
  HARM_TYPES,
  type HarmGroupCode,
  type HarmTypeCode,
  type HelplineInfo,
  lastFullMonth,
  monthsBetween,
  ROLLUPS,
  type SubmissionBody,
} from '../domain/index.js';
import { pickWeighted, poisson, type Rng, seededRng } from './random.js';

export const DEMO_SEED = 'helpline-demo-v1';
export const FIRST_DEMO_PERIOD = '2013-01';
/** 2015, Europe + Asia-Pacific, OCSEA: expected value the draws are calibrated to. */
export const OCSEA_2015_TARGET = 11_150;

export interface DemoHelpline extends HelplineInfo {
  /** Cases a month in 2013. */
  readonly scale: number;
  /** First month the helpline reports. */
  readonly since: string;
}

const OCSEA = new Set<string>(ROLLUPS[0]?.types ?? []);

const GROUP_WEIGHT: Record<HarmGroupCode, number> = {
  violence: 18,
  mental_health: 20,
  physical_health: 5,
  accessibility: 4,
  discrimination: 3,
  family: 14,
  peer: 9,
  education: 6,
  sexuality: 4,
  missing: 1.5,
  non_counselling: 10,
  online: 5,
};

/** Online harms (and OCSEA within violence) grow each year; the rest stays roughly flat. */
function yearTrend(type: HarmTypeCode, group: HarmGroupCode, year: number): number {
  const t = year - 2013;
  if (OCSEA.has(type)) return 1.18 ** t;
  if (group === 'online') return 1.12 ** t;
  if (group === 'mental_health') return 1.04 ** t;
  if (group === 'non_counselling') return 0.97 ** t;
  return 1;
}

const AGE: readonly (readonly [AgeBand, number])[] = [
  ['0-6', 1],
  ['7-9', 4],
  ['10-12', 14],
  ['13-15', 34],
  ['16-17', 24],
  ['18-24', 12],
  ['25+', 3],
  ['unknown', 8],
];
const GENDER: readonly (readonly [Gender, number])[] = [
  ['girl', 55],
  ['boy', 36],
  ['non_binary', 2],
  ['unknown', 7],
];

function channels(year: number): (readonly [Channel, number])[] {
  const t = year - 2013;
  return [
    ['phone', Math.max(20, 70 - 4 * t)],
    ['chat', 8 + 3.5 * t],
    ['sms', 6],
    ['email', 3],
    ['social', 2 + 1.5 * t],
    ['web', 3],
    ['in_person', 1],
    ['other', 1],
  ];
}

export function demoHelplines(): DemoHelpline[] {
  const rng = seededRng(DEMO_SEED, 'helplines');
  // 130 countries: every 5th of the 165 listed is left out, except the largest helpline nations.
  const keep = (c: Country, i: number) => i % 5 !== 4 || ['GB', 'DE', 'IN', 'AU', 'NL', 'PH'].includes(c.code);
  const countries = COUNTRIES.filter(keep).slice(0, 130);
  const helplines: DemoHelpline[] = [];
  countries.forEach((country, i) => {
    const lines = i % 6 === 0 && helplines.length < 150 ? 2 : 1;
    for (let n = 1; n <= lines; n++) {
      const scale = Math.round(60 * Math.exp(rng() * 3.2));
      const startYear = rng() < 0.75 ? 2013 : 2013 + Math.floor(rng() * 6);
      helplines.push({
        id: `${country.code.toLowerCase()}-${n}`,
        name: `${country.name} child helpline${lines > 1 ? ` ${n}` : ''} (demo)`,
        country: country.code,
        region: country.region,
        scale,
        since: `${startYear}-${String(1 + Math.floor(rng() * 12)).padStart(2, '0')}`,
      });
    }
  });
  return helplines.slice(0, 150);
}

export { lastFullMonth, monthsBetween };

const GROUP_SIZES = HARM_TYPES.reduce<Record<string, number>>((acc, t) => {
  acc[t.group] = (acc[t.group] ?? 0) + 1;
  return acc;
}, {});
const TOTAL_WEIGHT = Object.values(GROUP_WEIGHT).reduce((a, b) => a + b, 0);

/** Expected cases of one type in one helpline-month, before calibration. */
function expected(h: DemoHelpline, type: (typeof HARM_TYPES)[number], period: string): number {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  const seasonal = 1 + 0.12 * Math.cos(((month - 3) / 12) * 2 * Math.PI);
  const share = GROUP_WEIGHT[type.group] / TOTAL_WEIGHT / (GROUP_SIZES[type.group] ?? 1);
  return h.scale * seasonal * 1.03 ** (year - 2013) * share * yearTrend(type.code, type.group, year);
}

let ocseaFactor: number | undefined;
/** The factor that brings the expected 2015 Europe + Asia-Pacific OCSEA total to the target. */
export function ocseaCalibration(helplines: readonly DemoHelpline[] = demoHelplines()): number {
  if (ocseaFactor !== undefined) return ocseaFactor;
  let sum = 0;
  for (const h of helplines) {
    if (h.region !== 'europe' && h.region !== 'asia_pacific') continue;
    for (const period of monthsBetween('2015-01', '2015-12')) {
      if (period < h.since) continue;
      for (const type of HARM_TYPES) if (OCSEA.has(type.code)) sum += expected(h, type, period);
    }
  }
  ocseaFactor = OCSEA_2015_TARGET / sum;
  return ocseaFactor;
}

/** One helpline-month as the helpline would upload it; undefined before the helpline started reporting. */
export function demoSubmission(
  h: DemoHelpline,
  period: string,
  factor = ocseaCalibration(),
  /** The benchmark's larger data set: more cases, spread over more cells. */
  shape: { readonly spread?: number; readonly volume?: number } = {},
): SubmissionBody | undefined {
  const spread = shape.spread ?? 3;
  const volume = shape.volume ?? 1;
  if (period < h.since) return undefined;
  const rng: Rng = seededRng(DEMO_SEED, h.id, period);
  const year = Number(period.slice(0, 4));
  const channelWeights = channels(year);
  const cells = new Map<string, Cell>();
  for (const type of HARM_TYPES) {
    const mean = expected(h, type, period) * (OCSEA.has(type.code) ? factor : 1) * volume;
    const total = poisson(rng, mean);
    if (total === 0) continue;
    // Spread the type's cases over a few age × gender × channel cells, as a case system would.
    const parts = Math.min(total, 1 + Math.floor(rng() * spread));
    let left = total;
    for (let p = 0; p < parts; p++) {
      const count = p === parts - 1 ? left : Math.max(1, Math.round((left * (0.3 + rng() * 0.5)) / 1));
      left -= count;
      const cell = {
        harm: type.code,
        ageBand: pickWeighted(rng, AGE),
        gender: pickWeighted(rng, GENDER),
        channel: pickWeighted(rng, channelWeights),
      };
      const key = `${cell.ageBand}|${cell.gender}|${cell.channel}|${cell.harm}`;
      const prior = cells.get(key);
      cells.set(key, { ...cell, count: (prior?.count ?? 0) + count });
      if (left <= 0) break;
    }
  }
  const list = [...cells.values()];
  if (list.length === 0) return undefined;
  const cases = list.reduce((s, c) => s + c.count, 0);
  return { period, cells: list, totals: { contacts: Math.round(cases * (1.4 + rng() * 0.8)) } };
}
