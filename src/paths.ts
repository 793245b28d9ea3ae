import path from 'node:path';

/**
 * The package root: the folder holding package.json, migrations/ and src/reference/.
 * Compiled code lives in dist/ and sources in src/, both one level below it.
 */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');
