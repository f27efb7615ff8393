/**
 * The widget's and the console's icons, as inline SVG: symbol and emoji characters draw as empty boxes where
 * no emoji font is installed. Decorative: the button or text around an icon carries its name.
 */
const PATHS = {
  menu: 'M4 6h16M4 12h16M4 18h16',
  bell: 'M6 16v-5a6 6 0 0 1 12 0v5l2 2H4zM10 21h4',
  bellOff: 'M6 16v-5a6 6 0 0 1 12 0v5l2 2H4zM10 21h4M3 3l18 18',
  close: 'M6 6l12 12M18 6 6 18',
  paperclip: 'M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.5 3.5 0 0 1 5 5L10 17.5a2 2 0 0 1-3-3l7.5-7.5',
  file: 'M6 3h8l5 5v13H6zM13 3v6h6',
  lock: 'M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4',
  star: 'M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2-5.6-3-5.6 3 1.1-6.2L3 9.6l6.2-.9z',
  check: 'M5 12l5 5 9-10',
};

export type IconName = keyof typeof PATHS;

/** A 1em icon in the text's colour; `filled` fills the shape too (a chosen rating star). */
export function Icon({ name, filled = false }: { name: IconName; filled?: boolean }) {
  return (
    <svg
      class="glyph"
      viewBox="0 0 24 24"
      width="1em"
      height="1em"
      aria-hidden="true"
      fill={filled ? 'currentColor' : 'none'}
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
