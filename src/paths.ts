import path from 'node:path';

/**
 * The package root: the folder holding package.json, migrations/ and src/reference/.
 * Compiled code lives in dist/ and sources in src/, both one level below it.
 */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');

/**
 * The compiled script a worker thread runs (`graphql/executor-thread.js`): from dist/, also when the
 * caller runs as TypeScript (jest runs src/; `npm test` builds first).
 */
export function threadScript(relative: string): string {
  return path.join(PACKAGE_ROOT, 'dist', relative);
}

/** Name, version and homepage from package.json, for the User-Agent and `--version`. */
export function packageInfo(): { name: string; version: string; homepage: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(path.join(PACKAGE_ROOT, 'package.json')) as { name: string; version: string; homepage: string };
  return { name: pkg.name, version: pkg.version, homepage: pkg.homepage };
}
