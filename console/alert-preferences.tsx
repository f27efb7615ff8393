/**
 * My alerts away from the console: Web Push on this device, which alerts come by push or email, and quiet
 * hours (no push or email inside them), kept on the server (/api/agent).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ALERT_CHANNELS, ALERT_KINDS, type AlertChannel, type AlertKind, type AlertPreferencesDTO } from '../server/contract/alerts.ts';
import { ErrorLine, errorText, Status } from './admin/common.tsx';
import type { AdminApi } from './api.ts';
import { t, type ConsoleText } from './i18n.ts';
import { disablePush, enablePush, pushState, type PushDeviceState } from './push-device.ts';

const KIND_TEXT: Record<AlertKind, ConsoleText> = {
  queueWait: 'alertKindQueueWait',
  visitorMessage: 'alertKindVisitorMessage',
  transfer: 'alertKindTransfer',
  escalation: 'alertKindEscalation',
  offlineMessage: 'alertKindOfflineMessage',
};
const DEVICE_TEXT: Record<PushDeviceState, ConsoleText> = {
  unsupported: 'pushUnsupported',
  denied: 'pushDenied',
  off: 'pushOff',
  on: 'pushOn',
};
const TIME_ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
const DEFAULT_QUIET = { from: 22 * 60, to: 7 * 60 };

const toTime = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const fromTime = (value: string) => {
  const [hours, minutes] = value.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

/** The body the API takes: only the channels each kind uses. */
const requestOf = (p: AlertPreferencesDTO) => ({
  ...p,
  channels: Object.fromEntries(ALERT_KINDS.map((kind) => [kind, Object.fromEntries((ALERT_CHANNELS[kind] as readonly AlertChannel[]).map((c) => [c, p.channels[kind][c]]))])),
});

export function AlertPreferences({ api, open, onClose }: { api: AdminApi; open: boolean; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [device, setDevice] = useState<PushDeviceState | null>(null);
  const [prefs, setPrefs] = useState<AlertPreferencesDTO | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
    if (!open) return;
    setStatus(null);
    setError(null);
    pushState(api).then(setDevice, (err: unknown) => setError(errorText(err)));
    api.get<AlertPreferencesDTO>('/alert-preferences').then(
      (loaded) => setPrefs(loaded.quietHours ? loaded : { ...loaded, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || loaded.timeZone }),
      (err: unknown) => setError(errorText(err)),
    );
  }, [open]);

  // Subscribing asks the browser's push service, which can take a while (or fail, offline).
  const toggleDevice = async () => {
    setError(null);
    setBusy(true);
    try {
      setDevice(await (device === 'on' ? disablePush(api) : enablePush(api)));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const save = async (event: Event) => {
    event.preventDefault();
    if (!prefs) return;
    setError(null);
    try {
      setPrefs(await api.put<AlertPreferencesDTO>('/alert-preferences', requestOf(prefs)));
      setStatus(t('saved'));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const setChannel = (kind: AlertKind, channel: AlertChannel, on: boolean) =>
    prefs && setPrefs({ ...prefs, channels: { ...prefs.channels, [kind]: { ...prefs.channels[kind], [channel]: on } } });
  const quiet = prefs?.quietHours;

  return (
    <dialog ref={dialog} class="alert-preferences" aria-labelledby="alert-preferences-title" onClose={onClose}>
      <h2 id="alert-preferences-title">{t('alertPreferences')}</h2>
      <section aria-labelledby="push-device-title">
        <h3 id="push-device-title">{t('thisDevice')}</h3>
        <p role="status">{device && t(DEVICE_TEXT[device])}</p>
        {(device === 'off' || device === 'on') && (
          <button type="button" class={device === 'on' ? 'secondary' : 'primary'} disabled={busy} aria-busy={busy} onClick={() => void toggleDevice()}>
            {device === 'on' ? t('disablePushHere') : t('enablePushHere')}
          </button>
        )}
      </section>
      {prefs && (
        <form onSubmit={save}>
          <table>
            <caption>{t('alertChannels')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('alertKind')}</th>
                <th scope="col">{t('channelPush')}</th>
                <th scope="col">{t('channelEmail')}</th>
              </tr>
            </thead>
            <tbody>
              {ALERT_KINDS.map((kind) => (
                <tr key={kind}>
                  <th scope="row">{t(KIND_TEXT[kind])}</th>
                  {(['push', 'email'] as const).map((channel) => (
                    <td key={channel}>
                      {(ALERT_CHANNELS[kind] as readonly AlertChannel[]).includes(channel) ? (
                        <input
                          type="checkbox"
                          aria-label={`${t(KIND_TEXT[kind])}: ${t(channel === 'push' ? 'channelPush' : 'channelEmail')}`}
                          checked={prefs.channels[kind][channel]}
                          onChange={(e) => setChannel(kind, channel, e.currentTarget.checked)}
                        />
                      ) : (
                        <span class="muted">{t('notApplicable')}</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <fieldset>
            <legend>{t('quietHours')}</legend>
            <label class="check">
              <input type="checkbox" checked={!!quiet} onChange={(e) => setPrefs({ ...prefs, quietHours: e.currentTarget.checked ? DEFAULT_QUIET : null })} />
              {t('quietHoursEnabled')}
            </label>
            {quiet && (
              <div class="row">
                <label>
                  {t('quietFrom')}
                  <input type="time" value={toTime(quiet.from)} onInput={(e) => setPrefs({ ...prefs, quietHours: { ...quiet, from: fromTime(e.currentTarget.value) } })} />
                </label>
                <label>
                  {t('quietTo')}
                  <input type="time" value={toTime(quiet.to)} onInput={(e) => setPrefs({ ...prefs, quietHours: { ...quiet, to: fromTime(e.currentTarget.value) } })} />
                </label>
                <label>
                  {t('timeZone')}
                  <input list="alert-time-zones" value={prefs.timeZone} onInput={(e) => setPrefs({ ...prefs, timeZone: e.currentTarget.value })} />
                </label>
                <datalist id="alert-time-zones">
                  {TIME_ZONES.map((zone) => (
                    <option key={zone} value={zone} />
                  ))}
                </datalist>
              </div>
            )}
          </fieldset>
          <ErrorLine error={error} />
          <Status text={status} />
          <div class="form-actions">
            <button type="submit" class="primary">
              {t('saveChanges')}
            </button>
            <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
              {t('close')}
            </button>
          </div>
        </form>
      )}
      {!prefs && <ErrorLine error={error} />}
    </dialog>
  );
}
