// Synthetic but realistic foundation news: a seeded PRNG, Zipf-like samplers and a text maker that
// writes titles, HTML bodies and their plain text from an English-ish vocabulary with the terms of
// the open-source foundation world. Shared by the database generator (generate.js), the loopback
// feed servers (feeds.js) and the ingestion benchmark (ingest.js). Deterministic: the same seed
// gives the same text.
'use strict';

/** sfc32, seeded from a string: small, fast, and good enough for test data. */
function rng(seed) {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const next = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
  let a = next(), b = next(), c = next(), d = next();
  const random = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) random();
  return random;
}

/** Vose's alias method: O(1) sampling of an index with the given (unnormalized) weights. */
class Sampler {
  constructor(weights) {
    const n = weights.length;
    const total = weights.reduce((s, w) => s + w, 0);
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = weights.map((w) => (w * n) / total);
    const small = [];
    const large = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop();
      const l = large.pop();
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
    this.n = n;
  }

  sample(random) {
    const i = Math.floor(random() * this.n);
    return random() < this.prob[i] ? i : this.alias[i];
  }
}

/** Weights 1/rank^s: rank 1 is the most common. */
const zipf = (n, s) => Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));

// The vocabulary, most common first. Company and foundation names are kept out of it on purpose
// (no "Docker", "Azure", "Meta", "Apple", "GitHub", "OpenSSF", ...): the text names an entity only
// where the generator puts it, so the mentions the linker finds are the ones chosen.
const FUNCTION_WORDS = `the of and to a in for is on that with as by it this are be from at or an will we has have its new
more their our which was can also all not but been into they these other about than over through how one two now each most up
out so when who what where while after across between such may both many those there first only any well just very even still`.split(/\s+/);

const DOMAIN_WORDS = `open source project projects community maintainers maintainer contributors contributor release released releases
version security vulnerability vulnerabilities CVE patch patches software developers developer foundation governance ecosystem
Kubernetes PyTorch containers container cluster clusters observability telemetry OpenTelemetry Prometheus Envoy Helm etcd eBPF
WebAssembly Wasm Rust Python JavaScript Linux kernel SBOM SPDX Sigstore SLSA provenance signing attestation dependencies
dependency package packages registry build builds CI pipeline pipelines tooling AI model models training inference LLM data
datasets GPU accelerators hardware edge networking storage database API APIs standards specification interoperability
compliance license licensing membership members member board technical steering committee TOC sandbox incubating graduated
graduation conference KubeCon summit keynote talk session workshop mentorship funding grant audit fuzzing roadmap milestone
feature features performance scalability reliability stable beta alpha deprecation upgrade migration documentation docs
tutorial blog announcement announced announces launch launched today week month report survey research education
certification contributors maintainership repository repositories commit commits issue issues bug bugs fix fixes
runtime runtimes scheduler operator operators controller service mesh gateway ingress workload workloads serverless
platform platforms infrastructure deployment deployments automation policy policies identity secrets encryption
cryptography keys certificates TLS authentication authorization access audit logging metrics tracing dashboards
benchmark benchmarks throughput latency memory CPU compiler toolchain crates modules libraries library framework
frameworks SDK CLI plugin plugins extension extensions interface upstream downstream fork forks vendor vendors
neutral neutrality trademark charter bylaws election elections ambassador ambassadors newsletter webinar meetup
hackathon bounty disclosure advisory advisories remediation scanning scanner scorecard reproducible verification`.split(/\s+/);

