/**
 * Stops at once, with a message, on a Node.js older than the one this service needs, before any
 * other module loads: better-sqlite3 13 crashes the process (segmentation fault) on Node 20.
 * Imported first by the command line. `npm install` refuses older versions too (.npmrc engine-strict).
 */
const MINIMUM_MAJOR = 22;

const major = Number(process.versions.node.split('.')[0]);
if (!(major >= MINIMUM_MAJOR)) {
  process.stderr.write(
    `foundation-wire: Node.js ${MINIMUM_MAJOR} or newer is needed (24 LTS recommended, see .nvmrc); this is Node.js ${process.version}.\n` +
      `  Install Node.js 24, or run \`source .ci/node.sh\` to put it on PATH from the npm registry (README, "Quick start").\n`,
  );
  process.exit(1);
}

export {};
