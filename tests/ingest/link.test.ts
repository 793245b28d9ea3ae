import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Linker, type EntityDictionary } from '../../src/ingest/link';
import { readReferenceData } from '../../src/reference/load';
import { REFERENCE_FILE } from '../helpers/fresh-db';

/** The reference data as a linking dictionary; ids are positions in the file, mapped back to slugs. */
const reference = readReferenceData(REFERENCE_FILE);
const dictionary: EntityDictionary = {
  companies: reference.companies.map((c, id) => ({ id, name: c.name, aliases: c.aliases })),
  foundations: reference.foundations.map((f, id) => ({ id, name: f.name, shortName: f.shortName, aliases: f.aliases })),
};
const linker = new Linker(dictionary);

function slugsIn(title: string, text: string | null = null) {
  const mentions = linker.link(title, text);
  return {
    companies: mentions.companies.map((m) => reference.companies[m.id].slug).sort(),
    foundations: mentions.foundations.map((m) => reference.foundations[m.id].slug).sort(),
  };
}

interface Labeled {
  text: string;
  companies: string[];
  foundations: string[];
}
const corpus = (YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'linking', 'sentences.yaml'), 'utf8')) as { sentences: Labeled[] }).sentences;

describe('entity linking', () => {
  it.each([
    ['Meta joins the PyTorch Foundation', ['meta'], ['pytorch-foundation']],
    ['Improved metadata handling and Metaverse demos', [], []],
    ['Intelligence gathering with Intel hardware', ['intel'], []],
    ['Written in Go, the new tool targets AWS users', ['amazon-web-services'], []],
    ['An apple a day; Apple joins CNCF', ['apple'], ['cncf']],
    ['Amazon Web Services (AWS) and Amazon expand', ['amazon-web-services'], []],
    ['Meta-analysis of CNCF-graduated projects', [], ['cncf']],
    ['See https://aws.amazon.com/blogs/opensource or mail security@openssf.org', [], []],
    ['the linux foundation and the Cloud Native Computing Foundation', [], ['cncf', 'linux-foundation']],
  ])('%s', (title, companies, foundations) => {
    expect(slugsIn(title)).toEqual({ companies: [...companies].sort(), foundations: [...foundations].sort() });
  });

  it('counts every mention and says whether one is in the title', () => {
    const google = reference.companies.findIndex((c) => c.slug === 'google');
    const mentions = linker.link('Google joins', 'Google said that Google Cloud and GCP would...');
    expect(mentions.companies).toEqual([{ id: google, count: 4, inTitle: true }]);
  });

  it('reaches precision >= 0.95 and recall >= 0.90 on the hand-labeled corpus', () => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    const errors: string[] = [];
    for (const sentence of corpus) {
      const found = slugsIn(sentence.text);
      const predicted = new Set([...found.companies, ...found.foundations]);
      const expected = new Set([...sentence.companies, ...sentence.foundations]);
      for (const slug of predicted) {
        if (expected.has(slug)) truePositives++;
        else {
          falsePositives++;
          errors.push(`false positive ${slug}: ${sentence.text}`);
        }
      }
      for (const slug of expected) {
        if (!predicted.has(slug)) {
          falseNegatives++;
          errors.push(`missed ${slug}: ${sentence.text}`);
        }
      }
    }
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / (truePositives + falseNegatives);
    // The figures in the README come from this line.
    console.info(
      `entity linking on ${corpus.length} sentences (${truePositives + falseNegatives} labels): precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}\n${errors.join('\n')}`,
    );
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(precision).toBeGreaterThanOrEqual(0.95);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});
