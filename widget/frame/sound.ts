/**
 * A short two-note chime, synthesised with Web Audio: no audio file to fetch, nothing for a CSP to
 * block. Browsers allow it once the page delegated autoplay (the loader's iframe `allow`) or the
 * visitor has interacted with the chat; otherwise it stays silent, which is all we can do.
 */
let context: AudioContext | undefined;

export function chime(): void {
  try {
    context ??= new AudioContext();
    void context.resume().catch(() => {});
    const start = context.currentTime;
    const volume = context.createGain();
    volume.connect(context.destination);
    volume.gain.setValueAtTime(0.0001, start);
    volume.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, start + 0.45);
    for (const [delay, frequency] of [[0, 880], [0.12, 1320]] as const) {
      const tone = context.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(volume);
      tone.start(start + delay);
      tone.stop(start + delay + 0.3);
    }
  } catch {
    // No Web Audio: no sound.
  }
}
