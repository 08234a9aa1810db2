import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Where the notice wording lives: legal text is edited there by the unit, not in code. */
export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

const Text = Type.String({ minLength: 1 });
const Labels = ['ownerName', 'ownerId', 'ownerAddress', 'vehicleType', 'vehicleMake', 'plate', 'plateColour', 'time', 'place',
  'violation', 'violationCode', 'legalClause', 'fine', 'points', 'photo', 'plateCrop', 'qr', 'frames'] as const;

const NoticeTemplateSchema = Type.Object({
  language: Text,
  form: Text,
  headerLeft: Type.Array(Text, { minItems: 1 }),
  headerRight: Type.Array(Text, { minItems: 1 }),
  numberLine: Text,
  placeDateLine: Text,
  title: Text,
  subtitle: Text,
  legalBasis: Text,
  addressee: Text,
  sections: Type.Object({ owner: Text, vehicle: Text, violation: Text, evidence: Text }),
  labels: Type.Object(Object.fromEntries(Labels.map((l) => [l, Text])) as Record<(typeof Labels)[number], typeof Text>),
  request: Text,
  warning: Text,
  lookupNote: Text,
  signature: Type.Array(Text),
  noPoints: Text,
  pointsUnit: Text,
  vehicleTypes: Type.Record(Type.String(), Text),
  plateColours: Type.Record(Type.String(), Text),
});

export type NoticeTemplate = Static<typeof NoticeTemplateSchema>;

const cache = new Map<string, NoticeTemplate>();

/** The validated template `notice-<language>.json`; a broken template fails loudly at first use, naming the field. */
export function loadNoticeTemplate(language = 'vi', dir = TEMPLATES_DIR): NoticeTemplate {
  const file = path.join(dir, `notice-${language}.json`);
  const cached = cache.get(file);
  if (cached) return cached;
  const content: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(NoticeTemplateSchema, content)) {
    const problems = [...Value.Errors(NoticeTemplateSchema, content)].slice(0, 5).map((e) => `${e.path}: ${e.message}`);
    throw new Error(`notice template ${file} is invalid: ${problems.join('; ')}`);
  }
  cache.set(file, content);
  return content;
}

/** Replaces `{name}` placeholders; an unknown placeholder is a template bug, so it throws rather than printing braces on a legal notice. */
export function fillTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`notice template uses unknown placeholder {${name}}`);
    return value;
  });
}
