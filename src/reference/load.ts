import fs from 'node:fs';
import YAML from 'yaml';
import { ReferenceDataError, describeError } from '../errors';
import { findInconsistencies, referenceDataSchema, type ReferenceData } from './schema';

/**
 * Parses and checks reference data text. Every problem is reported at once, each with the path of
 * the entry (`memberships[3].source: must be an absolute http(s) URL`).
 */
export function parseReferenceData(text: string, origin = 'reference data'): ReferenceData {
  let raw: unknown;
  try {
    raw = YAML.parse(text, { prettyErrors: true });
  } catch (err) {
    throw new ReferenceDataError(`reference: unable to parse ${origin} as YAML: ${describeError(err)}`, [], {
      cause: err,
    });
  }
  const parsed = referenceDataSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new ReferenceDataError(`reference: ${origin} does not match the reference data schema`, problems);
  }
  const inconsistencies = findInconsistencies(parsed.data);
  if (inconsistencies.length > 0) {
    throw new ReferenceDataError(`reference: ${origin} is inconsistent`, inconsistencies);
  }
  return parsed.data;
}

export function readReferenceData(file: string): ReferenceData {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReferenceDataError(`reference: unable to read ${file}: ${describeError(err)}`, [], { cause: err });
  }
  return parseReferenceData(text, file);
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    '',
  ) || '(file)';
}
