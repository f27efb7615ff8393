import type { WidgetSettings } from '../contract/dto.ts';

export const DEFAULT_WIDGET_SETTINGS: WidgetSettings = {
  color: '#2f5bea',
  position: 'right',
  zIndex: 2147483000,
  teamName: 'Support',
  greeting: 'Hi! How can we help?',
  locale: 'auto',
};
