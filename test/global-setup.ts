import { ensureHandlersBuilt } from '../bin/build-handlers';

/**
 * The constructs deploy the handlers prebuilt in dist/handlers. Before any test synthesizes,
 * build them once if lambda/ (or the registry, the options, the lock file) changed since they
 * were built; a fresh clone builds them here, an up-to-date tree costs one hash of the sources.
 */
export default function globalSetup(): void {
  const { built } = ensureHandlersBuilt();
  if (built) process.stderr.write('\nglobal setup: built the Lambda handlers into dist/handlers (their sources changed)\n');
}
