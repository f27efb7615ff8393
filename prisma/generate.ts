// postinstall: generates both Prisma clients (server/db/generated/sqlite and .../postgres) offline.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { layout } from './layout.ts';

const prismaCli = fileURLToPath(import.meta.resolve('prisma/build/index.js'));
const env = {
  ...process.env,
  // generate never runs the schema engine but insists that its binary exists; the native one cannot be downloaded.
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
  CHECKPOINT_DISABLE: '1', // no telemetry request
  PRISMA_HIDE_UPDATE_MESSAGE: '1', // no update check
};

for (const { schema } of Object.values(layout)) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schema], { stdio: 'inherit', env });
}
