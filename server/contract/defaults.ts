/** Widget settings a new site starts with: the server stores them, the console's site form starts from them. */
import type { WidgetSettingsPatch } from './admin.ts';
import type { WidgetSettings } from './dto.ts';

export const DEFAULT_WIDGET_SETTINGS: WidgetSettings = {
  color: '#2f5bea',
  position: 'right',
  offsetX: 20,
  offsetY: 20,
  zIndex: 2147483000,
  teamName: 'Support',
  greeting: 'Hi! How can we help?',
  locale: 'auto',
  prechat: { enabled: false, nameRequired: false, emailRequired: false },
  businessHours: { enabled: false, timezone: 'UTC', days: {} },
  offlineMessage: '',
  typingPreview: false,
  agentsSeeAll: true,
  emailAfterMinutes: 3,
  emailOfflineMessagesToAgents: true,
  alertAfterSeconds: 30,
  escalateToAgentsAfterMinutes: 5,
  escalateToAdminsAfterMinutes: 15,
  alertsWithoutMessageText: false,
};

/** Stored settings may predate a field: fill every gap from the defaults, one level deep. */
export function withDefaults(stored: Partial<WidgetSettings>): WidgetSettings {
  return {
    ...DEFAULT_WIDGET_SETTINGS,
    ...stored,
    prechat: { ...DEFAULT_WIDGET_SETTINGS.prechat, ...stored.prechat },
    businessHours: { ...DEFAULT_WIDGET_SETTINGS.businessHours, ...stored.businessHours },
  };
}

/** Applies a settings patch (as an admin request sends it): top-level fields replace, nested objects merge field by field. */
export function mergeSettings(current: WidgetSettings, patch: WidgetSettingsPatch = {}): WidgetSettings {
  return {
    ...current,
    ...patch,
    prechat: { ...current.prechat, ...patch.prechat },
    businessHours: { ...current.businessHours, ...patch.businessHours },
  };
}
