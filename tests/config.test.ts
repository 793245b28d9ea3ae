import fs from 'node:fs';
import path from 'node:path';
import { describeSettings, loadConfig } from '../src/config';
import { ConfigError } from '../src/errors';

describe('loadConfig', () => {
  it('refuses a variable set but empty, naming it, rather than taking the default', () => {
    expect(() => loadConfig({ DATABASE_PATH: '', PORT: '  ' })).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_PATH: '', PORT: '  ' });
    } catch (err) {
      expect((err as Error).message).toContain('DATABASE_PATH is set but empty: give it a file path, or unset it for the default (./data/foundation-wire.db)');
      expect((err as Error).message).toContain('PORT is set but empty');
    }
    // Where "none" is a value, empty says it.
    expect(loadConfig({ METRICS_TOKEN: '' }).metricsToken).toBe('');
  });

  it.each([
    ['true', true], ['TRUE', true], ['1', true], ['yes', true], ['On', true],
    ['false', false], ['False', false], ['0', false], ['no', false], ['OFF', false],
  ])('reads the boolean %s as %s', (raw, value) => {
    expect(loadConfig({ FETCH_ENABLED: raw }).fetchEnabled).toBe(value);
  });

  it('takes documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databasePath: './data/foundation-wire.db',
      logLevel: 'info',
      databaseBusyTimeoutMs: 5000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('parses valid values', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_PATH: '/var/lib/fw.db', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', databasePath: '/var/lib/fw.db', logLevel: 'debug' });
  });

  it('reads durations and booleans of the fetch settings', () => {
    expect(loadConfig({ FETCH_MIN_INTERVAL: '90s', FETCH_MAX_INTERVAL: '2d', FETCH_TIMEOUT: '500ms', FETCH_ENABLED: 'false', FETCH_ALLOW_PRIVATE_HOSTS: 'yes' })).toMatchObject({
      fetchMinIntervalMs: 90_000,
      fetchMaxIntervalMs: 2 * 86_400_000,
      fetchTimeoutMs: 500,
      fetchEnabled: false,
      fetchAllowPrivateHosts: true,
    });
    expect(loadConfig({})).toMatchObject({ fetchEnabled: true, fetchConcurrency: 8, fetchMinIntervalMs: 900_000, fetchMaxIntervalMs: 86_400_000, fetchMaxBodyBytes: 10 * 1024 * 1024 });
  });

  it('refuses a minimum interval longer than the maximum', () => {
    expect(() => loadConfig({ FETCH_MIN_INTERVAL: '2h', FETCH_MAX_INTERVAL: '1h' })).toThrow('FETCH_MIN_INTERVAL must not be longer than FETCH_MAX_INTERVAL');
  });

  it.each([
    ['FETCH_MIN_INTERVAL', '15 minutes', 'a duration from 1m to 7d, such as 15m'],
    ['FETCH_MAX_INTERVAL', '90d', 'a duration from 1m to 30d, such as 24h'],
    ['FETCH_ENABLED', 'maybe', 'true or false'],
    ['FETCH_CONCURRENCY', '0', 'an integer from 1 to 64'],
    ['PORT', 'abc', 'an integer from 1 to 65535'],
    ['PORT', '70000', 'an integer from 1 to 65535'],
    ['PORT', '80.5', 'an integer from 1 to 65535'],
    ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['DATABASE_BUSY_TIMEOUT_MS', '-1', 'an integer number of milliseconds'],
  ])('refuses %s=%s naming the variable and what it accepts', (name, value, accepts) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(`${name}="${value}" is invalid: expected ${accepts}`);
  });

  it('reports every invalid variable at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe('the README', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

  it.each(describeSettings().map((s) => [s.env, s.shownDefault] as const))('lists %s with its default %s in the configuration table', (env, shownDefault) => {
    expect(readme).toContain(`| \`${env}\` | \`${shownDefault}\` |`);
  });

  it.each(describeSettings().filter((s) => /^(QUERY_MAX|WS_MAX|MAX_REQUEST|FETCH_MAX_BODY|FETCH_TIMEOUT|FETCH_CONNECT)/.test(s.env)).map((s) => [s.env] as const))(
    'names %s in the limits table',
    (env) => {
      const limits = readme.slice(readme.indexOf('### Limits'), readme.indexOf('### Caching'));
      expect(limits).toContain(`\`${env}\``);
    },
  );
});
