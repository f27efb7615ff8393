/** `npm start`: validate config, start Parley, shut down gracefully on SIGTERM / SIGINT. */
import pino from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { createParley } from './composition.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = pino({ level: config.LOG_LEVEL });
  const parley = await createParley(config, { log });
  const url = await parley.listen();
  log.info({ url, database: config.DATABASE_URL.startsWith('file:') ? 'sqlite' : 'postgresql' }, 'listening');

  const { generatedAdminPassword, createdAdmin } = parley.firstRun;
  if (createdAdmin) {
    const password = generatedAdminPassword ? `password ${generatedAdminPassword} (shown once; change it)` : 'the password from ADMIN_PASSWORD';
    process.stdout.write(`\n  Parley is running: ${config.DEMO ? `demo page ${url}/  ` : ''}console ${url}/console/\n  Admin account: ${createdAdmin}, ${password}\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await parley.close();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Parley failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
