// The SQLite writer thread's entry. Threads do not inherit the TypeScript loader the server runs under: register it,
// then load the thread's code.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-worker.ts');
