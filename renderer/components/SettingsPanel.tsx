import type { Settings } from '../../common/contract/index.js';
import { optionsWithSaved, type DeviceLists, type DeviceOption } from '../state/devices.js';
import type { DeviceField } from '../state/controller.js';
import { useController } from '../state/use-app-state.js';

/** Audio device choice, saved through the host and applied to the phone (also mid-call). */
export function SettingsPanel({ settings, devices }: { settings: Settings; devices: DeviceLists }) {
  const controller = useController();
  const select = (label: string, field: DeviceField, options: readonly DeviceOption[]) => (
    <label className="field">
      <span>{label}</span>
      <select value={settings[field]} onChange={(e) => void controller.chooseDevice(field, e.target.value)}>
        {optionsWithSaved(options, settings[field]).map((option) => (
          <option key={option.id} value={option.id}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section className="card settings" aria-label="Settings">
      <h2 className="section-title">Audio devices</h2>
      {select('Microphone', 'microphoneId', devices.microphones)}
      {select('Speaker', 'speakerId', devices.speakers)}
      {select('Ringer', 'ringerId', devices.speakers)}
    </section>
  );
}