const GENERAL_WORDS = `time people way day thing world life hand part child eye place work week case point company number group
problem fact make made know take see come think look want give use find tell ask seem feel try leave call good great high
small large next early young important few public bad same able last long little own right big different local sure late
hard major better best real clear free whole simple common future current recent past final full strong possible
available likely several various certain general specific particular natural personal basic main key central global
national international regional industry market business organization organizations team teams effort efforts plan plans
goal goals result results change changes approach process system systems program programs support service services
information value values role roles level levels area areas experience question questions answer idea ideas example
examples reason reasons story stories side end start beginning half course line lines set sets list lists step steps
range form forms type types kind kinds order detail details focus growth increase rate share cost costs price risk
risks impact benefit benefits challenge challenges opportunity opportunities solution solutions option options choice
decision decisions event events meeting meetings discussion discussions proposal proposals review reviews feedback
progress success failure quality standard model design designs development production testing test tests user users
customer customers partner partners leader leaders director engineer engineers expert experts analyst analysts
student students university school schools government agency agencies office offices center centers network networks
computer computers device devices application applications tool tools resource resources environment environments
language languages code version versions file files page pages site sites web browser server servers client clients
request requests response responses message messages content text image images video videos source sources
record records history access control management operations security privacy safety trust health energy
provide include includes including continue continues create creates created build builds improve improves improved
allow allows require requires required reduce reduces reduced expand expands expanded offer offers offered enable
enables enabled deliver delivers delivered adopt adopts adopted maintain maintains maintained share shares shared
join joins joined lead leads led grow grows grew manage manages managed focus focuses focused address addresses
addressed explore explores explored discuss discusses discussed publish publishes published host hosts hosted
contribute contributes contributed collaborate collaborates collaboration partnership partnerships initiative
initiatives strategy strategies vision mission commitment investment investments adoption transparency accountability
sustainability resilience innovation efficiency flexibility portability visibility maturity stability diversity
inclusion accessibility sovereignty regulation regulations law laws act policy-makers europe european america asia
quickly easily directly widely openly actively currently recently already together today yesterday tomorrow often
always never sometimes usually generally finally especially particularly significantly nearly almost around about`.split(/\s+/);

const PROJECTS = `Kubernetes PyTorch Envoy Prometheus OpenTelemetry Helm etcd containerd CoreDNS Istio Argo Flux Falco Cilium Jaeger
Linkerd Node.js Electron webpack Zephyr Jenkins Tekton Spinnaker Kafka Spark Airflow Rust Python pip PyPI crates.io npm
Sigstore SLSA Scorecard OpenStack Wasmtime ONNX Ray vLLM DeepSpeed Milvus Backstage Dapr KEDA Knative gRPC CRI-O Harbor
Notary TUF in-toto SPIFFE SPIRE OPA Kyverno Thanos Cortex Vitess TiKV Rook Longhorn Crossplane KubeVirt`.split(/\s+/);

/** Multi-word terms of the field, Zipf-weighted; "supply chain security" is the benchmark's search. */
const PHRASES = [
  ['open source', 30], ['cloud native', 14], ['supply chain security', 2.2], ['software supply chain', 1.5], ['machine learning', 6],
  ['memory safety', 1.5], ['software bill of materials', 1.2], ['large language models', 3], ['technical steering committee', 1.5],
  ['security audit', 1.4], ['long-term support', 1.2], ['release candidate', 1.5], ['zero trust', 0.8], ['edge computing', 1],
  ['platform engineering', 1.2], ['developer experience', 1.2], ['open governance', 1], ['vulnerability disclosure', 0.8],
  ['end users', 2], ['working group', 3], ['special interest group', 1], ['pull requests', 2.5], ['code review', 1.5],
  ['service mesh', 1.2], ['generative AI', 2.5], ['open standards', 1.2], ['continuous integration', 1], ['container images', 1],
];

const FIRST_NAMES = `James Mary Wei Priya Ahmed Sofia Lukas Yuki Carlos Fatima Olga Kwame Ana Chen Raj Emma Noah Aisha Mateo Hana
Ivan Lena Omar Grace Diego Mei Arjun Zoe Tomas Ines Kenji Nadia Pablo Sara Felix Amara Jonas Leila Marco Ruth`.split(/\s+/);
const LAST_NAMES = `Smith Garcia Wang Patel Müller Kim Nguyen Rossi Silva Kowalski Johansson Okafor Tanaka Ivanova Schmidt Dubois
Haddad Costa Novak Fischer Sato Mendes Brown Lopez Singh Zhang Andersen Moreau Yilmaz Cohen Murphy Nakamura Ortiz Weber`.split(/\s+/);

