/** Whether a site's bot takes a new conversation now. Pure: the caller says whether the site is open and staffed. */
import type { BotWhen } from '../contract/bots.ts';

export function botTakes(when: BotWhen, site: { open: boolean; agentsOnline: boolean }): boolean {
  switch (when) {
    case 'always':
      return true;
    case 'closed':
      return !site.open;
    case 'no-agent':
      return !site.agentsOnline;
  }
}
