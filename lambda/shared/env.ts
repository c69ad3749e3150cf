import * as path from 'node:path';

/**
 * A file bundled beside the handler (`SecureFunction` `bundledFiles`). ESM bundles have no __dirname;
 * Lambda puts the bundle in LAMBDA_TASK_ROOT (`taskRoot` of the function's environment contract).
 */
export function bundledFile(name: string, taskRoot: string | undefined): string {
  return path.join(taskRoot ?? process.cwd(), name);
}