/** Pronounceable made-up words: the long tail of rare terms (project code names, jargon, typos). */
function pseudoWords(count, random) {
  const onsets = ['b', 'c', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'kr', 'st', 'tr', 'pl', 'gr', 'sh', 'th', 'qu'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou', 'y'];
  const codas = ['', '', '', 'n', 'r', 's', 'x', 'l', 'm', 'k', 'nd', 'st'];
  const words = new Set();
  while (words.size < count) {
    const syllables = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < syllables; i++) w += onsets[Math.floor(random() * onsets.length)] + vowels[Math.floor(random() * vowels.length)];
    words.add(w + codas[Math.floor(random() * codas.length)]);
  }
  return [...words];
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const capitalize = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Writes articles. `entities` gives the companies and foundations (most popular first) whose names
 * the text may carry: { companies: [{ name, aliases }], foundations: [{ name, shortName, aliases, tiers }] }.
 */
class TextMaker {
  constructor(entities, seed = 'foundation-wire-vocabulary') {
    const random = rng(seed);
    // Function words first, then the domain and general words interleaved, then 30,000 rare words.
    const mixed = [];
    const a = [...DOMAIN_WORDS];
    const b = [...GENERAL_WORDS];
    while (a.length || b.length) {
      if (a.length) mixed.push(a.shift());
      if (b.length) mixed.push(b.shift());
      if (b.length) mixed.push(b.shift());
    }
    const common = [...FUNCTION_WORDS, ...mixed];
    this.words = [...common, ...pseudoWords(30_000, random)];
    // The rare tail continues the Zipf curve at a fifth of its height: about one word in ten is rare.
    this.wordSampler = new Sampler(zipf(this.words.length, 1.0).map((w, i) => (i < common.length ? w : w / 5)));
    this.phraseSampler = new Sampler(PHRASES.map(([, w]) => w));
    this.projectSampler = new Sampler(zipf(PROJECTS.length, 0.9));
    this.companies = entities.companies;
    this.foundations = entities.foundations;
    this.companySampler = new Sampler(zipf(this.companies.length, 1.0));
    this.foundationSampler = new Sampler(zipf(this.foundations.length, 0.9));
    this.authors = [];
    for (const first of FIRST_NAMES) for (const last of LAST_NAMES) this.authors.push(`${first} ${last}`);
  }

  word(random) {
    return this.words[this.wordSampler.sample(random)];
  }

  /** `count` distinct indexes from a sampler (popular ones more likely). */
  distinct(sampler, count, random) {
    const picked = new Set();
    for (let tries = 0; picked.size < count && tries < count * 20; tries++) picked.add(sampler.sample(random));
    return [...picked];
  }

  /** A name an entity goes by in text: mostly its name, sometimes an alias or short name. */
  nameOf(entity, random) {
    const others = [entity.shortName, ...(entity.aliases ?? [])].filter((t) => t && t.length >= 3);
    return others.length && random() < 0.25 ? others[Math.floor(random() * others.length)] : entity.name;
  }

  /** One sentence of `min` to `max` words; `insert` names placed at random positions. */
  sentence(random, insert = [], min = 8, max = 28) {
    const length = min + Math.floor(random() * (max - min + 1));
    const parts = [];
    for (let i = 0; i < length; i++) {
      const r = random();
      if (r < 0.012) parts.push(PHRASES[this.phraseSampler.sample(random)][0]);
      else if (r < 0.02) parts.push(PROJECTS[this.projectSampler.sample(random)]);
      else if (r < 0.024) parts.push(`${1 + Math.floor(random() * 40)}.${Math.floor(random() * 30)}`);
      else if (r < 0.027) parts.push(String(2015 + Math.floor(random() * 12)));
      else if (r < 0.028) parts.push(`CVE-${2020 + Math.floor(random() * 7)}-${1000 + Math.floor(random() * 60000)}`);
      else parts.push(this.word(random));
      if (random() < 0.06) parts[parts.length - 1] += ',';
    }
    for (const name of insert) parts.splice(Math.floor(random() * (parts.length + 1)), 0, name);
    const last = parts.length - 1;
    parts[last] = parts[last].replace(/,$/, '');
    return `${capitalize(parts.join(' '))}.`;
  }

  /** A title of 40 to 120 characters. */
  title(random, { company, foundation }) {
    const target = 40 + Math.floor(((random() + random() + random()) / 3) * 80);
    const project = PROJECTS[this.projectSampler.sample(random)];
    const r = random();
    let title;
    if (company && foundation && r < 0.25) {
      const tier = foundation.tiers?.length ? foundation.tiers[Math.floor(random() * foundation.tiers.length)] : 'new';
      title = `${company} joins ${foundation.name} as a ${tier} member`;
    } else if (r < 0.45) {
      title = `${project} ${1 + Math.floor(random() * 30)}.${Math.floor(random() * 20)} released with ${PHRASES[this.phraseSampler.sample(random)][0]}`;
    } else if (r < 0.55) {
      title = `${project} fixes CVE-${2022 + Math.floor(random() * 5)}-${1000 + Math.floor(random() * 60000)} in its ${this.word(random)} ${this.word(random)}`;
    } else {
      title = this.sentence(random, company && random() < 0.5 ? [company] : [], 5, 12).replace(/\.$/, '');
    }
    while (title.length < target) title += ` ${this.word(random)}`;
    if (title.length > 120) {
      title = title.slice(0, 120);
      title = title.slice(0, title.lastIndexOf(' '));
    }
    return capitalize(title.replace(/,$/, ''));
  }

  /**
   * An article: title, HTML (paragraphs, links, emphasis, an image) and its plain text, with the
   * chosen companies and foundations named in it. Text length 500-5,000 characters (median ~1,600).
   */
  article(random, { companyCount, foundationCount, ownFoundation, site }) {
    const companies = this.distinct(this.companySampler, companyCount, random).map((i) => this.companies[i]);
    const foundations = this.distinct(this.foundationSampler, foundationCount, random).map((i) => this.foundations[i]);
    if (ownFoundation && random() < 0.3 && !foundations.includes(ownFoundation)) foundations.push(ownFoundation);
    // Each entity is named in one to three sentences.
    const inserts = [];
    for (const e of [...companies, ...foundations]) {
      const times = 1 + Math.floor(random() * 3);
      for (let i = 0; i < times; i++) inserts.push(this.nameOf(e, random));
    }
    const title = this.title(random, {
      company: companies[0] ? this.nameOf(companies[0], random) : null,
      foundation: foundations[0] ?? ownFoundation ?? null,
    });
    // Log-normal length, clamped.
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const target = Math.min(5000, Math.max(500, Math.round(1600 * Math.exp(0.6 * normal))));
    const paragraphs = [];
    let length = 0;
    let pending = inserts.length;
    while (length < target || pending > 0) {
      const sentences = [];
      const count = 2 + Math.floor(random() * 5);
      for (let i = 0; i < count && (length < target || pending > 0); i++) {
        const names = pending > 0 && random() < 0.6 ? [inserts[--pending]] : [];
        const s = this.sentence(random, names);
        sentences.push(s);
        length += s.length + 1;
      }
      paragraphs.push(sentences);
    }
    const text = paragraphs.map((p) => p.join(' ')).join('\n\n');
    const html = [];
    if (random() < 0.4) html.push(`<p><img src="${site}/images/${Math.floor(random() * 1e6)}.png" alt="${escapeHtml(title)}"></p>`);
    for (const sentences of paragraphs) {
      const body = sentences.map((s) => {
        const h = escapeHtml(s);
        const r = random();
        if (r < 0.12) {
          // A link around the sentence's first word.
          const cut = h.indexOf(' ');
          return `<a href="${site}/${this.word(random)}/${Math.floor(random() * 1e5)}">${h.slice(0, cut)}</a>${h.slice(cut)}`;
        }
        if (r < 0.18) return `<strong>${h}</strong>`;
        if (r < 0.2) return `<em>${h}</em>`;
        return h;
      });
      html.push(`<p>${body.join(' ')}</p>`);
    }
    return { title, html: html.join('\n'), text };
  }

  /** A short item (~300-500 bytes as RSS): a title and a one- or two-sentence description. */
  shortItem(random) {
    const company = random() < 0.4 ? this.nameOf(this.companies[this.companySampler.sample(random)], random) : null;
    const title = this.sentence(random, company ? [company] : [], 5, 10).replace(/\.$/, '').slice(0, 80);
    let text = this.sentence(random);
    if (text.length < 150) text += ` ${this.sentence(random)}`;
    return { title, text: text.slice(0, 260) };
  }

  author(random) {
    return this.authors[Math.floor(random() * this.authors.length)];
  }
}

const slugify = (title) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
    .replace(/-$/, '');

/** The entities for a TextMaker from the reference data file (the YAML, read as the service reads it). */
function entitiesOf(reference) {
  return {
    companies: reference.companies.map((c) => ({ slug: c.slug, name: c.name, aliases: c.aliases ?? [] })),
    foundations: reference.foundations.map((f) => ({ slug: f.slug, name: f.name, shortName: f.shortName ?? null, aliases: f.aliases ?? [], tiers: f.tiers ?? [] })),
  };
}

module.exports = { rng, Sampler, zipf, TextMaker, slugify, escapeHtml, entitiesOf };
