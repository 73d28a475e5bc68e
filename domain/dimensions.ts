/** The closed code lists of a cell besides its harm type (DESIGN.md, "Taxonomy"). */
export const AGE_BANDS = [
  { code: '0-6', label: '0–6 years' },
  { code: '7-9', label: '7–9 years' },
  { code: '10-12', label: '10–12 years' },
  { code: '13-15', label: '13–15 years' },
  { code: '16-17', label: '16–17 years' },
  { code: '18-24', label: '18–24 years' },
  { code: '25+', label: '25 years and over' },
  { code: 'unknown', label: 'Age unknown' },
] as const;

export const GENDERS = [
  { code: 'girl', label: 'Girl' },
  { code: 'boy', label: 'Boy' },
  { code: 'non_binary', label: 'Non-binary' },
  { code: 'unknown', label: 'Gender unknown' },
] as const;

export const CHANNELS = [
  { code: 'phone', label: 'Phone' },
  { code: 'sms', label: 'SMS' },
  { code: 'chat', label: 'Chat' },
  { code: 'email', label: 'E-mail' },
  { code: 'social', label: 'Social media' },
  { code: 'web', label: 'Web form' },
  { code: 'in_person', label: 'In person' },
  { code: 'other', label: 'Other channel' },
] as const;

export type AgeBand = (typeof AGE_BANDS)[number]['code'];
export type Gender = (typeof GENDERS)[number]['code'];
export type Channel = (typeof CHANNELS)[number]['code'];

export const AGE_BAND_CODES = AGE_BANDS.map((d) => d.code) as [AgeBand, ...AgeBand[]];
export const GENDER_CODES = GENDERS.map((d) => d.code) as [Gender, ...Gender[]];
export const CHANNEL_CODES = CHANNELS.map((d) => d.code) as [Channel, ...Channel[]];
