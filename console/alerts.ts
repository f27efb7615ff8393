/**
 * Getting an agent's attention: a short chime (Web Audio, no file to load), a desktop notification, and
 * the count in the page title. Sound and desktop notifications can be switched off; the choice is kept.
 */

const SOUND_KEY = 'parley.console.sound';

export interface AlertsState {
  sound: boolean;
  /** The browser's permission for desktop notifications ('unsupported' when it has none). */
  desktop: NotificationPermission | 'unsupported';
}

export class Alerts {
  #audio: AudioContext | null = null;
  #state: AlertsState;
  readonly #listeners = new Set<(state: AlertsState) => void>();
  readonly #baseTitle: string;

  constructor() {
    this.#baseTitle = document.title;
    this.#state = {
      sound: localStorage.getItem(SOUND_KEY) !== 'off',
      desktop: typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
    };
  }

  get state(): AlertsState {
    return this.#state;
  }

  subscribe(listener: (state: AlertsState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  setSound(on: boolean): void {
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    this.#set({ sound: on });
    if (on) this.#context(); // created inside the click, so the browser lets it play later
  }

  /** Asks for permission; must run inside a user gesture. */
  async enableDesktop(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    this.#set({ desktop: await Notification.requestPermission() });
  }

  /** "(3) Parley": the number of conversations needing attention. */
  badge(count: number): void {
    document.title = count > 0 ? `(${count}) ${this.#baseTitle}` : this.#baseTitle;
  }

  notify(title: string, body: string, tag: string, onClick: () => void): void {
    this.chime();
    if (this.#state.desktop !== 'granted' || document.visibilityState === 'visible') return;
    try {
      const notification = new Notification(title, { body, tag, lang: document.documentElement.lang });
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    } catch {
      // Some browsers only allow notifications from a service worker; the chime and title remain.
    }
  }

  chime(): void {
    if (!this.#state.sound) return;
    const audio = this.#context();
    if (!audio) return;
    const now = audio.currentTime;
    for (const [i, frequency] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.3);
    }
  }

  #context(): AudioContext | null {
    if (typeof AudioContext === 'undefined') return null;
    this.#audio ??= new AudioContext();
    if (this.#audio.state === 'suspended') void this.#audio.resume().catch(() => undefined);
    return this.#audio;
  }

  #set(patch: Partial<AlertsState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
