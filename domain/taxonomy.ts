/**
 * Canonical harm taxonomy v1: two levels with stable codes, after the CHI Data Framework as Aselo
 * implements it. Codes are `group.type`; a group code stands for all its types; a rollup is a named
 * set of types across groups. Labels follow the Luxembourg Terminology Guidelines (2016).
 *
 * This table is data and is versioned: a change bumps TAXONOMY_VERSION and is recorded as a break in
 * series, never applied to history silently.
 */
export const TAXONOMY_VERSION = '2026.1';

interface GroupDef {
  readonly label: string;
  readonly types: Readonly<Record<string, string>>;
}

const GROUP_DEFS = {
  violence: {
    label: 'Violence',
    types: {
      physical: 'Physical violence',
      emotional: 'Emotional or psychological violence',
      sexual: 'Sexual violence (offline)',
      online_sexual_abuse: 'Online sexual abuse',
      online_sexual_exploitation: 'Online sexual exploitation',
      neglect: 'Neglect',
      domestic: 'Witnessing domestic violence',
      trafficking: 'Trafficking',
      harmful_practices: 'Harmful practices (child marriage, FGM)',
      bullying: 'Bullying (offline)',
      other: 'Other violence',
    },
  },
  mental_health: {
    label: 'Mental health',
    types: {
      anxiety: 'Fear and anxiety',
      depression: 'Depression and low mood',
      self_harm: 'Self-harm',
      suicidal: 'Suicidal thoughts and behaviour',
      eating: 'Eating and body image',
      substance_use: 'Substance use',
      other: 'Other mental health concerns',
    },
  },
  physical_health: {
    label: 'Physical health',
    types: {
      general: 'General health',
      sexual_reproductive: 'Sexual and reproductive health',
      disability: 'Disability and chronic illness',
      other: 'Other physical health concerns',
    },
  },
  accessibility: {
    label: 'Accessibility of services',
    types: {
      health: 'Access to health services',
      education: 'Access to education',
      justice: 'Access to justice and legal help',
      shelter: 'Access to shelter and basic needs',
      other: 'Other access to services',
    },
  },
  discrimination: {
    label: 'Discrimination and exclusion',
    types: {
      ethnicity: 'Ethnicity or race',
      gender: 'Gender',
      disability: 'Disability',
      migration: 'Migration or refugee status',
      poverty: 'Poverty and social exclusion',
      other: 'Other discrimination',
    },
  },
  family: {
    label: 'Family relationships',
    types: {
      conflict: 'Family conflict',
      separation: 'Parental separation and custody',
      bereavement: 'Bereavement',
      parenting: 'Parenting questions',
      other: 'Other family relationships',
    },
  },
  peer: {
    label: 'Peer relationships',
    types: {
      friendship: 'Friendships',
      romantic: 'Partner relationships',
      peer_pressure: 'Peer pressure',
      other: 'Other peer relationships',
    },
  },
  education: {
    label: 'Education and occupation',
    types: {
      school: 'School performance and stress',
      dropout: 'Leaving school',
      child_labour: 'Child labour',
      work: 'Work and occupation',
      other: 'Other education and occupation',
    },
  },
  sexuality: {
    label: 'Sexuality',
    types: {
      orientation: 'Sexual orientation',
      gender_identity: 'Gender identity',
      sexual_behaviour: 'Sexual behaviour and questions',
      other: 'Other sexuality questions',
    },
  },
  missing: {
    label: 'Missing children',
    types: {
      runaway: 'Runaway',
      abduction: 'Abduction',
      lost: 'Lost or separated',
      other: 'Other missing children',
    },
  },
  non_counselling: {
    label: 'Non-counselling contacts',
    types: {
      information: 'Information request',
      testing: 'Testing the service',
      silent: 'Silent contact',
      abusive: 'Abusive contact',
      other: 'Other non-counselling contact',
    },
  },
  online: {
    label: 'Online harms',
    types: {
      cyberbullying: 'Cyberbullying',
      sextortion: 'Sexual extortion (sextortion)',
      grooming: 'Online grooming',
      nonconsensual_images: 'Non-consensual sharing of intimate images',
      harmful_content: 'Exposure to harmful content',
      privacy: 'Privacy, impersonation and hacking',
      other: 'Other online harms',
    },
  },
} as const satisfies Record<string, GroupDef>;

export type HarmGroupCode = keyof typeof GROUP_DEFS;
export type HarmTypeCode = {
  [G in HarmGroupCode]: `${G}.${Extract<keyof (typeof GROUP_DEFS)[G]['types'], string>}`;
}[HarmGroupCode];

export interface HarmGroup {
  readonly code: HarmGroupCode;
  readonly label: string;
}
export interface HarmType {
  readonly code: HarmTypeCode;
  readonly label: string;
  readonly group: HarmGroupCode;
  /** Sexual violence and OCSEA types take the higher primary-suppression threshold. */
  readonly sensitive: boolean;
}
export interface HarmRollup {
  readonly code: string;
  readonly label: string;
  readonly types: readonly HarmTypeCode[];
}

export const HARM_GROUPS: readonly HarmGroup[] = Object.entries(GROUP_DEFS).map(([code, def]) => ({
  code: code as HarmGroupCode,
  label: def.label,
}));

export const ROLLUPS: readonly HarmRollup[] = [
  {
    code: 'ocsea',
    label: 'Online child sexual exploitation and abuse',
    types: [
      'violence.online_sexual_abuse',
      'violence.online_sexual_exploitation',
      'online.sextortion',
      'online.grooming',
      'online.nonconsensual_images',
    ],
  },
];

const SENSITIVE = new Set<string>(['violence.sexual', ...ROLLUPS.flatMap((r) => r.types)]);

export const HARM_TYPES: readonly HarmType[] = Object.entries(GROUP_DEFS).flatMap(([group, def]) =>
  Object.entries(def.types as Record<string, string>).map(([type, label]) => {
    const code = `${group}.${type}` as HarmTypeCode;
    return { code, label, group: group as HarmGroupCode, sensitive: SENSITIVE.has(code) };
  }),
);

export const HARM_TYPE_CODES = HARM_TYPES.map((t) => t.code) as [HarmTypeCode, ...HarmTypeCode[]];
const TYPE_BY_CODE = new Map(HARM_TYPES.map((t) => [t.code as string, t]));

export function findHarmType(code: string): HarmType | undefined {
  return TYPE_BY_CODE.get(code);
}

/** Every code the `harm` filter accepts: a type, a group (its types) or a rollup (its types). */
export function expandHarmCode(code: string): readonly HarmTypeCode[] | undefined {
  const type = TYPE_BY_CODE.get(code);
  if (type) return [type.code];
  if (code in GROUP_DEFS) return HARM_TYPES.filter((t) => t.group === code).map((t) => t.code);
  return ROLLUPS.find((r) => r.code === code)?.types;
}

export const HARM_FILTER_CODES: readonly string[] = [
  ...HARM_TYPE_CODES,
  ...HARM_GROUPS.map((g) => g.code),
  ...ROLLUPS.map((r) => r.code),
];
