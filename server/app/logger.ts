/** What use cases and adapters log through: pino in production, satisfied by any object with these methods. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
