/**
 * What the host page tells the server about its visitor: who they are (`Parley.identify`), the page they
 * are on, and custom attributes (`Parley.setAttributes`). These are facts, not calls that may fail once:
 * each is kept until the server took it, and sent again after a transient failure (no connection yet, a
 * lost answer, a busy server), on the next connect or after a pause. Identity goes first, so the page and
 * attributes land on the identified user when identify switches to a known one.
 */
import type { VisitorUpdateRequest } from '../../server/contract/events.ts';
import type { Identity, VisitorAttributes } from '../bridge.ts';
import { AckError, isTransient } from '../../client/request.ts';

/** A transient failure while connected (a busy server, a limit) is tried again after this long. */
export const FACTS_RETRY_MS = 5000;

export type PageContext = NonNullable<VisitorUpdateRequest['context']>;

export interface FactsSender {
  identify(identity: Identity): Promise<void>;
  context(context: PageContext): Promise<void>;
  attributes(attributes: VisitorAttributes): Promise<void>;
  /** The server refused a fact for good (bad hash, invalid attributes): sending it again would not help. */
  refused(fact: 'identify' | 'context' | 'attributes', error: AckError): void;
}

const isTransientFailure = (error: unknown): boolean => error instanceof AckError && isTransient(error.code);

/** One fact waiting for the server; set again before it was sent, the newer value wins (or merges). */
class Fact<T> {
  #value: T | null = null;

  constructor(
    readonly name: 'identify' | 'context' | 'attributes',
    private readonly send: (value: T) => Promise<void>,
    private readonly merge: (older: T, newer: T) => T = (_older, newer) => newer,
  ) {}

  get waiting(): boolean {
    return this.#value !== null;
  }

  set(value: T): void {
    this.#value = this.#value === null ? value : this.merge(this.#value, value);
  }

  /** Sends what waits; after a transient failure it waits again, under whatever was set meanwhile. */
  async sendWaiting(): Promise<void> {
    const taken = this.#value;
    if (taken === null) return;
    this.#value = null;
    try {
      await this.send(taken);
    } catch (error) {
      if (isTransientFailure(error)) this.#value = this.#value === null ? taken : this.merge(taken, this.#value);
      throw error;
    }
  }
}

type AnyFact = Fact<Identity> | Fact<PageContext> | Fact<VisitorAttributes>;

export class PageFacts {
  readonly #sender: FactsSender;
  /** In the order they are sent. */
  readonly #facts: readonly AnyFact[];
  readonly #identity: Fact<Identity>;
  readonly #context: Fact<PageContext>;
  readonly #attributes: Fact<VisitorAttributes>;
  #online = false;
  #sending = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(sender: FactsSender, context: PageContext) {
    this.#sender = sender;
    this.#identity = new Fact('identify', (identity) => sender.identify(identity));
    this.#context = new Fact('context', (page) => sender.context(page));
    // Attributes set in several calls are all kept, the latest value of each key winning.
    this.#attributes = new Fact('attributes', (attributes) => sender.attributes(attributes), (older, newer) => ({ ...older, ...newer }));
    this.#facts = [this.#identity, this.#context, this.#attributes];
    this.#context.set(context);
  }

  identify(identity: Identity): void {
    this.#identity.set(identity);
    void this.#flush();
  }

  setAttributes(attributes: VisitorAttributes): void {
    this.#attributes.set(attributes);
    void this.#flush();
  }

  online(): void {
    this.#online = true;
    void this.#flush();
  }

  offline(): void {
    this.#online = false;
  }

  /** One at a time, the first waiting fact first, while connected; a transient failure ends the run. */
  async #flush(): Promise<void> {
    if (this.#sending) return;
    this.#sending = true;
    clearTimeout(this.#retry);
    try {
      for (let fact = this.#next(); fact && this.#online; fact = this.#next()) {
        if (!(await this.#send(fact))) break;
      }
    } finally {
      this.#sending = false;
    }
  }

  #next(): AnyFact | undefined {
    return this.#facts.find((fact) => fact.waiting);
  }

  /** False when the fact failed for now: it waits for the next connect, or for the retry while connected. */
  async #send(fact: AnyFact): Promise<boolean> {
    try {
      await fact.sendWaiting();
      return true;
    } catch (error) {
      if (isTransientFailure(error)) {
        if (this.#online) this.#retry = setTimeout(() => void this.#flush(), FACTS_RETRY_MS);
        return false;
      }
      this.#sender.refused(fact.name, error instanceof AckError ? error : new AckError({ code: 'INTERNAL', message: String(error) }));
      return true;
    }
  }
}
